from enum import StrEnum


class ConsentStatus(StrEnum):
    AUTHORISED = "authorised"
    AWAITING_AUTHORISATION = "awaiting_authorisation"
    CONSUMED = "consumed"
    EXPIRED = "expired"
    REJECTED = "rejected"
    REVOKED = "revoked"

    def __str__(self) -> str:
        return str(self.value)

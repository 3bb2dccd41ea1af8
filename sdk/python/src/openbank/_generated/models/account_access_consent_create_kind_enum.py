from enum import StrEnum


class AccountAccessConsentCreateKindEnum(StrEnum):
    ACCOUNT_ACCESS = "account_access"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class ConsentKind(StrEnum):
    ACCOUNT_ACCESS = "account_access"
    PAYMENT = "payment"

    def __str__(self) -> str:
        return str(self.value)

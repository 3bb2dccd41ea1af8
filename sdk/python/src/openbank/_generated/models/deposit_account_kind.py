from enum import StrEnum


class DepositAccountKind(StrEnum):
    BUSINESS = "business"
    CURRENT = "current"
    SAVINGS = "savings"

    def __str__(self) -> str:
        return str(self.value)

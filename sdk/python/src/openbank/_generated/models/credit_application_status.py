from enum import StrEnum


class CreditApplicationStatus(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    REFERRED = "referred"

    def __str__(self) -> str:
        return str(self.value)

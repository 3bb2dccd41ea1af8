from enum import StrEnum


class LoanStatus(StrEnum):
    ACTIVE = "active"
    APPROVED = "approved"
    CLOSED = "closed"
    OVERDUE = "overdue"
    WRITTEN_OFF = "written_off"

    def __str__(self) -> str:
        return str(self.value)

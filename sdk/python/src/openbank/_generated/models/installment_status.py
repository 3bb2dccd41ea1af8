from enum import StrEnum


class InstallmentStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    PAID = "paid"
    SCHEDULED = "scheduled"
    WRITTEN_OFF = "written_off"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class DayCountEnum(StrEnum):
    ACTUAL_360 = "ACTUAL_360"
    ACTUAL_365 = "ACTUAL_365"
    THIRTY_360 = "THIRTY_360"

    def __str__(self) -> str:
        return str(self.value)

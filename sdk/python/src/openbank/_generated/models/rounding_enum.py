from enum import StrEnum


class RoundingEnum(StrEnum):
    ROUND_DOWN = "ROUND_DOWN"
    ROUND_HALF_EVEN = "ROUND_HALF_EVEN"
    ROUND_HALF_UP = "ROUND_HALF_UP"

    def __str__(self) -> str:
        return str(self.value)

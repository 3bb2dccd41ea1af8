from enum import StrEnum


class PaymentStatus(StrEnum):
    ACCEPTED = "accepted"
    BOOKED = "booked"

    def __str__(self) -> str:
        return str(self.value)

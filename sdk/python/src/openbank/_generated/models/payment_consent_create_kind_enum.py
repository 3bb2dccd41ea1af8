from enum import StrEnum


class PaymentConsentCreateKindEnum(StrEnum):
    PAYMENT = "payment"

    def __str__(self) -> str:
        return str(self.value)

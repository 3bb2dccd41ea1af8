from enum import StrEnum


class RepaymentMethod(StrEnum):
    EQUAL_INSTALLMENT = "equal_installment"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_ONLY = "interest_only"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class CreditProductKind(StrEnum):
    AUTO_LOAN = "auto_loan"
    CONSUMER_REVOLVING = "consumer_revolving"
    SME_LINE = "sme_line"

    def __str__(self) -> str:
        return str(self.value)

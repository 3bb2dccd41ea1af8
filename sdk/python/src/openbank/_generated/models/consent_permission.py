from enum import StrEnum


class ConsentPermission(StrEnum):
    MANAGE_CREDIT = "manage_credit"
    READ_ACCOUNTS = "read_accounts"
    READ_BALANCES = "read_balances"
    READ_CREDIT = "read_credit"
    READ_TRANSACTIONS = "read_transactions"

    def __str__(self) -> str:
        return str(self.value)

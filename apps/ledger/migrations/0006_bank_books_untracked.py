"""The bank's own books stop tracking a running balance, and ledger_post is one ORM path.

- `LedgerAccount.tracks_balance`: off for the bank's books (`bank:*`, opened by
  `apps.ledger.bank_books.bank_account`), so posts neither lock nor update their rows and
  customers' movements never queue on one of the bank's rows. Their postings carry no
  balance-after from now on (`Posting.balance_after_minor` becomes nullable); the postings
  already booked keep theirs. Their stored balance and count are zeroed: their balance is
  the sum of their postings (`apps.ledger.selectors.ledger_account_balance`).
- `ledger_refuse_post()` (migration 0004) goes: the single-statement post that raised it
  is gone. The immutability trigger of 0002 and the CHECK constraints stay.
"""
from django.db import migrations, models

BANK_BOOKS = "bank:"


def untrack_bank_books(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    # The bank's books were all opened with an unlimited overdraft; the CHECK below needs it.
    LedgerAccount.objects.filter(code__startswith=BANK_BOOKS, unlimited_overdraft=True).update(
        tracks_balance=False, balance_minor=0, posting_count=0
    )


def track_bank_books(apps, schema_editor):
    """Backwards: the stored balance and count again from the postings."""
    from django.db.models import Count, OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    Posting = apps.get_model("ledger", "Posting")
    postings = Posting.objects.filter(account_id=OuterRef("pk")).order_by().values("account_id")
    total = Coalesce(Subquery(postings.annotate(t=Sum("amount_minor")).values("t")), 0)
    count = Coalesce(Subquery(postings.annotate(n=Count("id")).values("n")), 0)
    untracked = LedgerAccount.objects.filter(tracks_balance=False)
    untracked.filter(type__in=["asset", "expense"]).update(tracks_balance=True, balance_minor=total, posting_count=count)
    untracked.update(tracks_balance=True, balance_minor=-total, posting_count=count)  # credit-normal: the rest


def drop_refuse_post(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_refuse_post(text)", params=None)


def create_refuse_post(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            """
CREATE OR REPLACE FUNCTION ledger_refuse_post(reason text) RETURNS integer AS $$
BEGIN
    RAISE EXCEPTION 'ledger post refused: %', reason USING ERRCODE = 'LG001';
END;
$$ LANGUAGE plpgsql VOLATILE;
""",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_account_posting_count")]

    operations = [
        migrations.RunPython(drop_refuse_post, create_refuse_post, elidable=False),
        migrations.AddField(
            model_name="ledgeraccount",
            name="tracks_balance",
            field=models.BooleanField(
                default=True,
                help_text="Off for the bank's own books: posts neither lock nor update the row; the balance is summed from postings.",
            ),
        ),
        migrations.AlterField(
            model_name="posting",
            name="balance_after_minor",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(untrack_bank_books, track_bank_books),
        migrations.AddConstraint(
            model_name="ledgeraccount",
            constraint=models.CheckConstraint(
                condition=models.Q(("tracks_balance", True), ("unlimited_overdraft", True), _connector="OR"),
                name="ledger_untracked_is_unlimited",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgeraccount",
            constraint=models.CheckConstraint(
                condition=models.Q(("tracks_balance", True), models.Q(("balance_minor", 0), ("posting_count", 0)), _connector="OR"),
                name="ledger_untracked_keeps_no_balance",
            ),
        ),
    ]

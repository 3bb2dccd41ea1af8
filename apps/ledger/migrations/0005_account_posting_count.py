"""Each ledger account counts its postings (`LedgerAccount.posting_count`), counted here
for the postings already booked."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_existing_postings(apps, schema_editor):
    LedgerAccount = apps.get_model("ledger", "LedgerAccount")
    Posting = apps.get_model("ledger", "Posting")
    counts = (
        Posting.objects.filter(account_id=OuterRef("pk")).order_by().values("account_id").annotate(n=Count("id")).values("n")
    )
    LedgerAccount.objects.update(posting_count=Coalesce(Subquery(counts), 0))


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0004_ledger_refuse_post'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgeraccount',
            name='posting_count',
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(count_existing_postings, migrations.RunPython.noop),
    ]

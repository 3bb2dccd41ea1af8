"""On PostgreSQL, `ledger_refuse_post(reason)`: raised from inside ledger_post's single
statement when its legs name an unknown account or do not balance per currency, so the
whole statement (its own transaction when run outside one) is rolled back.
"""
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_post(reason text) RETURNS integer AS $$
BEGIN
    RAISE EXCEPTION 'ledger post refused: %', reason USING ERRCODE = 'LG001';
END;
$$ LANGUAGE plpgsql VOLATILE;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_refuse_post(text)", params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_leaner_hot_path_indexes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]

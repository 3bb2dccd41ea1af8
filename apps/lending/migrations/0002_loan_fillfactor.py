"""Leave room in each page of lending_loan so the nightly UPDATEs (which change no indexed
column) are HOT updates: no index entries are rewritten for the ~1M rows a night touches."""
from django.db import migrations


def set_fillfactor(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE lending_loan SET (fillfactor = 70)")
        schema_editor.execute("ALTER TABLE lending_installment SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE lending_loan RESET (fillfactor)")
        schema_editor.execute("ALTER TABLE lending_installment RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_initial")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]

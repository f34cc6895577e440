"""The shared cache table (settings.CACHES): `migrate` creates it, so no deployment step
(`createcachetable`) can be forgotten."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_api_token_expiry_scope")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

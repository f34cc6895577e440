"""`Party.on_matter` kept by triggers on the link table (lexcase/matters/party_links.py), then
set from the links already there."""

from django.db import migrations


def install(apps, schema_editor):
    from lexcase.matters import party_links

    party_links.install(schema_editor.connection)
    party_links.backfill(schema_editor.connection)


def remove(apps, schema_editor):
    from lexcase.matters import party_links

    party_links.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0006_cause_kinds"),
        ("parties", "0004_party_on_matter"),
    ]

    operations = [migrations.RunPython(install, remove)]

"""`Matter.last_outbound_at` kept by triggers on the communication log
(lexcase/comms/last_contact.py), then set from the contacts already there."""

from django.db import migrations


def install(apps, schema_editor):
    from lexcase.comms import last_contact

    last_contact.install(schema_editor.connection)
    last_contact.backfill(schema_editor.connection)


def remove(apps, schema_editor):
    from lexcase.comms import last_contact

    last_contact.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0003_notifications_moved"),
        ("matters", "0011_last_outbound_at"),
    ]

    operations = [migrations.RunPython(install, remove)]

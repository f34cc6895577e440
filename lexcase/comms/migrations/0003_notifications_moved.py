# Notification and NotificationPreference now belong to the `notifications` app, which took
# over the same tables (state only: no data moves).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("comms", "0002_communication_log_cadence_reports"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationPreference"),
            ],
        ),
    ]

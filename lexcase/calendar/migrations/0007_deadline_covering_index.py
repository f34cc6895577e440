# The (status, due_date) index widened to cover the dashboard's deadlines met vs missed:
# the matter (the gate) and the completion time (done on time or late) are in the index, so
# PostgreSQL answers the count with an index-only scan; every query that used the old index
# uses its prefix.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lexcase_calendar", "0006_deadline_completed_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(
                fields=["status", "due_date", "matter", "completed_at"],
                name="deadline_status_due_cover_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="deadline",
            name="lexcase_cal_status_b500df_idx",
        ),
    ]

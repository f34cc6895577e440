# Hearings added with nobody under 出庭人员 before hearing_create gave them to the matter's
# lead lawyer were on nobody's agenda, feed, digest or clash check. The ones still to come
# get the lead lawyer now, as a new one would; past hearings are left as they were recorded.

from django.db import migrations
from django.utils import timezone


def lead_attends_upcoming(apps, schema_editor):
    Hearing = apps.get_model("lexcase_calendar", "Hearing")
    MatterMember = apps.get_model("matters", "MatterMember")
    Through = Hearing.attendees.through
    orphans = Hearing.objects.filter(starts_at__gte=timezone.now(), attendees__isnull=True)
    leads = dict(
        MatterMember.objects.filter(
            role="lead", matter_id__in=orphans.values("matter_id")
        ).values_list("matter_id", "user_id")
    )
    Through.objects.bulk_create(
        [
            Through(hearing_id=hearing_id, user_id=leads[matter_id])
            for hearing_id, matter_id in orphans.values_list("id", "matter_id")
            if matter_id in leads
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lexcase_calendar", "0007_deadline_covering_index"),
        ("matters", "0001_initial"),
    ]

    operations = [migrations.RunPython(lead_attends_upcoming, migrations.RunPython.noop)]

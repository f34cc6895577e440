from django.db import migrations, models

# A digest line ends with " · <matter number>" (`AgendaItem.summary`).
SEPARATOR = " · "


def link_old_digests(apps, schema_editor):
    """Digests sent before this migration name matters in their text only: link each to the
    matters its lines name, so that the gate hides it as it hides a new one."""
    Notification = apps.get_model("notifications", "Notification")
    Matter = apps.get_model("matters", "Matter")
    Link = Notification.matters.through
    notes = Notification.objects.filter(kind="digest", matter__isnull=True)
    for pk, text in notes.values_list("pk", "text").iterator():
        numbers = {
            line.rsplit(SEPARATOR, 1)[1].strip()
            for line in text.splitlines()[1:]
            if SEPARATOR in line
        }
        if not numbers:
            continue
        ids = Matter.objects.filter(number__in=numbers).values_list("pk", flat=True)
        Link.objects.bulk_create(
            [Link(notification_id=pk, matter_id=m) for m in ids], ignore_conflicts=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0010_party_reach"),
        ("notifications", "0003_in_app_preferences"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="matters",
            field=models.ManyToManyField(blank=True, related_name="+", to="matters.matter"),
        ),
        migrations.RunPython(link_old_digests, migrations.RunPython.noop),
    ]

from django.db import migrations

SLA = [
    ("P1", 24, "Personal safety or major property loss: first action within 24 hours"),
    ("P2", 24 * 7, "Ordinary civil or administrative matter: initial investigation within 7 days"),
    ("P3", None, "Non-urgent or non-litigation: scheduled"),
]


def load(apps, schema_editor):
    from lexcase.matters.causes_data import CAUSES_BY_VERSION

    CaseCause = apps.get_model("matters", "CaseCause")
    PrioritySLA = apps.get_model("matters", "PrioritySLA")
    for version, rows in CAUSES_BY_VERSION.items():
        by_code = {}
        for code, name, parent in rows:
            by_code[code] = CaseCause.objects.create(
                version=version, code=code, name=name, parent=by_code.get(parent)
            )
    for priority, hours, description in SLA:
        PrioritySLA.objects.get_or_create(
            priority=priority, defaults={"first_action_hours": hours, "description": description}
        )


def unload(apps, schema_editor):
    apps.get_model("matters", "PrioritySLA").objects.all().delete()
    CaseCause = apps.get_model("matters", "CaseCause")
    CaseCause.objects.filter(parent__isnull=False).delete()
    CaseCause.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("matters", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

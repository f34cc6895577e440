from django.db import migrations, models


def load(apps, schema_editor):
    from lexcase.matters.causes_other_data import (
        ADMINISTRATIVE_CAUSES,
        CRIMINAL_CHARGES,
        OTHER_CAUSE_VERSIONS,
    )

    CaseCause = apps.get_model("matters", "CaseCause")
    rows_by_version = {"crim2021": CRIMINAL_CHARGES, "admin2020": ADMINISTRATIVE_CAUSES}
    for version, (kind, _source) in OTHER_CAUSE_VERSIONS.items():
        by_code = {}
        for code, name, parent in rows_by_version[version]:
            by_code[code] = CaseCause.objects.create(
                version=version, kind=kind, code=code, name=name, parent=by_code.get(parent)
            )


def unload(apps, schema_editor):
    CaseCause = apps.get_model("matters", "CaseCause")
    other = CaseCause.objects.exclude(kind="civil")
    while other.exists():  # leaves first (parent is PROTECT)
        other.filter(casecause__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("matters", "0005_archive_reference_data")]

    operations = [
        migrations.AddField(
            model_name="casecause",
            name="kind",
            field=models.CharField(
                choices=[
                    ("civil", "Civil cause of action"),
                    ("criminal", "Criminal charge"),
                    ("administrative", "Administrative cause"),
                ],
                default="civil",
                max_length=20,
            ),
        ),
        migrations.RunPython(load, unload),
    ]

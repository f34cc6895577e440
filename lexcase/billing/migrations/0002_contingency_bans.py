"""Seed the firm's contingency ban list with the national list (firm-editable afterwards)."""

from __future__ import annotations

from django.db import migrations

from lexcase.billing.contingency import NATIONAL_BANS


def seed(apps, schema_editor):
    ContingencyBan = apps.get_model("billing", "ContingencyBan")
    for ban in NATIONAL_BANS:
        ContingencyBan.objects.get_or_create(
            kind=ban.kind,
            key=ban.key,
            defaults={
                "label": ban.label_zh,
                "label_en": ban.label_en,
                "citation": ban.citation,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

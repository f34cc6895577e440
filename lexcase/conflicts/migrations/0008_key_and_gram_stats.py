"""KeyStat and GramStat (issue 15 item 1): how many parties hold each index key and each
name gram, filled from the index in one grouped INSERT each and kept by database triggers
from then on (lexcase/conflicts/stats.py)."""

from __future__ import annotations

from django.db import migrations, models


def fill_and_install(apps, schema_editor):
    from lexcase.conflicts import stats

    stats.backfill(schema_editor.connection)
    stats.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from lexcase.conflicts import stats

    stats.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("conflicts", "0007_deletion_keys_and_groups")]

    operations = [
        migrations.CreateModel(
            name="GramStat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("gram", models.CharField(max_length=2, unique=True)),
                ("owners", models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="KeyStat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key_type",
                    models.CharField(
                        choices=[
                            ("id_number", "ID number"),
                            ("credit_code", "Credit code"),
                            ("passport", "Passport number"),
                            ("name", "Name"),
                            ("alias", "Alias or former name"),
                            ("core", "Name without legal form"),
                            ("trade", "Trade name"),
                            ("pinyin", "Pinyin"),
                            ("del1", "Name with one character deleted"),
                            ("trade_del1", "Trade name with one character deleted"),
                        ],
                        max_length=12,
                    ),
                ),
                ("value", models.CharField(max_length=200)),
                ("owners", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key_type", "value"), name="conflicts_keystat_key"
                    )
                ],
            },
        ),
        migrations.RunPython(fill_and_install, uninstall),
    ]

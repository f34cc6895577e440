"""Stored counts of the keys many parties hold (issue 15 item 1; lexcase/conflicts/stats.py).

Creates HotKey / HotKeyDelta / GramStat, the partial index of the alias-derived key rows,
the PartyKey triggers that append deltas, and builds the stats of the existing index: every
key held by `stats.HOT_KEY_MIN` parties or more is promoted and counted (the promotion waits
for the writers that were running when it committed; on a busy database, keys still waiting
are activated by the next `conflicts stats`, and counted from the index meanwhile).
"""

from __future__ import annotations

from django.db import migrations, models


def build(apps, schema_editor):
    from lexcase.conflicts import stats

    connection = schema_editor.connection
    stats.install(connection)
    stats.refresh(discover=True, wait=60.0, using=connection.alias)


def unbuild(apps, schema_editor):
    from lexcase.conflicts import stats

    stats.remove(schema_editor.connection)


class Migration(migrations.Migration):
    # The promotion commits before it is armed and activated (stats.refresh).
    atomic = False
    dependencies = [("conflicts", "0007_deletion_keys_and_groups")]

    operations = [
        migrations.CreateModel(
            name="HotKey",
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
                ("owners", models.IntegerField(null=True)),
                ("armed_xid", models.BigIntegerField(null=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key_type", "value"), name="conflicts_hotkey_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HotKeyDelta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_id", models.IntegerField()),
                ("n", models.IntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["key_id"], name="conflicts_hotdelta_key")],
            },
        ),
        migrations.CreateModel(
            name="GramStat",
            fields=[
                ("gram", models.CharField(max_length=2, primary_key=True, serialize=False)),
                ("owners", models.IntegerField()),
            ],
        ),
        migrations.AddIndex(
            model_name="partykey",
            index=models.Index(
                condition=models.Q(("from_alias", True)),
                fields=["key_type", "value", "party"],
                name="conflicts_key_alias",
            ),
        ),
        migrations.RunPython(build, unbuild),
    ]

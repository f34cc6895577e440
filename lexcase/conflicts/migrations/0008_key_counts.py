"""Engine 2.3: stored holder counts of the keys many parties hold (issue 15 item 1).

Adds PartyKey.shared (set here on the existing rows: the rows of a key family whose owner has
two or more source keys of it, `engine._shared_flags`) and its partial index, and KeyCount
and GramCount (kept exact by the index writer, `engine._count_keys`, in the transaction that
writes the index rows), filled from the existing index: a row for every grouped key and every
name gram held by more than `engine.KEY_COUNT_MIN` parties (one GROUP BY each).
"""

from __future__ import annotations

from django.db import migrations, models


def count_keys(apps, schema_editor):
    from lexcase.conflicts.engine import key_counts_rebuild, shared_flags_rebuild

    shared_flags_rebuild(
        key_model=apps.get_model("conflicts", "PartyKey"), using=schema_editor.connection.alias
    )
    key_counts_rebuild(
        key_model=apps.get_model("conflicts", "PartyKey"),
        count_model=apps.get_model("conflicts", "KeyCount"),
        gram_model=apps.get_model("conflicts", "NameGram"),
        gram_count_model=apps.get_model("conflicts", "GramCount"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conflicts", "0007_deletion_keys_and_groups"),
        ("parties", "0004_party_on_matter"),
    ]

    operations = [
        migrations.AddField(
            model_name="partykey",
            name="shared",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.CreateModel(
            name="KeyCount",
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
                ("holders", models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name="GramCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("gram", models.CharField(max_length=2, unique=True)),
                ("holders", models.IntegerField()),
            ],
        ),
        migrations.AddConstraint(
            model_name="keycount",
            constraint=models.UniqueConstraint(
                fields=("key_type", "value"), name="conflicts_keycount_key"
            ),
        ),
        migrations.RunPython(count_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="partykey",
            index=models.Index(
                condition=models.Q(("party__isnull", False), ("shared", True)),
                fields=["key_type", "value", "party"],
                name="conflicts_key_shared",
            ),
        ),
    ]

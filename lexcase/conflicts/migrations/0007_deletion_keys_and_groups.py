"""Engine 2.0: one-character edits through deletion neighbourhoods (issue 15 item 1).

Adds the DELETION / TRADE_DELETION keys of every party and staff relative (the rows
`index_party` now writes; the other index rows are unchanged), the owner column in the key
index (counting a group reads the index alone), a partial index for staff relatives, and the
stored report's groups. The rows are written before the indexes are built.
"""

from __future__ import annotations

from django.db import migrations, models

_BATCH = 2000


def add_deletion_keys(apps, schema_editor):
    # The engine's own row builder on the historical models: the rows are exactly those a
    # rebuild (`conflicts reindex`) would write.
    from lexcase.conflicts.engine import (
        _KEY_COLUMNS,
        IndexModels,
        _insert,
        deletion_key_rows,
        index_staff_relative,
    )

    party_model = apps.get_model("parties", "Party")
    alias_model = apps.get_model("parties", "PartyAlias")
    key_model = apps.get_model("conflicts", "PartyKey")
    using = IndexModels(
        party=party_model,
        alias=alias_model,
        key=key_model,
        gram=apps.get_model("conflicts", "NameGram"),
    )
    key_model.objects.filter(key_type__in=["del1", "trade_del1"]).delete()
    fields = ("kind", "name", "name_normalized", "name_core", "name_trade")
    last = 0
    while True:
        parties = list(
            party_model.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:_BATCH]
        )
        if not parties:
            break
        last = parties[-1].pk
        aliases: dict[int, list] = {}
        ids = [p.pk for p in parties]
        for alias in alias_model.objects.filter(party_id__in=ids).order_by("pk"):
            aliases.setdefault(alias.party_id, []).append(alias)
        rows = []
        for party in parties:
            rows += deletion_key_rows(party, aliases.get(party.pk, []))
        # The columns this historical PartyKey has (`shared` came with 0008).
        _insert(key_model, _KEY_COLUMNS, rows)
    for rel in apps.get_model("conflicts", "StaffRelative").objects.order_by("pk"):
        index_staff_relative(rel, using=using)


class Migration(migrations.Migration):
    # The rows are written and committed in their own transaction before the indexes are
    # built: PostgreSQL refuses CREATE INDEX on a table with pending (deferred) foreign-key
    # trigger events from the same transaction.
    atomic = False
    dependencies = [
        ("conflicts", "0006_encrypt_identifiers"),
        ("parties", "0004_party_on_matter"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="partykey",
            name="conflicts_key_lookup",
        ),
        migrations.AddField(
            model_name="conflictcheck",
            name="groups",
            field=models.JSONField(default=list),
        ),
        migrations.AlterField(
            model_name="partykey",
            name="key_type",
            field=models.CharField(
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
        migrations.RunPython(add_deletion_keys, migrations.RunPython.noop, atomic=True),
        migrations.AddIndex(
            model_name="partykey",
            index=models.Index(fields=["key_type", "value", "party"], name="conflicts_key_lookup2"),
        ),
        migrations.AddIndex(
            model_name="partykey",
            index=models.Index(
                condition=models.Q(("relative__isnull", False)),
                fields=["key_type", "value"],
                name="conflicts_key_relative",
            ),
        ),
    ]

"""Strip Unicode format characters (category Cf) from stored party and relative names and
whitespace/format characters from stored identifiers, as the services now do on every write,
then rebuild the conflict index rows of every record that changed.

A name stored as 冯\\u2066陈褚\\u2069 (bidi isolates) was not found by 冯陈褚, and U+202E made a
name display reversed. Frozen conflict reports keep what they recorded.
"""

from __future__ import annotations

from django.db import migrations

_BATCH = 2000


def strip_format_characters(apps, schema_editor):
    # The matching code itself is used (on the historical models) so that the cleaned rows
    # get exactly the keys and index rows a write through the services gives them.
    from lexcase.conflicts.engine import IndexModels, index_parties, index_staff_relative
    from lexcase.parties.identifiers import normalize_identifier
    from lexcase.parties.names import clean_display_name, name_keys, strip_format_characters

    party_model = apps.get_model("parties", "Party")
    alias_model = apps.get_model("parties", "PartyAlias")
    relative_model = apps.get_model("conflicts", "StaffRelative")
    using = IndexModels(
        party=party_model,
        alias=alias_model,
        key=apps.get_model("conflicts", "PartyKey"),
        gram=apps.get_model("conflicts", "NameGram"),
    )

    def has_format(*texts: str) -> bool:
        return any(strip_format_characters(t) != t for t in texts)

    # Collected first and written after each scan: no table is written under an open cursor.
    party_updates: dict[int, dict[str, str]] = {}
    fields = ("kind", "name", "name_normalized", "name_core", "name_trade")
    identifiers = ("id_number", "credit_code", "passport")
    for party in party_model.objects.only(*fields, *identifiers).iterator(chunk_size=_BATCH):
        updates = {f: normalize_identifier(getattr(party, f)) for f in identifiers}
        updates = {f: v for f, v in updates.items() if v != getattr(party, f)}
        if has_format(party.name, party.name_normalized, party.name_core, party.name_trade):
            name = clean_display_name(party.name)[:200]
            keys = name_keys(name, kind=party.kind)
            updates |= {
                "name": name,
                "name_normalized": keys["normalized"][:200],
                "name_core": keys["core"][:200],
                "name_trade": keys["trade"][:200],
            }
        if updates:
            party_updates[party.pk] = updates
    for pk, updates in party_updates.items():
        party_model.objects.filter(pk=pk).update(**updates)
    changed = set(party_updates)

    aliases = alias_model.objects.only("party_id", "name", "name_normalized", "name_core")
    stale = [
        alias
        for alias in aliases.order_by("party_id", "pk").iterator(chunk_size=_BATCH)
        if has_format(alias.name, alias.name_normalized, alias.name_core)
    ]
    for alias in stale:
        changed.add(alias.party_id)
        party = party_model.objects.only("kind", "name").get(pk=alias.party_id)
        name = clean_display_name(alias.name)[:200]
        others = alias_model.objects.filter(party_id=alias.party_id, name=name)
        if not name or name == party.name or others.exclude(pk=alias.pk).exists():
            # Nothing left, the party's own name, or another alias: the services never keep
            # such an alias.
            alias_model.objects.filter(pk=alias.pk).delete()
            continue
        keys = name_keys(name, kind=party.kind)
        alias_model.objects.filter(pk=alias.pk).update(
            name=name,
            name_normalized=keys["normalized"][:200],
            name_core=keys["core"][:200],
        )

    if changed:
        index_parties(sorted(changed), using=using)

    for relative in list(relative_model.objects.order_by("pk")):
        name = clean_display_name(relative.name)[:200]
        id_number = normalize_identifier(relative.id_number)[:18]
        if (name, id_number) == (relative.name, relative.id_number):
            continue
        relative.name, relative.id_number = name, id_number
        relative.save(update_fields=["name", "id_number"])
        index_staff_relative(relative, using=using)


class Migration(migrations.Migration):
    dependencies = [
        ("conflicts", "0003_intake_lock"),
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(strip_format_characters, migrations.RunPython.noop, elidable=True),
    ]

"""Encrypt the personal identifiers already stored (issue 14 item 6).

ID and passport numbers of parties (and of their history rows) and staff relatives' ID
numbers become Fernet tokens with their keyed hashes; the conflict index's identifier keys
and the identifiers typed into frozen conflict checks are rewritten the same way. Works row
by row through the ORM, so on SQLite and PostgreSQL alike; running it twice changes nothing
(a token is never encrypted again, a hash never hashed again)."""

import re

from django.db import migrations

from lexcase.core.fieldcrypt import blind_index, decrypt, encrypt, is_ciphertext

_HASH = re.compile(r"[0-9a-f]{64}")


def _rows(model, fields):
    # Read before writing: SQLite would otherwise update the table under an open cursor.
    return list(model.objects.order_by("pk").values_list("pk", *fields))


def _encrypt_parties(model):
    for pk, id_number, passport in _rows(model, ("id_number", "passport")):
        if not (id_number or passport):
            continue
        model.objects.filter(pk=pk).update(
            id_number=encrypt(id_number),
            id_number_hash=blind_index(id_number),
            passport=encrypt(passport),
            passport_hash=blind_index(passport),
        )


def forwards(apps, schema_editor):
    for label in ("Party", "HistoricalParty"):
        _encrypt_parties(apps.get_model("parties", label))
    relative = apps.get_model("conflicts", "StaffRelative")
    for pk, id_number in _rows(relative, ("id_number",)):
        if id_number:
            relative.objects.filter(pk=pk).update(id_number=encrypt(id_number))
    key = apps.get_model("conflicts", "PartyKey")
    rows = key.objects.filter(key_type__in=["id_number", "passport"]).values_list("pk", "value")
    for pk, value in list(rows.order_by("pk")):
        if not _HASH.fullmatch(value):
            key.objects.filter(pk=pk).update(value=blind_index(value))
    check = apps.get_model("conflicts", "ConflictCheck")
    for pk, query in list(check.objects.order_by("pk").values_list("pk", "query")):
        changed = False
        for entry in query if isinstance(query, list) else []:
            for field in ("id_number", "passport"):
                value = entry.get(field) if isinstance(entry, dict) else None
                if value and not is_ciphertext(value):
                    entry[field] = encrypt(value)
                    changed = True
        if changed:
            check.objects.filter(pk=pk).update(query=query)


def backwards(apps, schema_editor):
    """Back to plain text (before the columns shrink back to their former lengths)."""
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for app_label, label, fields in (
            ("parties", "Party", ("id_number", "passport")),
            ("parties", "HistoricalParty", ("id_number", "passport")),
            ("conflicts", "StaffRelative", ("id_number",)),
        ):
            model = apps.get_model(app_label, label)
            table = quote(model._meta.db_table)
            pk = quote(model._meta.pk.column)
            for row in list(model.objects.order_by("pk").values_list("pk", *fields)):
                sets = ", ".join(f"{quote(f)} = %s" for f in fields)
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                    [decrypt(v) for v in row[1:]] + [row[0]],
                )
    check = apps.get_model("conflicts", "ConflictCheck")
    for pk, query in list(check.objects.order_by("pk").values_list("pk", "query")):
        for entry in query if isinstance(query, list) else []:
            for field in ("id_number", "passport"):
                if isinstance(entry, dict) and entry.get(field):
                    entry[field] = decrypt(entry[field])
        check.objects.filter(pk=pk).update(query=query)
    # The conflict index is derived data: `conflicts reindex` rebuilds its identifier keys.


class Migration(migrations.Migration):
    dependencies = [
        ("conflicts", "0005_relative_id_encrypted"),
        ("parties", "0003_identifiers_encrypted"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

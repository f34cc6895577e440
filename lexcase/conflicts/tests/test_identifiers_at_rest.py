"""Identifiers encrypted at rest (issue 14 item 6, quality bar T19): ID and passport numbers
are Fernet tokens in the database and its dumps, matched through their keyed hashes, so the
conflict check, de-duplication and the directory search still find the party."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as global_apps
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lexcase.conflicts.engine import QueryParty, index_rebuild, staff_relative_add
from lexcase.conflicts.models import ConflictCheck, KeyType, PartyKey, StaffRelative
from lexcase.conflicts.services import conflict_check_record
from lexcase.core.fieldcrypt import blind_index, decrypt, is_ciphertext
from lexcase.matters.selectors import parties_search
from lexcase.matters.services import party_find_or_create
from lexcase.parties.identifiers import id_number_check_char
from lexcase.parties.models import Party
from lexcase.parties.services import party_create, party_update
from lexcase.testing import build_firm

step = importlib.import_module("lexcase.conflicts.migrations.0006_encrypt_identifiers")


def _id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


ID = _id("11010519900307123")
RELATIVE_ID = _id("44030519850612002")
PASSPORT = "E98765432"
MARKER = "plaintext-marker-7f3a"  # stored in the clear: proves the grep sees the data


def _hits(name: str, **identifiers: str) -> list[tuple[int | None, str]]:
    check = conflict_check_record(
        actor=None,
        parties=[QueryParty(name=name, kind="person", role="client", **identifiers)],
    )
    return [(h["party_id"], h["matched_on"]) for h in check.hits]


def _database_bytes(tmp_path: Path) -> bytes:
    """The raw database file (SQLite, after a checkpoint, or a copy of an in-memory one)
    or a plain pg_dump of the test database (PostgreSQL)."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        name = str(settings_dict["NAME"])
        if connection.is_in_memory_db():
            copy = tmp_path / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(copy)])
            return copy.read_bytes()
        data = Path(name).read_bytes()
        wal = Path(name + "-wal")
        return data + (wal.read_bytes() if wal.exists() else b"")
    env = {**os.environ, "PGPASSWORD": str(settings_dict.get("PASSWORD") or "")}
    command = ["pg_dump", "--no-owner", "-d", str(settings_dict["NAME"])]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            command += [flag, str(settings_dict[key])]
    return subprocess.run(command, capture_output=True, check=True, env=env, timeout=120).stdout


@pytest.mark.django_db(transaction=True)
def test_the_database_file_and_a_dump_hold_no_id_number_in_plaintext(tmp_path):
    firm = build_firm()
    party = party_create(
        actor=firm.lead, kind="person", name="赵六", id_number=ID, passport=PASSPORT
    )
    party_update(actor=firm.lead, party=party, version=party.version, notes=MARKER)
    staff_relative_add(user=firm.lead, name="钱七", relation="spouse", id_number=RELATIVE_ID)
    assert _hits("别的名字", id_number=ID) == [(party.pk, "id")]  # a frozen report, too

    dump = _database_bytes(tmp_path)

    assert MARKER.encode() in dump
    for secret in (ID, RELATIVE_ID, PASSPORT):
        assert secret.encode() not in dump, secret
        assert secret.encode("utf-16-le") not in dump, secret


@pytest.mark.django_db
def test_a_conflict_check_by_id_number_still_finds_the_party(firm):
    party = party_create(actor=firm.lead, kind="person", name="赵六", id_number=ID)
    relative = staff_relative_add(
        user=firm.lead, name="钱七", relation="spouse", id_number=RELATIVE_ID
    )
    stored = Party.objects.filter(pk=party.pk).values_list("id_number", "id_number_hash")
    raw = connection.cursor()
    raw.execute("SELECT id_number FROM parties_party WHERE id = %s", [party.pk])
    assert is_ciphertext(raw.fetchone()[0])
    assert stored.get() == (ID, blind_index(ID))  # read back as plain text
    keys = set(PartyKey.objects.filter(key_type=KeyType.ID_NUMBER).values_list("value", flat=True))
    assert keys == {blind_index(ID), blind_index(RELATIVE_ID)}

    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]
    check = conflict_check_record(
        actor=None,
        parties=[QueryParty(name="无关", kind="person", role="opposing", id_number=RELATIVE_ID)],
    )
    assert [(h["relative_id"], h["matched_on"]) for h in check.hits] == [(relative.pk, "id")]
    assert is_ciphertext(check.query[0]["id_number"])
    assert decrypt(check.query[0]["id_number"]) == RELATIVE_ID


@pytest.mark.django_db
def test_deduplication_and_the_directory_search_match_through_the_keyed_hash(firm):
    party = party_create(actor=firm.lead, kind="person", name="赵六", id_number=ID)
    assert party_find_or_create(actor=firm.lead, kind="person", name="赵六", identifier=ID) == party
    assert list(parties_search(user=firm.lead, q=ID)) == [party]
    assert list(parties_search(user=firm.lead, q=RELATIVE_ID)) == []


@pytest.mark.django_db
def test_filtering_on_the_encrypted_column_is_refused(firm):
    party_create(actor=firm.lead, kind="person", name="赵六", id_number=ID)
    with pytest.raises(FieldError, match="blind index"):
        Party.objects.filter(id_number=ID).exists()
    with pytest.raises(FieldError):
        Party.objects.filter(id_number__startswith="110").exists()
    assert Party.objects.exclude(id_number="").count() == 1


@pytest.mark.django_db
def test_after_a_new_key_is_added_old_rows_still_decrypt_and_match(firm, settings):
    party = party_create(actor=firm.lead, kind="person", name="赵六", id_number=ID)
    old = list(settings.LEXCASE_FIELD_KEYS)
    settings.LEXCASE_FIELD_KEYS = [Fernet.generate_key().decode(), *old]
    assert Party.objects.get(pk=party.pk).id_number == ID
    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]
    assert list(parties_search(user=firm.lead, q=ID)) == [party]
    # Only the new key: nothing written under the old one can be read or matched.
    settings.LEXCASE_FIELD_KEYS = settings.LEXCASE_FIELD_KEYS[:1]
    assert _hits("另一个人", id_number=ID) == []


def _plain_rows(party: Party, relative: StaffRelative) -> None:
    """Rewrite rows as they were stored before encryption (plain text, no hashes)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE parties_party SET id_number = %s, passport = %s, id_number_hash = '', "
            "passport_hash = '' WHERE id = %s",
            [ID, PASSPORT, party.pk],
        )
        cursor.execute(
            "UPDATE parties_historicalparty SET id_number = %s, passport = %s, "
            "id_number_hash = '', passport_hash = '' WHERE id = %s",
            [ID, PASSPORT, party.pk],
        )
        cursor.execute(
            "UPDATE conflicts_staffrelative SET id_number = %s WHERE id = %s",
            [RELATIVE_ID, relative.pk],
        )
    PartyKey.objects.filter(party=party, key_type=KeyType.ID_NUMBER).update(value=ID)
    PartyKey.objects.filter(party=party, key_type=KeyType.PASSPORT).update(value=PASSPORT)
    PartyKey.objects.filter(relative=relative, key_type=KeyType.ID_NUMBER).update(value=RELATIVE_ID)
    check = ConflictCheck.objects.create(query=[{"name": "x", "id_number": ID, "passport": ""}])
    assert check.query[0]["id_number"] == ID


def _raw(sql: str, *params: object) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db
def test_the_data_migration_encrypts_existing_rows(firm):
    party = party_create(
        actor=firm.lead, kind="person", name="赵六", id_number=ID, passport=PASSPORT
    )
    relative = staff_relative_add(
        user=firm.lead, name="钱七", relation="spouse", id_number=RELATIVE_ID
    )
    _plain_rows(party, relative)
    assert _hits("另一个人", id_number=ID) == []  # plain keys: the check misses

    step.forwards(global_apps, None)
    step.forwards(global_apps, None)  # twice changes nothing

    for sql in (
        "SELECT id_number, passport FROM parties_party WHERE id = %s",
        "SELECT id_number, passport FROM parties_historicalparty WHERE id = %s",
    ):
        for value in _raw(sql, party.pk)[0]:
            assert is_ciphertext(value)
    assert is_ciphertext(
        _raw("SELECT id_number FROM conflicts_staffrelative WHERE id = %s", relative.pk)[0][0]
    )
    party.refresh_from_db()
    assert (party.id_number, party.id_number_hash) == (ID, blind_index(ID))
    assert (party.passport, party.passport_hash) == (PASSPORT, blind_index(PASSPORT))
    check = ConflictCheck.objects.filter(matter=None).order_by("-pk").first()
    assert decrypt(check.query[0]["id_number"]) == ID and is_ciphertext(check.query[0]["id_number"])
    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]
    assert _hits("另一个人", passport=PASSPORT) == [(party.pk, "id")]
    index_rebuild()
    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]


BEFORE = [("parties", "0002_directory_indexes"), ("conflicts", "0004_strip_format_characters")]
AFTER = [("conflicts", "0006_encrypt_identifiers")]


@pytest.mark.django_db(transaction=True)
def test_the_migrations_run_both_ways_on_this_database():
    firm = build_firm()
    party = party_create(
        actor=firm.lead, kind="person", name="赵六", id_number=ID, passport=PASSPORT
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)  # back: plain text in columns of the former lengths
        assert _raw("SELECT id_number, passport FROM parties_party WHERE id = %s", party.pk) == [
            (ID, PASSPORT)
        ]
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    ((id_number, passport),) = _raw(
        "SELECT id_number, passport FROM parties_party WHERE id = %s", party.pk
    )
    assert is_ciphertext(id_number) and is_ciphertext(passport)
    index_rebuild()
    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("LEXCASE_FIELD_KEYS", "LEXCASE_DEBUG")}
    return subprocess.run(
        [sys.executable, "-m", "lexcase", "check"],
        env={**base, "LEXCASE_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_field_keys(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 1
    assert "LEXCASE_FIELD_KEYS is not set" in result.stderr
    result = _start(tmp_path, LEXCASE_FIELD_KEYS="not-a-fernet-key")
    assert result.returncode == 1
    assert "Fernet keys" in result.stderr
    key = Fernet.generate_key().decode()
    assert (
        _start(tmp_path, LEXCASE_FIELD_KEYS=f"{key},{Fernet.generate_key().decode()}").returncode
        == 0
    )


def test_development_generates_a_key_under_var_with_a_warning(tmp_path):
    result = _start(tmp_path, LEXCASE_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "LEXCASE_FIELD_KEYS is not set" in result.stderr
    Fernet((tmp_path / "field.keys").read_text().strip())


@pytest.mark.django_db
def test_rotate_field_keys_reencrypts_everything_under_the_new_key(firm, settings):
    party = party_create(
        actor=firm.lead, kind="person", name="赵六", id_number=ID, passport=PASSPORT
    )
    party_update(actor=firm.lead, party=party, version=party.version, notes="历史")
    relative = staff_relative_add(
        user=firm.lead, name="钱七", relation="spouse", id_number=RELATIVE_ID
    )
    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]
    before = _raw("SELECT id_number, passport FROM parties_party WHERE id = %s", party.pk)
    old = list(settings.LEXCASE_FIELD_KEYS)
    new = Fernet.generate_key().decode()
    settings.LEXCASE_FIELD_KEYS = [new, *old]

    out = StringIO()
    call_command("rotate_field_keys", stdout=out)

    assert "parties.Party: 1" in out.getvalue()
    assert _raw("SELECT id_number, passport FROM parties_party WHERE id = %s", party.pk) != before
    settings.LEXCASE_FIELD_KEYS = [new]  # the old key removed: everything still reads
    party.refresh_from_db()
    assert (party.id_number, party.passport) == (ID, PASSPORT)
    assert party.id_number_hash == blind_index(ID)
    assert {h.id_number for h in party.history.all()} == {ID}
    assert StaffRelative.objects.get(pk=relative.pk).id_number == RELATIVE_ID
    typed = {decrypt(e["id_number"]) for c in ConflictCheck.objects.all() for e in c.query}
    assert ID in typed
    assert _hits("另一个人", id_number=ID) == [(party.pk, "id")]
    assert _hits("另一个人", passport=PASSPORT) == [(party.pk, "id")]
    check = conflict_check_record(
        actor=None,
        parties=[QueryParty(name="无关", kind="person", role="opposing", id_number=RELATIVE_ID)],
    )
    assert [h["relative_id"] for h in check.hits] == [relative.pk]
    assert list(parties_search(user=firm.lead, q=ID)) == [party]
    assert party_find_or_create(actor=firm.lead, kind="person", name="赵六", identifier=ID) == party


@pytest.mark.django_db
def test_bulk_create_as_the_demo_firm_writes_ciphertext_and_hash(firm):
    Party.objects.bulk_create([Party(kind="person", name="批量", id_number=ID)])
    row = _raw("SELECT id_number, id_number_hash FROM parties_party WHERE name = %s", "批量")
    assert is_ciphertext(row[0][0]) and row[0][1] == blind_index(ID)
    assert list(parties_search(user=firm.lead, q=ID)) == [Party.objects.get(name="批量")]

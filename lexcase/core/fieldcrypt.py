"""Identifiers encrypted at rest (docs/security.md, "Identifiers at rest").

A personal identifier (ID number, passport number) is stored as a Fernet token (AES-128-CBC
with an HMAC-SHA256: authenticated encryption) under the keys in `LEXCASE_FIELD_KEYS`
(comma-separated Fernet keys; the first encrypts, every one decrypts), which live in the
environment, never in the database or its backups. Exact matching (the conflict check,
de-duplication, the directory's identifier search) goes through a keyed hash of the value,
the *blind index*: HMAC-SHA256 under a key derived from each Fernet key. A value is stored
with the first key's hash and looked up under every key's, so a search keeps finding rows
written before a key rotation until `rotate_field_keys` has rewritten them.

The bulk loaders (demo firm, importer, benchmark generators) that write rows without the
model fields call `encrypt` and `blind_index` here, as the fields do.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.lookups import Exact, IsNull
from django.dispatch import Signal

__all__ = [
    "BlindIndexField",
    "EncryptedTextField",
    "blind_index",
    "blind_indexes",
    "decrypt",
    "encrypt",
    "field_keys_rotate",
    "field_keys_rotated",
    "is_ciphertext",
    "reencrypt",
]

# Every Fernet token starts with the version byte 0x80 and a 64-bit timestamp whose top
# bytes are zero, so its base64 starts with this; no identifier does, and none is this long.
_TOKEN_PREFIX = "gAAAAA"
_TOKEN_MIN_LENGTH = 100
_INDEX_LABEL = b"lexcase blind index v1"


@lru_cache(maxsize=8)
def _crypto(keys: tuple[str, ...]) -> tuple[MultiFernet, tuple[bytes, ...]]:
    if not keys:
        raise ImproperlyConfigured("LEXCASE_FIELD_KEYS is empty.")
    try:
        fernets = [Fernet(key) for key in keys]
    except ValueError as exc:
        raise ImproperlyConfigured(
            "LEXCASE_FIELD_KEYS must be Fernet keys (32 url-safe base64 bytes each)."
        ) from exc
    index_keys = tuple(
        hmac.new(base64.urlsafe_b64decode(key), _INDEX_LABEL, hashlib.sha256).digest()
        for key in keys
    )
    return MultiFernet(fernets), index_keys


def _current() -> tuple[MultiFernet, tuple[bytes, ...]]:
    return _crypto(tuple(settings.LEXCASE_FIELD_KEYS))


def is_ciphertext(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) >= _TOKEN_MIN_LENGTH
        and value.startswith(_TOKEN_PREFIX)
    )


def encrypt(value: str) -> str:
    """The Fernet token of `value` under the first key; "" stays "" and a token stays as it
    is (so a value encrypted by a bulk loader is never encrypted twice)."""
    if not value or is_ciphertext(value):
        return value
    return _current()[0].encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    """The plain text of a token; anything that is not a token is returned as it is."""
    if not is_ciphertext(value):
        return value
    try:
        return _current()[0].decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored identifier cannot be decrypted with any key in LEXCASE_FIELD_KEYS "
            "(a key was removed before `rotate_field_keys` ran, or the value was altered)."
        ) from exc


def reencrypt(value: str) -> str:
    """The token re-encrypted under the first key (a plain value is encrypted)."""
    if not value:
        return value
    if not is_ciphertext(value):
        return encrypt(value)
    return _current()[0].rotate(value.encode()).decode()


def _mac(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """The keyed hash stored beside an encrypted value (first key); "" for no value."""
    value = decrypt(value or "")
    if not value:
        return ""
    return _mac(_current()[1][0], value)


def blind_indexes(value: str) -> list[str]:
    """The keyed hashes of `value` under every key: what a lookup matches against."""
    value = decrypt(value or "")
    if not value:
        return []
    return list(dict.fromkeys(_mac(key, value) for key in _current()[1]))


class _EmptyOnlyExact(Exact):
    """`field=""` (has no value) is the only comparison an encrypted column answers."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: match it through its blind index "
                "(lexcase.core.fieldcrypt.blind_indexes)."
            )
        return super().get_prep_lookup()


class EncryptedTextField(models.TextField):
    """A text stored as a Fernet token and read back as plain text ("" stays "").

    Filtering on it is refused except `=""`; exact matches go through its BlindIndexField.
    """

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"exact", "isnull"}:
            raise FieldError(
                f'{self.name} is encrypted: only `=""` and `isnull` lookups are possible.'
            )
        return super().get_lookup(lookup_name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if value else value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if isinstance(value, str) else value


EncryptedTextField.register_lookup(_EmptyOnlyExact)
EncryptedTextField.register_lookup(IsNull)


class BlindIndexField(models.CharField):
    """The keyed hash of another (encrypted) field of the model, computed whenever the row
    is saved (`save()` and `bulk_create`; a raw writer calls `blind_index`)."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("blank", True), ("default", "")):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        if kwargs.get("editable", True) is False:
            kwargs.pop("editable")
        if kwargs.get("db_index") is True:
            kwargs.pop("db_index")
        else:
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


# Sent inside `field_keys_rotate`'s transaction after the encrypted columns were rewritten:
# apps that keep tokens or keyed hashes elsewhere (conflicts: the index's identifier keys,
# the identifiers in frozen reports) rewrite theirs. Receivers return how many they rewrote.
field_keys_rotated = Signal()

_ROTATE_BATCH = 1000


def _encrypted_models() -> list[tuple[type[models.Model], list[str], list[BlindIndexField]]]:
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        encrypted = [f.attname for f in fields if isinstance(f, EncryptedTextField)]
        if encrypted:
            hashes = [f for f in fields if isinstance(f, BlindIndexField)]
            found.append((model, encrypted, hashes))
    return found


@transaction.atomic
def field_keys_rotate() -> dict[str, int]:
    """Re-encrypt every encrypted value under the first key of LEXCASE_FIELD_KEYS and
    recompute its keyed hash, in every model with an EncryptedTextField (history rows
    included), then let the apps rewrite what they keep elsewhere. One transaction: a
    failure leaves everything as it was (and still readable with the old keys)."""
    counts: dict[str, int] = {}
    for model, encrypted, hashes in _encrypted_models():
        manager = model._base_manager
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        rewritten = 0
        for start in range(0, len(pks), _ROTATE_BATCH):
            chunk = pks[start : start + _ROTATE_BATCH]
            for row in manager.filter(pk__in=chunk).values_list("pk", *encrypted):
                plain = dict(zip(encrypted, row[1:], strict=True))
                if not any(plain.values()):
                    continue
                # Plain text in, so each value is encrypted afresh under the first key.
                changes: dict[str, Any] = {name: encrypt(value) for name, value in plain.items()}
                for field in hashes:
                    changes[field.attname] = blind_index(plain.get(field.source) or "")
                manager.filter(pk=row[0]).update(**changes)
                rewritten += 1
        counts[model._meta.label] = rewritten
    for _receiver, result in field_keys_rotated.send(sender=None):
        if isinstance(result, dict):  # a receiver returns its counts, or None
            counts.update(result)
    return counts

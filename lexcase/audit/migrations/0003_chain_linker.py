"""The chain moves out of the request path: events are insert-only, a linker chains them.

Before the old `prev_hash`/`hash` columns go, the old (unkeyed SHA-256) chain is walked and
one last event `audit.rechain` is appended to it, recording its length, head hash and
whether it verified; the linker then chains every existing event, that one included, with
the keyed hash. Finally the append-only triggers are installed (lexcase/audit/guards.py).
"""

import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

LEGACY_GENESIS = "0" * 64


def _legacy_fields(event):
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_username,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "matter_id": event.matter_id,
        "ip": event.ip,
        "data": event.data,
    }


def _legacy_digest(prev_hash, fields):
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def close_legacy_chain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    expected, count, ok = LEGACY_GENESIS, 0, True
    for event in (
        AuditEvent.objects.using(schema_editor.connection.alias)
        .order_by("id")
        .iterator(chunk_size=2000)
    ):
        if (
            event.prev_hash != expected
            or _legacy_digest(event.prev_hash, _legacy_fields(event)) != event.hash
        ):
            ok = False
        expected, count = event.hash, count + 1
    if not count:
        return
    closing = AuditEvent(
        at=timezone.now(),
        action="audit.rechain",
        data={"legacy_events": count, "legacy_head": expected, "legacy_chain_ok": ok},
        prev_hash=expected,
    )
    closing.data = json.loads(json.dumps(closing.data))
    closing.hash = _legacy_digest(expected, _legacy_fields(closing))
    closing.save(using=schema_editor.connection.alias)
    if schema_editor.connection.vendor == "postgresql":
        # The insert queued deferred foreign-key checks; PostgreSQL refuses to ALTER a table
        # with pending ones, and the next operations do.
        with schema_editor.connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def install_guards(apps, schema_editor):
    from lexcase.audit import guards

    guards.install(schema_editor.connection)


def remove_guards(apps, schema_editor):
    from lexcase.audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_username_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversing only works on an empty log: the old columns were unique and not null.
        migrations.RunPython(close_legacy_chain, migrations.RunPython.noop),
        migrations.CreateModel(
            name="AuditLink",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="link",
                        serialize=False,
                        to="audit.auditevent",
                    ),
                ),
                ("seq", models.BigIntegerField(unique=True)),
                ("hash", models.CharField(max_length=64)),
                ("scan_xmin", models.BigIntegerField(blank=True, null=True)),
            ],
            options={
                "ordering": ["seq"],
            },
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="hash",
        ),
        migrations.RemoveField(
            model_name="auditevent",
            name="prev_hash",
        ),
        migrations.AddField(
            model_name="auditevent",
            name="txid",
            field=models.BigIntegerField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        # Last: on SQLite the operations above rebuild the table, which drops triggers.
        migrations.RunPython(install_guards, remove_guards),
    ]

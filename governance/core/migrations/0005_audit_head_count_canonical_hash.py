"""The chain head counts its rows, and the audit hash becomes canonical: existing rows are re-chained.

Why the hashes change: the old hash took ``occurred_at.isoformat()`` (microseconds, the server's time zone) and
the text as stored. ``dumpdata`` keeps only milliseconds, and a round trip through some tools turns CRLF into LF,
so a dump loaded elsewhere no longer matched its own hashes. The new hash (``core.models.audit_hash``) takes the
time in UTC at millisecond precision and LF line ends. This migration first checks the old chain (and stops if
it is already broken: re-chaining must never launder a tampered trail), then recomputes every row's
``prev_hash`` and ``hash`` in id order with the new function, sets the head's hash and count, and, on
PostgreSQL, disables the append-only trigger of ``0002`` around the updates and enables it again.

The hash function is copied here, frozen, so that later changes to the model do not change what this migration
did. Anchors written before it (there were none: anchors arrive with it) would no longer match.
"""

import datetime as dt
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

GENESIS_HASH = "0" * 64
FIELDS = [
    "occurred_at",
    "actor_id",
    "actor_name",
    "content_type_id",
    "object_id",
    "object_label",
    "action",
    "source_state",
    "target_state",
    "comment",
    "payload",
    "prev_hash",
]


def _old_hash(row: dict) -> str:
    content = dict(row)
    content["occurred_at"] = row["occurred_at"].isoformat()
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _text(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, dict):
        return {_text(k): _text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    return value


def _new_hash(row: dict) -> str:
    content = dict(row)
    at = row["occurred_at"].astimezone(dt.UTC)
    content["occurred_at"] = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    normalised = json.loads(json.dumps(_text(content), cls=DjangoJSONEncoder))
    canonical = json.dumps(normalised, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def rechain(apps, schema_editor):
    _rechain(apps, schema_editor, check=_old_hash, make=_new_hash)


def unchain(apps, schema_editor):
    _rechain(apps, schema_editor, check=_new_hash, make=_old_hash)


def _rechain(apps, schema_editor, *, check, make):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    connection = schema_editor.connection
    rows = list(AuditEvent.objects.order_by("id").values("id", "hash", *FIELDS))
    previous = GENESIS_HASH
    for row in rows:
        content = {name: row[name] for name in FIELDS}
        if row["prev_hash"] != previous or check(content) != row["hash"]:
            raise RuntimeError(
                f"Granskningsloggen är bruten vid händelse {row['id']}: den byggs inte om. "
                "Utred med verify_audit på den föregående versionen innan migreringen körs."
            )
        previous = row["hash"]
    updates = []
    previous = GENESIS_HASH
    for row in rows:
        content = {name: row[name] for name in FIELDS}
        content["prev_hash"] = previous
        previous = make(content)
        updates.append((content["prev_hash"], previous, row["id"]))
    table = AuditEvent._meta.db_table
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER core_auditevent_append_only")
        # Two passes so that no new hash meets an old one under the unique constraint.
        cursor.executemany(f"UPDATE {table} SET hash = 'x' || id WHERE id = %s", [(u[2],) for u in updates])
        cursor.executemany(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", updates)
        if postgres:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER core_auditevent_append_only")
    if rows or AuditChainHead.objects.filter(pk=1).exists():
        AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": previous, "count": len(rows)})


class Migration(migrations.Migration):
    dependencies = [("core", "0004_request_key")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="count",
            field=models.PositiveBigIntegerField(default=0, verbose_name="antal händelser"),
        ),
        migrations.RunPython(rechain, unchain),
    ]

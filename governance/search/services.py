"""Keeping the search index in step with the data.

Every change the apps make is recorded in the audit trail in the change's own transaction; a receiver on the
new audit row rebuilds the search entries of the row's object (and of the objects that change with it, e.g.
a case's decisions and memos) in that same transaction. ``search_index_rebuild`` (``manage.py
search_reindex``, run by ``load_origo``) rebuilds everything and is idempotent.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from governance.core.services import audit_record

from .choices import SearchAction
from .models import SearchEntry
from .sources import REINDEX, SOURCES, Entry, label

#: The fields that make an entry what it is (an entry equal in all of them is not rewritten).
_COMPARED = (
    "key",
    "kind",
    "source",
    "object_id",
    "title",
    "body",
    "audience",
    "organisation_id",
    "cooperation_body_id",
    "date",
    "url",
)
_OBJECT_ID = _COMPARED.index("object_id")


def _vector_update(entries) -> None:
    """PostgreSQL: the Swedish text vector of the given rows (title weighs more than the text)."""
    if connection.vendor != "postgresql":
        return
    entries.update(
        search_vector=SearchVector("title", weight="A", config="swedish")
        + SearchVector("body", weight="B", config="swedish")
    )


def _rows(source: str, object_id: int, entries: list[Entry]) -> list[SearchEntry]:
    return [
        SearchEntry(
            key=entry.key,
            kind=entry.kind,
            source=source,
            object_id=object_id,
            title=entry.title,
            body=entry.body,
            audience=entry.audience,
            organisation_id=entry.organisation_id,
            cooperation_body_id=entry.cooperation_body_id,
            date=entry.date,
            url=entry.url,
        )
        for entry in entries
    ]


def _held(source: str, object_ids) -> dict[int, set[tuple]]:
    held: dict[int, set[tuple]] = defaultdict(set)
    for values in SearchEntry.objects.filter(source=source, object_id__in=object_ids).values_list(*_COMPARED):
        held[values[_OBJECT_ID]].add(values)
    return held


def _objects_refresh(source: str, object_ids: list[int]) -> tuple[dict[int, object], int]:
    """Rebuild the entries of ``source``'s objects ``object_ids`` in a few queries, whatever their number:
    the objects are read with what their build needs, and only objects whose entries differ from the held ones
    are rewritten. Returns the objects that exist and the number of entries written."""
    spec = SOURCES[source]
    objects = {
        obj.pk: obj
        for obj in spec.model._default_manager.select_related(*spec.select)
        .prefetch_related(*spec.prefetch)
        .filter(pk__in=object_ids)
    }
    wanted = {pk: _rows(source, pk, spec.build(objects[pk])) if pk in objects else [] for pk in object_ids}
    held = _held(source, object_ids)
    changed = [
        pk
        for pk, rows in wanted.items()
        if len(rows) != len(held[pk])
        or {tuple(getattr(row, n) for n in _COMPARED) for row in rows} != held[pk]
    ]
    if not changed:
        return objects, 0
    SearchEntry.objects.filter(source=source, object_id__in=changed).delete()
    rows = SearchEntry.objects.bulk_create([row for pk in changed for row in wanted[pk]])
    _vector_update(SearchEntry.objects.filter(pk__in=[row.pk for row in rows]))
    return objects, len(rows)


def entries_refresh(*, source: str, object_id: int, follow: bool = True) -> int:
    """Rebuild the search entries of one object (and, with ``follow``, of the objects that change with it).
    An object that no longer exists loses its entries. Entries that come out as they are held are not
    rewritten, and the related objects are built together, so a case with a hundred decisions costs a few
    queries per change, not a few per decision. Returns the number of entries written."""
    if source not in SOURCES:
        return 0
    with transaction.atomic():
        objects, written = _objects_refresh(source, [object_id])
        obj = objects.get(object_id)
        spec = SOURCES[source]
        if follow and obj is not None and spec.related is not None:
            grouped: dict[str, list[int]] = defaultdict(list)
            for model, pk in spec.related(obj):
                grouped[label(model)].append(pk)
            for related_source, pks in grouped.items():
                written += _objects_refresh(related_source, pks)[1]
    return written


def entries_refresh_for_audit_event(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save receiver of ``core.AuditEvent``: the audited object's entries, in the same transaction."""
    if raw or not created or instance.content_type_id is None or not instance.object_id.isdigit():
        return
    content_type = ContentType.objects.get_for_id(instance.content_type_id)
    source = f"{content_type.app_label}.{content_type.model}"
    if source in SOURCES:
        entries_refresh(source=source, object_id=int(instance.object_id))


def entries_refresh_for_deleted_row(sender, instance, **kwargs) -> None:
    """post_delete receiver (``sources.FOLLOW_DELETES``): the entries the deleted row was part of."""
    spec = SOURCES.get(label(sender))
    if spec is not None and spec.related is not None:
        for model, pk in list(spec.related(instance)):
            entries_refresh(source=label(model), object_id=pk, follow=False)


def search_index_rebuild(*, acting_user) -> int:
    """Rebuild the whole index from the apps' data. Idempotent: when the data gives the entries the index
    already holds, nothing is written (no audit row either). Returns the number of entries."""
    rows: list[SearchEntry] = []
    for model in REINDEX:
        source = label(model)
        spec = SOURCES[source]
        for obj in model._default_manager.select_related(*spec.select).prefetch_related(*spec.prefetch):
            rows.extend(_rows(source, obj.pk, spec.build(obj)))
    wanted = {tuple(getattr(row, name) for name in _COMPARED) for row in rows}
    with transaction.atomic():
        held = set(SearchEntry.objects.select_for_update().values_list(*_COMPARED))
        if held == wanted and len(held) == len(rows):
            return len(rows)
        SearchEntry.objects.all().delete()
        SearchEntry.objects.bulk_create(rows, batch_size=500)
        _vector_update(SearchEntry.objects.all())
        audit_record(
            acting_user=acting_user,
            action=SearchAction.INDEX_REINDEXED,
            object_label="sökindex",
            payload={"entries": len(rows), "were": len(held)},
        )
    return len(rows)

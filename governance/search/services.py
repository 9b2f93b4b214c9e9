"""Keeping the search index in step with the data.

Every change the apps make is recorded in the audit trail in the change's own transaction; a receiver on the
new audit row rebuilds the search entries of the row's object (and of the objects that change with it, e.g.
a case's decisions and memos) in that same transaction. ``search_index_rebuild`` (``manage.py
search_reindex``, run by ``load_origo``) rebuilds everything and is idempotent.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from governance.core.services import audit_record

from .choices import SearchAction
from .models import SearchEntry
from .sources import REINDEX, SOURCES, Entry, label


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


def entries_refresh(*, source: str, object_id: int, follow: bool = True) -> int:
    """Rebuild the search entries of one object (and, with ``follow``, of the objects that change with it).
    An object that no longer exists loses its entries. Returns the number of entries written."""
    spec = SOURCES.get(source)
    if spec is None:
        return 0
    with transaction.atomic():
        obj = spec.model._default_manager.filter(pk=object_id).first()
        SearchEntry.objects.filter(source=source, object_id=object_id).delete()
        written = 0
        if obj is not None:
            rows = SearchEntry.objects.bulk_create(_rows(source, object_id, spec.build(obj)))
            _vector_update(SearchEntry.objects.filter(pk__in=[row.pk for row in rows]))
            written = len(rows)
            if follow and spec.related is not None:
                for model, pk in list(spec.related(obj)):
                    written += entries_refresh(source=label(model), object_id=pk, follow=False)
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


def search_index_rebuild(*, acting_user) -> int:
    """Rebuild the whole index from the apps' data. Idempotent: when the data gives the entries the index
    already holds, nothing is written (no audit row either). Returns the number of entries."""
    rows: list[SearchEntry] = []
    for model, related, prefetch in REINDEX:
        source = label(model)
        spec = SOURCES[source]
        for obj in model._default_manager.select_related(*related).prefetch_related(*prefetch):
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

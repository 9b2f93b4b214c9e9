"""Writes of the documents app: request a version (queued), render it (the Celery task's body), batches, and
the templates host administrators upload. Every status change runs through ``core.transitions``."""

import datetime as dt
import subprocess
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.core.services import actor_display_name, actor_user, audit_record
from governance.core.transitions import TransitionConflict, transition_run

from . import permissions, registry, rendering, samples
from .choices import BatchStatus, DocumentAction, DocumentKind, DocumentStatus
from .models import DocumentBatch, DocumentTemplate, GeneratedDocument

MEETING_KINDS = (DocumentKind.NOTICE, DocumentKind.MINUTES, DocumentKind.EXTRACT)


def template_for(kind: str) -> tuple[bytes, str, str]:
    """The template in use for ``kind``: the newest active upload, else the built-in one."""
    custom = DocumentTemplate.objects.filter(kind=kind, is_active=True).order_by("-uploaded_at").first()
    if custom is not None:
        with custom.file.open("rb") as handle:
            content = handle.read()
        return content, f"{custom.original_name} (uppladdad {custom.uploaded_at:%Y-%m-%d})", custom.sha256
    path = rendering.builtin_template_path(kind)
    content = path.read_bytes()
    return content, f"{path.name} (standard)", rendering.sha256(content)


def _entry(kind: str) -> registry.KindEntry:
    entry = registry.kind_entry(kind)
    if entry is None:
        raise ValidationError(_("Okänd dokumenttyp."))
    return entry


def document_request(
    *, acting_user, kind: str, subject_key: str, params: dict, request_key: uuid.UUID, batch_key=None
) -> GeneratedDocument:
    """Queue a new version. A second request with the same ``request_key`` returns the first (double submit)."""
    existing = GeneratedDocument.objects.filter(request_key=request_key).first()
    if existing is not None:
        return existing
    entry = _entry(kind)
    subject = registry.subject_for(entry, subject_key)
    permissions.check_may_generate(acting_user, kind, subject)
    subject_key = registry.subject_key(entry, subject)
    params = {
        key: (value.isoformat() if isinstance(value, dt.date) else value) for key, value in params.items()
    }
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = (
                    GeneratedDocument.objects.filter(subject_key=subject_key, kind=kind).aggregate(
                        v=Max("version")
                    )["v"]
                    or 0
                ) + 1
                document = GeneratedDocument.objects.create(
                    kind=kind,
                    subject_key=subject_key,
                    subject_type=ContentType.objects.get_for_model(subject),
                    subject_id=subject.pk,
                    version=version,
                    request_key=request_key,
                    batch_key=batch_key,
                    params=params,
                    created_by=actor_user(acting_user),
                    created_by_name=actor_display_name(acting_user),
                )
                audit_record(
                    acting_user=acting_user,
                    action=DocumentAction.DOCUMENT_REQUESTED,
                    obj=document,
                    object_label=f"{document.get_kind_display()} {subject} v{version}",
                    payload={"kind": kind, "subject": subject_key, "version": version},
                )
                from .tasks import document_render as render_task

                transaction.on_commit(lambda pk=document.pk: render_task.delay(pk))
            return document
        except IntegrityError:
            existing = GeneratedDocument.objects.filter(request_key=request_key).first()
            if existing is not None:
                return existing
    raise ValidationError(_("Dokumentet kunde inte köas; försök igen."))


def _context(document: GeneratedDocument) -> dict:
    entry = _entry(document.kind)
    return entry.build_context(registry.subject_for(entry, document.subject_key), document.params)


def _system_transition(document: GeneratedDocument, transition: str, **kwargs) -> GeneratedDocument | None:
    """Run ``transition`` as the system; None when another delivery of the task got there first."""
    try:
        return transition_run(acting_user=None, obj=document, transition=transition, **kwargs)
    except (TransitionConflict, ValidationError):
        return None


def document_render(*, document_id: int) -> GeneratedDocument:
    """Render one queued version (the task's body): queued → running → done | failed; a failed version is
    queued again first. Delivered twice, it stores one version: a finished document is left as it is."""
    document = GeneratedDocument.objects.get(pk=document_id)
    if document.status == DocumentStatus.FAILED:
        document = _system_transition(document, "retry", expected_state=DocumentStatus.FAILED) or document
    if document.status == DocumentStatus.QUEUED:
        started = _system_transition(document, "start", expected_state=DocumentStatus.QUEUED)
        if started is None:
            return GeneratedDocument.objects.get(pk=document_id)
        document = started
    if document.status != DocumentStatus.RUNNING:
        return document
    try:
        template, template_name, template_sha = template_for(document.kind)
        content = rendering.render_docx(template, _context(document))
        try:
            pdf = rendering.convert_to_pdf(content)
            pdf_note = (
                "" if pdf is not None else _("PDF kan inte skapas här: LibreOffice är inte installerat.")
            )
        except (rendering.DocumentError, OSError, subprocess.SubprocessError, SoftTimeLimitExceeded) as exc:
            # The .docx is the document; the PDF is a copy, so its failure is a note on a finished version.
            reason = (
                _("tidsgränsen för jobbet nåddes") if isinstance(exc, SoftTimeLimitExceeded) else str(exc)
            )
            pdf, pdf_note = None, (_("PDF misslyckades: %(reason)s") % {"reason": reason})[:300]
    except Exception as exc:
        if isinstance(exc, rendering.DocumentError):
            reason = str(exc)
        elif isinstance(exc, SoftTimeLimitExceeded):
            reason = _("Dokumentet tog för lång tid att skapa och avbröts.")
        else:
            reason = f"{type(exc).__name__}: {exc}"
        reason = reason[:2000]

        def record_error(locked):
            locked.error = reason

        failed = _system_transition(
            document,
            "fail",
            expected_state=DocumentStatus.RUNNING,
            before_save=record_error,
            comment=reason[:500],
        )
        return failed or GeneratedDocument.objects.get(pk=document_id)
    digest = rendering.sha256(content)

    def store(locked):
        locked.file.save(f"{locked.filename}.docx", ContentFile(content), save=False)
        if pdf is not None:
            locked.pdf.save(f"{locked.filename}.pdf", ContentFile(pdf), save=False)
        locked.pdf_note = pdf_note
        locked.template_name = template_name
        locked.template_sha256 = template_sha
        locked.sha256 = digest
        entry = registry.kind_entry(locked.kind)
        if entry is not None and entry.on_finished is not None:
            entry.on_finished(locked, registry.subject_for(entry, locked.subject_key))

    finished = _system_transition(
        document,
        "finish",
        expected_state=DocumentStatus.RUNNING,
        before_save=store,
        payload={"sha256": digest, "template": template_name, "pdf": pdf is not None},
    )
    return finished or GeneratedDocument.objects.get(pk=document_id)


def document_fail_unfinished(*, document_id: int, reason: str) -> GeneratedDocument:
    """Mark a queued or running version failed with a Swedish ``reason``: its task gave up (the database stayed
    locked through every retry). A version that finished or failed meanwhile is left as it is."""
    document = GeneratedDocument.objects.get(pk=document_id)
    if document.status not in (DocumentStatus.QUEUED, DocumentStatus.RUNNING):
        return document

    def record_error(locked):
        locked.error = reason

    failed = _system_transition(
        document, "fail", expected_state=document.status, before_save=record_error, comment=reason[:500]
    )
    return failed or GeneratedDocument.objects.get(pk=document_id)


def batch_request_key(batch_key: uuid.UUID, subject_key: str) -> uuid.UUID:
    """The request key of ``subject_key``'s version in a batch: the same on every run of the job that fills
    the batch, so a job delivered twice, or retried halfway, queues each version once."""
    return uuid.uuid5(batch_key, subject_key)


def document_batch_create(
    *, acting_user, kind: str, key: uuid.UUID, origin_key: str, expected: int, options: dict | None = None
) -> tuple[DocumentBatch, bool]:
    """Record a batch (preparing) under ``key``; returns it and whether it is new. The same key twice (a
    double click) returns the first. The caller locks what it makes the batch from and enqueues the job that
    fills it on commit."""
    _entry(kind)
    permissions.check_follow_batch(acting_user, kind)
    existing = DocumentBatch.objects.filter(key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            batch = DocumentBatch.objects.create(
                key=key,
                kind=kind,
                origin_key=origin_key,
                expected=expected,
                options=options or {},
                created_by=actor_user(acting_user),
                created_by_name=actor_display_name(acting_user),
            )
            audit_record(
                acting_user=acting_user,
                action=DocumentAction.DOCUMENT_BATCH_REQUESTED,
                obj=batch,
                payload={"kind": kind, "origin": origin_key, "expected": expected, "options": options or {}},
            )
    except IntegrityError:
        return DocumentBatch.objects.get(key=key), False
    return batch, True


def documents_request_batch(
    *, acting_user, kind: str, requests: list[tuple[str, dict]], batch_key: uuid.UUID
) -> list[GeneratedDocument]:
    """Queue one version per ``(subject_key, params)`` under ``batch_key``, each in a short transaction of its
    own (on SQLite a long one would keep the workers, which render the first versions meanwhile, from
    writing) with its render task enqueued as it commits. Run again it queues nothing twice: the request key
    is derived from the batch key and the subject (``batch_request_key``)."""
    return [
        document_request(
            acting_user=acting_user,
            kind=kind,
            subject_key=subject_key,
            params=params,
            request_key=batch_request_key(batch_key, subject_key),
            batch_key=batch_key,
        )
        for subject_key, params in requests
    ]


def _batch_finish(batch_id: int, status: str, action: str, *, error: str = "", payload=None) -> bool:
    with transaction.atomic():
        batch = DocumentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.PREPARING:
            return False
        batch.status, batch.error, batch.prepared_at = status, error, timezone.now()
        if status == BatchStatus.READY:
            batch.expected = GeneratedDocument.objects.filter(batch_key=batch.key).count()
        batch.save(update_fields=["status", "error", "prepared_at", "expected"])
        audit_record(acting_user=None, action=action, obj=batch, comment=error[:500], payload=payload or {})
    return True


def document_batch_prepared(*, batch_id: int) -> bool:
    """The job queued every version of the batch: preparing → ready. False when it was not preparing."""
    return _batch_finish(batch_id, BatchStatus.READY, DocumentAction.DOCUMENT_BATCH_PREPARED)


def document_batch_fail(*, batch_id: int, reason: str) -> bool:
    """The batch could not be filled: preparing → failed with a Swedish ``reason``; the versions queued
    already go on. False when it was not preparing."""
    return _batch_finish(batch_id, BatchStatus.FAILED, DocumentAction.DOCUMENT_BATCH_FAILED, error=reason)


def sample_context(kind: str) -> dict:
    """Realistic sample data for validating a template of ``kind``: the kind's own, else fixed samples."""
    if kind in MEETING_KINDS:
        return samples.sample_meeting_context(kind)
    entry = registry.kind_entry(kind)
    sample = entry.sample_context() if entry is not None and entry.sample_context is not None else None
    if sample is None:
        raise ValidationError(_("Det finns inga exempeldata att pröva mallen mot."))
    return sample


def template_upload(*, acting_user, kind: str, name: str, content: bytes) -> DocumentTemplate:
    """Validate and activate a replacement template. Refused, with the reason, if it is not a real .docx, too
    large, does not render against sample data, or uses variables the system does not provide."""
    permissions.check_manage_templates(acting_user)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Okänd dokumenttyp."))
    if len(content) > rendering.MAX_TEMPLATE_BYTES:
        raise ValidationError(_("Mallen är större än 2 MB."))
    if not rendering.is_docx(content):
        raise ValidationError(_("Filen är inte ett Word-dokument (.docx)."))
    sample = sample_context(kind)
    try:
        unknown = rendering.undeclared_variables(content, sample)
    except rendering.DocumentError as exc:
        raise ValidationError(str(exc)) from exc
    if unknown:
        raise ValidationError(
            _("Mallen använder variabler som inte finns: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    try:
        rendering.render_docx(content, sample)
    except rendering.DocumentError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        DocumentTemplate.objects.select_for_update().filter(kind=kind, is_active=True).update(is_active=False)
        template = DocumentTemplate(
            kind=kind,
            sha256=rendering.sha256(content),
            original_name=name[:200],
            uploaded_by_name=actor_display_name(acting_user),
        )
        template.file.save(f"{kind}.docx", ContentFile(content), save=False)
        template.save()
        audit_record(
            acting_user=acting_user,
            action=DocumentAction.DOCUMENT_TEMPLATE_UPLOADED,
            obj=template,
            payload={"sha256": template.sha256},
        )
    return template


def template_restore_default(*, acting_user, kind: str) -> int:
    """Stop using uploaded templates of ``kind``: the built-in one applies again. Returns how many were active."""
    permissions.check_manage_templates(acting_user)
    if kind not in DocumentKind.values:
        raise ValidationError(_("Okänd dokumenttyp."))
    with transaction.atomic():
        count = (
            DocumentTemplate.objects.select_for_update()
            .filter(kind=kind, is_active=True)
            .update(is_active=False)
        )
        if count:
            audit_record(
                acting_user=acting_user,
                action=DocumentAction.DOCUMENT_TEMPLATE_DEFAULT_RESTORED,
                object_label=kind,
            )
    return count


# The stale-job sweep (``documents.stale_jobs_sweep``, run by beat every few minutes).

from django.db.models import Q  # noqa: E402  (kept with the sweep, the one user)

#: A version still queued this long after its last event was never picked up: its enqueue failed (the broker
#: was down when the request committed) or the message was lost. The sweep sends it to the worker again.
STALE_QUEUED_AFTER = dt.timedelta(minutes=10)
#: Added to the render task's hard time limit before a running version counts as abandoned: by then the
#: worker has either finished, been killed by the limit, or died (kill -9, a restarted container).
STALE_RUNNING_MARGIN = dt.timedelta(minutes=2)
#: The hard time limit assumed when neither the task nor the Celery settings set one.
DEFAULT_RENDER_HARD_LIMIT = dt.timedelta(seconds=300)
#: How many times the sweep sends one version again before it marks it failed.
MAX_RESENDS = 3


#: A batch still preparing this long after it was requested lost its job (the broker was down when the
#: request committed, or the job failed past its retries): the sweep marks it failed, so the progress page
#: never says "Förbereds" for ever. Preparing 290 memos takes seconds.
STALE_BATCH_AFTER = dt.timedelta(minutes=30)


def _batches_sweep_stale(now: dt.datetime) -> int:
    reason = _(
        "Utkasten kunde inte förberedas: bakgrundsjobbet blev inte klart. De utkast som hann köas skapas; "
        "starta en ny omgång för resten."
    )
    stale = DocumentBatch.objects.filter(
        status=BatchStatus.PREPARING, created_at__lt=now - STALE_BATCH_AFTER
    ).values_list("pk", flat=True)
    return sum(1 for pk in stale if document_batch_fail(batch_id=pk, reason=reason))


def render_hard_limit() -> dt.timedelta:
    """The render task's hard time limit: the task's own, else ``CELERY_TASK_TIME_LIMIT``, else the default."""
    from .tasks import document_render as render_task

    seconds = render_task.time_limit or render_task.app.conf.task_time_limit
    return dt.timedelta(seconds=seconds) if seconds else DEFAULT_RENDER_HARD_LIMIT


def documents_sweep_stale(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send abandoned versions to the worker again, or fail them; returns how many of each.

    A version is abandoned when it is "running" longer than the render task's hard time limit plus a margin
    (its worker died: with late acknowledgement the broker would redeliver it only after its visibility
    timeout, an hour on Redis), or "queued" longer than ``STALE_QUEUED_AFTER`` (its enqueue failed). "Longer"
    counts from its last event in the audit trail. The sweep queues it again (running → queued, or a queued one
    as it is) and enqueues the render task on commit; after ``MAX_RESENDS`` sends it marks it failed with a
    Swedish reason, so no version stays "I kö" or "Skapas" for ever. Run twice, the second run finds nothing:
    each send is an event. The render task handles a version delivered twice (one version is stored).
    """
    from governance.core.models import AuditEvent

    from .tasks import document_render as render_task

    now = now or timezone.now()
    running_cutoff = now - (render_hard_limit() + STALE_RUNNING_MARGIN)
    queued_cutoff = now - STALE_QUEUED_AFTER
    content_type = ContentType.objects.get_for_model(GeneratedDocument)
    candidates = GeneratedDocument.objects.filter(
        Q(status=DocumentStatus.RUNNING, created_at__lt=running_cutoff)
        | Q(status=DocumentStatus.QUEUED, created_at__lt=queued_cutoff)
    ).order_by("pk")
    # A batch whose job was lost counts as failed too (``STALE_BATCH_AFTER``).
    counts = {"resent": 0, "failed": _batches_sweep_stale(now)}
    for document in candidates:
        events = AuditEvent.objects.filter(content_type=content_type, object_id=str(document.pk))
        last = events.aggregate(last=Max("occurred_at"))["last"] or document.created_at
        cutoff = running_cutoff if document.status == DocumentStatus.RUNNING else queued_cutoff
        if last >= cutoff:
            continue
        sends = events.filter(action=DocumentAction.DOCUMENT_RESENT).count()
        if sends >= MAX_RESENDS:
            reason = _(
                "Bakgrundsjobbet blev inte klart trots %(n)s nya försök (det kan ha stoppats eller inte nått "
                "kön). Beställ en ny version."
            ) % {"n": sends}

            def record_error(locked, reason=reason):
                locked.error = reason

            if _system_transition(
                document, "fail", expected_state=document.status, before_save=record_error, comment=reason
            ):
                counts["failed"] += 1
            continue
        comment = _(
            "Bakgrundsjobbet hade inte hörts av sedan %(when)s; skickat igen (försök %(n)s av %(max)s)."
        ) % {
            "when": timezone.localtime(last).strftime("%Y-%m-%d %H:%M"),
            "n": sends + 1,
            "max": MAX_RESENDS,
        }
        with transaction.atomic():
            if document.status == DocumentStatus.RUNNING:
                if (
                    _system_transition(
                        document, "requeue", expected_state=DocumentStatus.RUNNING, comment=comment
                    )
                    is None
                ):
                    continue
            else:
                locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
                if locked.status != DocumentStatus.QUEUED:
                    continue
                audit_record(
                    acting_user=None,
                    action=DocumentAction.DOCUMENT_RESENT,
                    obj=locked,
                    comment=comment,
                    payload={"attempt": sends + 1},
                )
            transaction.on_commit(lambda pk=document.pk: render_task.delay(pk))
        counts["resent"] += 1
    return counts

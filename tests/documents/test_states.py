"""A generated document's status changes only through the transition runner, one audit row per transition."""

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied

from governance.core.models import AuditEvent
from governance.core.transitions import transition_run
from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase
from governance.documents import services
from governance.documents.models import GeneratedDocument


def _queued(user):
    case = AdoptionCase.objects.select_related("organisation", "recommendation__agreement").get(
        recommendation__slug="origo-2012", organisation__municipality_code="0162"
    )
    return services.document_request(
        acting_user=user,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, user).__dict__,
        request_key=uuid.uuid4(),
    )


def _events(document):
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(GeneratedDocument), object_id=str(document.pk)
        ).order_by("pk")
    )


def test_queued_running_done_with_one_audit_row_per_transition(danderyd_clerk):
    document = _queued(danderyd_clerk)
    assert document.status == "queued" and document.subject.pk == int(document.subject_key.split(":")[1])
    done = services.document_render(document_id=document.pk)
    assert done.status == "done" and done.finished_at is not None
    events = [(e.action, e.source_state, e.target_state) for e in _events(document)]
    assert events == [
        ("document.requested", "", ""),
        ("document.started", "queued", "running"),
        ("document.generated", "running", "done"),
    ]


def test_a_failed_version_is_queued_again_and_rendered(danderyd_clerk, monkeypatch):
    from governance.documents import rendering

    document = _queued(danderyd_clerk)

    def broken(template, context):
        raise rendering.DocumentError("Mallen kunde inte fyllas i.")

    monkeypatch.setattr(rendering, "render_docx", broken)
    failed = services.document_render(document_id=document.pk)
    assert failed.status == "failed" and failed.error == "Mallen kunde inte fyllas i."
    monkeypatch.undo()
    assert services.document_render(document_id=document.pk).status == "done"
    actions = [e.action for e in _events(document)]
    assert actions == [
        "document.requested",
        "document.started",
        "document.failed",
        "document.requeued",
        "document.started",
        "document.generated",
    ]


def test_a_transition_outside_the_runner_is_refused(danderyd_clerk):
    document = GeneratedDocument.objects.get(pk=_queued(danderyd_clerk).pk)
    with pytest.raises(RuntimeError, match="transition_run"):
        document.start()
    with pytest.raises(AttributeError):
        document.status = "done"  # the field is protected


def test_only_the_system_moves_a_document(danderyd_clerk):
    document = _queued(danderyd_clerk)
    with pytest.raises(PermissionDenied):
        transition_run(acting_user=danderyd_clerk, obj=document, transition="start")
    assert GeneratedDocument.objects.get(pk=document.pk).status == "queued"

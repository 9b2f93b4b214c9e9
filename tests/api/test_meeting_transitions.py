"""A meeting's transitions through the API: the meeting page's rules, services and audit rows."""

import datetime as dt
import uuid

from django.utils import timezone

from governance.core.models import AuditEvent
from governance.meetings.models import CooperationBody, Meeting


def _planned_steering_meeting():
    starts = timezone.now() + dt.timedelta(days=40)
    return Meeting.objects.create(
        body=CooperationBody.objects.get(slug="styrgrupp"),
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place="API-rummet",
    )


def test_the_chair_cancels_once_even_when_the_request_is_retried(api_as, chair):
    meeting = _planned_steering_meeting()
    api = api_as(chair)
    available = api.get(f"/api/v1/meetings/{meeting.pk}/transitions/").json()
    assert available["state"] == "planned" and "cancel" in {row["action"] for row in available["available"]}
    key = str(uuid.uuid4())
    body = {"action": "cancel", "expected_state": "planned", "reason": "Inget att besluta"}
    url = f"/api/v1/meetings/{meeting.pk}/transitions/"
    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "cancelled"
    retry = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    rows = AuditEvent.objects.filter(object_id=str(meeting.pk), target_state="cancelled")
    assert rows.count() == 1 and rows.get().actor == chair


def test_the_rules_validation_and_conflicts_of_the_page_apply(api_as, chair, member, danderyd_clerk):
    meeting = _planned_steering_meeting()
    url = f"/api/v1/meetings/{meeting.pk}/transitions/"
    body = {"action": "cancel", "expected_state": "planned", "reason": "Skäl"}
    assert api_as(member).post(url, body, format="json").status_code == 403  # a member reads, the chair acts
    assert api_as(danderyd_clerk).get(url).status_code == 403  # not their body
    stale = api_as(chair).post(url, {**body, "expected_state": "held"}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    missing = api_as(chair).post(url, {"action": "cancel", "expected_state": "planned"}, format="json")
    assert missing.status_code == 400 and missing.json()["code"] == "validation_error"
    meeting.refresh_from_db()
    assert meeting.state == "planned"

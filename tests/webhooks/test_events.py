"""Issue 13, webhooks: a real receiver on 127.0.0.1 gets exactly one signed delivery per event, only for
what its owner may see, also after an outage."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions import memo_paper
from governance.decisions import services as decisions
from governance.documents import services as documents
from governance.meetings.models import CooperationBody, Membership
from governance.webhooks import services
from governance.webhooks.models import WebhookDelivery

from .conftest import verify


def _register(user, receiver, events, name="Ärendesystemet"):
    return services.endpoint_register(acting_user=user, name=name, url=receiver.url, events=events)


def test_a_case_transition_gives_one_signed_delivery_to_whoever_may_see_the_case(
    receiver,
    danderyd_case,
    danderyd_clerk,
    ekero_clerk,
    ksl_officer,
    deliveries_inline,
    django_capture_on_commit_callbacks,
):
    danderyd = _register(danderyd_clerk, receiver, ["case.state_changed"], name="Danderyd")
    ekero = _register(ekero_clerk, receiver, ["case.state_changed"], name="Ekerö")
    ksl = _register(ksl_officer, receiver, ["case.state_changed"], name="KSL")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)

    assert len(callbacks) == 1  # one enqueueing for the transaction's deliveries
    assert WebhookDelivery.objects.filter(endpoint=ekero).count() == 0  # Ekerö may not see Danderyd's case
    assert len(deliveries_inline) == 2
    assert len(receiver.requests) == 2 and len(receiver.successful()) == 2
    by_secret = {}
    for request in receiver.requests:
        for endpoint in (danderyd, ksl):
            try:
                by_secret[endpoint.name] = verify(request, endpoint.secret)
            except AssertionError:
                continue
    assert set(by_secret) == {"Danderyd", "KSL"}  # each signed with its own endpoint's secret
    payload = by_secret["Danderyd"]
    assert payload["event"] == "case.state_changed"
    assert payload["data"]["case"]["id"] == danderyd_case.pk
    assert payload["data"]["case"]["state"] == "in_preparation"
    assert payload["data"]["case"]["previous_state"] == "received"
    assert payload["data"]["organisation"] == {
        "id": danderyd_case.organisation_id,
        "code": "0162",
        "name": danderyd_case.organisation.name,
    }
    assert payload["data"]["case"]["url"].endswith(reverse("decisions:case", args=[danderyd_case.pk]))
    assert by_secret["KSL"]["id"] == payload["id"]  # the same event, the same id for every endpoint
    for endpoint in (danderyd, ksl):
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)
        assert delivery.delivered_at is not None


def test_a_decision_is_one_delivery_of_decision_recorded(receiver, danderyd_case, danderyd_clerk):
    endpoint = _register(danderyd_clerk, receiver, ["decision.recorded"])
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    case = decisions.case_propose(acting_user=danderyd_clerk, case=danderyd_case)
    assert WebhookDelivery.objects.count() == 0  # transitions without a decision: not this event
    step = case.steps.get(body__name="Socialnämnden")
    decisions.case_decision_record(
        acting_user=danderyd_clerk,
        case=case,
        step=step,
        meeting_date=dt.date(2025, 5, 1),
        paragraph="§ 12",
        text="Beslutar enligt förslaget.",
        outcome="approve",
    )
    services.deliveries_deliver_due()
    assert len(receiver.requests) == 1
    payload = verify(receiver.requests[0], endpoint.secret)
    assert payload["event"] == "decision.recorded"
    assert payload["data"]["decision"]["body"] == "Socialnämnden"
    assert payload["data"]["decision"]["paragraph"] == "§ 12"
    assert payload["data"]["decision"]["meeting_date"] == "2025-05-01"
    assert payload["data"]["case"]["id"] == case.pk


def test_a_generated_document_is_one_delivery(receiver, danderyd_case, danderyd_clerk, ekero_clerk):
    endpoint = _register(danderyd_clerk, receiver, ["document.generated"])
    other = _register(ekero_clerk, receiver, ["document.generated"])
    params = memo_paper.memo_defaults(danderyd_case, danderyd_clerk).__dict__
    document = documents.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{danderyd_case.pk}",
        params=params,
        request_key=uuid.uuid4(),
    )
    assert WebhookDelivery.objects.count() == 0  # queued is not generated
    document = documents.document_render(document_id=document.pk)
    assert document.status == "done"
    services.deliveries_deliver_due()
    assert len(receiver.requests) == 1 and not other.deliveries.exists()
    payload = verify(receiver.requests[0], endpoint.secret)
    assert payload["event"] == "document.generated"
    assert payload["data"]["document"]["id"] == document.pk
    assert payload["data"]["document"]["sha256"] == document.sha256
    assert payload["data"]["subject"]["key"] == f"case:{danderyd_case.pk}"


def test_published_minutes_are_one_delivery(receiver, client, chair, member, ksl_officer):
    from governance.meetings import services as meetings

    from ..meetings.helpers import decide_standard_items

    endpoint = _register(chair, receiver, ["minutes.published"])
    day = calendar.today() + dt.timedelta(days=45)
    tz = timezone.get_current_timezone()
    meeting = meetings.meeting_create(
        acting_user=chair,
        body=CooperationBody.objects.get(slug="styrgrupp"),
        starts_at=dt.datetime.combine(day, dt.time(13), tzinfo=tz),
        ends_at=dt.datetime.combine(day, dt.time(15), tzinfo=tz),
    )
    members = {m.person.user_id: m for m in Membership.objects.active(day).filter(body=meeting.body)}
    voting = Membership.objects.active(day).filter(body=meeting.body, role__in=("chair", "member"))
    type(meeting).objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - dt.timedelta(days=90), ends_at=meeting.ends_at - dt.timedelta(days=90)
    )
    meeting.refresh_from_db()
    meetings.attendance_record(
        acting_user=chair, meeting=meeting, statuses={m.pk: ("present", None) for m in voting}
    )
    client.force_login(chair)
    assert client.post(reverse("meetings:meeting_hold", args=[meeting.pk])).status_code == 302
    decide_standard_items(chair, meeting)
    checkers = [members[member.pk].pk, members[ksl_officer.pk].pk]
    response = client.post(reverse("meetings:meeting_minutes", args=[meeting.pk]), {"checkers": checkers})
    assert response.status_code == 302
    for user in (chair, member, ksl_officer):
        client.force_login(user)
        assert client.post(reverse("meetings:meeting_approve", args=[meeting.pk])).status_code == 302
    assert WebhookDelivery.objects.count() == 0  # approved is not published
    client.force_login(chair)
    assert client.post(reverse("meetings:meeting_publish", args=[meeting.pk])).status_code == 302
    services.deliveries_deliver_due()
    assert len(receiver.requests) == 1
    payload = verify(receiver.requests[0], endpoint.secret)
    assert payload["event"] == "minutes.published"
    assert payload["data"]["meeting"]["id"] == meeting.pk
    assert payload["data"]["body"]["slug"] == "styrgrupp"
    assert payload["data"]["minutes"]["version"] == 1


def test_an_endpoint_without_the_event_or_inactive_gets_nothing(receiver, danderyd_case, danderyd_clerk):
    _register(danderyd_clerk, receiver, ["minutes.published"])
    inactive = _register(danderyd_clerk, receiver, ["case.state_changed"])
    services.endpoint_deactivate(acting_user=danderyd_clerk, endpoint=inactive)
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    assert WebhookDelivery.objects.count() == 0


def test_a_rolled_back_change_leaves_no_delivery(receiver, danderyd_case, danderyd_clerk):
    """The outbox: the delivery is written in the change's transaction, so it exists only if that commits."""
    from django.db import transaction

    _register(danderyd_clerk, receiver, ["case.state_changed"])
    with pytest.raises(RuntimeError), transaction.atomic():
        decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the change fails after its audit row")
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_processing_the_same_audit_row_twice_writes_and_posts_once(receiver, danderyd_case, danderyd_clerk):
    endpoint = _register(danderyd_clerk, receiver, ["case.state_changed"])
    decisions.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    event = AuditEvent.objects.filter(action="case.preparation_started").latest("id")
    assert services.deliveries_create(audit_event=event) == []  # a duplicate signal
    delivery = endpoint.deliveries.get()
    assert services.delivery_deliver(delivery_id=delivery.pk) == "delivered"
    assert services.delivery_deliver(delivery_id=delivery.pk) == "skipped"  # the task delivered twice
    assert services.deliveries_deliver_due() == {"delivered": 0, "retry": 0, "failed": 0, "skipped": 0}
    assert len(receiver.requests) == 1

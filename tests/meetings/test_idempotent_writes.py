"""Issue 12, item 3: a double click or a retry writes once — the same RSVP twice, the same decision twice.

The concurrent forms of the same (20 requests at once) run on PostgreSQL (``make test-services``)."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.meetings import services
from governance.meetings.models import Attendance, Meeting


def _open_meeting(member):
    return (
        Meeting.objects.filter(state__in=["planned", "notice_sent"], body__memberships__person__user=member)
        .order_by("starts_at")
        .first()
    )


def test_the_same_answer_twice_is_recorded_once(member):
    meeting = _open_meeting(member)
    before = AuditEvent.objects.filter(action="meeting.answered").count()
    services.rsvp_answer(acting_user=member, meeting=meeting, answer="attending")
    services.rsvp_answer(acting_user=member, meeting=meeting, answer="attending")  # a double click
    assert AuditEvent.objects.filter(action="meeting.answered").count() == before + 1
    services.rsvp_answer(acting_user=member, meeting=meeting, answer="not_attending")  # a real change
    assert AuditEvent.objects.filter(action="meeting.answered").count() == before + 2
    attendance = Attendance.objects.get(meeting=meeting, membership__person__user=member)
    assert attendance.rsvp == "not_attending"


def _case_in_decision(danderyd_clerk):
    """Danderyd's current case, prepared and proposed, waiting for its first body."""
    from governance.decisions import services as decisions
    from governance.decisions.models import AdoptionCase

    case = (
        AdoptionCase.objects.filter(
            organisation__municipality_code="0162", recommendation__sent_at__isnull=False
        )
        .order_by("-recommendation__sent_at")
        .first()
    )
    if case.state == "received":
        case = decisions.case_start_preparation(acting_user=danderyd_clerk, case=case)
    if case.state == "in_preparation":
        case = decisions.case_propose(acting_user=danderyd_clerk, case=case)
    return case


def test_the_same_intermediate_decision_twice_is_recorded_once(danderyd_clerk):
    from governance.decisions import services as decisions
    from governance.decisions.models import Decision

    case = _case_in_decision(danderyd_clerk)
    step = case.steps.order_by("order").first()
    decision = {
        "case": case,
        "step": step,
        "meeting_date": calendar.today() - dt.timedelta(days=1),
        "paragraph": "§ 12",
        "text": "Nämnden tillstyrker.",
        "outcome": "approve",
    }
    decisions.case_decision_record(acting_user=danderyd_clerk, **decision)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="Samma beslut kan inte registreras två gånger"):
        decisions.case_decision_record(acting_user=danderyd_clerk, **decision)
    assert Decision.objects.filter(case=case, step=step).count() == 1
    assert AuditEvent.objects.count() == events


def _at_once(count, action):
    """Run ``action`` from ``count`` threads released together; the results or exceptions, in order."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i):
        try:
            start.wait(10)
            results[i] = action()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_twenty_identical_answers_at_once_are_recorded_once():
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.get(username="ledamot")
    meeting = _open_meeting(member)
    before = AuditEvent.objects.filter(action="meeting.answered").count()
    results = _at_once(
        20, lambda: services.rsvp_answer(acting_user=member, meeting=meeting, answer="attending")
    )
    assert all(isinstance(r, Attendance) for r in results), results
    assert AuditEvent.objects.filter(action="meeting.answered").count() == before + 1
    assert Attendance.objects.filter(meeting=meeting, membership__person__user=member).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_twenty_identical_decisions_at_once_are_recorded_once():
    from django.contrib.auth import get_user_model

    from governance.decisions import services as decisions
    from governance.decisions.models import Decision

    clerk = get_user_model().objects.get(username="danderyd")
    case = _case_in_decision(clerk)
    step = case.steps.order_by("order").first()
    events = AuditEvent.objects.exclude(action__startswith="diary_").count()
    results = _at_once(
        20,
        lambda: decisions.case_decision_record(
            acting_user=clerk,
            case=case,
            step=step,
            meeting_date=calendar.today() - dt.timedelta(days=1),
            paragraph="§ 12",
            text="Nämnden tillstyrker.",
            outcome="approve",
        ),
    )
    stored = [r for r in results if not isinstance(r, Exception)]
    assert len(stored) == 1, results
    assert all(isinstance(r, ValidationError) for r in results if isinstance(r, Exception)), results
    assert Decision.objects.filter(case=case, step=step).count() == 1
    assert AuditEvent.objects.exclude(action__startswith="diary_").count() == events + 1


def test_a_meeting_is_not_held_before_it_begins(chair):
    from django.utils import timezone

    meeting = Meeting.objects.filter(state__in=["planned", "notice_sent"]).order_by("starts_at").first()
    assert meeting.starts_at > timezone.now()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="Mötet har inte börjat ännu"):
        services.meeting_hold(acting_user=chair, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state in ("planned", "notice_sent") and AuditEvent.objects.count() == events

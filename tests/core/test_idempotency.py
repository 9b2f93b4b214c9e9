"""Two clicks at once on a create form write once: the form's hidden ``request_key`` goes through
``core.services.request_once``, and the second POST is sent to the page of what the first created."""

import datetime as dt
import uuid

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from governance.agreements.models import Agreement
from governance.core import calendar
from governance.core.forms import STALE_PAGE_MESSAGE
from governance.core.models import AuditEvent, RequestKey
from governance.core.services import ALREADY_SAVED_MESSAGE, request_keys_purge, request_once
from governance.decisions.forms import ConsultationForm, RecommendationForm
from governance.decisions.models import ConsultationRound, Recommendation
from governance.meetings.models import Meeting
from governance.parties.models import Organisation


def _twice(client, url, data):
    """POST the same form twice (same key); both answers, and the audit rows each added."""
    data = {**data, "request_key": str(uuid.uuid4())}
    rows = AuditEvent.objects.exclude(action__startswith="diary_")  # the diarium's registrations aside
    start = rows.count()
    first = client.post(url, data)
    middle = rows.count()
    second = client.post(url, data)
    return first, second, middle - start, rows.count() - middle


def _said_already_saved(client, response) -> bool:
    return str(ALREADY_SAVED_MESSAGE) in [str(m) for m in get_messages(response.wsgi_request)]


def test_a_double_click_on_send_consultation_creates_and_mails_once(
    client, ksl_officer, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from governance.decisions import tasks

    monkeypatch.setattr(tasks.consultation_notify, "delay", tasks.consultation_notify.run)
    client.force_login(ksl_officer)
    recipients = Organisation.objects.filter(municipality_code__in=["0162", "0125"])
    data = {
        "title": "Remiss om dubbelklick",
        "registration_number": "KSL/26/0777",
        "deadline": (calendar.today() + dt.timedelta(days=20)).isoformat(),
        "questions": "Ställer ni er bakom förslaget?",
        "recipients": [org.pk for org in recipients],
    }
    with django_capture_on_commit_callbacks(execute=True):
        first, second, audited, audited_again = _twice(client, reverse("decisions:consultation_create"), data)
    consultation = ConsultationRound.objects.get(registration_number="KSL/26/0777")
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"] == second["Location"] == reverse("decisions:compilation", args=[consultation.slug])
    )
    assert _said_already_saved(client, second)
    assert not ConsultationRound.objects.filter(slug=f"{consultation.slug}-2").exists()
    assert audited == 1 and audited_again == 0
    assert sorted(a for m in mailoutbox for a in m.to) == [
        "david.dahlgren@danderyd.example",
        "elin.ekstrand@ekero.example",
    ]


def test_a_double_click_on_new_recommendation_creates_one_draft(client, ksl_officer):
    client.force_login(ksl_officer)
    data = {
        "title": "Dubbelklick 2030",
        "board_decision_date": calendar.today().isoformat(),
        "answer_deadline": (calendar.today() + dt.timedelta(days=30)).isoformat(),
        "agreement": Agreement.objects.get(slug="origo-2016").pk,
        "decision_points": "att ansluta sig",
        "recipients": [Organisation.objects.get(municipality_code="0162").pk],
    }
    first, second, audited, audited_again = _twice(client, reverse("decisions:recommendation_create"), data)
    draft = Recommendation.objects.get(title="Dubbelklick 2030")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("decisions:recommendation", args=[draft.slug])
    assert _said_already_saved(client, second)
    assert audited == 1 and audited_again == 0


def test_a_double_click_on_new_agreement_creates_one(client, ksl_officer):
    client.force_login(ksl_officer)
    year = calendar.today().year + 7
    data = {
        "title": "Avtal om dubbelklick",
        "short_title": "Dubbelklick",
        "period_start": f"{year}-01-01",
        "period_end": f"{year + 1}-12-31",
        "host": Organisation.objects.get(is_host=True).pk,
        "annual_budget": "1 000 000",
        "basis_rule": "previous_year_end",
        "share_party_1": Organisation.objects.get(name="Region Stockholm").pk,
        "share_percent_1": "50",
        "pool_percent": "50",
    }
    first, second, audited, audited_again = _twice(client, reverse("agreements:create"), data)
    assert first.status_code == 302, first.content.decode()[:2000]
    agreement = Agreement.objects.get(title="Avtal om dubbelklick")
    assert second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("agreements:costs", args=[agreement.slug])
    assert _said_already_saved(client, second)
    assert audited >= 1 and audited_again == 0


def test_a_double_click_on_plan_meeting_plans_one(client, chair):
    client.force_login(chair)
    day = calendar.today() + dt.timedelta(days=50)
    data = {"date": day.isoformat(), "start": "13:00", "end": "15:00", "place": "Dubbelklicksalen"}
    before = Meeting.objects.count()
    url = reverse("meetings:body_action", args=["styrgrupp", "meeting"])
    first, second, audited, audited_again = _twice(client, url, data)
    meeting = Meeting.objects.get(place="Dubbelklicksalen")
    assert Meeting.objects.count() == before + 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("meetings:meeting", args=[meeting.pk])
    assert _said_already_saved(client, second)
    assert audited == 1 and audited_again == 0


def test_the_body_page_carries_a_fresh_key_and_a_missing_key_is_a_stale_page(client, chair):
    client.force_login(chair)
    page = client.get(reverse("meetings:body_detail", args=["styrgrupp"])).text
    assert page.count('name="request_key"') == 1
    day = calendar.today() + dt.timedelta(days=50)
    before = (Meeting.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("meetings:body_action", args=["styrgrupp", "meeting"]),
        {"date": day.isoformat(), "start": "13:00", "end": "15:00"},
    )
    assert response.status_code == 400 and str(STALE_PAGE_MESSAGE) in response.text
    assert (Meeting.objects.count(), AuditEvent.objects.count()) == before


def test_a_tampered_key_is_a_stale_page_and_the_form_offers_a_new_one(db):
    form = ConsultationForm({"request_key": "inte-en-uuid"})
    assert not form.is_valid()
    assert "request_key" not in form.errors and str(STALE_PAGE_MESSAGE) in form.non_field_errors()
    uuid.UUID(form["request_key"].value())  # sending the page again works
    assert RecommendationForm()["request_key"].value() != RecommendationForm()["request_key"].value()
    assert "request_key" not in RecommendationForm(editing=True).fields


def test_a_failed_write_stores_no_key_so_the_corrected_form_can_be_sent(db, ksl_officer):
    key = uuid.uuid4()

    def refuse():
        raise ValidationError("Fel i formuläret.")

    with pytest.raises(ValidationError):
        request_once(acting_user=ksl_officer, key=key, action="test.create", run=refuse)
    assert not RequestKey.objects.filter(key=key).exists()
    obj, url, created = request_once(
        acting_user=ksl_officer, key=key, action="test.create", run=lambda: (1, "/x/")
    )
    assert (obj, url, created) == (1, "/x/", True)
    assert request_once(acting_user=ksl_officer, key=key, action="test.create", run=refuse) == (
        None,
        "/x/",
        False,
    )


def test_another_users_key_or_action_is_refused_in_swedish(db, ksl_officer, chair):
    key = uuid.uuid4()
    request_once(acting_user=ksl_officer, key=key, action="test.create", run=lambda: (1, "/x/"))
    for user, action in ((chair, "test.create"), (ksl_officer, "other.create")):
        with pytest.raises(ValidationError) as exc:
            request_once(acting_user=user, key=key, action=action, run=lambda: (2, "/y/"))
        assert exc.value.messages == ["Det här är redan skickat."]


def test_keys_older_than_a_week_are_purged(db, ksl_officer):
    old, new = uuid.uuid4(), uuid.uuid4()
    request_once(acting_user=ksl_officer, key=old, action="test.create", run=lambda: (1, "/x/"))
    request_once(acting_user=ksl_officer, key=new, action="test.create", run=lambda: (1, "/x/"))
    RequestKey.objects.filter(key=old).update(created_at=timezone.now() - dt.timedelta(days=8))
    assert request_keys_purge() == 1
    assert list(RequestKey.objects.values_list("key", flat=True)) == [new]

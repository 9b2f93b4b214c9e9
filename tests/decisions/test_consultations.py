"""A consultation from KSL's form to the compilation: two answers (one by the officials, one by a body's
decision with date and §), KSL's assessment, and who did not answer."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions import services, tasks
from governance.decisions.choices import DecisionAction, ResponseDecider
from governance.decisions.models import ConsultationNotification, ConsultationResponse, ConsultationRound
from governance.parties.models import Organisation

CODES = ("0162", "0125", "0180")  # Danderyd, Ekerö, Stockholm


@pytest.fixture
def orgs(db):
    return {org.municipality_code: org for org in Organisation.objects.filter(municipality_code__in=CODES)}


@pytest.fixture
def consultation(ksl_officer, orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.consultation_create(
            acting_user=ksl_officer,
            title="Remiss om ett länsgemensamt resurscentrum",
            registration_number="KSL/26/0100",
            deadline=calendar.today() + dt.timedelta(days=30),
            description="Länsstyrelsens förslag.",
            questions=["Ställer ni er bakom förslaget?", ("Är tidplanen realistisk?", True)],
            recipients=list(orgs.values()),
        )


def _answer(user, consultation, org, **overrides):
    fields = {
        "position": "positive",
        "timetable_realistic": True,
        "answers": {1: "Ja.", 2: "Ja, om finansieringen är klar."},
    }
    fields.update(overrides)
    return services.consultation_response_record(
        acting_user=user, consultation=consultation, organisation=org, **fields
    )


def test_creation_numbers_the_questions_and_mails_each_recipient_once(
    consultation, mailoutbox, queued_notifications
):
    assert consultation.slug == "remiss-om-ett-lansgemensamt-resurscentrum"
    assert (
        consultation.sent_on == calendar.today()
        and consultation.sender.name == "Kommunförbundet Stockholms Län"
    )
    assert [(q.number, q.is_timetable) for q in consultation.questions.all()] == [(1, False), (2, True)]
    event = AuditEvent.objects.filter(action=DecisionAction.CONSULTATION_CREATED).latest("id")
    assert event.object_id == str(consultation.pk) and event.payload["questions"] == 2
    assert queued_notifications == [("decisions.consultation_notify", consultation.pk)]
    # Danderyd and Ekerö have contact persons; Stockholm has none (not recorded, tried again later).
    assert sorted(a for m in mailoutbox for a in m.to) == [
        "david.dahlgren@danderyd.example",
        "elin.ekstrand@ekero.example",
    ]
    assert "Är tidplanen realistisk?" in mailoutbox[0].body
    assert reverse("decisions:consultation_answer", args=[consultation.slug]) in mailoutbox[0].body
    assert ConsultationNotification.objects.filter(consultation=consultation).count() == 2
    assert tasks.consultation_notify.run(consultation.pk)["queued"] == 0  # a retried task mails nobody twice
    assert len(mailoutbox) == 2


def test_creation_is_validated_and_bounded(ksl_officer, danderyd_clerk, orgs):
    before = (ConsultationRound.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.consultation_create(
            acting_user=ksl_officer,
            title="",
            deadline=calendar.today() - dt.timedelta(days=1),
            questions=["x" * 2001] + ["Fråga"] * 30,
            recipients=[],
        )
    text = " ".join(exc.value.messages)
    for part in ("Rubrik", "Svar senast", "högst 30 frågor", "högst 2000 tecken", "Mottagare"):
        assert part in text
    assert (ConsultationRound.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(PermissionDenied):
        services.consultation_create(
            acting_user=danderyd_clerk, title="X", deadline=calendar.today(), questions=["Q"]
        )


def test_a_body_decision_needs_its_date_and_paragraph(danderyd_clerk, consultation, orgs):
    danderyd = orgs["0162"]
    committee = danderyd.bodies.get(name="Socialnämnden")
    with pytest.raises(ValidationError) as exc:
        _answer(danderyd_clerk, consultation, danderyd, decided_by=ResponseDecider.BODY)
    text = " ".join(exc.value.messages)
    assert "Organ" in text and "Beslutsdatum" in text and "Paragraf" in text
    with pytest.raises(ValidationError, match="framtiden"):
        _answer(
            danderyd_clerk,
            consultation,
            danderyd,
            decided_by=ResponseDecider.BODY,
            adopted_by=committee,
            decision_date=calendar.today() + dt.timedelta(days=1),
            decision_reference="§ 45",
        )
    other_body = orgs["0125"].bodies.first()
    with pytest.raises(ValidationError, match="tillhöra"):
        _answer(
            danderyd_clerk,
            consultation,
            danderyd,
            decided_by=ResponseDecider.BODY,
            adopted_by=other_body,
            decision_date=calendar.today(),
            decision_reference="§ 45",
        )
    with pytest.raises(ValidationError, match="högst 10000 tecken"):
        _answer(danderyd_clerk, consultation, danderyd, answers={1: "x" * 10_001})
    assert not ConsultationResponse.objects.filter(consultation=consultation).exists()


def test_ksl_and_other_municipalities_may_not_answer(ksl_officer, ekero_clerk, consultation, orgs):
    for user, org in ((ksl_officer, orgs["0162"]), (ekero_clerk, orgs["0162"])):
        with pytest.raises(PermissionDenied):
            _answer(user, consultation, org)


def test_a_late_answer_is_accepted_and_flagged(danderyd_clerk, consultation, orgs, monkeypatch):
    monkeypatch.setattr(calendar, "today", lambda: consultation.deadline + dt.timedelta(days=2))
    response = _answer(danderyd_clerk, consultation, orgs["0162"])
    assert response.answered_on > consultation.deadline
    assert AuditEvent.objects.latest("id").payload["late"] is True


def test_from_creation_to_compilation(
    client, ksl_officer, danderyd_clerk, ekero_clerk, outsider, orgs, django_capture_on_commit_callbacks
):
    client.force_login(ksl_officer)
    assert client.get(reverse("decisions:consultation_create")).status_code == 200
    data = {
        "title": "Remiss om Origo",
        "request_key": str(uuid.uuid4()),
        "deadline": (calendar.today() + dt.timedelta(days=20)).isoformat(),
        "questions": "Ställer ni er bakom förslaget?\nÄr tidplanen realistisk?",
        "timetable_question": "2",
        "recipients": [org.pk for org in orgs.values()],
    }
    bad = client.post(reverse("decisions:consultation_create"), {**data, "questions": ""})
    assert bad.status_code == 400 and "Frågor" in bad.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("decisions:consultation_create"), data)
    assert response.status_code == 302
    consultation = ConsultationRound.objects.get(slug="remiss-om-origo")
    answer_url = reverse("decisions:consultation_answer", args=[consultation.slug])

    # KSL may not answer for a municipality; an outsider does not learn of the page.
    assert client.get(answer_url).status_code == 403
    client.force_login(outsider)
    assert client.get(answer_url).status_code == 404

    # Danderyd: a tjänstemannasvar.
    client.force_login(danderyd_clerk)
    assert client.get(answer_url).status_code == 200
    answer = {
        "position": "positive",
        "timetable_realistic": "true",
        "decided_by": ResponseDecider.OFFICIALS,
        "answer_1": "Ja.",
        "answer_2": "Ja.",
    }
    assert client.post(answer_url, answer).status_code == 302
    # Ekerö: decided by Socialnämnden with date and §; the form first refuses it without them.
    client.force_login(ekero_clerk)
    ekero_committee = orgs["0125"].bodies.get(name="Socialnämnden")
    body_answer = {**answer, "position": "positive_with_reservations", "decided_by": ResponseDecider.BODY}
    bad = client.post(answer_url, body_answer)
    assert bad.status_code == 400 and "Ange beslutets paragraf" in bad.text
    body_answer.update(
        adopted_by=ekero_committee.pk, decision_date=calendar.today().isoformat(), decision_reference="§ 45"
    )
    before = AuditEvent.objects.exclude(action__startswith="diary_").count()  # the diarium's rows aside
    assert client.post(answer_url, body_answer).status_code == 302
    assert AuditEvent.objects.exclude(action__startswith="diary_").count() == before + 1
    assert AuditEvent.objects.latest("id").action == DecisionAction.CONSULTATION_RESPONSE_RECORDED
    # The form is prefilled with the earlier answer; saving again replaces it.
    assert "§ 45" in client.get(answer_url).text
    assert client.post(answer_url, {**body_answer, "answer_1": "Ja, efter beslut."}).status_code == 302
    assert AuditEvent.objects.latest("id").action == DecisionAction.CONSULTATION_RESPONSE_REPLACED
    response = ConsultationResponse.objects.get(consultation=consultation, organisation=orgs["0125"])
    assert response.answered_by_name.startswith("Elin Ekstrand")

    # KSL's assessment on the compilation page; bounded, audited, re-editable.
    client.force_login(ksl_officer)
    assess_url = reverse("decisions:consultation_assess", args=[consultation.slug])
    assert client.post(assess_url, {"assessment": ""}).status_code == 400
    assert client.post(assess_url, {"assessment": "x" * 20_001}).status_code == 400
    assert client.post(assess_url, {"assessment": "Stödet räcker för att gå vidare."}).status_code == 302
    assert client.post(assess_url, {"assessment": "Stödet räcker."}).status_code == 302
    assessed = AuditEvent.objects.filter(
        action=DecisionAction.CONSULTATION_ASSESSED, object_id=str(consultation.pk)
    )
    assert (
        assessed.count() == 2
        and assessed.latest("id").payload["before"] == "Stödet räcker för att gå vidare."
    )
    page = client.get(reverse("decisions:compilation", args=[consultation.slug])).text
    assert "Svar har inkommit från 2 av 3 kommuner." in page
    assert "Tjänstemannasvar" in page
    assert f"Socialnämnden {calendar.today().isoformat()} § 45" in page
    assert "Stödet räcker." in page
    assert "Inget svar från: Stockholms stad." in page
    assert "Svarstiden har gått ut." not in page


def test_compilation_says_when_the_deadline_has_passed(ksl_client, consultation, monkeypatch):
    monkeypatch.setattr(calendar, "today", lambda: consultation.deadline + dt.timedelta(days=1))
    page = ksl_client.get(reverse("decisions:compilation", args=[consultation.slug])).text
    assert "Svarstiden har gått ut." in page and "Danderyd" in page


def test_compilation_query_count_does_not_grow_with_responses(
    ksl_client, danderyd_clerk, ekero_clerk, consultation, orgs
):
    url = reverse("decisions:compilation", args=[consultation.slug])
    _answer(danderyd_clerk, consultation, orgs["0162"])
    with CaptureQueriesContext(connection) as one:
        assert ksl_client.get(url).status_code == 200
    body = orgs["0125"].bodies.get(name="Socialnämnden")
    _answer(
        ekero_clerk,
        consultation,
        orgs["0125"],
        decided_by=ResponseDecider.BODY,
        adopted_by=body,
        decision_date=calendar.today(),
        decision_reference="45",
    )
    with CaptureQueriesContext(connection) as two:
        assert ksl_client.get(url).status_code == 200
    assert len(two) == len(one)


def test_the_public_list_shows_consultations_with_their_answers(client, consultation):
    page = client.get(reverse("decisions:list")).text
    assert consultation.title in page and "21 av 26" in page and "0 av 3" in page

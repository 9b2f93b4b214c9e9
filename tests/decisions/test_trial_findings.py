"""Findings of a new user's trial: consultations and recommendations refuse what cannot be true, KSL is told
who gets no mail, answering closes, the answer form preselects nothing, and laga kraft in the past tense."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions import services
from governance.decisions.models import ConsultationResponse, ConsultationRound, Recommendation
from governance.parties.models import Organisation

from . import test_recommendations

agreement = test_recommendations.agreement  # the fixture: a renewal nobody has been asked about
_draft = test_recommendations._draft

CODES = ("0162", "0125", "0180")  # Danderyd and Ekerö have contact persons, Stockholm none


@pytest.fixture
def orgs(db):
    return {org.municipality_code: org for org in Organisation.objects.filter(municipality_code__in=CODES)}


def _counts():
    return (ConsultationRound.objects.count(), Recommendation.objects.count(), AuditEvent.objects.count())


def _consultation_data(orgs, **overrides):
    data = {
        "title": "Remiss om tidplanen",
        "deadline": (calendar.today() + dt.timedelta(days=30)).isoformat(),
        "questions": "Ställer ni er bakom förslaget?\nÄr tidplanen realistisk?",
        "recipients": [org.pk for org in orgs.values()],
    }
    data.update(overrides)
    return data


# 1. New consultation


def test_consultation_service_refuses_a_timetable_question_beyond_the_questions_and_a_future_sent_on(
    ksl_officer, orgs
):
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.consultation_create(
            acting_user=ksl_officer,
            title="Remiss",
            deadline=calendar.today() + dt.timedelta(days=30),
            questions=["Fråga ett", "Fråga två"],
            timetable_question=5,
            sent_on=calendar.today() + dt.timedelta(days=1),
            recipients=list(orgs.values()),
        )
    text = " ".join(exc.value.messages)
    assert "Fråga som gäller tidplanen: ange ett nummer mellan 1 och 2" in text
    assert "Skickad: kan inte ligga i framtiden" in text
    assert _counts() == before


def test_consultation_service_flags_the_numbered_timetable_question(ksl_officer, orgs):
    consultation = services.consultation_create(
        acting_user=ksl_officer,
        title="Remiss",
        deadline=calendar.today() + dt.timedelta(days=30),
        questions=["Fråga ett", "Fråga två"],
        timetable_question=2,
        recipients=list(orgs.values()),
        notify=False,
    )
    assert [(q.number, q.is_timetable) for q in consultation.questions.all()] == [(1, False), (2, True)]


def test_consultation_page_refuses_bad_numbers_and_dates_and_says_it_mails(ksl_client, orgs):
    url = reverse("decisions:consultation_create")
    page = ksl_client.get(url).text
    assert "Skicka remissen</button>" in page and ">Spara</button>" not in page
    assert "kontaktpersoner får genast e-post" in page
    before = _counts()
    response = ksl_client.post(url, _consultation_data(orgs, timetable_question="3"))
    assert response.status_code == 400
    assert "Fråga som gäller tidplanen (nummer): Det finns bara 2 frågor" in response.text
    tomorrow = (calendar.today() + dt.timedelta(days=1)).isoformat()
    response = ksl_client.post(url, _consultation_data(orgs, sent_on=tomorrow))
    assert response.status_code == 400
    assert "Skickad: Dagen kan inte ligga i framtiden" in response.text
    assert _counts() == before


# 2. New recommendation


def test_a_future_board_decision_date_is_refused(ksl_officer, ksl_client, agreement):
    before = _counts()
    tomorrow = calendar.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _draft(ksl_officer, agreement, board_decision_date=tomorrow)
    assert "KSL-styrelsens beslut: datumet kan inte ligga i framtiden." in exc.value.messages
    draft = _draft(ksl_officer, agreement)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        services.recommendation_update(
            acting_user=ksl_officer,
            recommendation=draft,
            title=draft.title,
            board_decision_date=tomorrow,
            agreement=agreement,
            answer_deadline=draft.answer_deadline,
            recipients=list(draft.recipients.all()),
        )
    assert "KSL-styrelsens beslut: datumet kan inte ligga i framtiden." in exc.value.messages
    assert _counts() == before
    response = ksl_client.post(
        reverse("decisions:recommendation_create"),
        {
            "title": "Framtida",
            "board_decision_date": tomorrow.isoformat(),
            "answer_deadline": (tomorrow + dt.timedelta(days=30)).isoformat(),
            "agreement": agreement.pk,
            "decision_points": "att ansluta sig",
            "recipients": [draft.recipients.first().pk],
        },
    )
    assert response.status_code == 400
    assert "KSL-styrelsens beslut: Datumet kan inte ligga i framtiden." in response.text
    assert _counts() == before


# 3. Who gets no mail


def test_the_recommendation_page_and_the_send_message_name_recipients_without_contact_person(
    ksl_officer,
    ksl_client,
    agreement,
    orgs,
    django_capture_on_commit_callbacks,
):
    draft = _draft(ksl_officer, agreement)
    page = ksl_client.get(reverse("decisions:recommendation", args=[draft.slug])).text
    stockholm = orgs["0180"]
    assert "Ingen kontaktperson – får ingen e-post:" in page
    assert f'<a href="{reverse("parties:detail", args=[stockholm.pk])}">{stockholm.display_name}</a>' in page
    assert f">{orgs['0162'].display_name}</a>." not in page.split("Ingen kontaktperson")[1].split("</p>")[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = ksl_client.post(
            reverse("decisions:recommendation_send", args=[draft.slug]), {"confirm": "1"}, follow=True
        )
    text = response.content.decode()
    assert "skickad till 3 kommuner. 2 får e-post till sina kontaktpersoner." in text
    assert f"1 saknar kontaktperson och får ingen e-post: {stockholm.display_name}." in text
    assert "Ingen kontaktperson – får ingen e-post:" in text  # still listed after sending


# 4 and 5. Answering closes; no preselected position


@pytest.fixture
def consultation(ksl_officer, orgs):
    return services.consultation_create(
        acting_user=ksl_officer,
        title="Remiss om ett länsgemensamt resurscentrum",
        deadline=calendar.today() + dt.timedelta(days=30),
        questions=["Ställer ni er bakom förslaget?", ("Är tidplanen realistisk?", True)],
        recipients=list(orgs.values()),
        notify=False,
    )


def _answer(user, consultation, org, **overrides):
    fields = {"position": "positive", "timetable_realistic": True, "answers": {1: "Ja.", 2: "Ja."}}
    fields.update(overrides)
    return services.consultation_response_record(
        acting_user=user, consultation=consultation, organisation=org, **fields
    )


def test_answers_close_after_the_grace_period_but_late_answers_within_it_are_taken(
    danderyd_clerk, consultation, orgs, monkeypatch
):
    assert services.ANSWER_GRACE_DAYS == 30
    last_day = consultation.deadline + dt.timedelta(days=services.ANSWER_GRACE_DAYS)
    monkeypatch.setattr(calendar, "today", lambda: last_day)
    response = _answer(danderyd_clerk, consultation, orgs["0162"])
    assert response.answered_on == last_day and AuditEvent.objects.latest("id").payload["late"] is True
    monkeypatch.setattr(calendar, "today", lambda: last_day + dt.timedelta(days=1))
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _answer(danderyd_clerk, consultation, orgs["0162"], position="negative")
    assert "Remissen är avslutad" in " ".join(exc.value.messages)
    assert ConsultationResponse.objects.get(consultation=consultation).position == "positive"
    assert AuditEvent.objects.count() == before


def test_answers_close_when_ksl_has_assessed_and_the_pages_say_so(
    client, ksl_officer, danderyd_clerk, consultation, orgs
):
    _answer(danderyd_clerk, consultation, orgs["0162"])
    services.consultation_assess(acting_user=ksl_officer, consultation=consultation, assessment="Klart.")
    consultation.refresh_from_db()
    # A first reading before the deadline closes nothing: the municipalities keep the time they were given.
    assert not services.answering_closed(consultation)
    _answer(danderyd_clerk, consultation, orgs["0162"], position="positive_with_reservations")
    # The deadline passes (test setup moves the dates back): now the assessment closes answering.
    today = calendar.today()
    ConsultationRound.objects.filter(pk=consultation.pk).update(
        sent_on=today - dt.timedelta(days=20), deadline=today - dt.timedelta(days=1)
    )
    consultation.refresh_from_db()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        _answer(danderyd_clerk, consultation, orgs["0162"], position="negative")
    client.force_login(danderyd_clerk)
    answer_url = reverse("decisions:consultation_answer", args=[consultation.slug])
    page = client.get(answer_url).text
    assert (
        "Remissen är avslutad" in page and "Spara remissvaret" not in page and 'name="position"' not in page
    )
    response = client.post(answer_url, {"position": "negative", "decided_by": "officials", "answer_1": "Nej"})
    assert response.status_code == 400 and "Remissen är avslutad" in response.text
    compilation = client.get(reverse("decisions:compilation", args=[consultation.slug])).text
    assert "Remissen är avslutad" in compilation and "Svara på remissen" not in compilation
    assert (
        ConsultationResponse.objects.get(consultation=consultation).position == "positive_with_reservations"
    )
    assert AuditEvent.objects.count() == before


def test_the_2011_consultation_can_no_longer_be_answered(danderyd_clerk, orgs):
    old = ConsultationRound.objects.filter(sent_on__year=2011).get()
    assert services.answering_closed(old)
    with pytest.raises(ValidationError):
        _answer(danderyd_clerk, old, orgs["0162"], answers={})


def test_the_answer_form_preselects_no_position(client, danderyd_clerk, consultation):
    client.force_login(danderyd_clerk)
    url = reverse("decisions:consultation_answer", args=[consultation.slug])
    page = client.get(url).text
    select = page.split('name="position"')[1].split("</select>")[0]
    assert "selected" not in select.replace('<option value="" selected>', "")
    assert '<option value="" selected>' in select
    response = client.post(url, {"decided_by": "officials", "answer_1": "Ja."})
    assert response.status_code == 400
    assert "Ställningstagande: Välj kommunens ställningstagande." in response.text
    assert not ConsultationResponse.objects.filter(consultation=consultation).exists()


def test_a_title_with_a_year_range_keeps_its_hyphen_in_the_slug(ksl_officer):
    draft = services.recommendation_create(
        acting_user=ksl_officer,
        title="Rekommendation om länsgemensam tolktjänst 2027–2029",
        board_decision_date=calendar.today(),
        agreement=Recommendation.objects.latest("pk").agreement,
        answer_deadline=calendar.today() + dt.timedelta(days=30),
        recipients=[Organisation.objects.get(municipality_code="0162")],
    )
    assert draft.slug == "rekommendation-om-lansgemensam-tolktjanst-2027-2029"


def test_a_section_reference_is_written_once(client, ksl_officer, ekero_clerk, consultation, orgs):
    from governance.decisions import queries

    response = services.consultation_response_record(
        acting_user=ekero_clerk,
        consultation=consultation,
        organisation=orgs["0125"],
        position="positive",
        timetable_realistic=True,
        answers={1: "Ja."},
        decided_by="body",
        adopted_by=orgs["0125"].bodies.get(name="Socialnämnden"),
        decision_date=calendar.today(),
        decision_reference="SN §77",
    )
    assert response.decision_reference == "SN § 77"
    assert queries._decided_label(response).endswith(" SN § 77")  # not "§ SN § 77"


def test_a_slug_taken_at_the_same_moment_is_a_message_not_a_500(ksl_officer, monkeypatch):
    """Two different submissions with the same title at once: the second insert hits the unique slug."""
    from governance.decisions.services import consultations as consultation_services

    existing = ConsultationRound.objects.latest("pk")
    monkeypatch.setattr(consultation_services, "_unique_slug", lambda title: existing.slug)
    before = (ConsultationRound.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="sparades just"):
        services.consultation_create(
            acting_user=ksl_officer,
            title=existing.title,
            deadline=calendar.today() + dt.timedelta(days=10),
            questions=["Fråga?"],
            recipients=[Organisation.objects.get(municipality_code="0162")],
            notify=False,
        )
    assert (ConsultationRound.objects.count(), AuditEvent.objects.count()) == before

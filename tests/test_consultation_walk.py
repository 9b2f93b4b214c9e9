"""Issue 10, "Done when": a consultation (remiss) from creation to KSL's compilation, through the pages only.

The story is advanced only through django.test.Client; the database is only read, to assert state and audit rows.
"""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions.models import ConsultationResponse, ConsultationRound
from governance.parties.models import ContactAssignment, Organisation

from .test_round_walk import links, todo_section


@pytest.fixture(autouse=True)
def _notifications_inline(monkeypatch):
    """The notification tasks run their bodies at once (as a worker would), never through the broker."""
    from governance.decisions import tasks

    for task in (tasks.recommendation_notify, tasks.consultation_notify):
        monkeypatch.setattr(task, "delay", lambda pk, task=task: task.run(pk))


QUESTIONS = [
    "Ställer ni er bakom förslaget om vandring?",
    "Vilka verksamheter berörs i er kommun?",
    "Är tidplanen realistisk?",
]


@pytest.fixture
def orgs(db):
    return {code: Organisation.objects.get(municipality_code=code) for code in ("0162", "0125", "0180")}


def _contacts(org) -> set[str]:
    return {
        c.email
        for c in ContactAssignment.objects.current(calendar.today()).filter(organisation=org)
        if c.email
    }


def _created(client, orgs, django_capture_on_commit_callbacks) -> ConsultationRound:
    data = {
        "request_key": str(uuid.uuid4()),
        "title": "Remiss om vandringsstöd",
        "slug": "remiss-vandring",
        "registration_number": "KSL/26/77",
        "deadline": (calendar.today() + dt.timedelta(days=14)).isoformat(),
        "description": "KSL remitterar ett förslag om vandringsstöd.",
        "questions": "\n".join(QUESTIONS),
        "timetable_question": "3",
        "recipients": [org.pk for org in orgs.values()],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("decisions:consultation_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"]).text  # KSL is told who gets no e-mail
    assert (
        "Remissen är skickad till 3 mottagare. Stockholms stad saknar kontaktperson och får ingen e-post."
        in page
    )
    return ConsultationRound.objects.get(slug="remiss-vandring")


def _answers(position="positive", **extra):
    return {
        "position": position,
        "timetable_realistic": "true",
        "answer_1": "Ja.",
        "answer_2": "Socialtjänsten och skolan.",
        "answer_3": "Ja, tidplanen håller.",
        **extra,
    }


def test_a_consultation_from_creation_to_compilation(
    client,
    ksl_officer,
    danderyd_clerk,
    ekero_clerk,
    outsider,
    orgs,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    today = calendar.today()

    # KSL creates it: three questions, the third about the timetable; deadline in two weeks.
    client.force_login(ksl_officer)
    assert client.get(reverse("decisions:consultation_create")).status_code == 200
    consultation = _created(client, orgs, django_capture_on_commit_callbacks)
    assert consultation.deadline == today + dt.timedelta(days=14)
    questions = list(consultation.questions.order_by("number"))
    assert [q.text for q in questions] == QUESTIONS
    assert [q.number for q in questions if q.is_timetable] == [3]
    created = AuditEvent.objects.filter(action="consultation.created", object_id=str(consultation.pk))
    assert created.count() == 1

    # E-mail to each recipient's contact persons, where there are any.
    for org in orgs.values():
        emails = _contacts(org)
        mails = [m for m in mailoutbox if emails & set(m.to)]
        assert len(mails) == (1 if emails else 0), org
        if emails:
            assert reverse("decisions:consultation_answer", args=[consultation.slug]) in mails[0].body
    assert _contacts(orgs["0162"]) and _contacts(orgs["0125"])
    assert len(mailoutbox) == sum(1 for org in orgs.values() if _contacts(org))

    answer_url = reverse("decisions:consultation_answer", args=[consultation.slug])

    # Danderyd's clerk finds it on the start page and answers as a tjänstemannasvar.
    client.force_login(danderyd_clerk)
    todo = todo_section(client.get("/").content.decode())
    found = [href for href, text in links(todo) if "Remiss om vandringsstöd" in text]
    assert found == [answer_url]
    page = client.get(found[0])
    assert page.status_code == 200
    assert all(q in page.content.decode() for q in QUESTIONS)
    response = client.post(found[0], _answers(decided_by="officials", summary="Danderyd är positiv."))
    assert response.status_code == 302, response.content.decode()[:3000]
    danderyd_answer = ConsultationResponse.objects.get(consultation=consultation, organisation=orgs["0162"])
    assert danderyd_answer.decided_by == "officials" and danderyd_answer.timetable_realistic is True

    # Ekerö's clerk: a body's decision needs the body, the date and the §; without them it is refused.
    client.force_login(ekero_clerk)
    social = orgs["0125"].bodies.get(name="Socialnämnden")
    before = AuditEvent.objects.count()
    response = client.post(answer_url, _answers("positive_with_reservations", decided_by="body"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Ange beslutets paragraf (§)." in text
    assert "Beslutsdatum" in text
    assert AuditEvent.objects.count() == before
    assert not ConsultationResponse.objects.filter(
        consultation=consultation, organisation=orgs["0125"]
    ).exists()
    response = client.post(
        answer_url,
        _answers(
            "positive_with_reservations",
            decided_by="body",
            adopted_by=social.pk,
            decision_date=today.isoformat(),
            decision_reference="§ 45",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ekero_answer = ConsultationResponse.objects.get(consultation=consultation, organisation=orgs["0125"])
    assert ekero_answer.adopted_by == social and ekero_answer.decision_reference == "§ 45"

    # KSL: the compilation shows both answers with who decided, and that Stockholm has not answered.
    client.force_login(ksl_officer)
    compilation_url = reverse("decisions:compilation", args=[consultation.slug])
    page = client.get(compilation_url).content.decode()
    assert "Svar har inkommit från 2 av 3 kommuner." in page
    assert "Tjänstemannasvar" in page
    assert f"Socialnämnden {today.isoformat()} § 45" in page
    assert re.search(r"Inget svar från: [^<]*Stockholms stad", page)

    # KSL's assessment, shown on the compilation.
    response = client.post(
        reverse("decisions:consultation_assess", args=[consultation.slug]),
        {"assessment": "Brett stöd; Ekerö har reservationer om tidplanen."},
    )
    assert response.status_code == 302
    assert "Brett stöd; Ekerö har reservationer om tidplanen." in client.get(compilation_url).content.decode()

    # The audit rows: created, two answers recorded, assessed.
    actions = list(
        AuditEvent.objects.filter(pk__gte=created.get().pk)
        .filter(action__startswith="consultation")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "consultation.created",
        "consultation_response.recorded",
        "consultation_response.recorded",
        "consultation.assessed",
    ]


def test_others_may_not_answer(
    client, ksl_officer, danderyd_clerk, outsider, orgs, django_capture_on_commit_callbacks
):
    client.force_login(ksl_officer)
    consultation = _created(client, orgs, django_capture_on_commit_callbacks)
    answer_url = reverse("decisions:consultation_answer", args=[consultation.slug])

    # The outsider does not learn of the page.
    client.force_login(outsider)
    assert client.get(answer_url).status_code in (403, 404)
    assert client.post(answer_url, _answers(decided_by="officials")).status_code in (403, 404)
    # Danderyd's clerk cannot answer for Ekerö: no answer is stored for Ekerö.
    client.force_login(danderyd_clerk)
    client.post(answer_url, _answers(decided_by="officials", organisation=orgs["0125"].pk))
    assert not ConsultationResponse.objects.filter(
        consultation=consultation, organisation=orgs["0125"]
    ).exists()


def test_danderyd_cannot_answer_for_ekero(
    client, ksl_officer, danderyd_clerk, orgs, django_capture_on_commit_callbacks
):
    client.force_login(ksl_officer)
    consultation = _created(client, orgs, django_capture_on_commit_callbacks)
    answer_url = reverse("decisions:consultation_answer", args=[consultation.slug])
    client.force_login(danderyd_clerk)
    before = AuditEvent.objects.count()
    response = client.post(answer_url, _answers(decided_by="officials", organisation=orgs["0125"].pk))
    assert response.status_code in (403, 404)
    assert AuditEvent.objects.count() == before
    assert not ConsultationResponse.objects.filter(consultation=consultation).exists()

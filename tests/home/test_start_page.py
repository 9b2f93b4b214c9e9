"""The start page: a municipal clerk's "Mina ärenden" (next step, deadline in days, one click to the case),
open consultations, the usual-chain link; KSL's oversight without historic rounds counted as overdue."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.core import calendar
from governance.decisions import services
from governance.decisions.models import AdoptionCase, ConsultationResponse, ConsultationRound
from governance.parties.models import Organisation


def _get(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.text


def _case(recommendation, code="0162"):
    return AdoptionCase.objects.get(recommendation=recommendation, organisation__municipality_code=code)


def _record(case, user, body, on=dt.date(2025, 5, 1)):
    return services.case_decision_record(
        acting_user=user,
        case=case,
        step=case.steps.get(body__name=body),
        meeting_date=on,
        paragraph="§ 1",
        text="Beslut.",
        outcome="approve",
    )


def test_my_cases_show_the_next_step_and_the_deadline_in_days(client, fresh_recommendation, danderyd_clerk):
    today = calendar.today()
    received = _case(
        fresh_recommendation(slug="a", recipients=("0162",), deadline=today + dt.timedelta(days=12))
    )
    late = _case(fresh_recommendation(slug="b", recipients=("0162",), deadline=today - dt.timedelta(days=30)))
    services.case_start_preparation(acting_user=danderyd_clerk, case=late)
    client.force_login(danderyd_clerk)
    _count, text = _get(client)
    assert "Mina ärenden" in text
    assert f'href="{reverse("decisions:case", args=[received.pk])}"' in text  # one click to the case
    left, overdue = (received.deadline - today).days, (today - late.deadline).days  # moved to working days
    assert "Påbörja beredning" in text and f"{left} dagar kvar" in text
    assert "Lägg fram förslag" in text and f"{overdue} dagar försenat" in text
    assert f'href="{reverse("decisions:usual_chain", args=[received.organisation_id])}"' in text
    assert "Vår vanliga beslutsgång" in text

    services.case_propose(acting_user=danderyd_clerk, case=late)
    late = _record(late, danderyd_clerk, "Socialnämnden")
    assert "Beslut i Kommunstyrelsen" in _get(client)[1]
    late = _record(late, danderyd_clerk, "Kommunstyrelsen")
    late = _record(late, danderyd_clerk, "Kommunfullmäktige")
    text = _get(client)[1]
    assert "Registrera underskrift · Ange anslagsdatum" in text


def test_the_start_page_needs_the_same_queries_for_one_case_and_many(
    client, fresh_recommendation, danderyd_clerk
):
    client.force_login(danderyd_clerk)
    first = _case(fresh_recommendation(slug="en", recipients=("0162",)))
    services.case_start_preparation(acting_user=danderyd_clerk, case=first)
    one, _text = _get(client)
    for index in range(6):
        case = _case(fresh_recommendation(slug=f"fler-{index}", recipients=("0162",)))
        if index % 2:
            services.case_start_preparation(acting_user=danderyd_clerk, case=case)
            services.case_propose(acting_user=danderyd_clerk, case=case)
            _record(case, danderyd_clerk, "Socialnämnden")
    many, text = _get(client)
    assert text.count("Beslut i Kommunstyrelsen") == 3
    assert one == many


def test_open_consultations_for_the_clerk(client, danderyd_clerk, ksl_officer):
    today = calendar.today()
    danderyd = Organisation.objects.get(municipality_code="0162")
    ksl = Organisation.objects.get(name="Kommunförbundet Stockholms Län")
    open_round = ConsultationRound.objects.create(
        slug="ny-remiss",
        title="Ny remiss om stöd",
        sender=ksl,
        sent_on=today,
        deadline=today + dt.timedelta(days=5),
    )
    open_round.recipients.set([danderyd])
    closed = ConsultationRound.objects.create(
        slug="gammal-remiss",
        title="Gammal remiss",
        sender=ksl,
        sent_on=today - dt.timedelta(days=40),
        deadline=today - dt.timedelta(days=1),
    )
    closed.recipients.set([danderyd])
    client.force_login(danderyd_clerk)
    text = _get(client)[1]
    assert "Öppna remisser" in text and "Ny remiss om stöd" in text and "Gammal remiss" not in text
    assert "(5 dagar kvar)" in text and "inte besvarad" in text
    assert reverse("decisions:consultation_answer", args=["ny-remiss"]) in text
    ConsultationResponse.objects.create(consultation=open_round, organisation=danderyd, position="positive")
    text = _get(client)[1]
    item = text.split("Ny remiss om stöd")[1].split("</li>")[0]
    assert "besvarad" in item and "inte besvarad" not in item


def test_ksl_oversight_counts_overdue_only_in_current_rounds(client, fresh_recommendation, ksl_officer):
    # origo-2016's round is closed (the agreement ended 2020-12-31): its waiting cases are history.
    current = fresh_recommendation(slug="pagaende", deadline=calendar.today() - dt.timedelta(days=3))
    client.force_login(ksl_officer)
    text = _get(client)[1]
    assert "3 öppna, 3 försenade" in text
    assert "utan besked, omgången är avslutad" in text
    assert "dagar" not in text.split("Rekommendationer med öppna ärenden")[1].split("</ul>")[0]
    assert reverse("decisions:dashboard", args=[current.slug]) in text


def test_a_clerk_is_not_shown_cases_of_closed_rounds(client, ekero_clerk):
    # Ekerö's 2016 case ended long ago; nothing of that round is a to-do or "overdue". Its case of the
    # current demo round is: in decision, its deadline a few days past.
    client.force_login(ekero_clerk)
    text = _get(client)[1]
    todo = text.split('id="todo"')[1].split("</section>")[0]
    assert "2016–2020" not in todo
    assert todo.count("försenat") == 1 and "Beslut i Kommunstyrelsen" in todo


def _todo_section(client):
    text = client.get("/").text
    return text.split('id="todo"')[1].split("</section>")[0]


def test_the_chair_and_a_justerare_see_minutes_to_approve_until_they_have(client, chair, member):
    from governance.meetings.choices import MeetingState
    from governance.meetings.models import Meeting
    from governance.meetings.services import minutes_approve

    meeting = Meeting.objects.get(is_demo_data=True, state=MeetingState.MINUTES_DRAFTED)
    for persona in (chair, member):
        client.force_login(persona)
        todo = _todo_section(client)
        assert "Protokoll att justera" in todo and reverse("meetings:meeting", args=[meeting.pk]) in todo
    minutes_approve(acting_user=member, meeting=meeting, expected_state=MeetingState.MINUTES_DRAFTED)
    client.force_login(member)
    assert "Protokoll att justera" not in _todo_section(client)
    client.force_login(chair)
    assert "Protokoll att justera" in _todo_section(client)  # the chair has not approved yet


def test_the_chair_sees_when_the_notice_must_go_out(client, chair):
    client.force_login(chair)
    todo = _todo_section(client)
    assert "bygg dagordningen; kallelsen ska gå ut senast" in todo


def test_ksl_sees_consultations_to_compile(client, ksl_officer):
    client.force_login(ksl_officer)
    todo = _todo_section(client)
    assert "Remisser att sammanställa" in todo and "8 av 26 har svarat" in todo


def test_the_host_admin_sees_parties_without_a_contact_person(client, host_admin, danderyd_clerk):
    from governance.parties.models import Organisation

    client.force_login(host_admin)
    todo = _todo_section(client)
    assert "Parter utan kontaktperson" in todo
    danderyd = Organisation.objects.get(municipality_code="0162")  # David Dahlgren is its contact person
    assert reverse("parties:detail", args=[danderyd.pk]) not in todo
    vaxholm = Organisation.objects.get(municipality_code="0187")
    assert reverse("parties:detail", args=[vaxholm.pk]) in todo
    client.force_login(danderyd_clerk)
    assert "Parter utan kontaktperson" not in client.get("/").text  # not the clerk's to keep


PERSONAS = ["ksl_officer", "danderyd_clerk", "ekero_clerk", "chair", "member", "host_admin", "outsider"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_start_page_within_15_queries_for_every_persona(
    db, client, request, django_assert_max_num_queries, persona
):
    """Issue 16: the start page composes six apps in at most 15 queries, whoever reads it (a clerk's page
    with cases, consultations, meetings, contacts and the cost share was 29)."""
    client.force_login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(15):
        response = client.get("/")
    assert response.status_code == 200


def test_a_clerk_with_cases_in_every_state_within_15_queries(
    client, fresh_recommendation, danderyd_clerk, django_assert_max_num_queries
):
    """Received, in preparation, in decision and decided cases together (steps and decisions read at once)
    still fit the budget, with the consultations, meetings, the cost share and the contacts."""
    received = _case(fresh_recommendation(slug="mottaget", recipients=("0162",)))
    prepared = _case(fresh_recommendation(slug="bereds", recipients=("0162",)))
    services.case_start_preparation(acting_user=danderyd_clerk, case=prepared)
    deciding = _case(fresh_recommendation(slug="beslutas", recipients=("0162",)))
    services.case_start_preparation(acting_user=danderyd_clerk, case=deciding)
    services.case_propose(acting_user=danderyd_clerk, case=deciding)
    _record(deciding, danderyd_clerk, "Socialnämnden")
    decided = _case(fresh_recommendation(slug="beslutat", recipients=("0162",)))
    services.case_start_preparation(acting_user=danderyd_clerk, case=decided)
    services.case_propose(acting_user=danderyd_clerk, case=decided)
    for body in ("Socialnämnden", "Kommunstyrelsen", "Kommunfullmäktige"):
        decided = _record(decided, danderyd_clerk, body)
    client.force_login(danderyd_clerk)
    with django_assert_max_num_queries(15):
        text = _get(client)[1]
    assert "Påbörja beredning" in text and "Lägg fram förslag" in text and "Beslut i Kommunstyrelsen" in text
    assert "Registrera underskrift · Ange anslagsdatum" in text
    assert f'href="{reverse("decisions:case", args=[received.pk])}"' in text
    assert "andel i" in text  # the cost share
    assert "Kontaktpersoner just nu" in text

"""Dashboard, compilation, case page actions, reminders and digest."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.core.models import AuditEvent
from governance.decisions.models import AdoptionCase, ConsultationRound, Digest, Recommendation, Reminder
from governance.decisions.queries import compilation
from governance.decisions.services import digest_send, reminders_send
from governance.decisions.tasks import (
    cases_advance_periods,
)
from governance.decisions.tasks import (
    digest_send as digest_task,
)
from governance.decisions.tasks import (
    reminders_send as reminders_task,
)


def test_the_compilation_reports_what_seed_004_reports(db):
    c = compilation(ConsultationRound.objects.get(slug="origo-remiss-2011"))
    assert (c.answered, c.recipients) == (21, 26)
    positions = dict(c.by_position)
    assert positions["Endast del av förslaget"] == 1 and positions["Negativ"] == 1
    assert c.timetable_unrealistic == 13
    assert len(c.questions) == 8 and c.questions[3][0].text.startswith("Är kostnadsfördelningen")


def test_compilation_page(ksl_client):
    text = ksl_client.get(reverse("decisions:compilation", args=["origo-remiss-2011"])).text
    assert "Svar har inkommit från 21 av 26 kommuner." in text
    assert "13 kommuner anser att tidplanen är orealistisk." in text


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_dashboard_query_count_does_not_grow_with_cases(ksl_client, fresh_recommendation):
    small = fresh_recommendation(slug="liten", recipients=("0162",))
    big_count, response = _count(ksl_client, reverse("decisions:dashboard", args=["origo-2016"]))
    small_count, _ = _count(ksl_client, reverse("decisions:dashboard", args=[small.slug]))
    assert big_count == small_count
    text = response.text
    assert "Försenade: <strong>6</strong>" in text
    assert text.count('class="is-overdue"') == 6
    assert "<svg" in text and "line-decided" in text


def test_dashboard_filters_and_exports(ksl_client):
    url = reverse("decisions:dashboard", args=["origo-2016"])
    text = ksl_client.get(url + "?overdue=on").text
    assert (
        text.count('<tr class="is-overdue"') == 6
        and "Danderyd" not in text.split("<tbody>")[1].split("</tbody>")[0]
    )
    assert ksl_client.get(url + "?state=bogus").status_code == 400
    response = ksl_client.get(reverse("decisions:matrix_csv", args=["origo-2016"]) + "?state=decided")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 3 and rows[1].startswith("0181;Södertälje;Beslutad")
    response = ksl_client.get(reverse("decisions:matrix_xlsx", args=["origo-2016"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2 + 26


def test_public_recommendation_list(client, db):
    text = client.get(reverse("decisions:list")).text
    assert "Förlängning av avtalet om Origo" in text and "Avslutad: 17" in text


def test_adoption_command(capsys, db):
    call_command("adoption", "origo-2016")
    output = capsys.readouterr().out
    assert "0163  Sollentuna" in output and "Försenade: 6" in output
    with pytest.raises(CommandError, match="Det finns ingen rekommendation ”okand”"):
        call_command("adoption", "okand")


def _case(code, slug="origo-2016"):
    return AdoptionCase.objects.get(recommendation__slug=slug, organisation__municipality_code=code)


def test_case_page_shows_history_and_only_permitted_actions(
    client, danderyd_clerk, danderyd_case, ksl_officer
):
    client.force_login(danderyd_clerk)
    text = client.get(reverse("decisions:case", args=[danderyd_case.pk])).text
    assert "Påbörja beredning" in text and "Återkalla ärendet" not in text
    client.force_login(ksl_officer)
    text = client.get(reverse("decisions:case", args=[danderyd_case.pk])).text
    assert "Återkalla ärendet" in text and "Påbörja beredning" not in text


def test_case_action_happy_path_conflict_and_bad_input(client, danderyd_clerk, danderyd_case):
    client.force_login(danderyd_clerk)
    url = reverse("decisions:case_action", args=[danderyd_case.pk, "start_preparation"])
    assert client.post(url, {"expected_state": "received"}).status_code == 302
    before = AuditEvent.objects.count()
    response = client.post(url, {"expected_state": "received"})  # a second tab, stale
    assert response.status_code == 409 and "ändrats av någon annan" in response.text
    assert AuditEvent.objects.count() == before

    client.post(
        reverse("decisions:case_action", args=[danderyd_case.pk, "propose"]),
        {"expected_state": "in_preparation"},
    )
    decision_url = reverse("decisions:case_action", args=[danderyd_case.pk, "decision"])
    step = danderyd_case.steps.get(body__name="Kommunfullmäktige")
    response = client.post(
        decision_url,
        {
            "expected_state": "proposed",
            "step": step.pk,
            "meeting_date": "2025-01-01",
            "paragraph": "§ 9",
            "text": "Beslut",
            "outcome": "approve",
        },
    )
    assert response.status_code == 400 and "kan inte vara före rekommendationen" in response.text
    response = client.post(
        decision_url, {"expected_state": "proposed", "step": step.pk, "outcome": "approve"}
    )
    assert response.status_code == 400 and "Detta fält måste fyllas i" in response.text
    danderyd_case.refresh_from_db()
    assert danderyd_case.state == "proposed" and AuditEvent.objects.count() == before + 1

    sign_url = reverse("decisions:case_action", args=[danderyd_case.pk, "sign"])
    assert client.post(sign_url, {"expected_state": "proposed"}).status_code == 400


def test_another_municipalitys_case_is_404_everywhere(client, danderyd_clerk):
    ekero = _case("0125")
    client.force_login(danderyd_clerk)
    assert client.get(reverse("decisions:case", args=[ekero.pk])).status_code == 404
    assert client.post(reverse("decisions:case_action", args=[ekero.pk, "withdraw"]), {}).status_code == 404


@pytest.fixture
def contact_reminders(db, fresh_recommendation):
    recommendation = fresh_recommendation(slug="paminn", deadline=dt.date(2025, 10, 31))
    return recommendation


def test_reminders_choose_recipients_and_dates_and_never_repeat(
    contact_reminders, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    # 15 days before: too early.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=dt.date(2025, 10, 16))["queued"] == 0
    # 14 days before: Danderyd and Ekerö have contact persons, Stockholm has none.
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders_send(today=dt.date(2025, 10, 17))
    assert counts["queued"] == 2 and counts["no_contact"] >= 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["david.dahlgren@danderyd.example", "elin.ekstrand@ekero.example"]
    message = next(m for m in mail.outbox if "danderyd" in m.to[0])
    assert "Påminnelse" in message.subject and "den 31 oktober 2025, om 14 dagar" in message.body
    assert "Danderyds besked" in message.body
    # The same day again: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=dt.date(2025, 10, 17))["already_sent"] == 2
    assert len(mail.outbox) == 2
    # Past the deadline: an overdue reminder, once more per day.
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=dt.date(2025, 11, 3))
    overdue = mail.outbox[-1]
    assert overdue.subject.startswith("Försenat besked") and "var den 31 oktober 2025" in overdue.body
    assert Reminder.objects.filter(case__recommendation=contact_reminders).count() == 4


def test_decided_cases_get_no_reminder(contact_reminders, danderyd_clerk):
    from governance.decisions import services

    case = contact_reminders.cases.get(organisation__municipality_code="0162")
    services.case_start_preparation(acting_user=danderyd_clerk, case=case)
    services.case_propose(acting_user=danderyd_clerk, case=case)
    for body in ("Socialnämnden", "Kommunstyrelsen", "Kommunfullmäktige"):
        services.case_decision_record(
            acting_user=danderyd_clerk,
            case=case,
            step=case.steps.get(body__name=body),
            meeting_date=dt.date(2025, 9, 1),
            paragraph="§ 1",
            text="Ja.",
            outcome="approve",
        )
    reminders_send(today=dt.date(2025, 10, 20))
    assert not Reminder.objects.filter(case=case).exists()


def test_weekly_digest_goes_to_ksl_once_a_week(contact_reminders, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(today=dt.date(2025, 10, 20))
    digests = [m for m in mail.outbox if "paminn" in m.subject or "Testrekommendation" in m.subject]
    assert len(digests) == 1 and digests[0].to == ["karin.lindqvist@ksl.example"]
    assert "Mottagen: 3" in digests[0].body
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(today=dt.date(2025, 10, 22))["queued"] == 0  # same ISO week
    assert Digest.objects.filter(recommendation=contact_reminders).count() == 1


def test_task_bodies_run_their_services(db):
    assert set(reminders_task()) == {"queued", "already_sent", "already_queued", "no_contact"}
    assert set(digest_task()) == {"queued", "already_sent"}
    assert cases_advance_periods() == {"in_force": 0, "renewed": 0, "ended": 0}  # idempotent after the load


def test_recommendation_list_has_constant_queries(client, fresh_recommendation):
    first, _ = _count(client, reverse("decisions:list"))
    fresh_recommendation(slug="en-till")
    assert _count(client, reverse("decisions:list"))[0] == first
    assert Recommendation.objects.count() == 4  # the two recorded rounds, the demo round, this one


def test_county_map_colours_every_municipality_and_links_its_case(ksl_client):
    text = ksl_client.get(reverse("decisions:dashboard", args=["origo-2016"])).text
    assert text.count('class="area state-') == 26
    sollentuna = _case("0163")
    assert f'href="/anslutning/arende/{sollentuna.pk}/"' in text
    assert "Sollentuna: Under beslut (försenad)" in text
    assert 'class="area state-withdrawn' in text  # Lidingö


def test_svg_coordinates_use_decimal_points(ksl_client):
    """Swedish number formatting must never reach SVG attributes (browsers reject "221,8")."""
    import re

    for url in (
        reverse("decisions:dashboard", args=["origo-2016"]),
        reverse("agreements:costs", args=["origo"]) + "?year=2013&exclude=0162",
    ):
        svg = "".join(re.findall(r"<svg.*?</svg>", ksl_client.get(url).text, flags=re.S))
        assert svg and not re.search(r'\b(x|y|x1|x2|y1|y2|width|height)="[0-9]+,[0-9]', svg)


def test_compilation_names_who_did_not_answer(ksl_client):
    text = ksl_client.get(reverse("decisions:compilation", args=["origo-remiss-2011"])).text
    assert "Inget svar från: Salem, Upplands-Bro, Nykvarn, Vaxholm, Nynäshamn." in text


def test_case_page_explains_a_moved_deadline(ksl_client):
    case = _case("0125", slug="origo-2012")  # 2012-12-31 is nyårsafton: the case deadline is 2013-01-02
    text = ksl_client.get(reverse("decisions:case", args=[case.pk])).text
    assert "2013-01-02" in text and "rekommendationen anger 2012-12-31, som inte är en arbetsdag" in text


class FlakyBackend(BaseEmailBackend):
    """Refuses the first message it is given, then delivers like locmem."""

    refused: list = []

    def send_messages(self, email_messages):
        if not FlakyBackend.refused:
            FlakyBackend.refused.append(email_messages[0].to)
            raise OSError("SMTP refused")
        return locmem.EmailBackend().send_messages(email_messages)


def test_a_failed_reminder_mail_is_retried_and_does_not_stop_the_others(
    contact_reminders, django_capture_on_commit_callbacks, settings
):
    from governance.core.models import OutgoingMail
    from governance.core.services import mails_deliver_due

    FlakyBackend.refused = []
    settings.EMAIL_BACKEND = "tests.decisions.test_pages_and_jobs.FlakyBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=dt.date(2025, 10, 17))["queued"] == 2  # queued, not "sent"
    assert len(FlakyBackend.refused) == 1 and len(mail.outbox) == 1  # the second went out all the same
    assert Reminder.objects.filter(case__recommendation=contact_reminders).count() == 2  # nothing forgotten
    failed = OutgoingMail.objects.get(purpose_key__startswith="reminder:", status="queued")
    assert "SMTP refused" in failed.last_error and failed.to == FlakyBackend.refused[0]
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders_send(today=dt.date(2025, 10, 17))
    assert counts["queued"] == 0 and counts["already_sent"] + counts["already_queued"] == 2
    assert mails_deliver_due(now=failed.next_attempt_at)["sent"] == 1  # retried by the outbox, once
    assert len(mail.outbox) == 2 and sorted(mail.outbox[1].to) == sorted(failed.to)

"""Issue 14: three journeys end to end in Chromium, each at 1280 and 375 px, through the pages only
(links, buttons and labelled fields, as a user does). Every page reached is checked by ``PageAudit``
(screenshot, no horizontal scroll at 375 px, axe-core with no serious or critical violation, no console
error); the findings are asserted together at the end. The database is only read, to assert side effects.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from governance.core import calendar
from governance.core.models import AuditEvent

from .conftest import log_in, log_out, nav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def events(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_ksl_sends_a_recommendation_and_follows_the_matrix(audit, ksl_officer):
    from governance.decisions.models import Recommendation
    from governance.parties.models import Organisation

    page = audit.page
    today = calendar.today()
    log_in(page, ksl_officer.username, audit)
    audit.check("start")

    nav(page, "Anslutning")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check("recommendations")

    page.get_by_role("link", name="Ny rekommendation").click()
    expect(page.get_by_role("heading", name="Ny rekommendation", level=1)).to_be_visible()
    audit.check("recommendation-new")
    page.get_by_label("Rubrik").fill("Rekommendation om Origo i webbläsaren")
    page.get_by_label("Kortnamn").fill("origo-webblasaren")
    page.get_by_label("KSL-styrelsens beslut").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_label("KSL:s diarienummer").fill("KSL/26/140")
    page.get_by_label("Besked senast").fill((today + dt.timedelta(days=60)).isoformat())
    page.get_by_label("Avtal").select_option(index=1)
    page.get_by_label("Bakgrund").fill("Origo är ett länsgemensamt resurscentrum.")
    page.get_by_label("Att-satser").fill("att ansluta sig till avtalet\natt utse en kontaktperson")
    page.get_by_role("button", name="Spara").click()

    expect(page.get_by_role("heading", name="Rekommendation om Origo i webbläsaren", level=1)).to_be_visible()
    recommendation = Recommendation.objects.get(slug="origo-webblasaren")
    assert recommendation.sent_at is None and not recommendation.cases.exists()
    audit.check("recommendation-draft")

    recipients = recommendation.recipients.count()
    assert recipients == Organisation.objects.filter(municipality_code__gt="").count() == 26
    page.get_by_label(f"Ja, skicka till {recipients} kommuner").check()
    page.get_by_role("button", name="Skicka till kommunerna").click()
    expect(page.get_by_text(f"Rekommendationen är skickad till {recipients} kommuner")).to_be_visible()
    audit.check("recommendation-sent")
    recommendation.refresh_from_db()
    assert recommendation.sent_at is not None
    assert recommendation.cases.count() == recipients
    assert set(recommendation.cases.values_list("state", flat=True)) == {"received"}
    assert events(recommendation)[0] == "recommendation.created"
    assert events(recommendation)[-1] == "recommendation.sent"

    # The matrix: one row per municipality with its stage in text.
    page.get_by_role("link", name="Översikt över kommunernas ärenden").click()
    matrix = page.get_by_role("table", name="Kommunerna och hur långt de kommit")
    expect(matrix).to_be_visible()
    expect(matrix.get_by_role("row")).to_have_count(recipients + 1)
    danderyd = matrix.get_by_role("row").filter(has=page.get_by_role("link", name="Danderyd", exact=False))
    expect(danderyd).to_contain_text("Mottagen")
    audit.check("matrix")

    # Following a municipality from the matrix opens its case.
    danderyd.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rekommendation om Origo i webbläsaren")
    audit.check("case")

    audit.assert_clean()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def action(page, label: str):
    """The "Att göra" form of a case named ``label`` (a region labelled by its heading)."""
    return page.get_by_role("region", name=label, exact=True)


def test_danderyd_drafts_the_memo_decides_and_signs(audit, danderyd_clerk, tmp_path):
    import zipfile

    from governance.agreements.models import Signature
    from governance.decisions.models import AdoptionCase, Decision
    from governance.documents.models import GeneratedDocument

    page = audit.page
    today = calendar.today()
    case = AdoptionCase.objects.get(
        recommendation__slug=f"origo-{today.year + 1}", organisation__municipality_code="0162"
    )
    assert case.state == "in_preparation"
    log_in(page, danderyd_clerk.username, audit)
    todo = page.get_by_role("region", name="Att göra")
    expect(todo).to_contain_text("Mina ärenden")
    audit.check("start")

    # The case from the start page.
    todo.locator(f"a[href$='/anslutning/arende/{case.pk}/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.recommendation.title)
    audit.check("case")

    # The memo (tjänsteutlåtande): the form is prefilled from the case; the clerk completes it.
    page.get_by_role("link", name="Skapa tjänsteutlåtande").click()
    audit.check("memo-form")
    page.get_by_label("Organ", exact=True).select_option(label="Kommunstyrelsen")
    page.get_by_label("Datum", exact=True).fill(today.isoformat())
    page.get_by_label("Diarienummer", exact=True).fill("KS 2026/140")
    page.get_by_label("Rubrik", exact=True).fill("Anslutning till Origo i webbläsaren")
    # The headings (and so the labels) come from Danderyd's document profile: "Kommunledningskontorets
    # förslag till beslut"; the other sections keep what the form prefilled.
    page.get_by_label(re.compile(r"förslag till beslut$", re.I)).fill(
        "Kommunstyrelsen ansluter sig till avtalet om Origo."
    )
    page.get_by_role("button", name=re.compile(r"^Skapa .*\(\.docx\)$")).click()
    expect(page.get_by_text(re.compile(r"Tjänsteutlåtandet skapas \(version \d+\)"))).to_be_visible()
    # The render runs in the worker (inline here); the status region updates itself to "Klar".
    download_link = page.get_by_role("link", name="Ladda ned .docx")
    expect(download_link).to_be_visible()
    audit.check("memo-document")
    memo = GeneratedDocument.objects.filter(subject_key=f"case:{case.pk}", kind="memo").latest("version")
    assert memo.status == "done"

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as docx:
        body = docx.read("word/document.xml").decode()
    assert "Anslutning till Origo i webbläsaren" in body
    assert "Kommunstyrelsen ansluter sig till avtalet om Origo." in body

    # Back to the case; the memo is listed; the proposal is laid before the bodies.
    page.get_by_role("link", name="Till ärendet för Danderyds kommun").click()
    expect(page.get_by_role("link", name=f"Tjänsteutlåtande v{memo.version}")).to_be_visible()
    propose = action(page, "Lägg fram förslag till beslut")
    propose.get_by_role("button", name="Lägg fram förslag till beslut").click()
    expect(page.get_by_text("Förslaget till beslut är framlagt.")).to_be_visible()
    audit.check("proposed")
    case.refresh_from_db()
    assert case.state == "proposed"

    # The decisions, one per body of the chain in order (the form proposes the next body).
    steps = list(case.steps.select_related("body").order_by("order"))
    meeting = calendar.next_working_day(today - dt.timedelta(days=6 * len(steps) + 4))
    for number, step in enumerate(steps, start=1):
        form = action(page, "Registrera beslut")
        expect(form.get_by_label("Organ")).to_have_value(str(step.pk))
        form.get_by_label("Sammanträdesdatum").fill(meeting.isoformat())
        form.get_by_label("Paragraf").fill(f"§ {100 + number}")
        form.get_by_label("Beslutstext").fill(f"{step.body.name} tillstyrker anslutningen till Origo.")
        form.get_by_label("Utfall").select_option(value="approve")
        form.get_by_label("Protokollet anslaget").fill((meeting + dt.timedelta(days=2)).isoformat())
        form.get_by_role("button", name="Registrera beslut").click()
        expect(page.get_by_text("Beslutet är registrerat.")).to_be_visible()
        audit.check(f"decision-{number}")
        meeting = calendar.next_working_day(meeting + dt.timedelta(days=6))
    case.refresh_from_db()
    assert case.state == "decided"
    assert Decision.objects.filter(case=case, voided_at__isnull=True).count() == len(steps)

    # The signature, with the signed copy as a PDF.
    sign = action(page, "Registrera underskrift")
    sign.get_by_label("Undertecknat av", exact=True).fill("Dana Danielsson")
    sign.get_by_label("Titel", exact=True).fill("Kommunstyrelsens ordförande")
    sign.get_by_label("Datum", exact=True).fill(today.isoformat())
    sign.get_by_label("Undertecknat avtal (PDF, högst 20 MB)").set_input_files(
        files=[{"name": "signerat.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    sign.get_by_role("button", name="Registrera underskrift").click()
    expect(page.get_by_text("Underskriften är registrerad.")).to_be_visible()
    expect(page.get_by_role("link", name="Undertecknat exemplar (PDF)")).to_be_visible()
    audit.check("signed")
    case.refresh_from_db()
    assert case.state == "signed"
    assert Signature.objects.filter(
        agreement=case.recommendation.agreement, organisation=case.organisation
    ).exists()
    assert events(case)[-len(steps) - 2 :] == [
        "case.proposed",
        *["case.intermediate_decision_recorded"] * (len(steps) - 1),
        "case.final_decision_recorded",
        "case.signed",
    ]

    audit.assert_clean()


def form_with(page, button: str):
    """The form that a button of that name submits."""
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def test_chair_builds_the_agenda_notices_and_gets_the_minutes_approved(audit, chair, member, ksl_officer):
    from governance.meetings.models import Meeting

    page = audit.page
    today = calendar.today()
    day = today + dt.timedelta(days=30)
    log_in(page, chair.username, audit)
    audit.check("start")

    nav(page, "Styrgrupp och forum")
    audit.check("bodies")
    page.get_by_role("main").get_by_role("link", name="Styrgruppen för Origo").click()
    expect(page.get_by_role("heading", name="Styrgruppen för Origo", level=1)).to_be_visible()
    audit.check("body")

    # A new meeting of the steering group.
    new = form_with(page, "Planera mötet")
    new.get_by_label("Datum", exact=True).fill(day.isoformat())
    new.get_by_label("Börjar").fill("13:00")
    new.get_by_label("Slutar").fill("15:00")
    new.get_by_label("Plats").fill("Origo, Stockholm")
    new.get_by_role("button", name="Planera mötet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{day:%Y-%m-%d}")
    meeting = Meeting.objects.latest("id")
    assert (
        meeting.state == "planned" and meeting.starts_at.date() == day and meeting.place == "Origo, Stockholm"
    )
    audit.check("meeting-planned")

    # The agenda: two items of the chair's own after the standard ones.
    for title, kind in (("Budget 2027 för Origo", "Beslut"), ("Verksamhetsrapport", "Information")):
        item = form_with(page, "Lägg till")
        item.get_by_label("Rubrik").fill(title)
        item.get_by_label("Typ").select_option(label=kind)
        item.get_by_label("Föredragande").fill("Verksamhetschefen")
        item.get_by_role("button", name="Lägg till").click()
        expect(page.get_by_text(f"Ärendet ”{title}” är tillagt.")).to_be_visible()
    agenda = page.get_by_role("table").filter(has_text="Budget 2027 för Origo").first
    expect(agenda).to_contain_text("Verksamhetsrapport")
    assert list(meeting.items.filter(standard_key="").values_list("title", flat=True)) == [
        "Budget 2027 för Origo",
        "Verksamhetsrapport",
    ]
    audit.check("agenda")

    # The notice goes out (the outbox delivers it at once here, as the worker does).
    page.get_by_role("button", name="Skicka kallelsen").click()
    expect(page.get_by_text("Kallelsen skickas.")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.state == "notice_sent", meeting.state
    audit.check("notice-sent")

    # The meeting day comes: the meeting's time moves to yesterday (the clock cannot be moved in the
    # browser's server; this is the journey's only write that does not go through the pages).
    shift = meeting.starts_at.date() - (today - dt.timedelta(days=1))
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - shift, ends_at=meeting.ends_at - shift
    )
    page.reload()

    # Attendance: every called member present.
    attendance = form_with(page, "Spara närvaron och visa beslutförheten")
    statuses = attendance.get_by_role("combobox", name=re.compile(r"\((ordförande|ledamot|sekreterare)\)"))
    assert statuses.count() >= 6, "the attendance form lists the called members"
    for index in range(statuses.count()):
        statuses.nth(index).select_option(label="Närvarande")
    attendance.get_by_role("button", name="Spara närvaron och visa beslutförheten").click()
    audit.check("attendance")
    assert meeting.attendances.filter(status="present").count() == statuses.count()

    page.get_by_role("button", name="Markera mötet som genomfört").click()
    meeting.refresh_from_db()
    expect(page.get_by_role("button", name="Upprätta protokoll och numrera paragraferna")).to_be_visible()
    assert meeting.state == "held", meeting.state
    audit.check("held")

    # The decisions of the decision items (the justerare's item takes them from the minutes form).
    decisions = {
        "Godkännande av dagordningen": "Dagordningen godkändes.",
        "Föregående protokoll": "Protokollet från föregående möte lades till handlingarna.",
        "Budget 2027 för Origo": "Styrgruppen fastställer budgeten för 2027.",
    }
    for title, text in decisions.items():
        row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=title))
        row.get_by_text("Registrera", exact=True).click()
        row.get_by_label("Beslut eller anteckning").fill(text)
        row.get_by_role("button", name="Spara").click()
        expect(page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=title))).to_contain_text(
            text
        )
    audit.check("decisions")

    # The minutes, with the member and KSL's officer as justerare.
    minutes = form_with(page, "Upprätta protokoll och numrera paragraferna")
    for person in (member, ksl_officer):
        minutes.get_by_label(person.get_full_name()).check()
    minutes.get_by_role("button", name="Upprätta protokoll och numrera paragraferna").click()
    expect(page.get_by_role("button", name="Justera protokollet")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.state == "minutes_drafted", meeting.state
    assert meeting.items.exclude(paragraph=None).count() == meeting.items.count()
    audit.check("minutes-drafted")

    # The chair justerar, then each justerare from the start page.
    page.get_by_role("button", name="Justera protokollet").click()
    expect(page.get_by_text(re.compile(r"Du har justerat protokollet, version \d+\."))).to_be_visible()
    audit.check("approved-by-chair")
    for person in (member, ksl_officer):
        log_out(page)
        log_in(page, person.username, audit)
        todo = page.get_by_role("region", name="Att göra")
        todo.locator(f"a[href$='/organ/moten/{meeting.pk}/']").first.click()
        page.get_by_role("button", name="Justera protokollet").click()
        expect(page.get_by_text(re.compile(r"Du har justerat protokollet, version \d+\."))).to_be_visible()
        audit.check(f"approved-by-{person.username}")
    meeting.refresh_from_db()
    assert meeting.state == "minutes_approved", meeting.state
    trail = events(meeting)
    assert trail[:6] == [
        "meeting.planned",
        "meeting.notice_requested",
        "meeting.notice_sent",
        "meeting.attendance_recorded",
        "meeting.held",
        "minutes.drafted",
    ]
    assert trail.count("minutes.approval_given") >= 2 and trail[-1] == "minutes.approved", trail

    audit.assert_clean()

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

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav(page, name: str) -> None:
    """Follow a link of the main menu; on a phone the menu may first need to be opened."""
    link = page.get_by_role("navigation").get_by_role("link", name=name, exact=True).first
    if not link.is_visible():
        toggle = page.get_by_role("button", name=re.compile(r"^Meny", re.I))
        if toggle.count():
            toggle.first.click()
    link.click()
    page.wait_for_load_state("load")


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
    log_in(page, ksl_officer.username)
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
    log_in(page, danderyd_clerk.username)
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

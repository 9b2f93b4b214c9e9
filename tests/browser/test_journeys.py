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

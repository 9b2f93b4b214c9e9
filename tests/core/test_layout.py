"""The pages on a phone and for assistive technology (issue 14): the CSP-safe markup, the header (skip link,
collapsible menu, search), tables that scroll in their own region or stack as cards, the matrix and the map in
text, form errors linked to their fields, and htmx updates announced."""

import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

from governance.decisions.models import Recommendation

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"""\sstyle\s*=|<style[\s>]""", re.IGNORECASE)


def _offences(text: str) -> list[str]:
    return [m.group(0) for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE) for m in pattern.finditer(text)]


def test_no_template_has_inline_script_style_or_event_handler():
    """The CSP allows only the site's own files (script-src/style-src 'self')."""
    offences = {
        str(path.relative_to(ROOT)): found
        for path in TEMPLATES.rglob("*.html")
        if (found := _offences(path.read_text(encoding="utf-8")))
    }
    assert offences == {}


def test_the_scan_finds_inline_script_style_and_handlers():
    assert len(_offences('<script>alert(1)</script><p style="x"><style>p{}</style><a onclick="x()">')) == 4
    assert _offences('<script src="/static/js/site.js" defer></script><a href="#main">') == []


def test_htmx_does_not_inject_its_indicator_style(client, db):
    """htmx adds a <style> for .htmx-indicator unless told not to; the CSP would block it on every page."""
    text = client.get("/").text
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in text
    assert ".htmx-indicator" in (ROOT / "static" / "css" / "site.css").read_text()


def test_favicon_ico_answers(db):
    icon = Client().get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_header_has_skip_link_landmarks_menu_button_and_search(client, ksl_officer):
    client.force_login(ksl_officer)
    text = client.get("/").text
    assert '<a class="skip-link" href="#main">' in text and '<main id="main"' in text
    assert text.count("<h1") == 1
    assert "<header" in text and '<nav class="site-nav"' in text and "<footer" in text
    # The menu button is hidden until site.js shows it: without the script the menu stays open.
    assert (
        '<button type="button" class="nav-toggle" aria-expanded="false" aria-controls="main-menu" hidden>'
        in text
    )
    assert '<ul id="main-menu">' in text and '<script src="/static/js/site.js" defer></script>' in text
    search = re.search(
        r'<form class="site-search" role="search" method="get" action="/sok/">(.*?)</form>', text, re.S
    )
    assert search, "the search form"
    assert '<label for="site-search-q">Sök</label>' in search.group(1)
    assert 'id="site-search-q" name="q"' in search.group(1)


def test_every_table_scrolls_in_a_labelled_region_or_stacks():
    """A wide table must not widen the page on a phone: it is in a focusable, labelled region that scrolls
    (with a visible hint), or it becomes stacked cards (class "stack", cells labelled by data-label)."""
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<table[^>]*>", text):
            before = text[: match.start()].rstrip()
            in_region = re.search(
                r'<div class="table-scroll" role="region" tabindex="0" aria-label(ledby)?="[^"]+">$', before
            )
            if not (in_region or "stack" in match.group(0)):
                missing.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert missing == []


def test_matrix_and_map_say_the_state_in_text(client, ksl_officer):
    client.force_login(ksl_officer)
    recommendation = Recommendation.objects.order_by("-board_decision_date").first()
    text = client.get(reverse("decisions:dashboard", args=[recommendation.slug])).text
    assert '<table class="matrix stack">' in text
    rows = [state.strip() for state in re.findall(r'<td data-label="Läge">([^<]+)', text)]
    assert len(rows) == recommendation.cases.count()
    assert "Under beredning" in rows
    # The map's colours repeated as a list of municipality: state.
    states = re.search(r'<ul class="map-states">(.*?)</ul>', text, re.S).group(1)
    assert "<li>Danderyd: " in states and states.count("<li>") == 26


def test_cost_table_stacks_and_chart_scrolls_in_its_region(ksl_client):
    text = ksl_client.get(reverse("agreements:costs", args=["origo"]) + "?year=2012&basis=2011-12-31").text
    assert '<table class="costs stack">' in text
    assert 'data-label="Belopp per år">45\u00a0612\u00a0kr</td>' in text
    assert re.search(r'<div class="chart-scroll" role="region" tabindex="0" aria-label="[^"]+">', text)


def test_form_errors_are_summarised_and_linked_to_their_fields(client, ksl_officer):
    client.force_login(ksl_officer)
    response = client.post(reverse("decisions:recommendation_create"), {"title": ""})
    assert response.status_code == 400
    text = response.text
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1">(.*?)</div>', text, re.S)
    assert summary, "the error summary"
    assert '<a href="#id_title">' in summary.group(1)
    field = re.search(r"<input[^>]*\bid=\"id_title\"[^>]*>", text).group(0)
    assert 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert "id_title_error" in described
    for element_id in described:  # every id the field points to exists on the page
        assert f'id="{element_id}"' in text
    assert 'class="field-error" id="id_title_error"' in text


def test_htmx_regions_are_live_regions_that_htmx_does_not_replace():
    """htmx swaps the status with outerHTML: the aria-live region around it stays, so the change is read out."""
    detail = (TEMPLATES / "documents" / "document_detail.html").read_text()
    assert (
        '<div class="live-region" aria-live="polite">{% include "documents/_document_status.html" %}</div>'
        in detail
    )
    batch = (TEMPLATES / "documents" / "batch_progress.html").read_text()
    assert (
        '<div class="live-region" aria-live="polite">{% include "documents/_batch_progress.html" %}</div>'
        in batch
    )
    cost = (TEMPLATES / "agreements" / "cost_page.html").read_text()
    assert '<div id="cost-result" aria-live="polite">' in cost


def test_print_style_sheet_is_linked_and_hides_the_chrome(client, db):
    text = client.get("/").text
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in text
    css = (ROOT / "static" / "css" / "print.css").read_text()
    assert ".site-header" in css and "display: none" in css

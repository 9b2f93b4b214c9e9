"""The checker itself can fail: a page made wider than the phone, an image without text and a console error
are each reported, with the page, the width and the rule (PageAudit in conftest.py)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 740}], ids=["375px"])
def test_the_audit_reports_scroll_axe_and_console_errors(audit):
    page = audit.page
    page.goto("/logga-in/")
    audit.check("clean")
    clean = list(audit.findings)

    # Script run by the test (not by the page): the CSP does not apply to it.
    page.evaluate(
        """() => {
          const wide = document.createElement('div');
          wide.id = 'too-wide';
          wide.style.width = '900px';
          wide.textContent = 'bred';
          document.querySelector('main').append(wide);
          const img = document.createElement('img');
          img.src = '/static/favicon.svg';
          img.id = 'no-alt';
          document.querySelector('main').append(img);
          console.error('ett fel i konsolen');
        }"""
    )
    audit.check("broken")
    found = [line for line in audit.findings if line not in clean]
    assert any(
        "[375px] broken /logga-in/: horizontal scroll, scrollWidth" in f and "div#too-wide" in f
        for f in found
    ), found
    assert any("axe image-alt (critical, 1 node(s))" in f and "#no-alt" in f for f in found), found
    assert any("console error on /logga-in/: ett fel i konsolen" in f for f in found), found
    with pytest.raises(AssertionError, match=r"finding\(s\)"):
        audit.assert_clean()

"""Every error a user can meet is a Swedish page with the right status: 400, 403 (with its reason, and for a
failed CSRF check), 404, 429 (a locked-out login, django-axes) and 500. Tests run with DEBUG off, like
`make run`."""

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.urls("tests.core.error_urls")

ENGLISH = ("Forbidden", "Not Found", "Bad Request", "Server Error", "Account locked", "CSRF verification")


def _swedish(response, *phrases):
    text = response.content.decode()
    assert '<html lang="sv">' in text
    for phrase in phrases:
        assert phrase in text, text[:2000]
    for word in ENGLISH:
        assert word not in text


def test_debug_is_off_in_tests():
    assert settings.DEBUG is False


def test_400_bad_request(client, db):
    response = client.get("/test/felaktig/")
    assert response.status_code == 400
    _swedish(response, "Felaktig begäran", "Begäran kunde inte tolkas.")


def test_400_for_an_unknown_host(client, db):
    response = client.get("/", HTTP_HOST="okand.example")
    assert response.status_code == 400
    _swedish(response, "Felaktig begäran")


def test_403_shows_the_reason(client, db):
    response = client.get("/test/nekad/")
    assert response.status_code == 403
    _swedish(response, "Åtkomst nekad", "Bara KSL:s handläggare får se kostnadsmodellen.")


def test_403_without_a_reason(client, db):
    response = client.get("/test/nekad-utan-skal/")
    assert response.status_code == 403
    _swedish(response, "Åtkomst nekad", "Du har inte behörighet till den här sidan.")


def test_403_of_a_real_page(client, outsider):
    client.force_login(outsider)
    response = client.get("/avtal/origo/kostnadsmodell/")
    assert response.status_code == 403
    _swedish(response, "Åtkomst nekad")


def test_403_for_a_failed_csrf_check(ksl_officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ksl_officer)
    response = client.post("/logga-ut/")
    assert response.status_code == 403
    _swedish(response, "Åtkomst nekad", "Ladda om sidan och försök igen.")


def test_404(client, db):
    response = client.get("/finns-inte/")
    assert response.status_code == 404
    _swedish(response, "Sidan finns inte")


def test_500(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test/trasig/")
    assert response.status_code == 500
    _swedish(response, "Något gick fel", "Felet är loggat.")


def test_429_after_too_many_failed_logins(client, ksl_officer):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/logga-in/", {"username": "ksl", "password": "fel-losenord"})
    assert response.status_code == 429
    _swedish(
        response, "Inloggningen är spärrad", "För många misslyckade inloggningar. Försök igen om 15 minuter."
    )
    # Locked even with the right password, until the cool-off has passed.
    response = client.post("/logga-in/", {"username": "ksl", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_message_in_minutes(rf, settings):
    from governance.core.views import lockout_message

    settings.AXES_COOLOFF_TIME = 1 / 60
    assert lockout_message(rf.get("/")) == "För många misslyckade inloggningar. Försök igen om 1 minut."
    settings.AXES_COOLOFF_TIME = None
    assert "Kontakta administratören" in lockout_message(rf.get("/"))


@pytest.mark.urls("governance.urls")
def test_a_form_address_opened_directly_leads_to_its_page(client, danderyd_clerk):
    """Reloading after a form error (the address bar shows the action) must not end on a blank 405."""
    from django.urls import reverse

    from governance.decisions.models import AdoptionCase

    case = AdoptionCase.objects.filter(organisation__municipality_code="0162").latest("pk")
    client.force_login(danderyd_clerk)
    response = client.get(reverse("decisions:case_action", args=[case.pk, "decision"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:case", args=[case.pk])


@pytest.mark.urls("governance.urls")
def test_a_405_without_a_page_above_is_swedish(client, db):
    response = client.get("/logga-ut/")  # POST only, and "/" is a page: the start page
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.put("/logga-ut/")
    assert response.status_code == 405 and "Allow" in response
    _swedish(response, "Sidan kan inte öppnas så")


@pytest.mark.urls("governance.urls")
def test_a_form_address_reloaded_goes_back_to_the_page_the_form_was_on(client, ksl_officer):
    from django.urls import reverse

    client.force_login(ksl_officer)
    page = reverse("decisions:compilation", args=["origo-remiss-2011"])
    action = reverse("documents:document_create")  # its page above would be read as a recommendation
    response = client.get(action, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302 and response["Location"] == page
    response = client.get(action, HTTP_REFERER="https://elsewhere.example/x/")
    assert response["Location"] != "https://elsewhere.example/x/"  # never off-site

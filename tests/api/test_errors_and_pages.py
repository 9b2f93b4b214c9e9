"""One error format for every error; bounded pages; the schema and the docs page under the CSP."""

import re

import pytest

from governance.api.exceptions import STABLE_CODES


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code and code in STABLE_CODES
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_401_without_credentials_and_with_a_wrong_token(api_as, client):
    body = _error(api_as(None).get("/api/v1/cases/"), 401, "not_authenticated")
    assert "Logga in" in body["message"]
    assert body["fields"] == {}
    _error(client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token fel"), 401, "authentication_failed")
    _error(client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Token a b"), 401, "authentication_failed")


def test_403_404_405(api_as, outsider, ksl_officer):
    body = _error(api_as(outsider).get("/api/v1/organisations/"), 403, "permission_denied")
    assert "samverkansparterna" in body["message"]  # Swedish, the page's own words
    _error(api_as(ksl_officer).get("/api/v1/cases/999999/"), 404, "not_found")
    _error(api_as(ksl_officer).post("/api/v1/cases/", {}), 405, "method_not_allowed")


def test_400_validation_names_the_fields(api_as, ksl_officer):
    body = _error(
        api_as(ksl_officer).get("/api/v1/agreements/origo/costs/?year=abc"), 400, "validation_error"
    )
    assert "year" in body["fields"]
    body = _error(api_as(ksl_officer).get("/api/v1/cases/?state=nonsense"), 400, "validation_error")
    assert "state" in body["fields"]


def test_400_for_a_body_that_cannot_be_parsed(api_as, danderyd_clerk):
    from governance.decisions.models import AdoptionCase

    case = AdoptionCase.objects.get(recommendation__slug="origo-2027", organisation__municipality_code="0162")
    response = api_as(danderyd_clerk).post(
        f"/api/v1/cases/{case.pk}/transitions/", data="{inte json", content_type="application/json"
    )
    _error(response, 400, "parse_error")
    response = api_as(danderyd_clerk).post(
        f"/api/v1/cases/{case.pk}/transitions/", data="x", content_type="text/plain"
    )
    _error(response, 415, "unsupported_media_type")


def test_429_when_throttled(api_as, ksl_officer, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    api = api_as(ksl_officer)
    assert api.get("/api/v1/organisations/").status_code == 200
    assert api.get("/api/v1/organisations/").status_code == 200
    response = api.get("/api/v1/organisations/")
    _error(response, 429, "throttled")
    assert "Retry-After" in response
    cache.clear()


def test_pages_are_bounded(api_as, ksl_officer):
    api = api_as(ksl_officer)
    first = api.get("/api/v1/cases/?page_size=10").json()
    assert len(first["results"]) == 10 and first["count"] > 10 and "page=2" in first["next"]
    everything = api.get("/api/v1/population/?page_size=100000").json()
    assert everything["count"] > 200  # 26 municipalities' figures over the years
    assert len(everything["results"]) == 200
    _error(api.get("/api/v1/cases/?page=9999"), 404, "not_found")


def test_the_schema_is_openapi_3_and_documents_the_error_format(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "Error" in schema["components"]["schemas"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    operation = schema["paths"]["/api/v1/cases/{id}/transitions/"]["post"]
    for code in ("400", "401", "403", "404", "409", "429"):
        assert operation["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/Error"
        )


def test_the_docs_page_needs_no_inline_or_external_script(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Content-Security-Policy" in page or "content-security-policy" in {k.lower() for k in page.headers}
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and "http://" not in html and "https://" not in html
    init = client.get("/api/v1/docs/?script=")
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in init.content.decode()


@pytest.mark.parametrize("name", ["swagger-ui-bundle.js", "swagger-ui.css"])
def test_the_swagger_assets_are_local_static_files(name):
    from django.contrib.staticfiles import finders

    assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}")


def test_an_id_filter_beyond_the_databases_integer_is_a_400_not_a_500(api_as, ksl_officer):
    """Review finding: ?organisation=99999999999999999999999 overflowed SQLite's INTEGER (a 500)."""
    answer = api_as(ksl_officer).get("/api/v1/cases/?organisation=99999999999999999999999")
    assert answer.status_code == 400
    assert answer.json()["code"] == "validation_error" and "organisation" in answer.json()["fields"]

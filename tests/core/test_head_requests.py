"""A finding of a new user's trial: HEAD is answered wherever GET is (browsers, link checkers and uptime
monitors send it), with the same status and headers and no body."""

from django.urls import reverse

from governance.decisions.models import AdoptionCase


def _pages():
    case = AdoptionCase.objects.filter(organisation__municipality_code="0162").latest("pk")
    return [
        "/",
        reverse("decisions:dashboard", args=[case.recommendation.slug]),
        reverse("decisions:case", args=[case.pk]),
    ]


def test_head_answers_like_get_without_a_body(client, ksl_officer):
    client.force_login(ksl_officer)
    for url in _pages():
        get = client.get(url)
        head = client.head(url)
        assert get.status_code == 200, url
        assert head.status_code == 200, (url, head.status_code)
        assert head.content == b"", url
        assert head["Content-Type"] == get["Content-Type"]


def test_head_as_anonymous_goes_to_login_like_get(client, db):
    for url in _pages()[1:]:  # the start page is public
        get = client.get(url)
        head = client.head(url)
        assert get.status_code == 302 and get["Location"].startswith(reverse("login")), url
        assert head.status_code == 302 and head["Location"] == get["Location"], url
    assert client.head("/").status_code == 200


def test_head_on_a_get_and_post_page(client, ksl_officer):
    client.force_login(ksl_officer)
    url = reverse("decisions:recommendation_create")
    assert client.get(url).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""


def test_no_view_allows_get_without_head():
    """Every view that answers GET answers HEAD: `require_safe`, never Django's GET-only `require_GET`."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "governance"
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "django.views.decorators.http import" in text and "require_GET" in text:
            offenders.append(str(path))
        if 'require_http_methods(["GET", "POST"])' in text:
            offenders.append(str(path))
    assert offenders == []

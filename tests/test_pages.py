"""Pages as users see them: status, content, side effects, and constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.agreements.models import CostModel, CostShare
from governance.core import calendar
from governance.core.models import AuditEvent


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries), response


def test_start_page_for_anonymous_and_for_a_clerk(client, danderyd_clerk):
    response = client.get("/")
    assert response.status_code == 200
    assert "Logga in" in response.text
    client.force_login(danderyd_clerk)
    response = client.get("/")
    # The share of the coming agreement (the demo round's, population of 31 December 2019).
    first = calendar.today().year + 1
    period = f"{first}–{first + 4}"
    assert f"Danderyds andel i Origo {period} är <strong>51\u00a0834\u00a0kr</strong>" in response.text
    assert "David Dahlgren" in response.text  # the contact person


def test_start_page_shows_ekero_split(client, ekero_clerk):
    client.force_login(ekero_clerk)
    text = client.get("/").text
    assert (
        "Socialnämnden 22\u00a0630\u00a0kr" in text
        and "Barn- och utbildningsnämnden 22\u00a0630\u00a0kr" in text
    )


def test_cost_page_shows_the_table_chart_and_downloads(ksl_client):
    count, response = _queries(
        ksl_client, reverse("agreements:costs", args=["origo"]) + "?year=2012&basis=2011-12-31"
    )
    text = response.text
    assert (
        "45\u00a0612\u00a0kr" in text
        and "36\u00a0960\u00a0kr" in text
        and "6\u00a0000\u00a0000\u00a0kr" in text
    )
    assert "<svg" in text and text.count('class="bar"') == 26
    assert "kostnader.csv?year=2012" in text
    assert count <= 12


def test_cost_page_query_count_does_not_grow_with_excluded_municipalities(ksl_client):
    url = reverse("agreements:costs", args=["origo"])
    one, _ = _queries(ksl_client, url + "?year=2013&exclude=0162")
    many, response = _queries(
        ksl_client, url + "?year=2013&exclude=0162&exclude=0125&exclude=0114&exclude=0180&mode=unfunded"
    )
    assert one == many
    assert "Ofinansierat" in response.text


def test_parties_list_query_count(ksl_client):
    count, response = _queries(ksl_client, reverse("parties:list"))
    assert "Danderyds kommun" in response.text and "31\u00a0799" not in response.text  # newest figure shown
    assert "32\u00a0857" in response.text  # Danderyd 2019-12-31
    assert count <= 5  # session, user, role check, the list


def test_agreement_list_and_party_detail(ksl_client):
    from governance.parties.models import Organisation

    assert "Origo 2016–2020" in ksl_client.get(reverse("agreements:list")).text
    danderyd = Organisation.objects.get(municipality_code="0162")
    text = ksl_client.get(reverse("parties:detail", args=[danderyd.pk])).text
    assert "Kontaktbank" in text and "Socialnämnden" in text and "31\u00a0799" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?year=abc", "Fyll i ett heltal"),
        ("?year=2013&basis=2001-12-31", "Folkmängd saknas den 31 december 2001"),
        ("?year=2013&exclude=0999", "Välj ett giltigt alternativ"),
        ("?year=2013&mode=bogus", "Välj ett giltigt alternativ"),
    ],
)
def test_cost_page_bad_input_is_a_400_with_a_swedish_message(ksl_client, query, message):
    response = ksl_client.get(reverse("agreements:costs", args=["origo"]) + query)
    assert response.status_code == 400
    assert message in response.text


def test_downloads(ksl_client):
    url = reverse("agreements:costs_csv", args=["origo"]) + "?year=2012&basis=2011-12-31"
    response = ksl_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "0162;Danderyd;;31799;45612" in response.content.decode("utf-8-sig")
    response = ksl_client.get(reverse("agreements:costs_xlsx", args=["origo"]) + "?year=2012")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    bad = ksl_client.get(reverse("agreements:costs_csv", args=["origo"]) + "?year=x")
    assert bad.status_code == 400
    assert bad.content.decode().startswith("Kostnadsår: ")  # the error names its field


def test_unknown_agreement_is_404(ksl_client):
    assert ksl_client.get(reverse("agreements:costs", args=["nope"])).status_code == 404


def _edit_data(cost_model, **overrides):
    data = {"annual_budget": "6500000", "basis_rule": "previous_year_end", "fixed_basis_date": ""}
    for share in cost_model.shares.all():
        data[f"share_{share.pk}"] = str(share.percent)
    data.update(overrides)
    return data


def test_host_admin_edits_the_cost_model_and_it_is_audited(client, host_admin):
    cost_model = CostModel.objects.get(agreement__slug="origo")
    client.force_login(host_admin)
    response = client.post(reverse("agreements:cost_model_edit", args=["origo"]), _edit_data(cost_model))
    assert response.status_code == 302
    cost_model.refresh_from_db()
    assert cost_model.annual_budget == 6_500_000 and cost_model.basis_rule == "previous_year_end"
    event = AuditEvent.objects.latest("id")
    assert event.action == "cost_model.updated" and event.actor_name == "Hanna Holm (admin)"
    assert event.payload["before"]["annual_budget"] == 6_000_000


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"annual_budget": "0"}, "Budgeten måste vara ett positivt belopp"),
        ({"annual_budget": "-100"}, "Budgeten måste vara ett positivt belopp"),
        ({"annual_budget": "sex miljoner"}, "Fyll i ett heltal"),
        ({"basis_rule": "fixed_date", "fixed_basis_date": ""}, "Ange det fasta datumet"),
        ("police_30", "Andelarna summerar till 105\u00a0%, inte 100 %"),
    ],
)
def test_bad_cost_model_input_is_refused_and_nothing_is_stored(client, host_admin, override, message):
    cost_model = CostModel.objects.get(agreement__slug="origo")
    if override == "police_30":
        police = CostShare.objects.get(cost_model=cost_model, organisation__kind="police")
        override = {f"share_{police.pk}": "30"}
    before = (AuditEvent.objects.count(), list(CostShare.objects.values_list("percent", flat=True)))
    client.force_login(host_admin)
    response = client.post(
        reverse("agreements:cost_model_edit", args=["origo"]), _edit_data(cost_model, **override)
    )
    assert response.status_code == 400
    assert message in response.text
    cost_model.refresh_from_db()
    assert cost_model.annual_budget == 6_000_000
    assert (AuditEvent.objects.count(), list(CostShare.objects.values_list("percent", flat=True))) == before


def test_cost_model_edit_is_for_host_admins_only(client, danderyd_clerk, ksl_officer):
    url = reverse("agreements:cost_model_edit", args=["origo"])
    assert client.get(url).status_code == 302  # to login
    for user in (danderyd_clerk, ksl_officer):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"annual_budget": "1"}).status_code == 403
    assert CostModel.objects.get(agreement__slug="origo").annual_budget == 6_000_000


def test_login_and_logout(client, db):
    from tests.conftest import DEMO_PASSWORD

    response = client.post(reverse("login"), {"username": "ksl", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Karin Lindqvist" in client.get("/").text
    response = client.post(reverse("login"), {"username": "ksl", "password": "fel"})
    assert response.status_code == 200 and "Fel användarnamn eller lösenord" in response.text


def test_health(client, db):
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_start_page_lists_the_users_roles_in_constant_queries(client, danderyd_clerk, outsider):
    client.force_login(danderyd_clerk)
    count, response = _queries(client, "/")
    assert "Kommunens handläggare, Danderyds kommun" in response.text
    assert "Kontaktperson, Danderyds kommun" in response.text
    # session, user, roles, cases, meetings, answers, grants, contacts, cost share, the clerk's organisations,
    # open consultations, the usual-chain link, demo meetings' answers (tests/home/ asserts the count is the
    # same for 1 and many cases)
    assert count <= 30
    client.force_login(outsider)
    assert "Du har ingen roll i samverkan ännu" in client.get("/").text


def test_admin_changes_are_audited(client, host_admin):
    from governance.parties.models import Organisation

    client.force_login(host_admin)
    danderyd = Organisation.objects.get(municipality_code="0162")
    url = reverse("admin:parties_organisation_change", args=[danderyd.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: (form.initial.get(name) if form.initial.get(name) is not None else "") for name in form.fields
    }
    data.update({"registration_number_pattern": "KS {year}-{n}", "is_host": ""})
    data.update(
        {
            "bodies-TOTAL_FORMS": "0",
            "bodies-INITIAL_FORMS": "0",
            "bodies-MIN_NUM_FORMS": "0",
            "bodies-MAX_NUM_FORMS": "1000",
        }
    )
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "admin.changed" and event.payload["fields"] == ["registration_number_pattern"]


def test_start_page_shows_what_is_theirs_to_do(client, chair, ksl_officer, danderyd_clerk):
    import datetime as dt

    from django.utils import timezone

    from governance.meetings import services
    from governance.meetings.models import CooperationBody

    day = calendar.today() + dt.timedelta(days=30)
    tz = timezone.get_current_timezone()
    for offset in range(3):
        start = dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(13), tzinfo=tz)
        services.meeting_create(
            acting_user=chair,
            body=CooperationBody.objects.get(slug="styrgrupp"),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )
    client.force_login(chair)
    count, response = _queries(client, "/")
    assert "Kommande möten" in response.text and "kallelsen ska gå ut senast" in response.text
    start = dt.datetime.combine(day + dt.timedelta(days=9), dt.time(13), tzinfo=tz)
    services.meeting_create(
        acting_user=chair,
        body=CooperationBody.objects.get(slug="styrgrupp"),
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    assert _queries(client, "/")[0] == count  # one more meeting, no more queries
    client.force_login(ksl_officer)
    text = client.get("/").text
    # The 2016 round is closed (its agreement ended in 2020): its waiting cases are not "overdue"; the
    # demo round's are, by days.
    assert "Rekommendationer med öppna ärenden" in text and "6 utan besked, omgången är avslutad" in text
    assert text.count("försenade") == 1 and "15 försenade" in text


def test_a_host_admin_cannot_raise_anyone_through_the_user_admin(client, host_admin):
    from django.contrib.auth.models import Permission

    client.force_login(host_admin)
    url = reverse("admin:auth_user_change", args=[host_admin.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert (
        "is_superuser" not in form.fields
        and "user_permissions" not in form.fields
        and "groups" not in form.fields
    )
    data = {
        name: (form.initial.get(name) if form.initial.get(name) is not None else "") for name in form.fields
    }
    data["user_permissions"] = [Permission.objects.get(codename="oversee_municipalities").pk]
    data["is_superuser"] = "on"
    client.post(url, data)
    host_admin.refresh_from_db()
    assert not host_admin.is_superuser and not host_admin.user_permissions.exists()


def test_the_start_page_links_the_cost_pages_only_for_people_of_the_parties(client, outsider, danderyd_clerk):
    link = reverse("agreements:costs", args=["origo-2016"])
    client.force_login(outsider)
    assert link not in client.get("/").text  # the page itself would answer 403
    client.force_login(danderyd_clerk)
    assert link in client.get("/").text


def test_rendered_pages_have_no_inline_style(client, ksl_officer, host_admin, chair, ekero_clerk):
    """The CSP (``style-src 'self'``) makes a browser ignore ``style="…"``: no page may rely on one.
    tests/core/test_site.py scans the template files; this checks what the pages render."""
    from governance.decisions.models import AdoptionCase
    from governance.meetings.models import CooperationBody, Meeting
    from governance.parties.models import Organisation

    ekero = Organisation.objects.get(municipality_code="0125")
    case = AdoptionCase.objects.get(recommendation__slug="origo-2016", organisation=ekero)
    body = CooperationBody.objects.first()
    pages = {
        ksl_officer: [
            "/",
            reverse("agreements:list"),
            reverse("agreements:costs", args=["origo"]) + "?year=2012",
            reverse("agreements:costs", args=["origo-2016"]) + "?year=2017&exclude=0162",
            reverse("parties:list"),
            reverse("parties:detail", args=[ekero.pk]),
            reverse("decisions:list"),
            reverse("decisions:dashboard", args=["origo-2016"]),
            reverse("decisions:compilation", args=["origo-remiss-2011"]),
            reverse("decisions:case", args=[case.pk]),
            reverse("meetings:body_list"),
            reverse("meetings:published_minutes"),
        ],
        ekero_clerk: [
            reverse("decisions:memo_form", args=[case.pk]),
            reverse("parties:contact_add", args=[ekero.pk]),
        ],
        host_admin: [
            reverse("documents:templates"),
            reverse("agreements:cost_model_edit", args=["origo"]),
        ],
        chair: [reverse("meetings:body_detail", args=[body.slug])]
        + [reverse("meetings:meeting", args=[m.pk]) for m in Meeting.objects.filter(body=body)[:3]],
        None: ["/", reverse("login"), "/finns-inte/"],
    }
    for user, urls in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in {200, 404}, (url, response.status_code)
            assert 'style="' not in response.text and "<style" not in response.text, url

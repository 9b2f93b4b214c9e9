"""Each resource shows exactly what its page shows, to whom the page shows it."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.decisions.models import AdoptionCase
from governance.meetings.models import Meeting


def _case(slug, code):
    return AdoptionCase.objects.get(recommendation__slug=slug, organisation__municipality_code=code)


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_danderyds_clerk_does_not_learn_of_ekeros_cases(api_as, danderyd_clerk):
    api = api_as(danderyd_clerk)
    ekero, danderyd = _case("origo-2027", "0125"), _case("origo-2027", "0162")
    listed = _ids(api.get("/api/v1/cases/?page_size=200"))
    assert danderyd.pk in listed and ekero.pk not in listed
    assert {row.organisation.municipality_code for row in AdoptionCase.objects.filter(pk__in=listed)} == {
        "0162"
    }
    assert api.get(f"/api/v1/cases/{ekero.pk}/").status_code == 404
    assert api.get(f"/api/v1/cases/{ekero.pk}/transitions/").status_code == 404
    assert api.get(f"/api/v1/cases/{danderyd.pk}/").status_code == 200


def test_ksl_reads_every_case_with_its_history_decisions_and_chain(api_as, ksl_officer):
    api = api_as(ksl_officer)
    assert api.get("/api/v1/cases/?page_size=1").json()["count"] == AdoptionCase.objects.count()
    case = _case("origo-2016", "0125")
    body = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert body["state"] == case.state and body["organisation"] == case.organisation_id
    assert body["history"] and {"occurred_at", "actor_name", "action", "label"} <= set(body["history"][0])
    assert len(body["decisions"]) == case.decisions.count() and body["steps"]
    filtered = api.get(f"/api/v1/cases/?state=ended&organisation={case.organisation_id}").json()
    assert {row["id"] for row in filtered["results"]} == set(
        AdoptionCase.objects.filter(state="ended", organisation=case.organisation).values_list(
            "pk", flat=True
        )
    )


def test_outsider_sees_nothing_and_anonymous_is_asked_to_authenticate(api_as, outsider):
    api = api_as(outsider)
    for url in ("/api/v1/organisations/", "/api/v1/bodies/", "/api/v1/population/", "/api/v1/agreements/"):
        assert api.get(url).status_code == 403, url
    for url in ("/api/v1/cases/", "/api/v1/meetings/", "/api/v1/cooperation-bodies/", "/api/v1/memberships/"):
        assert _ids(api.get(url)) == set(), url
    assert api.get(f"/api/v1/cases/{_case('origo-2027', '0125').pk}/").status_code == 404
    anonymous = api_as(None)
    for url in ("/api/v1/organisations/", "/api/v1/cases/", "/api/v1/meetings/"):
        assert anonymous.get(url).status_code == 401, url


def test_meetings_are_for_the_members_of_their_body(api_as, danderyd_clerk, chair):
    steering = Meeting.objects.filter(body__slug="styrgrupp").first()
    forum = Meeting.objects.filter(body__slug="referensforum").first()
    danderyd = api_as(danderyd_clerk)
    listed = _ids(danderyd.get("/api/v1/meetings/"))
    assert forum.pk in listed and steering.pk not in listed
    assert danderyd.get(f"/api/v1/meetings/{steering.pk}/").status_code == 403  # as the meeting page
    assert danderyd.get("/api/v1/cooperation-bodies/styrgrupp/").status_code == 403
    assert steering.pk in _ids(api_as(chair).get("/api/v1/meetings/"))
    items = api_as(chair).get("/api/v1/agenda-items/?page_size=200").json()["results"]
    assert {row["meeting"] for row in items} <= set(Meeting.objects.values_list("pk", flat=True))
    danderyd_items = {
        row["meeting"] for row in danderyd.get("/api/v1/agenda-items/?page_size=200").json()["results"]
    }
    assert steering.pk not in danderyd_items


def test_recommendation_drafts_are_ksls_own(api_as, ksl_officer, danderyd_clerk):
    from governance.decisions.models import Recommendation

    draft = Recommendation.objects.first()
    Recommendation.objects.filter(pk=draft.pk).update(sent_at=None)
    assert draft.slug in {
        r["slug"] for r in api_as(ksl_officer).get("/api/v1/recommendations/").json()["results"]
    }
    public = api_as(None).get("/api/v1/recommendations/").json()["results"]
    assert draft.slug not in {r["slug"] for r in public}
    assert api_as(danderyd_clerk).get(f"/api/v1/recommendations/{draft.slug}/").status_code == 404
    assert api_as(ksl_officer).get(f"/api/v1/recommendations/{draft.slug}/").status_code == 200


def test_cost_allocation_matches_the_seeds_and_validates_like_the_page(api_as, danderyd_clerk):
    api = api_as(danderyd_clerk)
    body = api.get("/api/v1/agreements/origo/costs/?year=2013").json()
    amounts = {line["code"]: line["amount"] for line in body["lines"]}
    assert amounts["0162"] == 45612 and amounts["0125"] == 36960  # Danderyd, Ekerö (DOMAIN.md)
    scenario = api.get("/api/v1/agreements/origo/costs/?year=2013&exclude=0125&mode=redistribute").json()
    assert scenario["excluded_codes"] == ["0125"]
    assert {line["code"]: line["amount"] for line in scenario["lines"]}["0162"] > 45612
    bad = api.get("/api/v1/agreements/origo/costs/?year=2013&exclude=9999&mode=nej")
    assert bad.status_code == 400 and {"exclude", "mode"} <= set(bad.json()["fields"])
    assert api.get("/api/v1/agreements/finns-inte/costs/").status_code == 404


def _ekero_document():
    from governance.documents.models import GeneratedDocument

    case = _case("origo-2016", "0125")
    document = GeneratedDocument(
        kind="memo",
        subject_key=f"case:{case.pk}",
        subject=case,
        version=99,
        request_key=uuid.uuid4(),
        status="done",
        created_by_name="System",
    )
    document.file.save("m.docx", ContentFile(b"PK docx"), save=False)
    document.save()
    return document


def test_documents_stream_with_the_page_downloads_permission(api_as, ekero_clerk, danderyd_clerk):
    document = _ekero_document()
    ekero = api_as(ekero_clerk)
    assert ekero.get(f"/api/v1/documents/{document.pk}/").json()["has_docx"] is True
    download = ekero.get(f"/api/v1/documents/{document.pk}/docx/", HTTP_ACCEPT="application/octet-stream")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"PK docx"
    assert "attachment" in download["Content-Disposition"]
    assert ekero.get(f"/api/v1/documents/{document.pk}/pdf/").status_code == 404  # no PDF made
    danderyd = api_as(danderyd_clerk)
    assert danderyd.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert danderyd.get(f"/api/v1/documents/{document.pk}/docx/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/organisations/",
        "/api/v1/population/",
        "/api/v1/meetings/",
        "/api/v1/memberships/",
        "/api/v1/agenda-items/",
        "/api/v1/recommendations/",
        "/api/v1/consultations/origo-remiss-2011/responses/",
        "/api/v1/minutes/",
    ],
)
def test_list_queries_do_not_grow_with_the_page(api_as, ksl_officer, url, django_assert_max_num_queries):
    api = api_as(ksl_officer)
    api.get(url)  # the token's last use is written once
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"{url}?page_size={size}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(12):
        api.get(f"{url}?page_size=200")


def test_minutes_are_for_members_until_published(api_as, ksl_officer, chair, danderyd_clerk):
    from governance.meetings.models import MinutesVersion

    unpublished = MinutesVersion.objects.exclude(meeting__state="published").filter(
        meeting__body__slug="styrgrupp"
    )
    assert unpublished.exists()
    for user in (ksl_officer, chair):
        assert set(unpublished.values_list("pk", flat=True)) <= _ids(api_as(user).get("/api/v1/minutes/"))
    assert not set(unpublished.values_list("pk", flat=True)) & _ids(
        api_as(danderyd_clerk).get("/api/v1/minutes/")
    )
    assert not set(unpublished.values_list("pk", flat=True)) & _ids(api_as(None).get("/api/v1/minutes/"))


def test_meetings_memberships_and_items_filter(api_as, chair):
    api = api_as(chair)
    steering = Meeting.objects.filter(body__slug="styrgrupp").first()
    meetings = api.get("/api/v1/meetings/?body=styrgrupp").json()["results"]
    assert meetings and {row["body"] for row in meetings} == {"styrgrupp"}
    seats = api.get("/api/v1/memberships/?body=referensforum").json()["results"]
    assert seats and {row["body"] for row in seats} == {"referensforum"}
    items = api.get(f"/api/v1/agenda-items/?meeting={steering.pk}").json()["results"]
    assert {row["meeting"] for row in items} <= {steering.pk}
    assert len(items) == steering.items.count()

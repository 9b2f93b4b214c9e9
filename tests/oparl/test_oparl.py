"""The public OParl 1.1 interface: object types and their required properties, the list format and its
filters, what must never leave (unpublished minutes, items of unpublished meetings, jäv, papers, e-mail
addresses and telephone numbers), anonymous access, JSON errors and bounded queries."""

import datetime as dt
import json
import re
import zoneinfo
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from governance.agreements.models import Agreement
from governance.core import calendar
from governance.decisions import services as decision_services
from governance.decisions.models import Recommendation
from governance.meetings import services
from governance.meetings.models import AgendaItem, CooperationBody, Meeting, Membership, MinutesVersion
from governance.parties.models import Organisation, Person
from tests.meetings.helpers import decide_standard_items, notice_delivered

TZ = zoneinfo.ZoneInfo("Europe/Stockholm")
SCHEMA = "https://schema.oparl.org/1.1/"
BASE = settings.SITE_URL.rstrip("/")

#: The properties OParl 1.1 makes mandatory ("ZWINGEND") for each type, plus the time stamps this
#: interface promises on every object it stores (System has none of its own).
REQUIRED = {
    "System": {"id", "type", "oparlVersion", "body"},
    "Body": {"id", "type", "name", "organization", "person", "meeting", "paper", "legislativeTerm"},
    "Organization": {"id", "type", "body", "name", "created", "modified"},
    "Person": {"id", "type", "body", "name", "created", "modified"},
    "Membership": {"id", "type", "organization", "startDate", "created", "modified"},
    "Meeting": {"id", "type", "name", "start", "end", "organization", "created", "modified"},
    "AgendaItem": {"id", "type", "order", "name", "created", "modified"},
    "File": {"id", "type", "accessUrl", "created", "modified"},
    "Paper": {"id", "type", "body", "name", "created", "modified"},
}
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


def _at(day: dt.date, hour=13):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _meeting(steering, chair, days):
    day = calendar.today() + dt.timedelta(days=days)
    return services.meeting_create(
        acting_user=chair, body=steering, starts_at=_at(day), ends_at=_at(day, 15), place="Stadshuset"
    )


def _members(steering, on):
    return {
        m.person.full_name: m
        for m in Membership.objects.active(on).filter(body=steering).select_related("person")
    }


def _held_and_drafted(meeting, chair, steering, *, title, outcome, conflict=False):
    """Hold the meeting (moved into the past), record one decision and draw up the minutes."""
    item = services.agenda_item_add(acting_user=chair, meeting=meeting, title=title, kind="decision")
    item.paper_name = "hemlig-bilaga.pdf"
    item.paper.save("hemlig-bilaga.pdf", ContentFile(b"%PDF-1.4"), save=True)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=meeting.starts_at - dt.timedelta(days=80), ends_at=meeting.ends_at - dt.timedelta(days=80)
    )
    meeting.refresh_from_db()
    members = _members(steering, meeting.date)
    statuses = {
        m.pk: ("present", None) for m in members.values() if m.role in ("chair", "member", "secretary")
    }
    services.attendance_record(acting_user=chair, meeting=meeting, statuses=statuses)
    meeting = services.meeting_hold(acting_user=chair, meeting=meeting)
    services.item_outcome_record(
        acting_user=chair,
        item=item,
        outcome=outcome,
        conflicts=[members["Karin Lindqvist"].pk] if conflict else None,
    )
    decide_standard_items(chair, meeting)
    checkers = [members["Mikael Berg"].pk, members["Karin Lindqvist"].pk]
    meeting = services.minutes_draft(acting_user=chair, meeting=meeting, checker_ids=checkers)
    return meeting, AgendaItem.objects.get(pk=item.pk)


@pytest.fixture
def published(steering, chair, member, ksl_officer):
    """A steering-group meeting whose minutes are justerade and published, with a jäv and an uploaded paper."""
    meeting = _meeting(steering, chair, 40)
    meeting, item = _held_and_drafted(
        meeting,
        chair,
        steering,
        title="Budget 2027",
        outcome="Styrgruppen beslutar att fastställa budgeten.",
        conflict=True,
    )
    for user in (chair, member, ksl_officer):
        services.minutes_approve(acting_user=user, meeting=meeting)
    meeting = services.minutes_publish(acting_user=chair, meeting=Meeting.objects.get(pk=meeting.pk))
    assert meeting.state == "published"
    return meeting, item


@pytest.fixture
def unpublished(steering, chair):
    """A meeting whose minutes are drawn up but not justerade: the meeting is public, nothing of its minutes."""
    meeting = _meeting(steering, chair, 45)
    meeting, item = _held_and_drafted(
        meeting,
        chair,
        steering,
        title="Hemligt ärende om lokalerna",
        outcome="Styrgruppen beslutar att hyra.",
    )
    assert meeting.state == "minutes_drafted" and MinutesVersion.objects.filter(meeting=meeting).exists()
    return meeting, item


def _get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _crawl(client) -> dict[str, dict]:
    """Every object reachable from the System object, following every URL of the interface (and every page of
    every list); returns the objects by id. Anonymous, as any client on the internet."""
    seen_pages, objects, queue = set(), {}, [f"{BASE}/oparl/v1/"]
    while queue:
        url = queue.pop()
        if url in seen_pages:
            continue
        seen_pages.add(url)
        data = _get(client, _path(url))
        found = data.get("data", [data])
        if "links" in data and "next" in data["links"]:
            queue.append(data["links"]["next"])
        for obj in found:
            _walk(obj, objects, queue)
    return objects


def _walk(obj, objects, queue):
    if isinstance(obj, dict):
        if "type" in obj and "id" in obj:
            objects.setdefault(obj["id"], obj)
        for key, value in obj.items():
            if key in (
                "id",
                "accessUrl",
                "downloadUrl",
                "externalServiceUrl",
                "website",
                "product",
                "oparlVersion",
            ):
                continue
            _walk(value, objects, queue)
    elif isinstance(obj, list):
        for value in obj:
            _walk(value, objects, queue)
    elif isinstance(obj, str) and obj.startswith(f"{BASE}/oparl/v1/"):
        queue.append(obj)


def test_the_system_object_and_its_body(client, db):
    system = _get(client, "/oparl/v1/")
    assert REQUIRED["System"] <= system.keys()
    assert system["type"] == f"{SCHEMA}System" and system["oparlVersion"] == SCHEMA
    assert system["id"] == f"{BASE}/oparl/v1/"
    assert system["contactName"] == "Stockholms stad"
    bodies = _get(client, _path(system["body"]))
    assert [b["type"] for b in bodies["data"]] == [f"{SCHEMA}Body"]
    body = bodies["data"][0]
    assert REQUIRED["Body"] <= body.keys() and body["name"] == "Origo samverkan"
    assert body["legislativeTerm"] == []
    assert _get(client, _path(body["id"])) == body
    papers = _get(client, _path(body["paper"]))["data"]
    assert {p["name"] for p in papers} == set(
        Recommendation.objects.filter(sent_at__isnull=False).values_list("title", flat=True)
    )


def test_every_object_has_its_type_required_properties_and_resolves(client, published, unpublished):
    objects = _crawl(client)
    types = {obj["type"].removeprefix(SCHEMA) for obj in objects.values()}
    assert {
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "File",
    } <= types
    for object_id, obj in objects.items():
        kind = obj["type"].removeprefix(SCHEMA)
        assert obj["type"].startswith(SCHEMA)
        required = {"id", "type", "created", "modified"} if obj.get("deleted") else REQUIRED[kind]
        missing = required - obj.keys()
        assert not missing, (object_id, missing)
        for key in ("created", "modified", "start", "end"):
            if key in obj:
                assert DATE_TIME.match(obj[key]), (object_id, key, obj[key])
        if "created" in obj:
            assert obj["created"] <= obj["modified"]
        # Ids are absolute URLs that answer with the same object (embedded ones too).
        standalone = _get(client, _path(object_id))
        assert standalone["id"] == object_id and standalone["type"] == obj["type"]


def test_published_minutes_show_items_decisions_and_the_protocol(client, published):
    meeting, item = published
    data = _get(client, f"/oparl/v1/meeting/{meeting.pk}/")
    assert data["meetingState"] == "Publicerat"
    assert data["organization"] == [f"{BASE}/oparl/v1/organization/{meeting.body_id}/"]
    budget = next(i for i in data["agendaItem"] if i["name"] == "Budget 2027")
    assert budget["number"] == f"§ {item.paragraph}" and budget["public"] is True
    assert budget["resolutionText"] == "Styrgruppen beslutar att fastställa budgeten."
    assert [i["order"] for i in data["agendaItem"]] == sorted(i["order"] for i in data["agendaItem"])
    protocol = data["resultsProtocol"]
    assert protocol["type"] == f"{SCHEMA}File" and protocol["mimeType"].endswith("document")
    assert protocol["accessUrl"] == BASE + reverse(
        "meetings:minutes_docx", kwargs={"pk": meeting.pk, "version": 1}
    )
    # The file is really served to anyone: the address in the File object downloads the justerade protocol.
    download = client.get(_path(protocol["accessUrl"]))
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"
    present = {p for p in data["participant"]}
    chair_person = Person.objects.get(user__username="ordforande")
    assert f"{BASE}/oparl/v1/person/{chair_person.pk}/" in present
    standalone = _get(client, f"/oparl/v1/agendaItem/{item.pk}/")
    assert standalone["meeting"] == data["id"] and standalone["resolutionText"] == budget["resolutionText"]


def test_nothing_unpublished_or_confidential_leaves(client, published, unpublished):
    secret_meeting, secret_item = unpublished
    _open_meeting, open_item = published
    karin = Person.objects.get(user__username="ksl")
    Person.objects.filter(pk=karin.pk).update(email="karin.hemlig@example.se", phone="08-123 456 78")
    objects = _crawl(client)
    text = json.dumps(objects, ensure_ascii=False)
    # The meeting with drafted minutes is public as a meeting, but neither its items nor its minutes are.
    meeting = _get(client, f"/oparl/v1/meeting/{secret_meeting.pk}/")
    assert meeting["meetingState"] == "Protokoll upprättat"
    assert "agendaItem" not in meeting and "resultsProtocol" not in meeting and "participant" not in meeting
    assert "Hemligt ärende" not in text and "hyra" not in text
    _get(client, f"/oparl/v1/agendaItem/{secret_item.pk}/", status=404)
    unpublished_version = MinutesVersion.objects.get(meeting=secret_meeting)
    _get(client, f"/oparl/v1/file/{unpublished_version.pk}/", status=404)
    assert f"/organ/moten/{secret_meeting.pk}/protokoll/" not in text
    # Of the published meeting: no jäv, no uploaded paper, no video link, no place; no contact data anywhere.
    assert "Jäv" not in text and "jäv" not in text.lower()
    assert "hemlig-bilaga" not in text and "/organ/handling/" not in text
    assert "karin.hemlig@example.se" not in text and "123 456" not in text and "@" not in text
    assert karin.title and karin.title not in text
    assert "Stadshuset" not in text
    person = _get(client, f"/oparl/v1/person/{karin.pk}/")
    assert set(person) <= {
        "id",
        "type",
        "body",
        "name",
        "givenName",
        "familyName",
        "membership",
        "created",
        "modified",
    }
    # A planned meeting (a draft) is not there at all.
    planned = Meeting.objects.filter(state="planned").first()
    assert planned is not None
    _get(client, f"/oparl/v1/meeting/{planned.pk}/", status=404)
    assert f"/oparl/v1/meeting/{planned.pk}/" not in text
    assert f"/oparl/v1/agendaItem/{open_item.pk}/" in text


def test_a_corrected_protocol_leaves_the_public_part_until_published_again(
    client, published, chair, member, ksl_officer
):
    meeting, item = published
    first = MinutesVersion.objects.get(meeting=meeting, version=1)
    before = _get(client, f"/oparl/v1/file/{first.pk}/")
    assert before["accessUrl"] and "deleted" not in before
    since = timezone.now()
    services.minutes_correct(acting_user=chair, meeting=meeting, reason="Fel datum i § 3.")
    data = _get(client, f"/oparl/v1/meeting/{meeting.pk}/")
    assert "agendaItem" not in data and "resultsProtocol" not in data
    assert data["meetingState"] == "Protokoll upprättat"
    _get(client, f"/oparl/v1/agendaItem/{item.pk}/", status=404)
    # The File does not vanish (OParl): it is deleted, keeps id, type and created, and is found as changed.
    deleted = _get(client, f"/oparl/v1/file/{first.pk}/")
    assert deleted == {
        "id": before["id"],
        "type": f"{SCHEMA}File",
        "created": before["created"],
        "modified": deleted["modified"],
        "deleted": True,
    }
    assert deleted["modified"] >= before["modified"]
    changed = client.get("/oparl/v1/body/samverkan/file/", {"modified_since": since.isoformat()}).json()
    assert changed["data"] == [deleted]
    meetings = client.get("/oparl/v1/body/samverkan/meeting/", {"modified_since": since.isoformat()}).json()
    assert data["id"] in [m["id"] for m in meetings["data"]]
    assert client.get(_path(before["accessUrl"])).status_code == 404  # the download agrees

    # Justerad and published again: both versions are public, the newest is the protocol.
    meeting = Meeting.objects.get(pk=meeting.pk)
    for user in (chair, member, ksl_officer):
        services.minutes_approve(acting_user=user, meeting=meeting)
    services.minutes_publish(acting_user=chair, meeting=Meeting.objects.get(pk=meeting.pk))
    data = _get(client, f"/oparl/v1/meeting/{meeting.pk}/")
    assert data["resultsProtocol"]["name"].endswith("version 2")
    assert [f["id"] for f in data["auxiliaryFile"]] == [before["id"]]
    again = _get(client, f"/oparl/v1/file/{first.pk}/")
    assert "deleted" not in again and again["modified"] >= deleted["modified"]


def test_invented_meetings_and_papers_say_so(client, db):
    demo = Meeting.objects.filter(is_demo_data=True, state="minutes_drafted").first()
    assert demo is not None
    assert _get(client, f"/oparl/v1/meeting/{demo.pk}/")["keyword"] == ["Demodata"]
    real = Recommendation.objects.get(slug="origo-2016")
    assert "keyword" not in _get(client, f"/oparl/v1/paper/{real.pk}/")


def test_an_announced_meeting_stays_when_postponed(client, steering, chair):
    meeting = notice_delivered(chair, _meeting(steering, chair, 30))
    assert _get(client, f"/oparl/v1/meeting/{meeting.pk}/")["meetingState"] == "Kallelse skickad"
    services.meeting_postpone(acting_user=chair, meeting=meeting, reason="Ordföranden är sjuk.")
    data = _get(client, f"/oparl/v1/meeting/{meeting.pk}/")
    assert data["meetingState"] == "Uppskjutet" and "cancelled" not in data
    cancelled = notice_delivered(chair, _meeting(steering, chair, 33))
    services.meeting_cancel(acting_user=chair, meeting=cancelled, reason="Inga ärenden.")
    assert _get(client, f"/oparl/v1/meeting/{cancelled.pk}/")["cancelled"] is True
    never_announced = _meeting(steering, chair, 36)
    services.meeting_cancel(acting_user=chair, meeting=never_announced, reason="Inga ärenden.")
    _get(client, f"/oparl/v1/meeting/{never_announced.pk}/", status=404)


def test_members_by_name_with_their_memberships(client, steering):
    data = _get(client, "/oparl/v1/body/samverkan/person/?elementsPerPage=100")
    names = {p["name"] for p in data["data"]}
    assert {"Sara Stålhammar", "Mikael Berg", "Tove Svensson"} <= names
    assert "Olle Öst" not in names  # a person without a seat is nobody's business here
    sara = next(p for p in data["data"] if p["name"] == "Sara Stålhammar")
    roles = {(m["organization"], m["role"], m["votingRight"]) for m in sara["membership"]}
    assert (f"{BASE}/oparl/v1/organization/{steering.pk}/", "Ordförande", True) in roles
    mikael = next(p for p in data["data"] if p["name"] == "Mikael Berg")
    botkyrka = _get(client, _path(mikael["membership"][0]["onBehalfOf"]))
    assert botkyrka["type"] == f"{SCHEMA}Organization" and botkyrka["name"] == "Botkyrka kommun"
    assert botkyrka["classification"] == "Kommun" and botkyrka["organizationType"] == "Samverkanspart"
    unrepresented = Organisation.objects.filter(seats__isnull=True).first()
    _get(client, f"/oparl/v1/organization/party-{unrepresented.pk}/", status=404)
    organization = _get(client, f"/oparl/v1/organization/{steering.pk}/")
    assert organization["name"] == "Styrgruppen för Origo" and organization["classification"] == "Styrgrupp"
    assert len(organization["membership"]) == Membership.objects.filter(body=steering).count()
    meetings = _get(client, _path(organization["meeting"]))
    assert all(m["organization"] == [organization["id"]] for m in meetings["data"])


def test_lists_are_paged_with_next_links_and_keep_their_filters(client, db):
    total = Person.objects.filter(memberships__isnull=False).distinct().count()
    assert total > 5
    first = _get(client, "/oparl/v1/body/samverkan/person/?elementsPerPage=5")
    assert first["pagination"] == {
        "totalElements": total,
        "elementsPerPage": 5,
        "currentPage": 1,
        "totalPages": -(-total // 5),
    }
    assert "prev" not in first["links"]
    seen, page = [], first
    while True:
        seen += [p["id"] for p in page["data"]]
        assert len(page["data"]) <= 5
        if "next" not in page["links"]:
            break
        assert "elementsPerPage=5" in page["links"]["next"]
        page = _get(client, _path(page["links"]["next"]))
    assert len(seen) == len(set(seen)) == total
    assert page["links"]["self"] == page["links"]["last"]
    # The page size is bounded whatever the client asks.
    assert (
        _get(client, "/oparl/v1/body/samverkan/person/?elementsPerPage=100000")["pagination"][
            "elementsPerPage"
        ]
        == 100
    )


def test_created_and_modified_filters(client, published):
    meeting, item = published
    data = _get(client, f"/oparl/v1/meeting/{meeting.pk}/")
    modified = dt.datetime.fromisoformat(data["modified"])
    since = (modified - dt.timedelta(seconds=1)).isoformat()
    later = (modified + dt.timedelta(hours=1)).isoformat()
    recent = client.get("/oparl/v1/body/samverkan/meeting/", {"modified_since": since}).json()
    assert data["id"] in [m["id"] for m in recent["data"]]
    assert client.get("/oparl/v1/body/samverkan/meeting/", {"modified_since": later}).json()["data"] == []
    until = client.get("/oparl/v1/body/samverkan/meeting/", {"created_until": since}).json()
    assert all(m["created"] <= data["modified"] for m in until["data"])
    # Filters are kept in the page links.
    links = client.get(
        "/oparl/v1/body/samverkan/person/",
        {"modified_since": "2000-01-01T00:00:00+01:00", "elementsPerPage": 2},
    ).json()["links"]
    assert "modified_since=2000-01-01T00%3A00%3A00%2B01%3A00" in links["next"]
    # An item published just now is found by its modified time (the meeting's publication counts).
    items = client.get("/oparl/v1/body/samverkan/agendaItem/", {"modified_since": since}).json()
    assert f"{BASE}/oparl/v1/agendaItem/{item.pk}/" in [i["id"] for i in items["data"]]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/oparl/v1/meeting/999999/", 404, "not_found"),
        ("/oparl/v1/person/999999/", 404, "not_found"),
        ("/oparl/v1/file/999999/", 404, "not_found"),
        ("/oparl/v1/organization/999999/meeting/", 404, "not_found"),
        ("/oparl/v1/body/annan/", 404, "not_found"),
        ("/oparl/v1/body/annan/meeting/", 404, "not_found"),
        ("/oparl/v1/body/samverkan/person/?page=999", 404, "page_not_found"),
        ("/oparl/v1/body/samverkan/person/?page=0", 400, "bad_request"),
        ("/oparl/v1/body/samverkan/person/?page=x", 400, "bad_request"),
        ("/oparl/v1/body/samverkan/person/?elementsPerPage=-1", 400, "bad_request"),
        ("/oparl/v1/body/samverkan/meeting/?created_since=igår", 400, "bad_request"),
        ("/oparl/v1/body/samverkan/meeting/?modified_until=2026-13-40T00:00:00", 400, "bad_request"),
        ("/oparl/v1/body/samverkan/meeting/?modified_since=" + "9" * 500, 400, "bad_request"),
    ],
)
def test_errors_are_json_with_a_swedish_message(client, db, url, status, code):
    data = _get(client, url, status=status)
    assert data["code"] == code and data["message"]


def test_read_only_anonymous_and_no_session(client, db):
    response = client.post("/oparl/v1/body/samverkan/meeting/", {})
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"
    response = client.get("/oparl/v1/")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "sessionid" not in response.cookies


def test_lists_need_a_fixed_number_of_queries(client, published, unpublished, django_assert_max_num_queries):
    for kind in ("organization", "person", "membership", "meeting", "agendaItem", "file", "paper"):
        with django_assert_max_num_queries(5):
            data = _get(client, f"/oparl/v1/body/samverkan/{kind}/?elementsPerPage=100")
        assert data["data"], kind
    persons = Person.objects.filter(memberships__isnull=False).distinct().count()
    assert persons > 10  # the bound holds for many rows, not only for one
    with django_assert_max_num_queries(4):
        _get(client, f"/oparl/v1/meeting/{published[0].pk}/")


def test_sent_recommendations_are_papers_and_drafts_are_not(client, db):
    sent = Recommendation.objects.get(slug="origo-2016")
    draft = decision_services.recommendation_create(
        acting_user=None,
        slug="oparl-utkast",
        title="Hemligt utkast till rekommendation",
        board_decision_date=dt.date(2026, 1, 1),
        agreement=Agreement.objects.get(slug="origo-2016"),
        answer_deadline=dt.date(2030, 1, 1),
        decision_points="att ansluta sig",
        recipients=list(Organisation.objects.filter(municipality_code__in=["0162", "0125"])),
    )
    paper = _get(client, f"/oparl/v1/paper/{sent.pk}/")
    assert paper["type"] == f"{SCHEMA}Paper" and paper["name"] == sent.title
    assert paper["paperType"] == "Rekommendation" and paper["date"] == sent.board_decision_date.isoformat()
    assert paper.get("reference", "") == sent.registration_number
    _get(client, f"/oparl/v1/paper/{draft.pk}/", status=404)
    listed = _get(client, "/oparl/v1/body/samverkan/paper/?elementsPerPage=100")
    assert "Hemligt utkast" not in json.dumps(listed, ensure_ascii=False)


def test_an_ended_term_changes_the_membership_its_body_and_its_person(client, steering):
    membership = (
        Membership.objects.filter(body=steering, valid_to__isnull=True).select_related("person").first()
    )
    before = {
        path: _get(client, path)["modified"]
        for path in (
            f"/oparl/v1/membership/{membership.pk}/",
            f"/oparl/v1/organization/{steering.pk}/",
            f"/oparl/v1/person/{membership.person_id}/",
        )
    }
    since = timezone.now()
    services.membership_end(acting_user=None, membership=membership, valid_to=calendar.today())
    for path, modified in before.items():
        data = _get(client, path)
        assert data["modified"] >= modified, path  # whole seconds: the filter below is exact
        assert data["created"] <= data["modified"]
    ended = _get(client, f"/oparl/v1/membership/{membership.pk}/")
    assert ended["endDate"] == calendar.today().isoformat()
    changed = client.get(
        "/oparl/v1/body/samverkan/membership/", {"modified_since": since.isoformat(), "elementsPerPage": 100}
    ).json()
    assert [m["id"] for m in changed["data"]] == [ended["id"]]
    people = client.get("/oparl/v1/body/samverkan/person/", {"modified_since": since.isoformat()}).json()
    assert [p["id"] for p in people["data"]] == [f"{BASE}/oparl/v1/person/{membership.person_id}/"]


def test_the_organization_list_pages_over_bodies_then_parties(client, db):
    bodies = CooperationBody.objects.count()
    parties = Organisation.objects.filter(seats__isnull=False).distinct().count()
    url, seen = "/oparl/v1/body/samverkan/organization/?elementsPerPage=3", []
    while url:
        page = _get(client, url)
        assert len(page["data"]) <= 3 and page["pagination"]["totalElements"] == bodies + parties
        seen += [o["id"] for o in page["data"]]
        url = _path(page["links"]["next"]) if "next" in page["links"] else None
    assert len(seen) == len(set(seen)) == bodies + parties
    assert [o for o in seen if "/party-" not in o] == seen[:bodies]


@pytest.mark.parametrize(
    "query",
    [
        "page=²",
        "elementsPerPage=²",
        "modified_since=9999-12-31T23:59:59-05:00",
        "created_until=0001-01-01T00:00:00",
    ],
)
def test_odd_digits_and_dates_out_of_range_are_a_json_400(db, client, query):
    """Review finding: these were 500s (int("²"), a datetime overflow on SQLite)."""
    answer = client.get(f"/oparl/v1/body/samverkan/meeting/?{query}")
    assert answer.status_code == 400
    assert answer.json()["code"]


def test_an_unknown_address_is_a_json_404(db, client):
    answer = client.get("/oparl/v1/body/samverkan/nothing-here/")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("application/json")

"""The one search: what it finds, for whom, and that hostile queries never fail."""

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions import services as decision_services
from governance.decisions.models import AdoptionCase
from governance.diary.models import DiaryEntry
from governance.meetings import services as meeting_services
from governance.meetings.models import CooperationBody
from governance.parties.models import Organisation
from governance.search import queries
from governance.search.choices import Audience, EntryKind, SearchAction
from governance.search.models import SearchEntry
from governance.search.services import entries_refresh, search_index_rebuild

pytestmark = pytest.mark.django_db
URL = reverse("search:results")
TZ = zoneinfo.ZoneInfo("Europe/Stockholm")
DANDERYD = "0162"


def _danderyd_case_urls() -> set[str]:
    return {
        reverse("decisions:case", args=[pk])
        for pk in AdoptionCase.objects.filter(organisation__municipality_code=DANDERYD).values_list(
            "pk", flat=True
        )
    }


def _found(client, user, text: str) -> list:
    client.force_login(user)
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    return list(response.context["page"].paginator.object_list) if response.context["page"] else []


def test_ksl_finds_the_danderyd_case_by_danderyd_origo(client, ksl_officer):
    found = _found(client, ksl_officer, "Danderyd Origo")
    cases = [entry for entry in found if entry.kind == EntryKind.CASE]
    assert cases and {entry.url for entry in cases} <= _danderyd_case_urls()
    response = client.get(URL, {"q": "Danderyd Origo"})
    assert cases[0].url in response.content.decode()


def test_danderyds_clerk_finds_it_and_ekeros_clerk_does_not(client, danderyd_clerk, ekero_clerk):
    danderyd = {entry.url for entry in _found(client, danderyd_clerk, "Danderyd Origo")}
    assert danderyd & _danderyd_case_urls()
    ekero = _found(client, ekero_clerk, "Danderyd Origo")
    assert not {entry.url for entry in ekero} & _danderyd_case_urls()
    assert not [entry for entry in ekero if entry.audience == Audience.ORGANISATION]
    page = client.get(URL, {"q": "Danderyd Origo"}).content.decode()
    for url in _danderyd_case_urls():
        assert f'href="{url}"' not in page


def test_every_word_must_match(ksl_officer):
    both = queries.search(ksl_officer, "Danderyd Origo")
    assert both.exists()
    assert not queries.search(ksl_officer, "Danderyd Origo zzqxnonsense").exists()
    assert queries.search(ksl_officer, "Origo").count() > both.count()


def test_outsiders_and_anonymous_cannot_search(client, outsider):
    assert client.get(URL, {"q": "Origo"}).status_code == 302
    client.force_login(outsider)
    assert client.get(URL, {"q": "Origo"}).status_code == 403
    assert not queries.search(outsider, "Origo").exists()


def test_a_secret_diary_entry_is_found_by_its_real_title_only_by_registrars(ekero_clerk, danderyd_clerk):
    entry = DiaryEntry.objects.filter(secrecy="").select_related("case__series__organisation").first()
    organisation = entry.case.series.organisation
    entry.title = "Hemlig zebrafinkrapport"
    entry.public_title = "Handling med sekretess"
    entry.secrecy = "OSL 26 kap. 1 §"
    entry.save()
    entries_refresh(source="diary.diaryentry", object_id=entry.pk)
    registrar = ekero_clerk if organisation.municipality_code == "0125" else None
    if organisation.municipality_code == DANDERYD:
        registrar = danderyd_clerk
    others = [user for user in (ekero_clerk, danderyd_clerk) if user is not registrar]
    for user in others:
        assert not queries.search(user, "zebrafinkrapport").exists()
        assert queries.search(user, "Handling sekretess").filter(url__contains=f"/{entry.pk}/").exists()
    if registrar is not None:
        assert queries.search(registrar, "zebrafinkrapport").exists()


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        '"Origo',
        "Origo*",
        "*",
        "NEAR(Origo Danderyd)",
        "Origo NEAR Danderyd",
        "-Origo",
        "title:Origo",
        "Origo OR Danderyd AND NOT x",
        "^Origo",
        "(((",
        "'; DROP TABLE search_searchentry; --",
        "Ö å ä \u202e \U0001f600",
        "a" * 200,
    ],
)
def test_hostile_queries_never_fail(client, ksl_officer, text):
    client.force_login(ksl_officer)
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    assert SearchEntry.objects.exists()


def test_a_query_over_200_characters_is_refused_in_swedish(client, ksl_officer):
    client.force_login(ksl_officer)
    response = client.get(URL, {"q": "Origo " * 1700})  # 10 200 characters
    assert response.status_code == 400
    assert "högst 200 tecken" in response.content.decode()
    assert response.context["page"] is None


def test_pages_of_twenty(client, ksl_officer):
    client.force_login(ksl_officer)
    first = client.get(URL, {"q": "Origo"}).context["page"]
    second = client.get(URL, {"q": "Origo", "sida": 2}).context["page"]
    assert len(first.object_list) == 20 and second.number == 2
    assert not {entry.pk for entry in first.object_list} & {entry.pk for entry in second.object_list}
    for junk in ("x", "-1", "99999", "1" * 50):
        assert client.get(URL, {"q": "Origo", "sida": junk}).status_code == 200


def test_a_null_character_is_refused_not_searched(client, ksl_officer):
    client.force_login(ksl_officer)
    assert client.get(URL, {"q": "Origo\u0000"}).status_code == 400


def test_an_empty_query_shows_the_form(client, ksl_officer):
    client.force_login(ksl_officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'for="id_q"' in response.content.decode()
    assert client.get(URL, {"q": "   "}).status_code == 200


def _zebra_case(ksl_officer) -> AdoptionCase:
    from governance.agreements.models import Agreement

    decision_services.recommendation_create_and_send(
        acting_user=ksl_officer,
        title="Rekommendation om zebrafinkcentret",
        board_decision_date=calendar.today(),
        registration_number="KSL/26/0099",
        agreement=Agreement.objects.get(slug="origo-2016"),
        answer_deadline=calendar.today() + dt.timedelta(days=60),
        decision_points="att ansluta sig",
        recipients=[Organisation.objects.get(municipality_code=DANDERYD)],
    )
    return AdoptionCase.objects.get(recommendation__title="Rekommendation om zebrafinkcentret")


def test_a_new_case_becomes_findable_when_the_recommendation_is_sent(
    ksl_officer, danderyd_clerk, ekero_clerk
):
    case = _zebra_case(ksl_officer)
    url = reverse("decisions:case", args=[case.pk])
    assert queries.search(ksl_officer, "zebrafinkcentret Danderyd").filter(url=url).exists()
    assert queries.search(danderyd_clerk, "zebrafinkcentret").filter(url=url).exists()
    assert not queries.search(ekero_clerk, "zebrafinkcentret").filter(url=url).exists()


def test_a_recorded_decision_becomes_findable(ksl_officer, danderyd_clerk, ekero_clerk):
    case = _zebra_case(ksl_officer)
    decision_services.case_start_preparation(acting_user=danderyd_clerk, case=case)
    decision_services.case_propose(acting_user=danderyd_clerk, case=case)
    assert not queries.search(danderyd_clerk, "tillstyrka zebrafinkar").exists()
    decision_services.case_decision_record(
        acting_user=danderyd_clerk,
        case=case,
        step=case.steps.order_by("order").first(),
        meeting_date=calendar.today(),
        paragraph="§ 7",
        text="Socialnämnden beslutar att tillstyrka zebrafinkar.",
        outcome="approve",
    )
    found = queries.search(danderyd_clerk, "tillstyrka zebrafinkar")
    assert [entry.kind for entry in found] == [EntryKind.DECISION]
    assert found[0].url == reverse("decisions:case", args=[case.pk])
    assert queries.search(ksl_officer, "tillstyrka zebrafinkar").exists()
    assert not queries.search(ekero_clerk, "tillstyrka zebrafinkar").exists()
    case.refresh_from_db()  # the case's entry follows its state
    entry = SearchEntry.objects.get(key=f"case:{case.pk}")
    assert case.get_state_display() in entry.body


def test_a_new_meeting_becomes_findable_for_the_bodys_members(chair, ekero_clerk):
    steering = CooperationBody.objects.get(slug="styrgrupp")
    day = calendar.today() + dt.timedelta(days=40)
    meeting = meeting_services.meeting_create(
        acting_user=chair,
        body=steering,
        starts_at=dt.datetime.combine(day, dt.time(13), tzinfo=TZ),
        ends_at=dt.datetime.combine(day, dt.time(15), tzinfo=TZ),
        place="Zebrafinksalen",
    )
    url = reverse("meetings:meeting", args=[meeting.pk])
    assert queries.search(chair, "Zebrafinksalen").filter(url=url).exists()
    assert not queries.search(ekero_clerk, "Zebrafinksalen").exists()
    item = meeting_services.agenda_item_add(acting_user=chair, meeting=meeting, title="Struts och emuer")
    assert queries.search(chair, "emuer").filter(url=url).exists()
    meeting_services.agenda_item_remove(acting_user=chair, item=item)
    assert not queries.search(chair, "emuer").exists()


def test_a_finished_memo_becomes_findable_for_those_who_read_the_case(danderyd_clerk, ekero_clerk):
    from governance.decisions import memo_paper
    from governance.documents import services as document_services

    case = AdoptionCase.objects.get(
        recommendation__slug="origo-2012", organisation__municipality_code=DANDERYD
    )
    params = {**memo_paper.memo_defaults(case, danderyd_clerk).__dict__, "summary": "Om zebrafinkarnas bon."}
    document = document_services.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=params,
        request_key=uuid.uuid4(),
    )
    assert not queries.search(danderyd_clerk, "zebrafinkarnas").exists()  # queued, not yet a document
    document = document_services.document_render(document_id=document.pk)
    assert document.status == "done"
    found = queries.search(danderyd_clerk, "zebrafinkarnas bon")
    assert [entry.url for entry in found] == [reverse("documents:document", args=[document.pk])]
    assert not queries.search(ekero_clerk, "zebrafinkarnas").exists()


def test_reindex_is_idempotent_and_audited_when_it_changes_something():
    keys = set(SearchEntry.objects.values_list("key", "title", "audience"))
    audited = AuditEvent.objects.filter(action=SearchAction.INDEX_REINDEXED).count
    before = audited()
    assert search_index_rebuild(acting_user=None) == len(keys) > 0  # load_origo built it: nothing to do
    assert audited() == before
    SearchEntry.objects.filter(kind=EntryKind.CASE).first().delete()
    SearchEntry.objects.filter(kind=EntryKind.MEETING).update(title="Fel rubrik")
    assert search_index_rebuild(acting_user=None) == len(keys)
    assert set(SearchEntry.objects.values_list("key", "title", "audience")) == keys
    assert audited() == before + 1
    assert search_index_rebuild(acting_user=None) == len(keys)
    assert audited() == before + 1


def test_the_result_page_has_a_bounded_number_of_queries(client, ksl_officer, django_assert_max_num_queries):
    client.force_login(ksl_officer)
    with django_assert_max_num_queries(12):  # 9 measured on SQLite and PostgreSQL (session, user, rights)
        response = client.get(URL, {"q": "Origo"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count > 20  # more than one page, yet bounded


def test_the_index_uses_the_right_full_text_backend():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM search_entry_fts")
            assert cursor.fetchone()[0] == SearchEntry.objects.count()
        else:
            assert not SearchEntry.objects.filter(search_vector__isnull=True).exists()


@pytest.mark.services
def test_swedish_stemming_on_postgresql(ksl_officer):
    assert connection.vendor == "postgresql"
    # Inflected forms find the base form: "rekommendationen" and "Danderyds" find "Rekommendation … Danderyd".
    found = list(queries.search(ksl_officer, "rekommendationen Danderyds"))
    assert found
    assert any("rekommendationen" not in f"{entry.title} {entry.body}".lower() for entry in found)
    assert {entry.url for entry in found} & _danderyd_case_urls()
    assert queries.search(ksl_officer, "besluten").exists()  # "beslutar" in the decisions' texts


def test_a_search_without_hits_says_so(client, ksl_officer):
    """Trial finding: an empty page of results drew nothing (an empty Page is falsy)."""
    client.force_login(ksl_officer)
    page = client.get("/sok/", {"q": "xyzzyqq"}).content.decode()
    assert "0 träffar" in page and "Inget matchar sökningen." in page

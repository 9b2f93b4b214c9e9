"""The services of the meetings and decisions apps register their documents in the diarium."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse

from governance.diary import services as diary
from governance.diary.models import DiaryEntry
from governance.meetings import services
from governance.meetings.models import Meeting
from governance.parties.models import Organisation
from tests.meetings.helpers import notice_delivered


@pytest.fixture
def demo(db):
    Meeting.objects.filter(is_demo_data=True).delete()
    services.demo_meetings_load(acting_user=None)
    held = Meeting.objects.select_related("body").get(is_demo_data=True, state="minutes_drafted")
    upcoming = Meeting.objects.select_related("body").get(
        is_demo_data=True, body__slug="styrgrupp", state="planned"
    )
    return held, upcoming


def test_justerat_protokoll_and_kallelse_are_registered_in_the_bodys_year(client, demo, chair):
    held, upcoming = demo
    approvers = [chair] + [m.person.user for m in held.minutes_checkers.select_related("person__user")]
    for user in approvers:
        held = services.minutes_approve(acting_user=user, meeting=held)
    assert held.state == "minutes_approved"
    version = services.current_version(held)
    entry = DiaryEntry.objects.select_related("case__series").get(key=f"minutes_version:{version.pk}")
    convener = held.body.convener
    assert entry.case.series.organisation == convener and entry.case.year == held.date.year
    assert entry.direction == "drawn_up" and entry.registered_on == version.approved_at.astimezone().date()
    assert entry.file_name == version.file.name and len(entry.sha256) == 64
    assert entry.title.startswith(f"Protokoll {held.body.name}")

    upcoming = notice_delivered(chair, upcoming)
    notice = DiaryEntry.objects.select_related("case").get(key__startswith=f"meeting:{upcoming.pk}:notice:")
    assert notice.direction == "outgoing" and notice.counterpart.startswith("Ledamöter och ersättare")
    if upcoming.date.year == held.date.year:
        assert notice.case_id == entry.case_id and notice.number == entry.number + 1

    client.force_login(chair)
    text = client.get(reverse("meetings:meeting", args=[held.pk])).content.decode()
    assert entry.diary_number in text


def _register(key, ksl):
    return diary.diary_register(
        acting_user=None,
        key=key,
        matter_key=f"race:{key}",
        organisation=ksl,
        case_title="Samtidig registrering",
        direction="incoming",
        registered_on=dt.date(2031, 1, 2),
        title=key,
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_distinct_numbers():
    """Two registrations at the same moment in the same series and year lock the counter row in turn."""
    ksl = Organisation.objects.get(short_name="KSL")
    _register("warm-up", ksl)  # the series and the counter row exist; the race is on the counter
    barrier, results, errors = threading.Barrier(2), [], []

    def worker(key):
        try:
            barrier.wait()
            results.append(_register(key, ksl).diary_number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"race-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == ["KSL 2031/2-1", "KSL 2031/3-1"]


def test_a_finished_memo_is_drawn_up_in_the_municipalitys_case(danderyd_clerk):
    import uuid

    from governance.decisions import memo_paper
    from governance.decisions.models import AdoptionCase
    from governance.documents import services as documents

    case = AdoptionCase.objects.get(organisation__short_name="Danderyd", recommendation__slug="origo-2016")
    document = documents.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, danderyd_clerk).__dict__,
        request_key=uuid.uuid4(),
    )
    assert not DiaryEntry.objects.filter(key=f"generated_document:{document.pk}").exists()  # queued only
    document = documents.document_render(document_id=document.pk)
    assert document.status == "done", document.error
    entry = DiaryEntry.objects.select_related("case__series").get(key=f"generated_document:{document.pk}")
    assert entry.case.matter_key == f"decisions.adoptioncase:{case.pk}" and entry.case.series.code == "DAND"
    assert entry.direction == "drawn_up" and entry.sha256 == document.sha256
    assert entry.title.startswith(f"Tjänsteutlåtande, version {document.version}")

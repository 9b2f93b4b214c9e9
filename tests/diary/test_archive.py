"""Archive packages (FGS Ärendehantering / CITS ERMS 3.0): the Danderyd 2012 case validates against the
schema and round-trips; a tampered package is detected."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
import xmlschema
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import etree

from governance.decisions.archive import case_package
from governance.decisions.models import AdoptionCase
from governance.diary import archive, erms
from governance.diary.models import DiaryEntry

NS = {"e": erms.NS}


@pytest.fixture
def danderyd_2012(db):
    return AdoptionCase.objects.select_related("organisation").get(
        organisation__short_name="Danderyd", recommendation__board_decision_date__year=2012
    )


def _unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def test_the_danderyd_2012_case_validates_against_erms_and_round_trips(danderyd_2012, danderyd_clerk):
    name, content = case_package(acting_user=danderyd_clerk, case=danderyd_2012)
    assert name == "arkivpaket-danderyd-2012.zip"
    members = _unzip(content)
    xml = members["erms.xml"]
    # Both validators agree: lxml (in the code) and xmlschema (independently, here).
    assert erms.validation_errors(xml) == []
    xmlschema.XMLSchema(str(erms.SCHEMA_PATH)).validate(io.BytesIO(xml))

    # Every file's SHA-256 matches SHA256SUMS and the checksum in the XML.
    sums = dict(reversed(line.split("  ", 1)) for line in members["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(members) - {"SHA256SUMS"}
    for path, digest in sums.items():
        assert hashlib.sha256(members[path]).hexdigest() == digest
    listed = erms.record_checksums(xml)
    assert listed and all(
        hashlib.sha256(members[path]).hexdigest() == digest for path, digest in listed.items()
    )
    assert archive.package_verify(content) == []

    # The case: diary number, title, status, dates, agents; records from the diarium; decisions as actions.
    document = etree.fromstring(xml)
    case = document.find("e:aggregations/e:aggregation", NS)
    assert case.get("aggregationType") == "caseFile"
    assert case.find("e:extraId[@extraIdType='diary_number']", NS).text == "DAND 2012/1"
    assert case.find("e:status", NS).get("value") == "closed"
    assert [d.get("dateType") for d in case.findall("e:dates/e:date", NS)] == ["opened", "closed"]
    assert case.find("e:dates/e:date[@dateType='opened']", NS).text == "2012-06-15T00:00:00"
    assert {a.findtext("e:name", namespaces=NS) for a in case.findall("e:agents/e:agent", NS)} >= {
        "Danderyds kommun"
    }
    actions = case.findall("e:action", NS)
    assert [a.findtext("e:dates/e:actionDate", namespaces=NS) for a in actions] == [
        "2012-09-10T00:00:00",
        "2012-10-08T00:00:00",
    ]
    assert "§ 103" in actions[0].findtext("e:actionText", namespaces=NS)
    records = case.findall("e:record", NS)
    entries = list(
        DiaryEntry.objects.filter(case__series__code="DAND", case__year=2012, case__number=1).order_by(
            "number"
        )
    )
    assert [r.findtext("e:extraId[@extraIdType='diary_number']", namespaces=NS) for r in records] == [
        e.diary_number for e in entries
    ]
    assert [r.findtext("e:runningNumber", namespaces=NS) for r in records] == [str(e.number) for e in entries]
    assert records[0].find("e:direction", NS).get("directionDefinition") == "incoming"
    signed = records[-1]
    assert signed.find("e:direction", NS).get("otherDirectionDefinition") == "upprättad"
    assert signed.findtext("e:extraId[@extraIdType='sha256']", namespaces=NS) == entries[-1].sha256


def test_a_tampered_package_is_detected(danderyd_2012, ksl_officer, tmp_path):
    _name, content = case_package(acting_user=ksl_officer, case=danderyd_2012)
    members = _unzip(content)
    pdf = next(path for path in members if path.startswith("filer/"))
    tampered = _rezip({**members, pdf: members[pdf] + b"%changed"})
    problems = archive.package_verify(tampered)
    assert f"{pdf}: kontrollsumman stämmer inte." in problems
    assert f"{pdf}: kontrollsumman i erms.xml stämmer inte." in problems
    # A removed file, an extra one, and metadata that no longer validates are all reported.
    missing = {k: v for k, v in members.items() if k != pdf}
    assert f"{pdf}: saknas i paketet." in archive.package_verify(_rezip(missing))
    extra = archive.package_verify(_rezip({**members, "filer/extra.txt": b"x"}))
    assert "filer/extra.txt: finns i paketet men inte i SHA256SUMS." in extra
    broken_xml = members["erms.xml"].replace(b'aggregationType="caseFile"', b'aggregationType="box"')
    sums = (
        members["SHA256SUMS"]
        .decode()
        .replace(hashlib.sha256(members["erms.xml"]).hexdigest(), hashlib.sha256(broken_xml).hexdigest())
    )
    invalid = archive.package_verify(_rezip({**members, "erms.xml": broken_xml, "SHA256SUMS": sums.encode()}))
    assert invalid and all(p.startswith("erms.xml: rad") for p in invalid)
    assert archive.package_verify(b"not a zip") == ["Filen är inte ett zip-arkiv."]

    # The command: a whole package passes, a tampered one fails with the problems.
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    good.write_bytes(content)
    bad.write_bytes(tampered)
    out = io.StringIO()
    call_command("archive_verify", str(good), stdout=out)
    assert "helt" in out.getvalue()
    with pytest.raises(CommandError, match="kontrollsumman stämmer inte"):
        call_command("archive_verify", str(bad), stdout=io.StringIO())


def test_archive_case_command_writes_the_package(danderyd_2012, tmp_path):
    target = tmp_path / "paket.zip"
    out = io.StringIO()
    call_command("archive_case", str(danderyd_2012.pk), "-o", str(target), stdout=out)
    assert archive.package_verify(target.read_bytes()) == []
    assert str(target) in out.getvalue()
    with pytest.raises(CommandError):
        call_command("archive_case", "999999", stdout=io.StringIO())


def test_only_closed_cases_and_permitted_users(danderyd_2012, ekero_clerk, ksl_officer):
    with pytest.raises(PermissionDenied):
        case_package(acting_user=ekero_clerk, case=danderyd_2012)
    open_case = AdoptionCase.objects.filter(state="received").first()
    with pytest.raises(ValidationError, match="inte avslutat"):
        case_package(acting_user=ksl_officer, case=open_case)


def test_the_download_button(client, danderyd_2012, danderyd_clerk, ekero_clerk):
    url = reverse("decisions:case_archive", args=[danderyd_2012.pk])
    client.force_login(danderyd_clerk)
    page = client.get(reverse("decisions:case", args=[danderyd_2012.pk])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="arkivpaket-danderyd-2012.zip"' in response["Content-Disposition"]
    assert archive.package_verify(response.content) == []
    client.force_login(ekero_clerk)
    assert client.get(url).status_code == 404  # another municipality's case, as on the case page


def test_a_bodys_minutes_of_a_year_as_an_archive_package(client, chair, member, tmp_path):
    from governance.meetings import services
    from governance.meetings.archive import minutes_package
    from governance.meetings.models import Meeting

    Meeting.objects.filter(is_demo_data=True).delete()
    services.demo_meetings_load(acting_user=None)
    held = Meeting.objects.select_related("body").get(is_demo_data=True, state="minutes_drafted")
    for user in [chair] + [m.person.user for m in held.minutes_checkers.select_related("person__user")]:
        held = services.minutes_approve(acting_user=user, meeting=held)
    body, year = held.body, held.date.year
    with pytest.raises(PermissionDenied):
        minutes_package(acting_user=member, body=body, year=year)
    with pytest.raises(ValidationError):
        minutes_package(acting_user=chair, body=body, year=1999)
    name, content = minutes_package(acting_user=chair, body=body, year=year)
    assert name == f"arkivpaket-styrgruppen-for-origo-{year}.zip"
    assert archive.package_verify(content) == []
    members = _unzip(content)
    document = etree.fromstring(members["erms.xml"])
    case = document.find("e:aggregations/e:aggregation", NS)
    version = services.current_version(held)
    record = next(
        r
        for r in case.findall("e:record", NS)
        if r.findtext("e:title", namespaces=NS).startswith("Protokoll")
    )
    path = record.find("e:additionalInformation/e:appendix", NS).get("path")
    with version.file.open("rb") as handle:
        assert members[path] == handle.read()
    assert any(
        "Verksamhetsplan" in a.findtext("e:actionText", namespaces=NS) for a in case.findall("e:action", NS)
    )

    # The command and the body page's download.
    target = tmp_path / "protokoll.zip"
    call_command("archive_minutes", "styrgrupp", str(year), "-o", str(target), stdout=io.StringIO())
    assert archive.package_verify(target.read_bytes()) == []
    with pytest.raises(CommandError, match="inga diarieförda"):
        call_command("archive_minutes", "styrgrupp", "1999", stdout=io.StringIO())
    client.force_login(chair)
    url = reverse("meetings:minutes_archive", args=["styrgrupp", year])
    assert url in client.get(reverse("meetings:body_detail", args=["styrgrupp"])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and archive.package_verify(response.content) == []
    client.force_login(member)
    assert client.get(url).status_code == 403


def test_the_years_offered_are_the_meetings_years_not_the_registration_year(chair):
    """Review finding: a December kallelse for a January meeting opened the January year's diary case with
    the December year, so the body page offered the wrong year and the right one never."""
    from governance.diary.services import diary_register
    from governance.meetings.archive import archive_years
    from governance.meetings.models import CooperationBody
    from governance.meetings.registration import body_year_matter

    body = CooperationBody.objects.get(slug="styrgrupp")
    before = archive_years(body)
    meeting_year = max([*before, 2026]) + 5
    diary_register(
        acting_user=chair,
        key="test:kallelse:next-year",
        matter_key=body_year_matter(body, meeting_year),
        organisation=body.convener,
        case_title=f"{body.name} {meeting_year}",
        direction="outgoing",
        registered_on=dt.date(meeting_year - 1, 12, 20),
        title="Kallelse",
    )
    assert archive_years(body) == sorted({*before, meeting_year}, reverse=True)


def test_a_package_repacked_with_folder_entries_is_still_intact(danderyd_2012, ksl_officer):
    """Trial finding: `zip -r` after unzipping adds "filer/" as an entry, which verify called an extra file."""
    _name, content = case_package(acting_user=ksl_officer, case=danderyd_2012)
    members = _unzip(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as repacked:
        repacked.writestr("filer/", b"")
        for path, data in members.items():
            repacked.writestr(path, data)
    assert archive.package_verify(buffer.getvalue()) == []

"""The OParl 1.1 objects, as dicts ready for JSON, built from rows the ``queries`` have loaded.

Ids are absolute URLs from ``settings.SITE_URL`` and the route names in ``urls.py``; they stay the same as long
as the site's address does. The builders read only what the queries prefetched: no query per object.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from governance.decisions.models import Recommendation
from governance.meetings.choices import VOTING_ROLES, MeetingState
from governance.meetings.models import AgendaItem, CooperationBody, Meeting, Membership, MinutesVersion
from governance.parties.models import Organisation, Person

SCHEMA = "https://schema.oparl.org/1.1/"
#: The one Body: the cooperation itself (docs/oparl.md).
BODY_KEY = "samverkan"
BODY_NAME = "Origo samverkan"
BODY_SHORT_NAME = "Origo"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url(name: str, **kwargs) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(f"oparl:{name}", kwargs=kwargs or None)


def stamp(value: dt.datetime | None) -> str | None:
    """An xsd:dateTime with its offset, in Swedish time (OParl wants the time zone stated)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _times(data: dict, obj) -> dict:
    created, modified = stamp(obj.oparl_created), stamp(obj.oparl_modified)
    if created:
        data["created"] = created
    if modified:
        data["modified"] = modified
    return data


def system(*, host: Organisation | None) -> dict:
    """The entry point. ``contactName`` is the host organisation (huvudman); no e-mail address leaves."""
    data = {
        "id": url("system"),
        "type": f"{SCHEMA}System",
        "oparlVersion": SCHEMA,
        "body": url("body_list"),
        "name": BODY_NAME,
        "website": settings.SITE_URL.rstrip("/") + "/",
        "product": settings.SITE_URL.rstrip("/") + "/",
    }
    if host:
        data["contactName"] = host.name
    return data


def body(*, host: Organisation | None, created: dt.datetime | None, modified: dt.datetime | None) -> dict:
    """The cooperation as OParl's Body: its bodies, members, meetings and published files."""
    data = {
        "id": url("body", key=BODY_KEY),
        "type": f"{SCHEMA}Body",
        "system": url("system"),
        "name": BODY_NAME,
        "shortName": BODY_SHORT_NAME,
        "classification": "Samverkan",
        "website": settings.SITE_URL.rstrip("/") + "/",
        "organization": url("organization_list", key=BODY_KEY),
        "person": url("person_list", key=BODY_KEY),
        "meeting": url("meeting_list", key=BODY_KEY),
        "paper": url("paper_list", key=BODY_KEY),
        "agendaItem": url("agendaitem_list", key=BODY_KEY),
        "membership": url("membership_list", key=BODY_KEY),
        "file": url("file_list", key=BODY_KEY),
        "legislativeTerm": [],
    }
    if host:
        data["contactName"] = host.name
    if created:
        data["created"] = stamp(created)
    if modified:
        data["modified"] = stamp(modified)
    return data


def organization(row: CooperationBody) -> dict:
    data = {
        "id": url("organization", pk=row.pk),
        "type": f"{SCHEMA}Organization",
        "body": url("body", key=BODY_KEY),
        "name": row.name,
        "shortName": row.get_kind_display(),
        "organizationType": "Gremium",
        "classification": row.get_kind_display(),
        "membership": [url("membership", pk=m.pk) for m in row.memberships.all()],
        "meeting": url("organization_meetings", pk=row.pk),
    }
    return _times(data, row)


def party(row: Organisation) -> dict:
    """A party (samverkanspart) a member represents, as an Organization outside the cooperation's bodies."""
    data = {
        "id": url("party", pk=row.pk),
        "type": f"{SCHEMA}Organization",
        "body": url("body", key=BODY_KEY),
        "name": row.name,
        "organizationType": "Samverkanspart",
        "classification": row.get_kind_display(),
    }
    if row.short_name:
        data["shortName"] = row.short_name
    return _times(data, row)


def membership(row: Membership, *, embedded: bool = False) -> dict:
    data = {
        "id": url("membership", pk=row.pk),
        "type": f"{SCHEMA}Membership",
        "organization": url("organization", pk=row.body_id),
        "role": row.get_role_display(),
        "votingRight": row.role in VOTING_ROLES,
        "startDate": row.valid_from.isoformat(),
        "onBehalfOf": url("party", pk=row.organisation_id),
    }
    if not embedded:
        data["person"] = url("person", pk=row.person_id)
    if row.valid_to:
        data["endDate"] = row.valid_to.isoformat()
    return _times(data, row)


def person(row: Person) -> dict:
    """A member by name only: no title, e-mail address or telephone number."""
    data = {
        "id": url("person", pk=row.pk),
        "type": f"{SCHEMA}Person",
        "body": url("body", key=BODY_KEY),
        "name": row.full_name,
        "givenName": row.first_name,
        "familyName": row.last_name,
        "membership": [membership(m, embedded=True) for m in row.memberships.all()],
    }
    return _times(data, row)


def file(row: MinutesVersion, *, embedded: bool = False) -> dict:
    """A justerad version of published minutes; the address is the minutes page's own download, which serves
    it to anyone once published (and to no one else but the members)."""
    if not row.oparl_public:
        # No longer public (the minutes were corrected): OParl's deleted object keeps only these.
        return _times({"id": url("file", pk=row.pk), "type": f"{SCHEMA}File", "deleted": True}, row)
    meeting = row.meeting
    local_date = timezone.localtime(meeting.starts_at).date()
    access = settings.SITE_URL.rstrip("/") + reverse(
        "meetings:minutes_docx", kwargs={"pk": meeting.pk, "version": row.version}
    )
    data = {
        "id": url("file", pk=row.pk),
        "type": f"{SCHEMA}File",
        "name": f"Protokoll {meeting.body.name} {local_date.isoformat()}, version {row.version}",
        "fileName": f"protokoll-{local_date.isoformat()}-v{row.version}.docx",
        "mimeType": DOCX,
        "date": timezone.localtime(row.approved_at).date().isoformat(),
        "accessUrl": access,
        "downloadUrl": access,
    }
    if row.pdf:
        pdf = settings.SITE_URL.rstrip("/") + reverse(
            "meetings:minutes_pdf", kwargs={"pk": meeting.pk, "version": row.version}
        )
        data["externalServiceUrl"] = pdf
    if not embedded:
        data["meeting"] = [url("meeting", pk=meeting.pk)]
    return _times(data, row)


def agenda_item(row: AgendaItem, *, embedded: bool = False) -> dict:
    """An item of published minutes: its § and its decision or note, as the protocol states them."""
    data = {
        "id": url("agendaitem", pk=row.pk),
        "type": f"{SCHEMA}AgendaItem",
        "order": row.position,
        "name": row.title,
        "public": True,
        "result": row.get_kind_display(),
    }
    if not embedded:
        data["meeting"] = url("meeting", pk=row.meeting_id)
    if row.paragraph:
        data["number"] = f"§ {row.paragraph}"
    if row.outcome:
        data["resolutionText"] = row.outcome
    return _times(data, row)


def meeting(row: Meeting) -> dict:
    local_date = timezone.localtime(row.starts_at).date()
    data = {
        "id": url("meeting", pk=row.pk),
        "type": f"{SCHEMA}Meeting",
        "name": f"{row.body.name} {local_date.isoformat()}",
        "meetingState": MeetingState(row.state).label,
        "start": stamp(row.starts_at),
        "end": stamp(row.ends_at),
        "organization": [url("organization", pk=row.body_id)],
    }
    if row.state == MeetingState.CANCELLED:
        data["cancelled"] = True
    if row.is_demo_data:
        data["keyword"] = ["Demodata"]
    if row.state == MeetingState.PUBLISHED:
        data["participant"] = sorted(
            {url("person", pk=a.membership.person_id) for a in row.present}, key=_url_order
        )
        data["agendaItem"] = [agenda_item(item, embedded=True) for item in row.public_items]
        if row.public_files:
            data["resultsProtocol"] = file(row.public_files[0], embedded=True)
            if len(row.public_files) > 1:
                data["auxiliaryFile"] = [file(f, embedded=True) for f in row.public_files[1:]]
    return _times(data, row)


def _url_order(value: str) -> tuple[int, str]:
    tail = value.rstrip("/").rsplit("/", 1)[-1]
    return (int(tail), value) if tail.isdigit() else (0, value)


def paper(row: Recommendation) -> dict:
    """A recommendation KSL has sent: what the public list of recommendations shows."""
    data = {
        "id": url("paper", pk=row.pk),
        "type": f"{SCHEMA}Paper",
        "body": url("body", key=BODY_KEY),
        "name": row.title,
        "date": row.board_decision_date.isoformat(),
        "paperType": "Rekommendation",
        "web": settings.SITE_URL.rstrip("/") + reverse("decisions:list"),
    }
    if row.registration_number:
        data["reference"] = row.registration_number
    if row.is_demo_data:
        data["keyword"] = ["Demodata"]
    return _times(data, row)

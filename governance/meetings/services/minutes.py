"""Minutes (protokoll): § numbering through each body's calendar year, justerare, approval that freezes a
version, corrections as new versions, extracts (protokollsutdrag), and the documents' contexts."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.core import calendar
from governance.core.formatting import format_date_iso, format_date_long
from governance.core.services import actor_display_name, audit_record
from governance.core.transitions import transition_run

from .. import permissions, queries, registration
from ..choices import (
    VOTING_ROLES,
    AttendanceStatus,
    BodyKind,
    ItemKind,
    MeetingAction,
    MeetingState,
    MembershipRole,
)
from ..models import CooperationBody, Meeting, MinutesApproval, MinutesVersion
from .attendance import voting_seats
from .common import _check_expected_state, _meeting_transition
from .notices import notice_recipients, noticed_time_moved

logger = logging.getLogger(__name__)

WEEKDAYS = ["måndagen", "tisdagen", "onsdagen", "torsdagen", "fredagen", "lördagen", "söndagen"]
#: A blank to fill in by hand on the printed paper (a date, a place, a signature).
BLANK = "_" * 24
SIGNATURE_LINE = "_" * 36
#: What the minutes say of an item with no decision or note; not a decision.
NOTED = "Antecknades."


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    return f"{WEEKDAYS[start.weekday()]} {format_date_long(start.date())} kl. {start:%H.%M}–{end:%H.%M}"


def _member(meeting: Meeting, role: str):
    return next((m for m in notice_recipients(meeting) if m.role == role), None)


def _people(meeting: Meeting, role: str) -> str:
    membership = _member(meeting, role)
    return membership.person.full_name if membership else ""


def _secretary(meeting: Meeting) -> tuple[str, str]:
    """(name, title) of the body's secretary (the membership with the role "sekreterare"): the person's own
    title, else "Sekreterare"; ("", "") when the body has none."""
    membership = _member(meeting, MembershipRole.SECRETARY)
    if membership is None:
        return "", ""
    return membership.person.full_name, membership.person.title or "Sekreterare"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _checkers_outcome(meeting: Meeting) -> str:
    """The decision of the standard item "Val av justerare" when nobody wrote one: who was chosen is data."""
    names = [c.person.full_name for c in meeting.checkers()]
    if not names:
        return ""
    return f"{meeting.body.name} utsåg {_and_list(names)} att jämte ordföranden justera protokollet."


def _outcome(item, checkers_outcome: str = "") -> str:
    """The item's decision or note as the minutes print it."""
    if item.outcome:
        return item.outcome
    if item.standard_key == "minutes_checkers" and checkers_outcome:
        return checkers_outcome
    return NOTED


def _dispatch_default(meeting: Meeting) -> list[str]:
    """Who an extract goes to when the item names nobody: the organisations the body's voting members
    represent on the meeting's day (the parties at the table), each once, in the members' order."""
    names = []
    for m in notice_recipients(meeting):
        if m.role in VOTING_ROLES and m.organisation.name not in names:
            names.append(m.organisation.name)
    return names


def _item_dict(item, number: int, checkers_outcome: str = "", dispatch_default=()) -> dict:
    papers = f"Handling: {item.paper_name}." if item.paper_name else ""
    if item.follow_up_report_id:
        papers = f"Handling: {item.follow_up_report}."
    conflicts = ", ".join(c.membership.person.full_name for c in item.conflicts.all())
    dispatch = [line.strip() for line in item.dispatch.splitlines() if line.strip()]
    return {
        "paragraph": f"§ {item.paragraph}" if item.paragraph else "",
        "number": number,
        "title": item.title,
        "kind": item.get_kind_display(),
        "kind_note": _lower_first(item.get_kind_display()),
        "presenter": item.presenter,
        "minutes": f"{item.minutes_allotted} min" if item.minutes_allotted else "",
        "description": item.description,
        "papers": papers,
        "outcome": _outcome(item, checkers_outcome),
        "conflicts": f"Jäv anmäldes av {conflicts}, som inte deltog i ärendet." if conflicts else "",
        "dispatch": dispatch or list(dispatch_default),
    }


def _base(meeting: Meeting) -> dict:
    secretary, secretary_title = _secretary(meeting)
    return {
        "organisation": meeting.body.convener.name,
        "department": "",
        "date_iso": format_date_iso(meeting.date),
        "registration_label": "",
        "handler_line": "",
        "body": meeting.body.name,
        "title": meeting.body.name,
        "when": _when(meeting),
        "place": meeting.place or "",
        "video_link": meeting.video_link or "",
        "chair": _people(meeting, MembershipRole.CHAIR),
        "chair_title": "Ordförande",
        "secretary": secretary,
        "secretary_title": secretary_title,
        "secretary_line": f"{secretary}, {_lower_first(secretary_title)}" if secretary else "",
        "signature_line": SIGNATURE_LINE,
    }


def notice_context(meeting: Meeting) -> dict:
    """The notice (kallelse): dated the day it was sent, or today for a preview of one not yet sent."""
    items = meeting.items.prefetch_related(queries.conflicts_with_people()).select_related("follow_up_report")
    rsvp_note = "Svara om du kommer på mötets sida; en ersättare kallas om du inte kan delta."
    if meeting.is_short_notice:
        reason = meeting.short_notice_reason.rstrip(".")
        rsvp_note = f"Extra möte med kort varsel. Skäl: {reason}. {rsvp_note}"
    moved_from = noticed_time_moved(meeting)
    if moved_from:
        moved = format_date_long(timezone.localtime(moved_from).date())
        rsvp_note = f"Mötet är flyttat från {moved}. {rsvp_note}"
    sent_on = (
        timezone.localtime(meeting.notice_sent_at).date() if meeting.notice_sent_at else calendar.today()
    )
    return {
        **_base(meeting),
        "date_iso": format_date_iso(sent_on),
        "sent_on": format_date_long(sent_on),
        "place": _notice_place(meeting),
        "short_notice_reason": meeting.short_notice_reason,
        "rsvp_note": rsvp_note,
        "items": [_item_dict(item, number) for number, item in enumerate(items, start=1)],
    }


def _quorum_text(meeting: Meeting) -> str:
    """ "Styrgruppen för Origo är beslutför: 7 av 10 ledamöter är närvarande (minst 6 krävs)." or "… är inte
    beslutför: …", by the rule of ``attendance.quorum`` (more than half of the voting seats)."""
    if meeting.quorum_recorded_at is None:
        return "Beslutförheten är inte fastställd."
    present, required = meeting.quorum_present or 0, meeting.quorum_required or 0
    seats = voting_seats(meeting)
    # "styrgruppen" is en-gender (beslutför), "referensforumet" ett-gender (beslutfört).
    adjective = "beslutfört" if meeting.body.kind == BodyKind.REFERENCE_FORUM else "beslutför"
    verdict = adjective if present >= required else f"inte {adjective}"
    counted = "ledamot" if seats == 1 else "ledamöter"
    return f"{meeting.body.name} är {verdict}: {present} av {seats} {counted} är närvarande (minst {required} krävs)."


def _notice_place(meeting: Meeting) -> str:
    """The notice's "Plats:": the place; for a video meeting without one, that it is a video meeting (the
    link follows on its own line, "Videomöte: …"); with neither, that the place comes later."""
    if meeting.place:
        return meeting.place
    if meeting.video_link:
        return "Videomöte (länken nedan)"
    return "Meddelas senare"


def _approval_place_time(meeting: Meeting) -> str:
    """ "Justeringens plats och tid": the place and day set when the minutes were drawn up; what is missing
    is a blank to fill in."""
    place = meeting.approval_place or BLANK
    day = format_date_iso(meeting.approval_date) if meeting.approval_date else BLANK
    return f"{place}, {day}"


def _paragraph_range(items: list[dict]) -> str:
    numbers = [item["paragraph"] for item in items if item["paragraph"]]
    if not numbers:
        return ""
    return numbers[0] if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1].removeprefix('§ ')}"


def minutes_context(meeting: Meeting, version: MinutesVersion | None = None) -> dict:
    attendances = list(
        meeting.attendances.select_related(
            "membership__person", "membership__organisation", "stands_in_for__person"
        )
    )
    present = [
        f"{a.membership.person.full_name}, {a.membership.get_role_display().lower()}, {a.membership.organisation.display_name}"
        for a in attendances
        if a.status == AttendanceStatus.PRESENT
    ]
    substitutes = [
        f"{a.membership.person.full_name} (för {a.stands_in_for.person.full_name})"
        for a in attendances
        if a.status == AttendanceStatus.SUBSTITUTE and a.stands_in_for_id
    ]
    absent = [a.membership.person.full_name for a in attendances if a.status == AttendanceStatus.ABSENT]
    checkers = list(meeting.minutes_checkers.select_related("person"))
    items = meeting.items.prefetch_related(queries.conflicts_with_people()).select_related("follow_up_report")
    checkers_outcome = _checkers_outcome(meeting)
    dispatch_default = _dispatch_default(meeting)
    item_dicts = [
        _item_dict(item, number, checkers_outcome, dispatch_default)
        for number, item in enumerate(items, start=1)
    ]
    note = ""
    if version is not None and version.version > 1:
        note = f"Version {version.version}, rättad: {version.reason}"
    approved_at = version.approved_at if version is not None else None
    approved_on = format_date_iso(timezone.localtime(approved_at).date()) if approved_at else ""
    return {
        **_base(meeting),
        "present": present,
        "substitutes": substitutes,
        "absent": absent,
        "quorum": _quorum_text(meeting),
        "checkers": " och ".join(c.person.full_name for c in checkers),
        "approval_place_time": _approval_place_time(meeting),
        "paragraphs": _paragraph_range(item_dicts),
        "items": item_dicts,
        "signatures": [
            {"role": "Ordförande", "name": _people(meeting, MembershipRole.CHAIR), "title": "Ordförande"}
        ]
        + [{"role": "Justerare", "name": c.person.full_name, "title": "Justerare"} for c in checkers],
        "approved_on": approved_on,
        "approved_text": (
            f"Justerat {format_date_long(timezone.localtime(approved_at).date())}"
            if approved_at
            else f"Justerat den {BLANK}"
        ),
        "version_note": note,
    }


def extract_context(meeting: Meeting, version: MinutesVersion, item: dict) -> dict:
    """The protokollsutdrag of one § of an approved version: the version's frozen text, the day it was
    justerat, who the extract is sent to (the item's list, else the parties at the table) and the
    secretary's certification ("Rätt utdraget intygar")."""
    snapshot = version.snapshot
    approved_on = format_date_iso(timezone.localtime(version.approved_at).date())
    secretary, secretary_title = _secretary(meeting)
    return {
        **_base(meeting),
        **snapshot,
        "secretary": snapshot.get("secretary") or secretary,
        "secretary_title": snapshot.get("secretary_title") or secretary_title,
        "signature_line": SIGNATURE_LINE,
        "item": {**item, "dispatch": item.get("dispatch") or _dispatch_default(meeting)},
        "approved_on": approved_on,
        "approved_text": f"Protokollet justerat {format_date_long(timezone.localtime(version.approved_at).date())}",
    }


def _render_version(meeting: Meeting, version: MinutesVersion) -> None:
    from governance.documents import rendering as documents
    from governance.documents.services import template_for

    context = minutes_context(meeting, version)
    content = documents.render_docx(template_for("minutes")[0], context)
    version.snapshot = context
    version.file.save(f"protokoll-{meeting.pk}-v{version.version}.docx", ContentFile(content), save=False)
    try:  # the .docx is the minutes; a PDF copy that LibreOffice cannot make in time is left out, and logged
        pdf = documents.convert_to_pdf(content) if documents.soffice_path() else None
    except documents.DocumentError as exc:
        logger.warning("Minutes %s v%s: no PDF copy: %s", meeting.pk, version.version, exc)
        pdf = None
    if pdf:
        version.pdf.save(f"protokoll-{meeting.pk}-v{version.version}.pdf", ContentFile(pdf), save=False)
    version.save()


def _number_paragraphs(meeting: Meeting) -> None:
    """§ 1, § 2 … through the body's calendar year, continuing from its earlier meetings that year."""
    CooperationBody.objects.select_for_update().get(pk=meeting.body_id)  # one numbering at a time per body
    if meeting.items.filter(paragraph__isnull=False).exists():
        return
    last = (
        Meeting.objects.filter(body=meeting.body, starts_at__year=meeting.starts_at.year)
        .exclude(pk=meeting.pk)
        .aggregate(n=Max("items__paragraph"))["n"]
        or 0
    )
    for offset, item in enumerate(meeting.items.order_by("position"), start=1):
        item.paragraph = last + offset
        item.save(update_fields=["paragraph"])


def _approval_when_where(meeting: Meeting, place: str, day) -> str:
    """Validate the justering's place and day: the place at most 200 characters, the day not before the meeting."""
    place = (place or "").strip()
    errors = {}
    if len(place) > Meeting._meta.get_field("approval_place").max_length:
        errors["approval_place"] = _("Justeringens plats: högst 200 tecken.")
    if day is not None and day < meeting.date:
        errors["approval_date"] = _("Protokollet kan inte justeras före mötet.")
    if errors:
        raise ValidationError(errors)
    return place


def minutes_draft(
    *,
    acting_user,
    meeting: Meeting,
    checker_ids: list[int],
    expected_state: str | None = None,
    approval_place: str = "",
    approval_date=None,
) -> Meeting:
    """Draw up the minutes: two justerare chosen at the meeting, quorum recorded, § numbers given, and where
    and when the minutes are to be justerade (``approval_place``, ``approval_date``; either may be left for
    later: the minutes then show a blank to fill in)."""
    approval_place = _approval_when_where(meeting, approval_place, approval_date)

    def check(locked):
        if locked.quorum_recorded_at is None:
            raise ValidationError(_("Registrera närvaron och beslutförheten innan protokollet upprättas."))
        present = {
            a.membership_id
            for a in locked.attendances.select_related("membership")
            if a.status in (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE)
        }
        chosen = set(checker_ids)
        if len(chosen) != 2:
            raise ValidationError(_("Välj två justerare."))
        members = {m.pk: m for m in notice_recipients(locked)}
        if not chosen <= present or any(
            members[c].role == MembershipRole.CHAIR for c in chosen if c in members
        ):
            raise ValidationError(_("Justerarna ska vara närvarande ledamöter, inte ordföranden."))

    def then(locked):
        locked.minutes_checkers.set(checker_ids)
        Meeting.objects.filter(pk=locked.pk).update(
            approval_place=approval_place, approval_date=approval_date
        )
        locked.approval_place, locked.approval_date = approval_place, approval_date
        _number_paragraphs(locked)
        version = MinutesVersion.objects.create(meeting=locked, version=locked.minutes_version + 1)
        Meeting.objects.filter(pk=locked.pk).update(minutes_version=version.version)
        locked.minutes_version = version.version
        _render_version(locked, version)

    with transaction.atomic():
        locked = _meeting_transition(
            acting_user=acting_user,
            meeting=meeting,
            transition="draft_minutes",
            payload={
                "checkers": checker_ids,
                "approval_place": approval_place,
                "approval_date": approval_date,
            },
            check=check,
            expected_state=expected_state,
        )
        then(locked)
    return locked


def current_version(meeting: Meeting) -> MinutesVersion | None:
    return meeting.current_minutes()


def _approvers(locked: Meeting) -> dict[int, tuple[str, object]]:
    """Membership id -> (role, membership) of those whose approval the minutes need: the chair and the justerare."""
    checkers = {c.pk for c in locked.checkers()}
    members = locked.members_read if locked.members_read is not None else notice_recipients(locked)
    needed = {}
    for m in members:
        if m.role == MembershipRole.CHAIR:
            needed[m.pk] = ("chair", m)
        elif m.pk in checkers:
            needed[m.pk] = ("checker", m)
    return needed


def _and_list(names: list[str]) -> str:
    return " och ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def approvers_text(meeting: Meeting, *, members: list | None = None, checkers: list | None = None) -> str:
    """Who justerar the minutes, for the page: "ordföranden X och justerarna Y och Z". A page that has read
    the meeting's members (``notice_recipients``) and its justerare (with their people) passes them."""
    if members is None:
        chair = _people(meeting, MembershipRole.CHAIR)
    else:
        membership = next((m for m in members if m.role == MembershipRole.CHAIR), None)
        chair = membership.person.full_name if membership else ""
    if checkers is None:
        checkers = meeting.checkers()
    checkers = [c.person.full_name for c in checkers]
    parts = []
    if chair:
        parts.append(f"ordföranden {chair}")
    if checkers:
        parts.append(("justeraren " if len(checkers) == 1 else "justerarna ") + _and_list(checkers))
    return " och ".join(parts)


def _locked_for_approval(meeting: Meeting, expected_state: str | None) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
    _check_expected_state(locked, expected_state)
    if locked.state != MeetingState.MINUTES_DRAFTED:
        raise ValidationError(_("Det finns inget upprättat protokoll att justera."))
    if locked.quorum_recorded_at is None:
        raise ValidationError(_("Protokollet kan inte justeras utan registrerad beslutförhet."))
    undecided = decisions_missing(locked)
    if undecided:
        raise ValidationError(
            ngettext(
                "Protokollet kan inte justeras: %(items)s är ett beslutsärende men har ingen beslutstext "
                "(bara ”Antecknades.”). Skriv beslutet, eller ändra ärendets typ till information.",
                "Protokollet kan inte justeras: %(items)s är beslutsärenden men har ingen beslutstext "
                "(bara ”Antecknades.”). Skriv besluten, eller ändra ärendenas typ till information.",
                len(undecided),
            )
            % {"items": _and_list(undecided)}
        )
    return locked


def decisions_missing(meeting: Meeting, items=None) -> list[str]:
    """The decision items (kind "beslut") that the minutes would print with only "Antecknades." (or
    nothing) as their decision, as "§ 3 Godkännande av dagordningen": the minutes cannot be justerade
    until each has a decision text or is marked as information. "Val av justerare" has its decision from
    the justerare chosen. ``items``: the meeting's items already read (the page's), else they are read."""
    checkers_outcome = _checkers_outcome(meeting)
    missing = []
    items = meeting.items.order_by("position") if items is None else sorted(items, key=lambda i: i.position)
    for item in (i for i in items if i.kind == ItemKind.DECISION):
        text = _outcome(item, checkers_outcome).strip()
        if text.rstrip(".").strip().casefold() in ("", NOTED.rstrip(".").casefold()):
            label = f"§ {item.paragraph}" if item.paragraph else f"punkt {item.position}"
            missing.append(f"{label} {item.title}")
    return missing


def _complete_if_approved(acting_user, locked: Meeting, version: MinutesVersion) -> Meeting:
    """When the chair and every justerare have approved, the version is frozen and the minutes are justerade."""
    approved = set(version.approvals.values_list("membership_id", flat=True))
    needed = _approvers(locked)
    chair_ok = any(role == "chair" and pk in approved for pk, (role, _m) in needed.items())
    checkers = set(locked.minutes_checkers.values_list("pk", flat=True))
    if chair_ok and checkers <= approved:
        version.approved_at = timezone.now()
        # The justerade version is rendered once more, with its day of justering, and then never again.
        _render_version(locked, version)
        locked = transition_run(
            acting_user=acting_user,
            obj=locked,
            transition="approve_minutes",
            payload={"version": version.version},
            select_related=("body",),
        )
        registration.minutes_approved(acting_user=acting_user, meeting=locked, version=version)
    return locked


class AlreadyApproved(ValidationError):
    """The user has approved the current version already (a second click): not an error for the user."""


def minutes_approve(*, acting_user, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    """The chair's or a justerare's approval, time-stamped; when all three have approved, the version is frozen."""
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        version = current_version(locked)
        if (
            version is not None
            and acting_user is not None
            and version.approvals.filter(membership__person__user_id=acting_user.pk).exists()
        ):
            raise AlreadyApproved(_("Du har redan justerat den här versionen."))
        locked = _locked_for_approval(locked, expected_state)
        mine = [
            (role, m)
            for role, m in _approvers(locked).values()
            if m.person.user_id == getattr(acting_user, "pk", None)
        ]
        if not mine:
            raise PermissionDenied(_("Endast ordföranden och de valda justerarna justerar protokollet."))
        role, membership = next(((r, m) for r, m in mine if r == "chair"), mine[0])
        version = current_version(locked)
        _approval, created = MinutesApproval.objects.get_or_create(
            minutes=version, membership=membership, defaults={"role": role}
        )
        if not created:
            raise AlreadyApproved(_("Du har redan justerat den här versionen."))
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MINUTES_APPROVAL_GIVEN,
            obj=locked,
            payload={"version": version.version, "role": role},
        )
        return _complete_if_approved(acting_user, locked, version)


def approvers_without_login(meeting: Meeting) -> list:
    """The chair and justerare who cannot log in and have not approved the current version: the chair or the
    secretary records their approval (``minutes_approval_record``)."""
    if meeting.state != MeetingState.MINUTES_DRAFTED:
        return []
    version = current_version(meeting)
    if version is None:
        return []
    done = {approval.membership_id for approval in version.approvals.all()}  # the page's read, if any
    return [
        m
        for _role, m in _approvers(meeting).values()
        if m.pk not in done and (m.person.user is None or not m.person.user.is_active)
    ]


def minutes_approval_record(
    *, acting_user, meeting: Meeting, membership_id: int, note: str, expected_state: str | None = None
) -> Meeting:
    """The chair or the secretary records that a justerare (or the chair) without a login has approved the
    minutes, e.g. on paper, with a note. The approval row and the audit row say who recorded it for whom."""
    from .planning import MAX_REASON

    permissions.check_manage_body(acting_user, meeting.body)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Skriv en anteckning om hur justeringen gjordes (t.ex. på papper, datum)."))
    if len(note) > MAX_REASON:
        raise ValidationError(_("Anteckningen får vara högst %(n)s tecken.") % {"n": MAX_REASON})
    with transaction.atomic():
        locked = _locked_for_approval(meeting, expected_state)
        needed = _approvers(locked)
        if membership_id not in needed:
            raise ValidationError(_("Välj ordföranden eller en av de valda justerarna."))
        role, membership = needed[membership_id]
        user = membership.person.user
        if user is not None and user.is_active:
            raise ValidationError(
                _("%(p)s kan logga in och justerar själv.") % {"p": membership.person.full_name}
            )
        version = current_version(locked)
        recorded_by = actor_display_name(acting_user)
        _approval, created = MinutesApproval.objects.get_or_create(
            minutes=version,
            membership=membership,
            defaults={
                "role": role,
                "recorded_by": acting_user,
                "recorded_by_name": recorded_by,
                "note": note,
            },
        )
        if not created:
            raise ValidationError(
                _("%(p)s har redan justerat den här versionen.") % {"p": membership.person.full_name}
            )
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.MINUTES_APPROVAL_RECORDED,
            obj=locked,
            payload={
                "version": version.version,
                "role": role,
                "membership": membership.pk,
                "on_behalf_of": membership.person.full_name,
                "recorded_by": recorded_by,
                "note": note,
            },
        )
        return _complete_if_approved(acting_user, locked, version)


def minutes_publish(*, acting_user, meeting: Meeting, expected_state: str | None = None) -> Meeting:
    return _meeting_transition(
        acting_user=acting_user, meeting=meeting, transition="publish", expected_state=expected_state
    )


def minutes_correct(
    *, acting_user, meeting: Meeting, reason: str, expected_state: str | None = None
) -> Meeting:
    """A correction of approved minutes: a new version with a reason, to be approved again; the old stays frozen."""
    if not (reason or "").strip():
        raise ValidationError(_("Ange skälet till rättelsen."))
    with transaction.atomic():
        locked = _meeting_transition(
            acting_user=acting_user,
            meeting=meeting,
            transition="correct_minutes",
            payload={"reason": reason},
            expected_state=expected_state,
        )
        version = MinutesVersion.objects.create(
            meeting=locked, version=locked.minutes_version + 1, reason=reason.strip()
        )
        Meeting.objects.filter(pk=locked.pk).update(minutes_version=version.version)
        _render_version(locked, version)
    return locked


def extract_render(*, meeting: Meeting, paragraph: int) -> bytes:
    """Protokollsutdrag: one paragraph of the latest approved minutes."""
    from governance.documents import rendering as documents
    from governance.documents.services import template_for

    version = meeting.minutes_versions.filter(approved_at__isnull=False).order_by("-version").first()
    if version is None:
        raise ValidationError(_("Det finns inget justerat protokoll att göra utdrag ur."))
    item = next((i for i in version.snapshot.get("items", []) if i["paragraph"] == f"§ {paragraph}"), None)
    if item is None:
        raise ValidationError(_("Protokollet har ingen § %(n)s.") % {"n": paragraph})
    return documents.render_docx(template_for("extract")[0], extract_context(meeting, version, item))

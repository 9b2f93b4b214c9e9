"""The agenda: items, their order, carried-over items, papers from other apps (core.papers) and follow-up papers, and item outcomes (with jäv)."""

import io

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from docx import Document

from governance.core.papers import paper_provider
from governance.core.services import audit_record

from .. import permissions, registration
from ..choices import (
    PROTECTED_ITEMS,
    STANDARD_CLOSING,
    ItemKind,
    MeetingAction,
    MeetingState,
)
from ..models import AgendaItem, ConflictOfInterest, Meeting
from .common import _minutes_open, _rerender_open_minutes
from .notices import notice_recipients


def _next_position(meeting: Meeting) -> int:
    """Before the closing items (övriga frågor, mötets avslutande)."""
    closing = (
        meeting.items.filter(standard_key__in=[key for key, _t in STANDARD_CLOSING])
        .order_by("position")
        .first()
    )
    if closing is None:
        last = meeting.items.order_by("-position").first()
        return (last.position + 1) if last else 1
    position = closing.position
    for item in meeting.items.filter(position__gte=position).order_by("-position"):
        item.position += 1
        item.save(update_fields=["position"])
    return position


def _check_agenda_open(meeting: Meeting) -> None:
    if meeting.state not in permissions.AGENDA_OPEN_STATES:
        raise ValidationError(_("Dagordningen kan inte ändras när protokollet är upprättat."))


def agenda_item_add(
    *,
    acting_user,
    meeting: Meeting,
    title: str,
    kind: str = ItemKind.INFORMATION,
    presenter: str = "",
    minutes_allotted: int | None = None,
    description: str = "",
    paper=None,
    **links,
) -> AgendaItem:
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        permissions.check_manage_body(acting_user, meeting.body)
        _check_agenda_open(meeting)
        if not (title or "").strip():
            raise ValidationError(_("Ange en rubrik."))
        if kind not in ItemKind.values:
            raise ValidationError(_("Okänd typ av ärende."))
        item = AgendaItem(
            meeting=meeting,
            position=_next_position(meeting),
            title=title.strip(),
            kind=kind,
            presenter=presenter,
            minutes_allotted=minutes_allotted,
            description=description,
            **links,
        )
        if paper is not None:
            name = paper.name[-150:]
            item.paper.save(name, paper, save=False)
            item.paper_name = name
        item.save()
        registration.paper_added(acting_user=acting_user, meeting=meeting, item=item)
        if meeting.state == MeetingState.NOTICE_SENT:
            Meeting.objects.filter(pk=meeting.pk).update(ical_sequence=meeting.ical_sequence + 1)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_ITEM_ADDED,
            obj=item,
            object_label=f"{meeting}: {item.title}",
        )
    return item


#: The opening stays first and the closing stays last: they do not move, and nothing moves past them.
FIRST_ITEM, LAST_ITEM = "opening", "closing"


def _move_refusal(item: AgendaItem, neighbour: AgendaItem | None, direction: str) -> str | None:
    """Why ``item`` cannot swap places with ``neighbour`` (the item above or below it), or ``None``."""
    if item.standard_key == FIRST_ITEM:
        return _("”%(title)s” står alltid först på dagordningen.") % {"title": item.title}
    if item.standard_key == LAST_ITEM:
        return _("”%(title)s” står alltid sist på dagordningen.") % {"title": item.title}
    if neighbour is None:
        return _("Ärendet står redan först eller sist.")
    if direction == "up" and neighbour.standard_key == FIRST_ITEM:
        return _("Inget ärende kan flyttas före ”%(title)s”.") % {"title": neighbour.title}
    if direction == "down" and neighbour.standard_key == LAST_ITEM:
        return _("Inget ärende kan flyttas efter ”%(title)s”.") % {"title": neighbour.title}
    return None


def agenda_moves(items: list[AgendaItem]) -> dict[int, dict[str, bool]]:
    """Item id -> ``{"up": …, "down": …}``: the moves ``agenda_item_move`` allows, for the page's ↑ and ↓.
    ``items`` is the whole agenda in order."""
    moves = {}
    for index, item in enumerate(items):
        above = items[index - 1] if index > 0 else None
        below = items[index + 1] if index + 1 < len(items) else None
        moves[item.pk] = {
            "up": _move_refusal(item, above, "up") is None,
            "down": _move_refusal(item, below, "down") is None,
        }
    return moves


def agenda_item_move(*, acting_user, item: AgendaItem, direction: str) -> AgendaItem:
    """Move an item one step up or down (two positions swap; the unique order is kept). The opening stays
    first and the closing last: they do not move, and no item moves above the opening or below the closing."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
        permissions.check_manage_body(acting_user, meeting.body)
        _check_agenda_open(meeting)
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        neighbour = (
            meeting.items.filter(position__lt=item.position).order_by("-position").first()
            if direction == "up"
            else meeting.items.filter(position__gt=item.position).order_by("position").first()
        )
        refusal = _move_refusal(item, neighbour, direction)
        if refusal:
            raise ValidationError(refusal)
        first, second = item.position, neighbour.position
        item.position = 0
        item.save(update_fields=["position"])
        neighbour.position = first
        neighbour.save(update_fields=["position"])
        item.position = second
        item.save(update_fields=["position"])
        if meeting.state == MeetingState.NOTICE_SENT:  # the numbered agenda in the calendar event changes
            Meeting.objects.filter(pk=meeting.pk).update(ical_sequence=meeting.ical_sequence + 1)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_ITEM_MOVED,
            obj=item,
            payload={"direction": direction},
        )
    return item


def agenda_item_remove(*, acting_user, item: AgendaItem) -> Meeting:
    """Take an item off the agenda before the meeting is held; the items after it move up one place.

    The standard items the meeting needs (opening, justerare, the agenda's approval, closing) stay. Once the
    meeting is held the agenda is what was dealt with: an item that was not is noted as such instead. The
    item's paper is deleted from storage after the commit; the audit row keeps its title and place."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
        permissions.check_manage_body(acting_user, meeting.body)
        if meeting.state not in (MeetingState.PLANNED, MeetingState.NOTICE_SENT):
            raise ValidationError(
                _("Ärenden tas bort innan mötet hålls; anteckna i stället att ärendet inte behandlades.")
            )
        item = AgendaItem.objects.filter(pk=item.pk, meeting=meeting).first()
        if item is None:
            raise ValidationError(_("Ärendet finns inte längre på dagordningen."))
        if item.standard_key in PROTECTED_ITEMS:
            raise ValidationError(
                _("”%(title)s” står på varje dagordning och kan inte tas bort.") % {"title": item.title}
            )
        title, position, paper = item.title, item.position, item.paper.name
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_ITEM_REMOVED,
            obj=meeting,
            object_label=f"{meeting}: {title}",
            payload={"item": item.pk, "title": title, "position": position, "paper": item.paper_name},
        )
        item.delete()
        for later in meeting.items.filter(position__gt=position).order_by("position"):
            later.position -= 1
            later.save(update_fields=["position"])
        if meeting.state == MeetingState.NOTICE_SENT:
            meeting.ical_sequence += 1
            Meeting.objects.filter(pk=meeting.pk).update(ical_sequence=meeting.ical_sequence)
        if paper:
            storage = AgendaItem._meta.get_field("paper").storage
            transaction.on_commit(lambda: storage.delete(paper))
    return meeting


def _item_waiting_for(meeting: Meeting, provider, source) -> AgendaItem | None:
    """The item already on the agenda that waits for this paper: one without a paper linked to the same
    source, or else one announced under the paper's name (its title) and linked to nothing yet."""
    waiting = meeting.items.filter(paper="", follow_up_report=None).order_by("position")
    source_type = ContentType.objects.get_for_model(source)
    same_source = waiting.filter(source_type=source_type, source_id=source.pk).first()
    if same_source is not None:
        return same_source
    label = provider.label.strip().casefold()
    return next(
        (i for i in waiting.filter(source_id=None, standard_key="") if i.title.strip().casefold() == label),
        None,
    )


def agenda_paper_add(*, acting_user, meeting: Meeting, provider_key: str, source_id: int) -> AgendaItem:
    """One action: a paper from another app (``core.papers``: e.g. the adoption summary of a recommendation)
    on the agenda, linked to the object the paper was made from.

    If an item already waits for it (same source without a paper, or an item announced under the paper's
    name), the paper is attached to that item (audit ``agenda.paper_attached``); otherwise a new item is
    added before the closing items (``agenda.item_added``)."""
    try:
        provider = paper_provider(provider_key)
    except LookupError as exc:
        raise ValidationError(_("Okänd sorts handling.")) from exc
    permissions.check_manage_body(acting_user, meeting.body)
    if source_id not in {pk for pk, _label in provider.options(acting_user)}:
        raise ValidationError(_("Välj vad handlingen ska gälla."))
    try:
        name, content, source = provider.build(source_id)
    except LookupError as exc:
        raise ValidationError(_("Välj vad handlingen ska gälla.")) from exc
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        _check_agenda_open(locked)
        item = _item_waiting_for(locked, provider, source)
        if item is None:
            return agenda_item_add(
                acting_user=acting_user,
                meeting=locked,
                title=provider.label,
                kind=ItemKind.INFORMATION,
                description=provider.description(source),
                paper=ContentFile(content, name=name),
                source_type=ContentType.objects.get_for_model(source),
                source_id=source.pk,
            )
        name = name[-150:]
        item.paper.save(name, ContentFile(content, name=name), save=False)
        item.paper_name = name
        item.source_type = ContentType.objects.get_for_model(source)
        item.source_id = source.pk
        # The item and its title stay: the calendar event does not change, so its SEQUENCE does not either.
        item.save(update_fields=["paper", "paper_name", "source_type", "source_id"])
        registration.paper_added(acting_user=acting_user, meeting=locked, item=item)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_PAPER_ATTACHED,
            obj=item,
            object_label=f"{locked}: {item.title}",
            payload={"provider": provider.key, "source": source.pk, "paper": name},
        )
    return item


def _follow_up_paper(report) -> tuple[str, bytes]:
    """The report as a paper: a table per category with a bar drawn in the text, so the chart travels with
    the document and stays readable by screen readers. Cells below 5 show "<5" and no bar."""
    from ..choices import FigureCategory
    from .followup import SMALL_CELL, suppressed

    document = Document()
    document.add_heading(f"Uppföljning {report.year} kvartal {report.quarter}", level=1)
    document.add_paragraph(
        "Endast sammanräknade uppgifter. Celler under 5 visas som <5 och ritas inte, så att ingen kan räknas fram."
    )
    figures = list(report.figures.all())
    for category, label in FigureCategory.choices:
        rows = [f for f in figures if f.category == category]
        if not rows:
            continue
        document.add_heading(str(label), level=2)
        largest = max((f.value for f in rows if f.value >= SMALL_CELL), default=1)
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["Grupp", "Antal", "Diagram"], strict=True):
            cell.text = text
        for figure in rows:
            cells = table.add_row().cells
            cells[0].text = figure.label
            cells[1].text = suppressed(figure.value)
            cells[2].text = (
                "█" * max(1, round(30 * figure.value / largest)) if figure.value >= SMALL_CELL else ""
            )
    out = io.BytesIO()
    document.save(out)
    return f"uppfoljning-{report.year}-q{report.quarter}.docx", out.getvalue()


def agenda_follow_up_add(*, acting_user, meeting: Meeting, report) -> AgendaItem:
    name, content = _follow_up_paper(report)
    return agenda_item_add(
        acting_user=acting_user,
        meeting=meeting,
        title=f"Uppföljning {report.year} kvartal {report.quarter}",
        kind=ItemKind.INFORMATION,
        description="Centrets uppföljning (endast sammanräknade uppgifter; celler under 5 visas som <5).",
        follow_up_report=report,
        paper=ContentFile(content, name=name),
    )


def agenda_carry_over(*, acting_user, meeting: Meeting) -> list[AgendaItem]:
    """Bring the open items of the body's previous meeting onto this agenda (once)."""
    previous = (
        Meeting.objects.filter(body=meeting.body, starts_at__lt=meeting.starts_at)
        .exclude(state__in=[MeetingState.CANCELLED, MeetingState.POSTPONED])
        .order_by("-starts_at")
        .first()
    )
    if previous is None:
        raise ValidationError(_("Det finns inget tidigare möte."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)
        permissions.check_manage_body(acting_user, meeting.body)
        return _carry(acting_user, meeting, previous)


def _carry(acting_user, meeting: Meeting, previous: Meeting) -> list[AgendaItem]:
    already = set(meeting.items.exclude(carried_from=None).values_list("carried_from_id", flat=True))
    carried = []
    for item in previous.items.filter(is_open=True).exclude(pk__in=already):
        carried.append(
            agenda_item_add(
                acting_user=acting_user,
                meeting=meeting,
                title=item.title,
                kind=item.kind,
                presenter=item.presenter,
                description=item.description,
                carried_from=item,
                source_type_id=item.source_type_id,
                source_id=item.source_id,
            )
        )
    if not carried:
        raise ValidationError(_("Det finns inga öppna frågor från föregående möte."))
    return carried


MAX_DISPATCH_LINES = 40


def _dispatch_lines(dispatch: str) -> str:
    """The extract's recipients, one per line (blank lines dropped): at most 40, each at most 200 characters."""
    lines = [line.strip() for line in (dispatch or "").splitlines() if line.strip()]
    if len(lines) > MAX_DISPATCH_LINES:
        raise ValidationError(_("Expedieras till: högst %(n)s mottagare.") % {"n": MAX_DISPATCH_LINES})
    if any(len(line) > 200 for line in lines):
        raise ValidationError(_("Expedieras till: högst 200 tecken per mottagare."))
    return "\n".join(lines)


def item_outcome_record(
    *,
    acting_user,
    item: AgendaItem,
    outcome: str,
    is_open: bool = False,
    conflicts: list[int] | None = None,
    kind: str | None = None,
    dispatch: str | None = None,
) -> AgendaItem:
    """The decision or note of one item, and who was jävig. A decision needs a quorum shown first.

    ``kind`` (``None``: unchanged) marks the item as a decision or as information/discussion, e.g. a standard
    item that turned out to be information only; ``dispatch`` (``None``: unchanged) is who its extract is
    sent to, one recipient per line. The audit row keeps both before and after when they change."""
    if kind is not None and kind not in ItemKind.values:
        raise ValidationError(_("Okänd typ av ärende."))
    if dispatch is not None:
        dispatch = _dispatch_lines(dispatch)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
        permissions.check_manage_body(acting_user, meeting.body)
        if meeting.state != MeetingState.HELD and not _minutes_open(meeting):
            raise ValidationError(
                _(
                    "Beslut och anteckningar förs när mötet är genomfört, och ändras bara innan protokollet justerats."
                )
            )
        item = AgendaItem.objects.get(pk=item.pk, meeting=meeting)
        payload = {"open": is_open, "conflicts": conflicts or []}
        if kind is not None and kind != item.kind:
            payload["kind"] = {"before": item.kind, "after": kind}
            item.kind = kind
        if dispatch is not None and dispatch != item.dispatch:
            payload["dispatch"] = {"before": item.dispatch, "after": dispatch}
            item.dispatch = dispatch
        if item.kind == ItemKind.DECISION and meeting.quorum_recorded_at is None:
            raise ValidationError(
                _("Registrera närvaron först: beslutförheten ska visas innan något beslut.")
            )
        if item.kind == ItemKind.DECISION and (meeting.quorum_present or 0) < (meeting.quorum_required or 1):
            raise ValidationError(_("Mötet är inte beslutfört; inga beslut kan fattas."))
        item.outcome = (outcome or "").strip()
        item.is_open = is_open
        item.save(update_fields=["outcome", "is_open", "kind", "dispatch"])
        members = {m.pk for m in notice_recipients(meeting)}
        item.conflicts.all().delete()
        for membership_id in conflicts or []:
            if membership_id not in members:
                raise ValidationError(_("Okänd ledamot i jävsanteckningen."))
            ConflictOfInterest.objects.create(item=item, membership_id=membership_id)
        _rerender_open_minutes(meeting)
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.AGENDA_OUTCOME_RECORDED,
            obj=item,
            object_label=f"{meeting}: {item.title}",
            payload=payload,
        )
    return item

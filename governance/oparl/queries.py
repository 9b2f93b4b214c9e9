"""Reads of the public part for the OParl interface: what may be shown, and when it was created and changed.

Only what the project already publishes leaves through OParl (docs/oparl.md):

- the cooperation bodies and their members by name, with their terms and the party each represents;
- meetings once the notice has gone out (a planned meeting is still being prepared: a draft), and from then on
  whatever happens to them (cancelled, postponed, moved);
- the agenda items, their § and their decisions only when the meeting's minutes are published, i.e. what the
  published protocol itself says (``MeetingState.PUBLISHED``);
- the frozen (justerade) versions of published minutes, as files (as deleted files after a correction);
- KSL's recommendations once sent to the municipalities (the public list of ``decisions``), as papers: title,
  registration number and date, nothing of the cases.

Nothing else: no e-mail address or telephone number, no title, no attendance answers, no jäv, no uploaded
papers (``AgendaItem.paper`` is for the body's members), no video link, no unpublished minutes.

None of the models carries a creation or change time of its own, but every change goes through a service that
writes an audit row (``core.AuditEvent``) for the object. ``created`` is the time of an object's first audit
row and ``modified`` of its last; the querysets below annotate both in SQL (``oparl_created``,
``oparl_modified``), so lists filter on them and need a fixed number of queries.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest

from governance.core.models import AuditEvent
from governance.decisions.models import Recommendation
from governance.meetings.choices import AttendanceStatus, MeetingAction, MeetingState
from governance.meetings.models import (
    AgendaItem,
    Attendance,
    CooperationBody,
    Meeting,
    Membership,
    MinutesVersion,
)
from governance.parties.models import Organisation, Person

#: The states of a meeting that has been announced or held; the notice's audit row covers the rest (cancelled,
#: postponed or moved after the notice).
ANNOUNCED_STATES = (
    MeetingState.NOTICE_SENT,
    MeetingState.HELD,
    MeetingState.MINUTES_DRAFTED,
    MeetingState.MINUTES_APPROVED,
    MeetingState.PUBLISHED,
)


def _audit_time(model, *, first: bool, ref: str = "pk"):
    """The time of the first (or last) audit row of the object ``OuterRef(ref)`` of ``model``."""
    content_type = ContentType.objects.get_for_model(model)
    rows = AuditEvent.objects.filter(
        content_type=content_type, object_id=Cast(OuterRef(ref), output_field=CharField())
    ).order_by("id" if first else "-id")
    return Subquery(rows.values("occurred_at")[:1], output_field=DateTimeField())


# --- what is public -----------------------------------------------------------------------------------------


def _meeting_event(*actions, ref: str = "pk"):
    """The audit rows of the meeting ``OuterRef(ref)`` with one of ``actions``."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=Cast(OuterRef(ref), output_field=CharField()),
        action__in=actions,
    )


def public_meeting_filter() -> Q:
    """A meeting is public once it has been announced (its notice sent) or held, and stays so: cancelled,
    postponed or given a new time (back to "planerat" until the new notice), it is still there, with its state.
    OParl forbids a published main object to vanish."""
    return Q(state__in=ANNOUNCED_STATES) | Q(Exists(_meeting_event(MeetingAction.MEETING_NOTICE_SENT)))


def public_item_filter(prefix: str = "") -> Q:
    """Agenda items are public when the meeting's minutes are published."""
    return Q(**{f"{prefix}meeting__state": MeetingState.PUBLISHED})


def public_file_filter() -> Q:
    """A minutes version is public when it is frozen (justerad) and the meeting's minutes are published: the
    same rule as the minutes download (``meetings.views.pages._version_or_404``)."""
    return Q(meeting__state=MeetingState.PUBLISHED, approved_at__isnull=False)


# --- querysets with their time stamps ----------------------------------------------------------------------


def host() -> Organisation | None:
    return Organisation.objects.filter(is_host=True).first()


def _seat_time(field: str, *, first: bool):
    """The first (last) audit row of any membership whose ``field`` is the outer object: a body's list of
    memberships and a person's embedded memberships change with them."""
    content_type = ContentType.objects.get_for_model(Membership)
    seats = Membership.objects.filter(**{field: OuterRef(OuterRef("pk"))}).annotate(
        key=Cast("pk", output_field=CharField())
    )
    rows = AuditEvent.objects.filter(content_type=content_type, object_id__in=seats.values("key")).order_by(
        "id" if first else "-id"
    )
    return Subquery(rows.values("occurred_at")[:1], output_field=DateTimeField())


def _latest(*values):
    """The latest of times that may be NULL (SQLite's MAX() of a NULL is NULL; PostgreSQL's GREATEST skips it)."""
    return Greatest(
        *(Coalesce(value, *(other for other in values if other is not value)) for value in values)
    )


def organizations() -> QuerySet:
    return (
        CooperationBody.objects.annotate(
            oparl_created=_audit_time(CooperationBody, first=True),
            oparl_modified=_latest(
                _audit_time(CooperationBody, first=False), _seat_time("body", first=False)
            ),
        )
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.only("pk", "body_id").order_by("pk"))
        )
        .order_by("pk")
    )


def parties() -> QuerySet:
    """The parties (samverkansparter) that members represent: a membership's ``onBehalfOf``."""
    return (
        Organisation.objects.filter(Exists(Membership.objects.filter(organisation=OuterRef("pk"))))
        .only("pk", "name", "short_name", "kind")
        .annotate(
            oparl_created=_audit_time(Organisation, first=True),
            oparl_modified=_audit_time(Organisation, first=False),
        )
        .order_by("pk")
    )


def memberships() -> QuerySet:
    return (
        Membership.objects.select_related("person", "body")
        .annotate(
            oparl_created=_audit_time(Membership, first=True),
            oparl_modified=_audit_time(Membership, first=False),
        )
        .order_by("pk")
    )


def persons() -> QuerySet:
    """The people who sit or sat in a cooperation body, with their memberships (names only leave here). A
    person is public through the memberships, so they give ``created``; a change of the name (audited on the
    person) counts for ``modified`` too."""
    return (
        Person.objects.filter(Exists(Membership.objects.filter(person=OuterRef("pk"))))
        .only("pk", "first_name", "last_name")
        .annotate(
            oparl_created=_seat_time("person", first=True),
            oparl_modified=_latest(_seat_time("person", first=False), _audit_time(Person, first=False)),
        )
        .prefetch_related(Prefetch("memberships", queryset=memberships()))
        .order_by("pk")
    )


def files() -> QuerySet:
    """The frozen versions of minutes that are or were published. One whose meeting's minutes have since been
    corrected (``minutes_correct``: no longer published) is no longer public, but OParl forbids a File to
    vanish: it stays as deleted (``oparl_public`` false), changed at the correction. ``created`` is when the
    version was drawn up; ``modified`` the latest of its justering and the meeting's publication or correction."""
    last_change = Subquery(
        _meeting_event(MeetingAction.MINUTES_PUBLISHED, MeetingAction.MINUTES_CORRECTED, ref="meeting_id")
        .order_by("-id")
        .values("occurred_at")[:1],
        output_field=DateTimeField(),
    )
    return (
        MinutesVersion.objects.filter(approved_at__isnull=False)
        .filter(
            Q(meeting__state=MeetingState.PUBLISHED)
            | Q(Exists(_meeting_event(MeetingAction.MINUTES_PUBLISHED, ref="meeting_id")))
        )
        .select_related("meeting__body")
        .defer("snapshot")
        .annotate(
            oparl_public=Case(
                When(public_file_filter(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            oparl_created=F("created_at"),
            oparl_modified=_latest(F("approved_at"), last_change),
        )
        .order_by("pk")
    )


def agenda_items() -> QuerySet:
    """Items of meetings with published minutes. An item's time stamps include its meeting's: the item
    became public (and got its §) through changes recorded on the meeting."""
    meeting_first = _audit_time(Meeting, first=True, ref="meeting_id")
    meeting_last = _audit_time(Meeting, first=False, ref="meeting_id")
    return (
        AgendaItem.objects.filter(public_item_filter())
        .select_related("meeting")
        .only(
            "pk",
            "meeting_id",
            "meeting__state",
            "position",
            "title",
            "kind",
            "outcome",
            "paragraph",
        )
        .annotate(
            oparl_created=Coalesce(_audit_time(AgendaItem, first=True), meeting_first),
            oparl_modified=_latest(_audit_time(AgendaItem, first=False), meeting_last),
        )
        .order_by("pk")
    )


def meetings() -> QuerySet:
    """Public meetings with what they show: items and files when the minutes are published, and who was
    present (the protocol's "Närvarande")."""
    present = (
        Attendance.objects.filter(status__in=(AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE))
        .select_related("membership")
        .only("pk", "meeting_id", "membership__person_id")
        .order_by("pk")
    )
    return (
        Meeting.objects.filter(public_meeting_filter())
        .select_related("body")
        .only(
            "pk", "body__id", "body__name", "state", "starts_at", "ends_at", "notice_sent_at", "is_demo_data"
        )
        .annotate(
            oparl_created=Coalesce(_audit_time(Meeting, first=True), F("starts_at")),
            oparl_modified=Coalesce(_audit_time(Meeting, first=False), F("starts_at")),
        )
        .prefetch_related(
            Prefetch("items", queryset=agenda_items().order_by("position"), to_attr="public_items"),
            Prefetch(
                "minutes_versions",
                queryset=files().filter(oparl_public=True).order_by("-version"),
                to_attr="public_files",
            ),
            Prefetch("attendances", queryset=present, to_attr="present"),
        )
        .order_by("pk")
    )


def papers() -> QuerySet:
    """Recommendations sent to the municipalities (drafts are KSL's own)."""
    return (
        Recommendation.objects.filter(sent_at__isnull=False)
        .only("pk", "title", "registration_number", "board_decision_date", "sent_at", "is_demo_data")
        .annotate(
            oparl_created=Coalesce(_audit_time(Recommendation, first=True), F("sent_at")),
            oparl_modified=_latest(_audit_time(Recommendation, first=False), F("sent_at")),
        )
        .order_by("pk")
    )


def since_until(queryset: QuerySet, filters: dict[str, dt.datetime]) -> QuerySet:
    """OParl's list filters ``created_since``, ``created_until``, ``modified_since``, ``modified_until``."""
    lookups = {
        "created_since": "oparl_created__gte",
        "created_until": "oparl_created__lte",
        "modified_since": "oparl_modified__gte",
        "modified_until": "oparl_modified__lte",
    }
    return queryset.filter(**{lookups[name]: value for name, value in filters.items()})

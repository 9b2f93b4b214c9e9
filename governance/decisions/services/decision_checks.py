"""The checks on a body's decision, its anslag date and the signature, each returning every problem at once
(Swedish, naming the field) so the services can refuse with one ``ValidationError`` and store nothing."""

import datetime as dt
import re

from django.utils.translation import gettext as _

from governance.core import calendar

from ..choices import DecisionOutcome, StepRole
from ..models import AdoptionCase, Decision, DecisionStep

MAX_PARAGRAPH_CHARS = 40
MAX_DECISION_TEXT_CHARS = 10_000
#: The anslag of the approved minutes follows the meeting within days (justering within about 14 days, the
#: notice within two more); a date more than this long after the meeting is almost surely a typing error.
MAX_POSTING_DAYS_AFTER_MEETING = 60
#: Outcomes that are a body's decision on the matter: a bordläggning or återremiss is not.
DECIDING_OUTCOMES = (
    DecisionOutcome.APPROVE,
    DecisionOutcome.APPROVE_WITH_RESERVATIONS,
    DecisionOutcome.DECLINE,
)
APPROVING_OUTCOMES = (DecisionOutcome.APPROVE, DecisionOutcome.APPROVE_WITH_RESERVATIONS)

# "§ 103", "§103", "KS § 45", "KF §12a" → normalised to "<prefix> § <number>"; "103 §" kept as written.
_SECTION_FIRST = re.compile(r"^(?P<prefix>[^\W\d_][\w.\-]*\s+)?§\s*(?P<number>\d+(?:\s?[a-z])?)$")
_SECTION_LAST = re.compile(r"^(?P<number>\d+(?:\s?[a-z])?)\s*§$")


def paragraph_normalise(paragraph: str) -> str:
    """``§103`` → ``§ 103``, ``KS §45`` → ``KS § 45``, ``103§`` → ``103 §``; anything else as written, trimmed
    and with runs of spaces made one (a free reference such as ``Utl. 2012:109 RVII``)."""
    text = re.sub(r" {2,}", " ", (paragraph or "").strip())
    match = _SECTION_FIRST.match(text)
    if match:
        prefix = (match.group("prefix") or "").strip()
        return f"{prefix} § {match.group('number')}".strip()
    match = _SECTION_LAST.match(text)
    if match:
        return f"{match.group('number')} §"
    return text


def paragraph_problems(paragraph: str) -> list[str]:
    if not paragraph:
        return [_("Paragraf: ange paragraf (§), t.ex. ”§ 103”, eller protokollets referens.")]
    errors = []
    if len(paragraph) > MAX_PARAGRAPH_CHARS:
        errors.append(
            _("Paragraf: högst %(max)s tecken (nu %(n)s), t.ex. ”§ 103” eller ”Utl. 2012:109 RVII”.")
            % {"max": MAX_PARAGRAPH_CHARS, "n": len(paragraph)}
        )
    if any(not ch.isprintable() for ch in paragraph):
        errors.append(_("Paragraf: får inte innehålla radbrytningar eller andra styrtecken."))
    if not any(ch.isdigit() for ch in paragraph):  # "§ tolv": a protocol's § is a number
        errors.append(_("Paragraf: ange paragrafens nummer med siffror, t.ex. ”§ 103”."))
    return errors


def posting_problems(posted_on: dt.date | None, meeting_date: dt.date | None) -> list[str]:
    """The anslag date: not before the meeting, not in the future, not long after the meeting."""
    if posted_on is None:
        return []
    errors = []
    if posted_on > calendar.today():
        errors.append(_("Anslagsdatum: kan inte ligga i framtiden (%(date)s).") % {"date": posted_on})
    if meeting_date is not None and posted_on < meeting_date:
        errors.append(
            _("Anslagsdatum: protokollet (%(posted)s) kan inte anslås före sammanträdet (%(meeting)s).")
            % {"posted": posted_on, "meeting": meeting_date}
        )
    if meeting_date is not None and posted_on > meeting_date + dt.timedelta(
        days=MAX_POSTING_DAYS_AFTER_MEETING
    ):
        errors.append(
            _(
                "Anslagsdatum: %(posted)s är mer än %(days)s dagar efter sammanträdet (%(meeting)s). "
                "Kontrollera datumet."
            )
            % {"posted": posted_on, "days": MAX_POSTING_DAYS_AFTER_MEETING, "meeting": meeting_date}
        )
    return errors


def duplicate_message(step: DecisionStep, meeting_date: dt.date) -> str:
    return _(
        "%(body)s har redan ett registrerat beslut från sammanträdet %(date)s. "
        "Samma beslut kan inte registreras två gånger."
    ) % {"body": step.body.name, "date": meeting_date}


def decision_problems(
    *,
    case: AdoptionCase,
    step: DecisionStep | None,
    meeting_date: dt.date | None,
    paragraph: str,
    text: str,
    outcome: str,
    posted_on: dt.date | None,
) -> list[str]:
    """Every problem with a body's decision on ``case`` (read against the locked case).

    Chain order: a body decides only after every earlier step of the chain has decided (approval, approval
    with reservations or refusal; a bordläggning or återremiss is not the body's decision), except steps that
    are only informed. The meeting date is not before the recommendation's board decision, nor before the
    latest decision of an earlier step, nor in the future. One non-voided decision per body and meeting date.
    """
    errors = []
    if step is None or step.case_id != case.pk:
        errors.append(_("Organ: välj ett organ i ärendets beslutskedja."))
        step = None
    if meeting_date is None:
        errors.append(_("Sammanträdesdatum: ange datum för sammanträdet."))
    errors += paragraph_problems(paragraph)
    if not text:
        errors.append(_("Beslutstext: ange beslutstext."))
    elif len(text) > MAX_DECISION_TEXT_CHARS:
        errors.append(
            _("Beslutstext: högst %(max)s tecken (nu %(n)s).")
            % {"max": f"{MAX_DECISION_TEXT_CHARS:_}".replace("_", " "), "n": len(text)}
        )
    if outcome not in DecisionOutcome.values:
        errors.append(_("Utfall: välj beslutets utfall."))
    board = case.recommendation.board_decision_date
    if meeting_date is not None and meeting_date < board:
        errors.append(
            _("Sammanträdesdatum: beslutet (%(date)s) kan inte vara före rekommendationen (%(rec)s).")
            % {"date": meeting_date, "rec": board}
        )
    if meeting_date is not None and meeting_date > calendar.today():
        errors.append(_("Sammanträdesdatum: kan inte ligga i framtiden (%(date)s).") % {"date": meeting_date})
    errors += posting_problems(posted_on, meeting_date)
    if step is None:
        return errors
    decisions = list(Decision.objects.filter(case=case, voided_at__isnull=True).select_related("step__body"))
    earlier = [
        s
        for s in case.steps.select_related("body").order_by("order")
        if s.order < step.order and s.role != StepRole.INFORMED
    ]
    decided_on = {}
    for decision in decisions:
        if decision.outcome in DECIDING_OUTCOMES:
            previous = decided_on.get(decision.step_id)
            decided_on[decision.step_id] = (
                max(previous, decision.meeting_date) if previous else decision.meeting_date
            )
    missing = [s.body.name for s in earlier if s.pk not in decided_on]
    if missing:
        errors.append(
            _(
                "Organ: %(body)s kan inte besluta innan %(missing)s har beslutat (en bordläggning räknas inte). "
                "Registrera de tidigare besluten först, eller ändra beslutskedjan om ärendet inte ska gå dit."
            )
            % {"body": step.body.name, "missing": " och ".join(missing)}
        )
    latest = max((decided_on[s.pk] for s in earlier if s.pk in decided_on), default=None)
    if latest is not None and meeting_date is not None and meeting_date < latest:
        errors.append(
            _(
                "Sammanträdesdatum: %(body)s (%(date)s) kan inte besluta före det tidigare beslutet i kedjan (%(latest)s)."
            )
            % {"body": step.body.name, "date": meeting_date, "latest": latest}
        )
    if meeting_date is not None and any(
        d.step_id == step.pk and d.meeting_date == meeting_date for d in decisions
    ):
        errors.append(duplicate_message(step, meeting_date))
    return errors


def final_decision(case: AdoptionCase) -> Decision | None:
    """The deciding body's non-voided approval: the decision the signature and laga kraft follow."""
    return (
        Decision.objects.filter(
            case=case,
            voided_at__isnull=True,
            step__role=StepRole.DECIDES,
            outcome__in=APPROVING_OUTCOMES,
        )
        .select_related("step__body")
        .order_by("-meeting_date", "-id")
        .first()
    )

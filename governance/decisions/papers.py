"""The contexts of the decision documents (memo, remissvar, compilation, agreement) and their sample data.

The engine that renders them is ``governance.documents.rendering``.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import ngettext

from governance.agreements.costs import AllocationError
from governance.agreements.queries import cost_allocation
from governance.core import calendar
from governance.core.formatting import (
    amount_in_words,
    format_amount,
    format_date_iso,
    format_date_long,
    genitive,
    number_in_words,
)

from .choices import ResponseDecider, StepRole


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


@dataclass
class MemoDefaults:
    """What the memo form starts from; the clerk may edit every field before generating."""

    body_id: int | None
    date: dt.date
    registration_number: str
    department: str
    handler_name: str
    handler_title: str
    handler_phone: str
    handler_email: str
    title: str
    proposals: str
    summary: str
    background: str
    viewpoints: str
    basis: str
    dispatch: str
    signatories: str


def memo_body_step(case):
    """The body the memo goes before: the one that proposes (to the council), else the one that decides."""
    steps = list(case.steps.all())
    return next((s for s in steps if s.role == StepRole.PROPOSES), None) or next(
        (s for s in steps if s.role == StepRole.DECIDES), steps[0] if steps else None
    )


def _share(case) -> tuple[int | None, list[tuple[str, int]], int, int]:
    """The municipality's annual amount, its split among bodies, the budget and the cost year."""
    agreement = case.recommendation.agreement
    year = agreement.period_start.year
    try:
        allocation = cost_allocation(agreement=agreement, year=year)
    except AllocationError:
        return None, [], getattr(getattr(agreement, "cost_model", None), "annual_budget", 0), year
    line = next((line for line in allocation.lines if line.organisation_id == case.organisation_id), None)
    if line is None:
        return None, [], allocation.budget, year
    return line.amount, [(split.body_name, split.amount) for split in line.splits], allocation.budget, year


def cost_missing(case) -> str:
    """Why the memo cannot state the municipality's cost, for a warning on the form; empty when it can."""
    amount, _splits, _budget, year = _share(case)
    if amount is not None:
        return ""
    return (
        f"Kostnaden för {case.organisation.display_name} {year} kan inte beräknas: folkmängd eller kostnadsmodell "
        "saknas. Se avtalets kostnadssida; tjänsteutlåtandet skriver annars att kostnaden inte kunde beräknas."
    )


def share_sentences(case) -> tuple[str, str]:
    amount, splits, budget, _year = _share(case)
    name = case.organisation.display_name
    if amount is None:
        return (f"Kostnaden för {name} kunde inte beräknas: folkmängd eller kostnadsmodell saknas.", "")
    budget_words = number_in_words(budget)
    share = (
        f"Den totala budgeten för centret beräknas till {budget_words} kronor per år, varav {genitive(name)} "
        f"del skulle bli {format_amount(amount)} ({amount_in_words(amount)})."
    )
    split = ""
    if splits:
        equal = len({a for _n, a in splits}) == 1
        parts = " och ".join(f"{body} ({format_amount(a)})" for body, a in splits)
        split = f"Kostnaden fördelas lika mellan {parts}." if equal else f"Kostnaden fördelas mellan {parts}."
    return share, split


def _point(point: str) -> str:
    """An att-sats as a sentence of its own: "att ingå avtal …, samt" → "att ingå avtal …"."""
    point = point.strip().rstrip(".,;").strip()
    for tail in (" samt", " och"):
        if point.endswith(tail):
            point = point[: -len(tail)].rstrip(",")
    if not point.startswith("att "):
        point = f"att {point[0].lower()}{point[1:]}" if point else point
    return f"{point}."


def _handler(case, user):
    """The handläggare: the clerk writing the memo when they are the municipality's own; otherwise (KSL
    drafting for every municipality) the municipality's contact person, never KSL's officer."""
    person = getattr(user, "person", None)
    if person is not None and person.organisation_id == case.organisation_id:
        return person
    from governance.parties.queries import current_contacts

    contact = next(iter(current_contacts(case.organisation)), None)
    return contact.person if contact is not None else None


_MEMO_LINE = re.compile(r"^Tjänsteutlåtande \d{4}-\d{2}-\d{2}$")


def _dated_memo_line(line: str, date: dt.date) -> str:
    """ "Tjänsteutlåtande <datum>" among the beslutsunderlag carries the memo's own date, whatever it was
    when the form was filled in."""
    return f"Tjänsteutlåtande {format_date_iso(date)}" if _MEMO_LINE.match(line.strip()) else line


def _memo_date(case) -> dt.date:
    """The memo is dated the day the case was put forward (its proposal), or today while it is written."""
    from governance.core.queries import audit_events_for

    from .choices import DecisionAction

    proposed = [e for e in audit_events_for(case) if e.action == DecisionAction.CASE_PROPOSED]
    if not proposed:
        return calendar.today()
    latest = max(proposed, key=lambda e: e.occurred_at)
    replayed = (latest.payload or {}).get("on")  # a recorded history: the day it happened
    return dt.date.fromisoformat(replayed) if replayed else timezone.localtime(latest.occurred_at).date()


def memo_defaults(case, user) -> MemoDefaults:
    agreement = case.recommendation.agreement
    step = memo_body_step(case)
    body = step.body if step else None
    deciding = next((s for s in case.steps.all() if s.role == StepRole.DECIDES), None)
    period = f"{format_date_iso(agreement.period_start)} t o m {format_date_iso(agreement.period_end)}"
    subject = agreement.title[0].lower() + agreement.title[1:]
    points = [_point(point) for point in case.recommendation.points()]
    if points:  # the att-satser KSL recommends, as this body writes them
        if body is None:
            lead = "Kommunen beslutar"
        elif step.role == StepRole.DECIDES or deciding is None or deciding.body_id == body.pk:
            lead = f"{body.name} beslutar"
        else:
            lead = f"{body.name} föreslår att {deciding.body.name.lower()} beslutar"
        proposals = [f"{lead} {point}" for point in points]
    elif body is None:
        proposals = [f"Kommunen beslutar att ingå {subject} under perioden {period}."]
    elif step.role == StepRole.PROPOSES and deciding is not None:
        proposals = [
            f"{body.name} föreslår att {deciding.body.name.lower()} beslutar att ingå {subject} under perioden "
            f"{period}."
        ]
    else:
        proposals = [f"{body.name} beslutar att ingå {subject} under perioden {period}."]
    _amount, splits, _budget, _year = _share(case)
    if splits and body is not None:
        equal = len({a for _n, a in splits}) == 1
        names = " och ".join(name for name, _a in splits)
        how = "lika" if equal else "enligt kostnadsmodellen"
        proposals.append(
            f"{body.name} noterar att det årliga kostnadsbidraget fördelas {how} mellan {names}."
        )
    recommendation = case.recommendation
    person = _handler(case, user)
    memo_date = _memo_date(case)
    basis = [
        f"Tjänsteutlåtande {format_date_iso(memo_date)}",
        f"KSL:s rekommendation {format_date_iso(recommendation.dated)}",
        agreement.title,
    ]
    # KSL, the bodies that prepared the case, and those that share the cost; never the memo's own body.
    dispatch = ["Kommunförbundet Stockholms Län"]
    for name in [s.body.name for s in case.steps.all() if s.role == StepRole.PREPARES] + [
        n for n, _a in splits
    ]:
        if name not in dispatch and (body is None or name != body.name):
            dispatch.append(name)
    return MemoDefaults(
        body_id=body.pk if body else None,
        date=memo_date,
        registration_number=case.registration_number,
        department=next((b.name for b in case.organisation.bodies.all() if b.kind == "administration"), ""),
        handler_name=person.full_name if person else "",
        handler_title=person.title if person else "",
        handler_phone=person.phone if person else "",
        handler_email=person.email if person else "",
        title=recommendation.title,
        proposals="\n".join(proposals),
        summary=(
            f"Styrelsen för Kommunförbundet Stockholms Län beslutade {format_date_long(recommendation.board_decision_date)} "
            f"att rekommendera länets kommuner att ingå {subject}."
        ),
        background=recommendation.background,
        viewpoints="Förvaltningen föreslår att kommunen deltar i den gemensamma verksamheten.",
        basis="\n".join(basis),
        dispatch="\n".join(dispatch),
        signatories="\n".join(filter(None, [f"{person.full_name}, {person.title}" if person else ""])),
    )


def memo_context(case, params: dict) -> dict:
    """The template context of a tjänsteutlåtande from the (edited) form fields."""
    from governance.parties.models import Body

    body = Body.objects.filter(pk=params.get("body_id"), organisation=case.organisation).first()
    date = params["date"] if isinstance(params["date"], dt.date) else dt.date.fromisoformat(params["date"])
    share, split = share_sentences(case)
    handler = ", ".join(
        filter(
            None,
            [
                params.get("handler_name", ""),
                params.get("handler_title", ""),
                f"Tel. {params['handler_phone']}" if params.get("handler_phone") else "",
                params.get("handler_email", ""),
            ],
        )
    )
    signatories = []
    for line in lines(params.get("signatories", "")):
        name, _sep, title = line.partition(",")
        signatories.append({"name": name.strip(), "title": title.strip()})
    return {
        "organisation": case.organisation.name,
        "department": params.get("department", ""),
        "date_iso": format_date_iso(date),
        "registration_label": registration_label(params.get("registration_number", "")),
        "handler_line": f"Handläggare: {handler}" if handler else "",
        "body": body.name if body else "",
        "title": params.get("title", ""),
        "proposals": lines(params.get("proposals", "")),
        "summary": paragraphs(params.get("summary", "")),
        "background": paragraphs(params.get("background", "")),
        "share_sentence": share,
        "split_sentence": split,
        "viewpoints": paragraphs(params.get("viewpoints", "")),
        "basis": [_dated_memo_line(line, date) for line in lines(params.get("basis", ""))],
        "dispatch": lines(params.get("dispatch", "")),
        "signatories": signatories,
    }


def sample_memo_context() -> dict:
    """Sample data used to validate an uploaded memo template."""
    return {
        "organisation": "Exempel kommun",
        "department": "Socialkontoret",
        "date_iso": "2025-01-01",
        "registration_label": "Dnr SN 2025/1",
        "handler_line": "Handläggare: Anna Exempel",
        "body": "Socialnämnden",
        "title": "Exempel",
        "proposals": ["Socialnämnden beslutar att ingå avtalet."],
        "summary": ["Sammanfattning."],
        "background": ["Bakgrund."],
        "share_sentence": "Kommunens del blir 1 000 kr.",
        "split_sentence": "",
        "viewpoints": ["Synpunkter."],
        "basis": ["Tjänsteutlåtande 2025-01-01"],
        "dispatch": ["KSL"],
        "signatories": [{"name": "Anna Exempel", "title": "Socialchef"}],
    }


def registration_label(number: str) -> str:
    """The header's "Dnr …": Stockholm writes its numbers with "Dnr" already ("Dnr 325-983/2012"), never
    "Dnr Dnr"."""
    number = (number or "").strip()
    if not number:
        return ""
    return number if number.lower().startswith("dnr") else f"Dnr {number}"


def consultation_response_context(response) -> dict:
    consultation = response.consultation
    answers = {answer.question_id: answer.text for answer in response.answers.all()}
    realistic = {
        True: "Kommunen bedömer att tidplanen är realistisk.",
        False: "Kommunen bedömer att tidplanen är orealistisk.",
    }
    if response.decided_by == ResponseDecider.BODY and response.adopted_by_id:
        decided_on = response.decision_date or response.answered_on
        adopted = f"Remissvaret är antaget av {response.adopted_by.name.lower()}"
        adopted += f" {format_date_long(decided_on)}" if decided_on else ""
        adopted += f", {response.decision_reference}." if response.decision_reference else "."
    else:  # seed 004: the 2011 round was answered by officials; no body adopted it
        adopted = "Remissvaret är ett tjänstemannasvar."
    return {
        "organisation": response.organisation.name,
        "department": response.adopted_by.name if response.adopted_by_id else "",
        "date_iso": format_date_iso(response.answered_on or calendar.today()),
        "registration_label": "",  # the municipality's own Dnr (not recorded yet), never KSL's
        "handler_line": "",
        "recipient": consultation.sender.name,
        "title": consultation.title,
        "intro": (
            f"{response.organisation.name} har tagit del av remissen"
            + (
                f" ({genitive('KSL')} dnr {consultation.registration_number})"
                if consultation.registration_number
                else ""
            )
            + f" och lämnar följande svar på {genitive(consultation.sender.short_name or consultation.sender.name)} frågor."
        ),
        "position": response.get_position_display(),
        "answers": [
            {"number": q.number, "question": q.text, "answer": answers.get(q.pk, "Inget svar.")}
            for q in consultation.questions.all()
        ],
        "timetable": realistic.get(
            response.timetable_realistic, "Kommunen tar inte ställning till tidplanen."
        ),
        "adopted": adopted,
        "signatories": [],
    }


def compilation_context(compilation) -> dict:
    consultation = compilation.consultation
    return {
        "organisation": consultation.sender.name,
        "department": "",
        "date_iso": format_date_iso(calendar.today()),
        "registration_label": registration_label(consultation.registration_number),
        "handler_line": "",
        "title": consultation.title,
        "answered_sentence": f"Svar har inkommit från {compilation.answered} av {compilation.recipients} kommuner.",
        "not_answered_sentence": (
            f"Inget svar från: {', '.join(compilation.not_answered)}."
            if compilation.not_answered
            else "Alla mottagare har svarat."
        ),
        "assessment": [p.strip() for p in consultation.assessment.split("\n\n") if p.strip()]
        or ["KSL har inte skrivit någon bedömning ännu."],
        "timetable_sentence": ngettext(
            "%(n)s kommun anser att tidplanen är orealistisk.",
            "%(n)s kommuner anser att tidplanen är orealistisk.",
            compilation.timetable_unrealistic,
        )
        % {"n": compilation.timetable_unrealistic},
        "positions": [{"label": label, "count": count} for label, count in compilation.by_position],
        "questions": [
            {
                "number": question.number,
                "text": question.text,
                "quotes": " ".join(f"{who}: ”{text}”" for who, text in quotes) or "Inga svar.",
                "answers": [f"{who}: ”{text}”" for who, text in quotes] or ["Inga svar."],
            }
            for question, quotes in compilation.questions
        ],
        "responses": [
            {
                "name": r.organisation.display_name,
                "position": r.get_position_display(),
                "timetable": {True: "ja", False: "nej"}.get(r.timetable_realistic, "–"),
                "adopted_by": r.decided_label,
            }
            for r in compilation.responses
        ],
    }

"""The tjänsteutlåtande (decision memo): its pre-filled fields and its template context.

Everything is drawn from the case and the organisation's document profile (``DocumentProfile``): the memo's
name, förvaltning, the order and names of its parts, the att-satser adapted to the deciding level, the
underlag and bilagor from the case's own documents and decisions, expediering and signatories. The clerk edits
the pre-filled fields on the memo form; the profile's layout applies when the document is rendered.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

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

from .choices import MemoSection, MemoTitle, StepRole
from .models import DocumentProfile


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


#: The placeholders a profile's line lists may use; a list placeholder alone on its line gives one line each.
TOKENS = {
    "{tjänsteutlåtande}": "detta utlåtande med datum, t.ex. ”Tjänsteutlåtande 2015-05-10”",
    "{rekommendation}": "”KSL:s rekommendation 2012-06-05”",
    "{rekommendationsdatum}": "rekommendationens datum",
    "{rekommendationens rubrik}": "rekommendationens rubrik",
    "{rekommendationens bilagor}": "en rad per bilaga KSL skickade med rekommendationen",
    "{avtal}": "avtalets namn (liten begynnelsebokstav inne i en mening)",
    "{tidigare beslut}": "en rad per tidigare beslut i beslutskedjan, t.ex. ”Socialnämnden 2012-09-10 § 103”",
    "{tidigare tjänsteutlåtanden}": "utlåtandet som lade fram ärendet, när detta går till ett senare organ",
    "{kommun}": "organisationens namn",
    "{beredande organ}": "en rad per organ som bereder ärendet",
    "{kostnadsdelande organ}": "en rad per organ som delar kommunens kostnad",
}
_NUMBERED = re.compile(r"^\d+[.)]\s")


def section_heading(heading: str, department: str) -> str:
    """A profile's heading with ``{förvaltningens}`` as the förvaltning's genitive ("Kommunledningskontorets")."""
    return heading.replace("{förvaltningens}", genitive(department) if department else "Förvaltningens")


def document_profile_for(organisation) -> DocumentProfile:
    """The organisation's stored profile, or the default one (not saved) when it has none. No query when the
    organisation was loaded with ``select_related("document_profile")`` (``memo_case``)."""
    try:
        return organisation.document_profile
    except DocumentProfile.DoesNotExist:
        return DocumentProfile(organisation=organisation)


#: What the memo reads of a case, joined into the one query of ``memo_case``.
MEMO_CASE_RELATED = ("organisation__document_profile", "recommendation__agreement__cost_model")


def memo_case(case):
    """``case`` again with its organisation, document profile, recommendation, agreement and cost model in one
    query, so the memo's context needs no query per relation."""
    from .models import AdoptionCase

    return AdoptionCase.objects.select_related(*MEMO_CASE_RELATED).get(pk=case.pk)


def memo_case_with_chain(pk: int):
    """``memo_case`` plus the decision chain (steps with their bodies and administrations), the decisions and
    KSL's attachments, each in one query: what the memo form's pre-fill reads. ``memo_defaults`` given such a
    case reads it no second time, and its cost share is computed once (a read for one request: do not keep
    it across changes)."""
    from django.db.models import Prefetch

    from .models import AdoptionCase, Decision, DecisionStep

    steps = DecisionStep.objects.select_related("body__administration").order_by("order")
    chained = (
        AdoptionCase.objects.select_related(*MEMO_CASE_RELATED)
        .prefetch_related(
            Prefetch("steps", queryset=steps),
            Prefetch("decisions", queryset=Decision.objects.select_related("step__body")),
            "recommendation__attachments",
        )
        .get(pk=pk)
    )
    chained._memo_chained = True
    return chained


def expand(text: str, values: dict[str, str | list[str]]) -> list[str]:
    """The profile's line list with the case's data in place of the placeholders (``TOKENS``)."""
    out: list[str] = []
    for line in lines(text):
        value = values.get(line)
        if isinstance(value, list):  # a list placeholder alone on its line
            out.extend(value)
            continue
        for placeholder, replacement in values.items():
            if placeholder not in line:
                continue
            replacement = ", ".join(replacement) if isinstance(replacement, list) else replacement
            if placeholder == "{avtal}" and not line.startswith(placeholder) and replacement:
                replacement = replacement[0].lower() + replacement[1:]
            line = line.replace(placeholder, replacement)
        if line.strip():
            out.append(line.strip())
    return out


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
    presenter: str
    summary: str
    background: str
    viewpoints: str
    basis: str
    attachments: str
    dispatch: str
    signatories: str


def memo_body_step(case):
    """The body the memo goes before: the one that proposes (to the council), else the one that decides."""
    steps = list(case.steps.all())
    return next((s for s in steps if s.role == StepRole.PROPOSES), None) or next(
        (s for s in steps if s.role == StepRole.DECIDES), steps[0] if steps else None
    )


def _share(case) -> tuple[int | None, list[tuple[str, int]], int, int]:
    """The municipality's annual amount, its split among bodies, the budget and the cost year. Read afresh
    for any case, except one read for a single request by ``memo_case_with_chain``: that keeps it for the
    second ask (the memo form's pre-fill and its warning)."""
    if not getattr(case, "_memo_chained", False):
        return _compute_share(case)
    if "_memo_share" not in case.__dict__:
        case._memo_share = _compute_share(case)
    return case._memo_share


def _compute_share(case) -> tuple[int | None, list[tuple[str, int]], int, int]:
    agreement = case.recommendation.agreement
    year = agreement.period_start.year
    try:
        allocation = cost_allocation(agreement=agreement, year=year)
    except AllocationError:
        return None, [], getattr(getattr(agreement, "cost_model", None), "annual_budget", 0), year
    line = allocation.line_for_organisation(case.organisation_id)
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


def share_sentences(case, *, in_words: bool = False) -> tuple[str, str]:
    """The budget and the municipality's part ("45 612 kr"; with the amounts in words when the profile asks)."""
    amount, splits, budget, _year = _share(case)
    name = case.organisation.display_name
    if amount is None:
        return (f"Kostnaden för {name} kunde inte beräknas: folkmängd eller kostnadsmodell saknas.", "")
    budget_text = f"{number_in_words(budget)} kronor" if in_words else format_amount(budget)
    amount_text = (
        f"{format_amount(amount)} ({amount_in_words(amount)})" if in_words else format_amount(amount)
    )
    share = (
        f"Den totala budgeten för centret beräknas till {budget_text} per år, varav {genitive(name)} "
        f"del skulle bli {amount_text}."
    )
    split = ""
    if splits:
        equal = len({a for _n, a in splits}) == 1
        parts = " och ".join(f"{body} ({format_amount(a)})" for body, a in splits)
        split = f"Kostnaden fördelas lika mellan {parts}." if equal else f"Kostnaden fördelas mellan {parts}."
    return share, split


def _point(point: str) -> str:
    """An att-sats as a sentence of its own: "att ingå avtal …, samt" → "att ingå avtal …."."""
    point = point.strip().rstrip(".,;").strip()
    for tail in (" samt", " och"):
        if point.endswith(tail):
            point = point[: -len(tail)].rstrip(",")
    if not point.startswith("att "):
        point = f"att {point[0].lower()}{point[1:]}" if point else point
    return f"{point}."


def _numbered(items: list[str], style: str) -> list[str]:
    """``1) …`` / ``1. …`` when there are several; a single point stands without a number."""
    if len(items) < 2:
        return items
    return [f"{i}{style[-1]} {item}" for i, item in enumerate(items, start=1)]


def _handler(case, user):
    """The handläggare: the clerk writing the memo when they are the municipality's own; otherwise (KSL
    drafting for every municipality) the municipality's contact person, never KSL's officer."""
    person = getattr(user, "person", None)
    if person is not None and person.organisation_id == case.organisation_id:
        return person
    from governance.parties.queries import current_contacts

    contact = next(iter(current_contacts(case.organisation)), None)
    return contact.person if contact is not None else None


def _proposal_date(case) -> dt.date | None:
    """The day the case was put forward to its first body (the date of the memo that did it). One query, kept
    on the case object for the second ask."""
    if "_memo_proposal_date" in case.__dict__:
        return case._memo_proposal_date
    from django.contrib.contenttypes.models import ContentType

    from governance.core.models import AuditEvent

    from .choices import DecisionAction

    latest = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(case),
            object_id=str(case.pk),
            action=DecisionAction.CASE_PROPOSED,
        )
        .order_by("-occurred_at", "-id")
        .first()
    )
    if latest is None:
        day = None
    else:
        replayed = (latest.payload or {}).get("on")  # a recorded history: the day it happened
        day = dt.date.fromisoformat(replayed) if replayed else timezone.localtime(latest.occurred_at).date()
    case._memo_proposal_date = day
    return day


def _earlier_decisions(case, step) -> list:
    """The standing decisions of the bodies before ``step`` in the chain, oldest first."""
    if step is None:
        return []
    earlier = {s.pk for s in case.steps.all() if s.order < step.order}
    decisions = [d for d in case.decisions.all() if d.step_id in earlier and d.voided_at is None]
    return sorted(decisions, key=lambda d: d.meeting_date)


def _memo_date(case, step, earlier, profile) -> dt.date:
    """The memo to the first body is dated the day the case was put forward; one to a later body the first
    working day after the decision before it; one not yet written, today. An utlåtande (Stockholm's) is the
    body's own proposal: dated the day the body decided it, once it has."""
    if profile.memo_title == MemoTitle.UTLATANDE and step is not None:
        own = [d for d in case.decisions.all() if d.step_id == step.pk and d.voided_at is None]
        if own:
            return max(d.meeting_date for d in own)
    if earlier:
        return calendar.working_days_after(earlier[-1].meeting_date, 1)
    return _proposal_date(case) or calendar.today()


def _department(body, profile) -> str:
    administration = getattr(body, "administration", None) if body is not None else None
    return administration.name if administration is not None else profile.department


def _proposals(case, step, profile, splits) -> list[str]:
    """Förslag till beslut, adapted to the level: a body that decides writes each att-sats as a sentence of
    its own ("Socialnämnden beslutar att …"); one that proposes to the council writes one lead and numbered
    att-satser ("Kommunstyrelsen föreslår kommunfullmäktige besluta 1. att … 2. att …"), then what it
    decides for its own part."""
    agreement = case.recommendation.agreement
    body = step.body if step else None
    deciding = next((s for s in case.steps.all() if s.role == StepRole.DECIDES), None)
    subject = agreement.title[0].lower() + agreement.title[1:]
    period = f"{format_date_iso(agreement.period_start)} t o m {format_date_iso(agreement.period_end)}"
    values = {"{avtal}": agreement.title, "{kommun}": case.organisation.name}
    points = [_point(p) for p in case.recommendation.points()] or [
        _point(f"att ingå {subject} under perioden {period}")
    ]
    points += [_point(p) for p in expand(profile.extra_points, values)]
    own = [_point(p) for p in expand(profile.own_points, values)]
    style = profile.point_style
    if body is None:
        return [f"Kommunen beslutar {p}" for p in points]
    proposing = step.role == StepRole.PROPOSES and deciding is not None and deciding.body_id != body.pk
    if proposing:
        out = [f"{body.name} föreslår {deciding.body.name.lower()} besluta", *_numbered(points, style)]
        if own:
            out += [f"{body.name} beslutar för egen del", *_numbered(own, style)]
        return out
    sentences = [f"{body.name} beslutar {p}" for p in points + own]
    if splits:
        equal = len({a for _n, a in splits}) == 1
        names = " och ".join(name for name, _a in splits)
        how = "lika" if equal else "enligt kostnadsmodellen"
        sentences.append(
            f"{body.name} noterar att det årliga kostnadsbidraget fördelas {how} mellan {names}."
        )
    heading = [f"{genitive(body.name)} beslut"] if profile.decision_subheading else []
    return heading + _numbered(sentences, style)


def memo_defaults(case, user) -> MemoDefaults:
    if not getattr(case, "_memo_chained", False):
        case = memo_case_with_chain(case.pk)
    agreement = case.recommendation.agreement
    recommendation = case.recommendation
    profile = document_profile_for(case.organisation)
    step = memo_body_step(case)
    body = step.body if step else None
    steps = list(case.steps.all())
    earlier = _earlier_decisions(case, step)
    memo_date = _memo_date(case, step, earlier, profile)
    _amount, splits, _budget, _year = _share(case)
    earlier_memos = []
    proposed_on = _proposal_date(case)
    if earlier and proposed_on:  # the memo that put the case before the first body
        first = steps[0].body
        author = first.administration.name if first.administration_id else ""
        label = profile.memo_title.lower() if author else profile.memo_title
        earlier_memos.append(f"{genitive(author)} {label} {format_date_iso(proposed_on)}".strip())
    values: dict[str, str | list[str]] = {
        "{tjänsteutlåtande}": f"{profile.memo_title} {format_date_iso(memo_date)}",
        "{rekommendation}": f"KSL:s rekommendation {format_date_iso(recommendation.dated)}",
        "{rekommendationsdatum}": format_date_iso(recommendation.dated),
        "{rekommendationens rubrik}": recommendation.title,
        "{rekommendationens bilagor}": [a.title for a in recommendation.attachments.all()],
        "{avtal}": agreement.title,
        "{tidigare beslut}": [
            f"{d.step.body.name} {format_date_iso(d.meeting_date)} {d.paragraph}".strip() for d in earlier
        ],
        "{tidigare tjänsteutlåtanden}": earlier_memos,
        "{kommun}": case.organisation.name,
        "{beredande organ}": [s.body.name for s in steps if s.role == StepRole.PREPARES],
        "{kostnadsdelande organ}": [name for name, _a in splits],
    }
    person = _handler(case, user)
    signatories = lines(profile.signatories) or ([f"{person.full_name}, {person.title}"] if person else [])
    subject = agreement.title[0].lower() + agreement.title[1:]
    return MemoDefaults(
        body_id=body.pk if body else None,
        date=memo_date,
        registration_number=case.registration_number,
        department=_department(body, profile),
        handler_name=person.full_name if person else "",
        handler_title=person.title if person else "",
        handler_phone=person.phone if person else "",
        handler_email=person.email if person else "",
        title=recommendation.title,
        proposals="\n".join(_proposals(case, step, profile, splits)),
        presenter=profile.presenter,
        summary=(
            f"Styrelsen för Kommunförbundet Stockholms Län beslutade {format_date_long(recommendation.board_decision_date)} "
            f"att rekommendera länets kommuner att ingå {subject}."
        ),
        background=recommendation.background,
        viewpoints=(
            f"{_department(body, profile) or 'Förvaltningen'} föreslår att "
            f"{'staden' if case.organisation.name.endswith(' stad') else 'kommunen'} deltar i den gemensamma "
            "verksamheten."
        ),
        basis="\n".join(expand(profile.basis_lines, values)),
        attachments="\n".join(expand(profile.attachment_lines, values)),
        dispatch="\n".join(
            dict.fromkeys(r for r in expand(profile.dispatch_lines, values) if not body or r != body.name)
        ),
        signatories="\n".join(signatories),
    )


_MEMO_LINE = re.compile(r"^(Tjänsteutlåtande|Tjänsteskrivelse|Utlåtande) \d{4}-\d{2}-\d{2}$")


def _dated_memo_line(line: str, date: dt.date) -> str:
    """ "Tjänsteutlåtande <datum>" among the underlag carries the memo's own date, whatever it was when the
    form was filled in."""
    match = _MEMO_LINE.match(line.strip())
    return f"{match.group(1)} {format_date_iso(date)}" if match else line


def _paragraph_list(texts: list[str], kind: str = "text") -> list[dict]:
    return [{"text": text, "kind": kind} for text in texts]


def memo_context(case, params: dict) -> dict:
    """The template context of a tjänsteutlåtande from the (edited) form fields and the organisation's profile.

    ``sections`` is what the built-in template prints, in the profile's order: each with its heading and
    paragraphs (``kind``: text, point, item, signature_lead, signature, signature_title). The flat keys (``proposals``,
    ``summary``, …) stay for organisations' own uploaded templates.
    """
    from governance.parties.models import Body

    case = memo_case(case)
    profile = document_profile_for(case.organisation)
    body_id = params.get("body_id")
    body = Body.objects.filter(pk=body_id, organisation=case.organisation_id).first() if body_id else None
    date = params["date"] if isinstance(params["date"], dt.date) else dt.date.fromisoformat(params["date"])
    share, split = share_sentences(case, in_words=profile.amounts_in_words)
    signatories = []
    for line in lines(params.get("signatories", "")):
        name, _sep, title = line.partition(",")
        signatories.append({"name": name.strip(), "title": title.strip()})
    department = params.get("department", "")
    proposals = lines(params.get("proposals", ""))
    summary = paragraphs(params.get("summary", ""))
    background = paragraphs(params.get("background", ""))
    basis = [_dated_memo_line(line, date) for line in lines(params.get("basis", ""))]
    attachments = [_dated_memo_line(line, date) for line in lines(params.get("attachments", ""))]
    dispatch = lines(params.get("dispatch", ""))
    keys = [key for key, _heading in profile.section_list]
    cost = [text for text in (share, split) if text]
    if MemoSection.COST not in keys:  # the cost in the running text, as Danderyd and Ekerö write it
        (summary if MemoSection.SUMMARY in keys else background).extend(cost)
    signature_block = []
    if profile.signature_place:
        signature_block.append(
            {"text": f"{profile.signature_place} {format_date_long(date)}", "kind": "signature_lead"}
        )
    if profile.signature_intro:
        signature_block.append({"text": profile.signature_intro, "kind": "signature_lead"})
    for person in signatories:
        signature_block.append({"text": person["name"], "kind": "signature"})
        if person["title"]:
            signature_block.append({"text": person["title"], "kind": "signature_title"})
    content = {
        MemoSection.PROPOSALS: [
            {"text": line, "kind": "point" if _NUMBERED.match(line) else "text"} for line in proposals
        ],
        MemoSection.PRESENTER: _paragraph_list(
            [params.get("presenter", "")] if params.get("presenter") else []
        ),
        MemoSection.SUMMARY: _paragraph_list(summary),
        MemoSection.BASIS: _paragraph_list(basis, "item"),
        MemoSection.BACKGROUND: _paragraph_list(background),
        MemoSection.COST: _paragraph_list(cost),
        MemoSection.VIEWPOINTS: _paragraph_list(paragraphs(params.get("viewpoints", ""))),
        MemoSection.SIGNATURES: signature_block,
        MemoSection.ATTACHMENTS: _paragraph_list(
            [f"{i}. {text}" for i, text in enumerate(attachments, start=1)]
            if len(attachments) > 1
            else attachments,
            "item",
        ),
        MemoSection.DISPATCH: _paragraph_list(dispatch, "item"),
    }
    sections = [
        {"heading": section_heading(heading, department), "paragraphs": content[key]}
        for key, heading in profile.section_list
        if content.get(key)
    ]
    handler = [
        params.get("handler_name", ""),
        params.get("handler_title", ""),
        f"Tel. {params['handler_phone']}" if params.get("handler_phone") else "",
        params.get("handler_email", ""),
    ]
    return {
        "document_title": profile.memo_title.upper(),
        "organisation": case.organisation.name,
        "department": department,
        "date_iso": format_date_iso(date),
        "registration_label": registration_label(params.get("registration_number", "")),
        "handler_lines": [line for line in handler if line],
        "handler_line": ", ".join(line for line in handler if line),
        "body": body.name if body else "",
        "title": params.get("title", ""),
        "sections": sections,
        "proposals": proposals,
        "summary": summary,
        "background": background,
        "share_sentence": share,
        "split_sentence": split,
        "viewpoints": paragraphs(params.get("viewpoints", "")),
        "basis": basis,
        "attachments": attachments,
        "dispatch": dispatch,
        "signatories": signatories,
    }


def sample_memo_context() -> dict:
    """Sample data used to validate an uploaded memo template."""
    return {
        "document_title": "TJÄNSTEUTLÅTANDE",
        "organisation": "Exempel kommun",
        "department": "Socialkontoret",
        "date_iso": "2025-01-01",
        "registration_label": "Dnr SN 2025/1",
        "handler_lines": ["Anna Exempel", "Utredare"],
        "handler_line": "Anna Exempel, Utredare",
        "body": "Socialnämnden",
        "title": "Exempel",
        "sections": [
            {
                "heading": "Förslag till beslut",
                "paragraphs": [{"text": "Socialnämnden beslutar att ingå avtalet.", "kind": "text"}],
            },
            {"heading": "", "paragraphs": [{"text": "Anna Exempel", "kind": "signature"}]},
        ],
        "proposals": ["Socialnämnden beslutar att ingå avtalet."],
        "summary": ["Sammanfattning."],
        "background": ["Bakgrund."],
        "share_sentence": "Kommunens del blir 1 000 kr.",
        "split_sentence": "",
        "viewpoints": ["Synpunkter."],
        "basis": ["Tjänsteutlåtande 2025-01-01"],
        "attachments": [],
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

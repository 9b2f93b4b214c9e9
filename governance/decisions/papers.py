"""The contexts of the decision documents (remissvar and compilation); the agreement's is
``agreement_paper`` and the memo's ``memo_paper``.

The engine that renders them is ``governance.documents.rendering``.
"""

import re

from django.utils.translation import ngettext

from governance.core import calendar
from governance.core.formatting import (
    format_date_iso,
    format_date_long,
    genitive,
)

from .choices import ResponseDecider
from .memo_paper import registration_label

_REMISS_PREFIX = re.compile(r"^\s*remiss\s*[:–-]\s*", re.IGNORECASE)


def remiss_subject(title: str) -> str:
    """The consultation's subject without a leading "Remiss:", so headings never say "Svar på remiss: Remiss: …"."""
    return _REMISS_PREFIX.sub("", title or "", count=1) or title


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
    questions = list(consultation.questions.all())
    unanswered = [q.number for q in questions if not answers.get(q.pk)]
    if not unanswered:
        unanswered_sentence = ""
    elif len(unanswered) == 1:
        unanswered_sentence = f"Kommunen har inte besvarat fråga {unanswered[0]}."
    else:
        numbers = ", ".join(map(str, unanswered[:-1])) + f" och {unanswered[-1]}"
        unanswered_sentence = f"Kommunen har inte besvarat frågorna {numbers}."
    signer = (
        [{"name": response.signed_by_name, "title": response.signed_by_title}]
        if response.signed_by_name
        else []
    )
    return {
        "document_title": "REMISSVAR",
        "organisation": response.organisation.name,
        "department": response.adopted_by.name if response.adopted_by_id else "",
        "date_iso": format_date_iso(response.answered_on or calendar.today()),
        # the municipality's own Dnr, never KSL's (KSL's is in the intro)
        "registration_label": registration_label(response.registration_number),
        "handler_lines": [],
        "handler_line": "",
        "recipient": consultation.sender.name,
        "title": remiss_subject(consultation.title),
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
            {"number": q.number, "question": q.text, "answer": answers[q.pk]}
            for q in questions
            if answers.get(q.pk)
        ],
        "unanswered_sentence": unanswered_sentence,
        "timetable": realistic.get(
            response.timetable_realistic, "Kommunen tar inte ställning till tidplanen."
        ),
        "adopted": adopted,
        "summary": [part.strip() for part in response.summary.split("\n\n") if part.strip()],
        "signatories": signer,
    }


def compilation_context(compilation) -> dict:
    consultation = compilation.consultation
    return {
        "organisation": consultation.sender.name,
        "department": "",
        "date_iso": format_date_iso(calendar.today()),
        "registration_label": registration_label(consultation.registration_number),
        "handler_line": "",
        "title": remiss_subject(consultation.title),
        "answered_sentence": f"Svar har inkommit från {compilation.answered} av {compilation.recipients} kommuner.",
        # While answers may still come, the compilation says it is preliminary.
        "preliminary_sentence": (
            f"Preliminär sammanställning: svar tas emot till och med {format_date_long(consultation.deadline)}."
            if consultation.deadline >= calendar.today() and not consultation.assessment
            else ""
        ),
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

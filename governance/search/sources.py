"""What each findable object puts into the search index, and who may find it.

Each source builds the entries of one object from the owning app's models (``build_*``), and names the
related objects whose entries change with it (a case's decisions and documents). The audience of an entry is
the rule of the page it links to: a case and its decisions and memos follow the case's organisation
(``decisions.permissions.visible_case_filter``), a meeting and its papers follow the body
(``meetings.permissions.visible_body_ids``), a diary entry is in the register for the people of the parties
with its neutral title; a secret entry's real title is indexed apart for the series' registrars only.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from governance.decisions.models import AdoptionCase, Decision, Recommendation
from governance.diary.models import DiaryCase, DiaryEntry
from governance.documents.choices import DocumentStatus
from governance.documents.models import GeneratedDocument
from governance.meetings.models import AgendaItem, Meeting

from .choices import Audience, EntryKind
from .models import MAX_BODY_LENGTH


@dataclass
class Entry:
    key: str
    kind: str
    title: str
    url: str
    audience: str
    body: str = ""
    organisation_id: int | None = None
    cooperation_body_id: int | None = None
    date: object = None
    extra: dict = field(default_factory=dict)


def _text(*parts) -> str:
    return "\n".join(str(part) for part in parts if part)[:MAX_BODY_LENGTH]


def label(model) -> str:
    return model._meta.label_lower


def build_case(case: AdoptionCase) -> list[Entry]:
    return [
        Entry(
            key=f"case:{case.pk}",
            kind=EntryKind.CASE,
            title=str(case)[:300],
            url=reverse("decisions:case", args=[case.pk]),
            audience=Audience.ORGANISATION,
            organisation_id=case.organisation_id,
            date=timezone.localtime(case.last_moved_at).date(),
            body=_text(
                case.organisation.name,
                case.registration_number,
                case.recommendation.title,
                case.recommendation.registration_number,
                case.get_state_display(),
            ),
        )
    ]


def build_decision(decision: Decision) -> list[Entry]:
    case = decision.case
    if decision.voided_at is not None:
        return []
    return [
        Entry(
            key=f"decision:{decision.pk}",
            kind=EntryKind.DECISION,
            title=f"{case.organisation.display_name}, {decision}"[:300],
            url=reverse("decisions:case", args=[case.pk]),
            audience=Audience.ORGANISATION,
            organisation_id=case.organisation_id,
            date=decision.meeting_date,
            body=_text(decision.text, case.organisation.name, case.recommendation.title),
        )
    ]


def build_meeting(meeting: Meeting) -> list[Entry]:
    items = sorted(meeting.items.all(), key=lambda item: item.position)
    return [
        Entry(
            key=f"meeting:{meeting.pk}",
            kind=EntryKind.MEETING,
            title=str(meeting)[:300],
            url=reverse("meetings:meeting", args=[meeting.pk]),
            audience=Audience.BODY,
            cooperation_body_id=meeting.body_id,
            date=meeting.date,
            body=_text(
                meeting.body.name,
                meeting.place,
                meeting.get_state_display(),
                *(f"{item.title} {item.description} {item.outcome}" for item in items),
            ),
        )
    ]


def _strings(value) -> list[str]:
    """The texts filled into a document (its ``params``), in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def build_document(document: GeneratedDocument) -> list[Entry]:
    if document.status != DocumentStatus.DONE:
        return []
    subject = document.subject
    title = f"{document.get_kind_display()} v{document.version}"
    common = {
        "key": f"document:{document.pk}",
        "kind": EntryKind.DOCUMENT,
        "url": reverse("documents:document", args=[document.pk]),
        "date": timezone.localtime(document.created_at).date() if document.created_at else None,
    }
    if isinstance(subject, AdoptionCase):
        return [
            Entry(
                **common,
                title=f"{title}: {subject}"[:300],
                audience=Audience.ORGANISATION,
                organisation_id=subject.organisation_id,
                body=_text(
                    subject.organisation.name,
                    subject.recommendation.title,
                    subject.registration_number,
                    *_strings(document.params),
                ),
            )
        ]
    if isinstance(subject, Meeting):
        return [
            Entry(
                **common,
                title=f"{title}: {subject}"[:300],
                audience=Audience.BODY,
                cooperation_body_id=subject.body_id,
                body=_text(subject.body.name, *_strings(document.params)),
            )
        ]
    return []  # other subjects (consultations, responses) are not searchable yet


def build_diary_entry(entry: DiaryEntry) -> list[Entry]:
    case = entry.case
    common = {
        "kind": EntryKind.DIARY,
        "url": reverse("diary:entry", args=[entry.pk]),
        "date": entry.registered_on,
    }
    number = entry.diary_number
    public = Entry(
        **common,
        key=f"diary:{entry.pk}",
        title=f"{number} {entry.public_title if entry.is_secret else entry.title}"[:300],
        audience=Audience.REGISTER,
        body=_text(case.title, case.organisation_name, case.own_reference, entry.counterpart),
    )
    if not entry.is_secret:
        return [public]
    secret = Entry(
        **common,
        key=f"diary:{entry.pk}:secret",
        title=f"{number} {entry.title}"[:300],
        audience=Audience.REGISTRAR,
        organisation_id=case.series.organisation_id,
        body=_text(case.title, entry.counterpart),
    )
    return [public, secret]


@dataclass(frozen=True)
class Source:
    model: type
    build: object
    related: object = None  # obj -> iterable of (model, pk) whose entries also change
    select: tuple = ()  # select_related for ``build``, so building many objects takes one query
    prefetch: tuple = ()


def _case_related(case):
    for pk in Decision.objects.filter(case=case).values_list("pk", flat=True):
        yield Decision, pk
    for pk in GeneratedDocument.objects.filter(subject_key=f"case:{case.pk}").values_list("pk", flat=True):
        yield GeneratedDocument, pk


def _recommendation_related(recommendation):
    """Sending a recommendation opens its cases (one audit row for all); its title is in theirs."""
    for pk in recommendation.cases.values_list("pk", flat=True):
        yield AdoptionCase, pk


def _item_related(item):
    """An agenda item's title, text and outcome are in its meeting's entry."""
    yield Meeting, item.meeting_id


def _diary_case_related(diary_case):
    for pk in diary_case.entries.values_list("pk", flat=True):
        yield DiaryEntry, pk


SOURCES = {
    label(AdoptionCase): Source(
        AdoptionCase, build_case, _case_related, select=("organisation", "recommendation")
    ),
    label(Decision): Source(
        Decision, build_decision, select=("case__organisation", "case__recommendation", "step__body")
    ),
    label(Meeting): Source(Meeting, build_meeting, select=("body",), prefetch=("items",)),
    label(AgendaItem): Source(AgendaItem, lambda _item: [], _item_related),
    label(GeneratedDocument): Source(GeneratedDocument, build_document),
    label(DiaryEntry): Source(DiaryEntry, build_diary_entry, select=("case__series",)),
    label(Recommendation): Source(Recommendation, lambda _recommendation: [], _recommendation_related),
    label(DiaryCase): Source(DiaryCase, lambda _case: [], _diary_case_related),
}

#: Models whose deleted rows change another object's entry (an agenda item removed after its audit row).
FOLLOW_DELETES = (AgendaItem,)

#: What the full reindex walks (each with the related rows its build reads).
REINDEX = [AdoptionCase, Decision, Meeting, GeneratedDocument, DiaryEntry]

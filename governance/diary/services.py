"""Writes of the diarium: series, diary cases with race-free numbers, registered documents, secrecy marks.

The apps above call ``diary_register`` from their own services, after their own permission checks and inside
their transactions, where a document enters or leaves a case or a meeting. Registering the same ``key`` again
returns the entry already there and writes nothing, so data loads can replay history.
"""

import datetime as dt
import hashlib
import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from governance.core.services import actor_display_name, audit_record
from governance.parties.models import Organisation

from . import permissions
from .choices import DiaryAction, Direction
from .models import (
    SECRECY_PATTERN,
    SERIES_PATTERN,
    DiaryCase,
    DiaryCounter,
    DiaryEntry,
    DiarySeries,
)

MAX_TITLE = 300


def _clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def series_code_for(organisation: Organisation) -> str:
    """A series code from the organisation's short name: "KSL" as it is; one word → its first four letters
    ("DAND" for Danderyd); several → the first three letters and each further word's initial ("UPPV" for
    Upplands Väsby, "STOS" for Stockholms stad)."""
    short = (organisation.short_name or organisation.name).strip()
    if SERIES_PATTERN.match(short):
        return short
    words = [w for w in re.split(r"[\s\-]+", short.upper()) if w]
    letters = [re.sub(r"[^A-ZÅÄÖ0-9]", "", w) for w in words]
    letters = [w for w in letters if w] or ["SERIE"]
    code = letters[0][:4] if len(letters) == 1 else letters[0][:3] + "".join(w[0] for w in letters[1:])
    return code[:12]


def series_for(organisation: Organisation) -> DiarySeries:
    """The organisation's series, created the first time it registers something (idempotent)."""
    existing = DiarySeries.objects.filter(organisation=organisation).first()
    if existing is not None:
        return existing
    code = series_code_for(organisation)
    if DiarySeries.objects.filter(code=code).exclude(organisation=organisation).exists():
        code = (code[:8] + (organisation.municipality_code or str(organisation.pk)))[:12]
    try:
        with transaction.atomic():
            return DiarySeries.objects.create(
                code=code, organisation=organisation, name=organisation.name[:200]
            )
    except IntegrityError:  # a concurrent first registration created it
        return DiarySeries.objects.get(organisation=organisation)


def _next_case_number(series: DiarySeries, year: int) -> int:
    """Lock the series' counter row for the year (creating it first if needed) and take the next number."""
    DiaryCounter.objects.get_or_create(series=series, year=year)
    counter = DiaryCounter.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def diary_case_open(
    *,
    acting_user,
    matter_key: str,
    organisation: Organisation,
    title: str,
    opened_on: dt.date,
    subject=None,
    own_reference: str = "",
) -> DiaryCase:
    """The diary case of a matter in the organisation's series, opened with the next number of the year of
    ``opened_on`` if it does not exist yet (and then audited). Call inside the caller's transaction."""
    if acting_user is not None and not permissions.can_view_register(acting_user):
        raise PermissionDenied(_("Du får inte föra diariet."))
    if not matter_key or len(matter_key) > 120:
        raise ValidationError(_("Ärendenyckeln saknas eller är för lång."))
    existing = DiaryCase.objects.select_related("series").filter(matter_key=matter_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        series = series_for(organisation)
        number = _next_case_number(series, opened_on.year)
        existing = DiaryCase.objects.select_related("series").filter(matter_key=matter_key).first()
        if existing is not None:  # opened meanwhile by a concurrent registration; our number is rolled back
            transaction.set_rollback(True)
            return existing
        case = DiaryCase.objects.create(
            series=series,
            year=opened_on.year,
            number=number,
            matter_key=matter_key,
            title=_clip(title, MAX_TITLE),
            organisation_name=organisation.name[:200],
            own_reference=_clip(own_reference, 60),
            subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
            subject_id=subject.pk if subject is not None else None,
            opened_on=opened_on,
        )
        audit_record(
            acting_user=acting_user,
            action=DiaryAction.DIARY_CASE_OPENED,
            obj=case,
            payload={"number": case.diary_number, "matter": matter_key, "title": case.title},
        )
    return case


def _file_checksum(file) -> str:
    digest = hashlib.sha256()
    file.open("rb")
    try:
        for chunk in file.chunks():
            digest.update(chunk)
    finally:
        file.close()
    return digest.hexdigest()


def diary_register(
    *,
    acting_user,
    key: str,
    matter_key: str,
    organisation: Organisation,
    case_title: str,
    direction: str,
    registered_on: dt.date,
    title: str,
    counterpart: str = "",
    public_title: str = "",
    subject=None,
    document=None,
    file=None,
    file_label: str = "",
    secrecy: str = "",
    own_reference: str = "",
) -> DiaryEntry:
    """Register one document in the matter's diary case (opened if needed) with the next document number.

    ``key`` names the registration (``recommendation:4:sent``); registering it again returns the entry and
    writes nothing. ``file`` is a stored file (a ``FieldFile``): its name and SHA-256 are recorded.
    ``public_title`` is what everyone sees when ``secrecy`` (e.g. "OSL 26 kap. 1 §") hides the title.
    Names are copied, so the entry survives the deletion of the user or the organisation. Audited.
    """
    existing = DiaryEntry.objects.select_related("case__series").filter(key=key).first()
    if existing is not None:
        return existing
    errors = []
    if direction not in Direction.values:
        errors.append(_("Riktning: välj inkommande, upprättad eller utgående."))
    if secrecy and not SECRECY_PATTERN.match(secrecy):
        errors.append(_("Sekretess anges som ”OSL 26 kap. 1 §” (lag, kapitel, paragraf)."))
    if not (title or "").strip():
        errors.append(_("Rubrik: ange handlingens rubrik."))
    if not key or len(key) > 120:
        errors.append(_("Registreringsnyckeln saknas eller är för lång."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = diary_case_open(
            acting_user=acting_user,
            matter_key=matter_key,
            organisation=organisation,
            title=case_title,
            opened_on=registered_on,
            subject=subject,
            own_reference=own_reference,
        )
        case = DiaryCase.objects.select_for_update().select_related("series").get(pk=case.pk)
        existing = DiaryEntry.objects.filter(key=key).first()
        if existing is not None:
            return existing
        case.last_document += 1
        case.save(update_fields=["last_document"])
        file_name = file.name if file else ""
        entry = DiaryEntry.objects.create(
            case=case,
            number=case.last_document,
            key=key,
            registered_on=registered_on,
            direction=direction,
            counterpart=_clip(counterpart, 300),
            title=_clip(title, MAX_TITLE),
            public_title=_clip(public_title or title, MAX_TITLE),
            secrecy=secrecy,
            document_type=ContentType.objects.get_for_model(document) if document is not None else None,
            document_id=document.pk if document is not None else None,
            file_name=file_name[:300],
            file_label=_clip(file_label or file_name.rsplit("/", 1)[-1], 200),
            sha256=_file_checksum(file) if file else "",
            registered_by_name=actor_display_name(acting_user)[:300],
        )
        audit_record(
            acting_user=acting_user,
            action=DiaryAction.DIARY_ENTRY_REGISTERED,
            obj=entry,
            payload={
                "number": entry.diary_number,
                "direction": direction,
                "registered_on": registered_on,
                "secrecy": secrecy,
                "sha256": entry.sha256,
            },
        )
    return entry


def diary_case_reference_set(*, acting_user, matter_key: str, own_reference: str) -> DiaryCase | None:
    """Copy the organisation's own diarienummer to the matter's diary case, if it has one (audited)."""
    own_reference = _clip(own_reference, 60)
    with transaction.atomic():
        case = (
            DiaryCase.objects.select_for_update()
            .select_related("series")
            .filter(matter_key=matter_key)
            .first()
        )
        if case is None or case.own_reference == own_reference:
            return case
        before = case.own_reference
        case.own_reference = own_reference
        case.save(update_fields=["own_reference"])
        audit_record(
            acting_user=acting_user,
            action=DiaryAction.DIARY_CASE_REFERENCE_RECORDED,
            obj=case,
            payload={"number": case.diary_number, "before": before, "after": own_reference},
        )
    return case


def diary_entry_secrecy_set(
    *, acting_user, entry: DiaryEntry, secrecy: str, public_title: str = ""
) -> DiaryEntry:
    """Mark (or unmark, with an empty ``secrecy``) an entry secret under OSL, with the neutral title everyone
    sees meanwhile. Only the series' registrars; audited with the previous mark."""
    permissions.check_mark_secrecy(acting_user, entry)
    secrecy = " ".join((secrecy or "").split())
    public_title = " ".join((public_title or "").split())
    errors = []
    if secrecy and not SECRECY_PATTERN.match(secrecy):
        errors.append(_("Sekretess anges som ”OSL 26 kap. 1 §” (lag, kapitel, paragraf)."))
    if secrecy and not public_title:
        errors.append(_("Rubrik utan sekretess: ange en neutral rubrik som alla får se."))
    if len(public_title) > MAX_TITLE:
        errors.append(_("Rubrik utan sekretess: högst %(n)s tecken.") % {"n": MAX_TITLE})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = DiaryEntry.objects.select_for_update().select_related("case__series").get(pk=entry.pk)
        previous = locked.secrecy
        locked.secrecy = secrecy
        locked.public_title = public_title or locked.title
        locked.save(update_fields=["secrecy", "public_title"])
        audit_record(
            acting_user=acting_user,
            action=DiaryAction.DIARY_ENTRY_SECRECY_CHANGED,
            obj=locked,
            payload={"number": locked.diary_number, "from": previous, "to": secrecy},
        )
    return locked

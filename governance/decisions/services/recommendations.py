"""KSL's recommendations: a draft is written, given attachments and sent; sending creates one adoption case
per recipient with its decision chain, and e-mails the recipients' contact persons after the commit."""

import datetime as dt
import hashlib
import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from governance.agreements.models import Agreement
from governance.core import calendar
from governance.core.calendar import next_working_day
from governance.core.services import actor_display_name, audit_record
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation

from .. import permissions, registration
from ..choices import DecisionAction
from ..models import (
    AdoptionCase,
    ConsultationRound,
    DecisionStep,
    Recommendation,
    RecommendationAttachment,
)
from .cases import _default_chain
from .creating import RESERVED_SLUGS, create_with_slug, unique_slug

MAX_TITLE = 300
MAX_REGISTRATION_NUMBER = 60
MAX_BACKGROUND = 20_000
MAX_POINTS = 20
MAX_POINT_CHARS = 1000
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENT_TITLE = 200
ATTACHMENT_KINDS = {"pdf": "application/pdf", "docx": "docx", "xlsx": "xlsx"}


def _all_municipalities() -> list[Organisation]:
    return list(Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).order_by("municipality_code"))


def _unique_slug(title: str) -> str:
    return unique_slug(Recommendation, title, fallback="rekommendation")


def _validate_fields(
    *,
    title: str,
    board_decision_date,
    issued_on=None,
    registration_number: str,
    answer_deadline,
    background: str,
    decision_points: str,
    recipients,
) -> list[str]:
    errors = []
    if not title:
        errors.append(_("Rubrik: ange en rubrik."))
    elif len(title) > MAX_TITLE:
        errors.append(_("Rubrik: högst %(n)s tecken.") % {"n": MAX_TITLE})
    if board_decision_date is None:
        errors.append(_("KSL-styrelsens beslut: ange datum."))
    elif board_decision_date > calendar.today():
        errors.append(_("KSL-styrelsens beslut: datumet kan inte ligga i framtiden."))
    if issued_on is not None and issued_on > calendar.today():
        errors.append(_("Rekommendationens datum: kan inte ligga i framtiden."))
    if answer_deadline is None:
        errors.append(_("Besked senast: ange datum."))
    if (
        board_decision_date is not None
        and answer_deadline is not None
        and answer_deadline < board_decision_date
    ):
        errors.append(_("Sista dag för besked kan inte vara före KSL-styrelsens beslut."))
    if len(registration_number) > MAX_REGISTRATION_NUMBER:
        errors.append(_("Diarienummer: högst %(n)s tecken.") % {"n": MAX_REGISTRATION_NUMBER})
    if len(background) > MAX_BACKGROUND:
        errors.append(_("Bakgrund: högst %(n)s tecken.") % {"n": MAX_BACKGROUND})
    points = [line.strip() for line in decision_points.splitlines() if line.strip()]
    if len(points) > MAX_POINTS:
        errors.append(_("Att-satser: högst %(n)s rader.") % {"n": MAX_POINTS})
    if any(len(point) > MAX_POINT_CHARS for point in points):
        errors.append(_("Att-satser: varje rad får vara högst %(n)s tecken.") % {"n": MAX_POINT_CHARS})
    if recipients is not None and not recipients:
        errors.append(_("Mottagare: en rekommendation behöver minst en mottagare."))
    return errors


def recommendation_create(
    *,
    acting_user,
    title: str,
    board_decision_date: dt.date,
    agreement: Agreement,
    answer_deadline: dt.date,
    slug: str = "",
    issued_on: dt.date | None = None,
    registration_number: str = "",
    background: str = "",
    decision_points: str = "",
    consultation: ConsultationRound | None = None,
    recipients: list[Organisation] | None = None,
    is_demo_data: bool = False,
) -> Recommendation:
    """Create a draft recommendation (no cases yet). ``recipients`` defaults to every municipality.

    The slug is made from the title when empty, and made unique."""
    permissions.check_manage_recommendations(acting_user)
    title, registration_number = (title or "").strip(), (registration_number or "").strip()
    background, decision_points = (background or "").strip(), (decision_points or "").strip()
    if recipients is None:
        recipients = _all_municipalities()
    errors = _validate_fields(
        title=title,
        board_decision_date=board_decision_date,
        issued_on=issued_on,
        registration_number=registration_number,
        answer_deadline=answer_deadline,
        background=background,
        decision_points=decision_points,
        recipients=recipients,
    )
    if agreement is None:
        errors.append(_("Avtal: välj avtalet som rekommendationen gäller."))
    if slug in RESERVED_SLUGS:
        errors.append(_("Kortnamn: ”%(slug)s” är reserverat för sidan för nya.") % {"slug": slug})
    if slug and slugify(slug) != slug:
        errors.append(_("Kortnamn: endast små bokstäver a–z, siffror och bindestreck."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if slug and Recommendation.objects.filter(slug=slug).exists():
            raise ValidationError(_("Kortnamn: ”%(slug)s” används redan.") % {"slug": slug})
        recommendation = create_with_slug(
            Recommendation,
            taken_message=_(
                "Kortnamn: en rekommendation med samma namn sparades just; ladda om listan och kontrollera."
            ),
            slug=slug or _unique_slug(title),
            title=title,
            board_decision_date=board_decision_date,
            issued_on=issued_on,
            registration_number=registration_number,
            agreement=agreement,
            answer_deadline=answer_deadline,
            background=background,
            decision_points=decision_points,
            consultation=consultation,
            is_demo_data=is_demo_data,
        )
        recommendation.recipients.set(recipients)
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.RECOMMENDATION_CREATED,
            obj=recommendation,
            payload={
                "slug": recommendation.slug,
                "agreement": agreement.slug,
                "recipients": len(recipients),
                "answer_deadline": answer_deadline,
                "decision_points": len(recommendation.points()),
            },
        )
    return recommendation


def _lock_draft(recommendation: Recommendation) -> Recommendation:
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if locked.sent_at is not None:
        raise ValidationError(_("Rekommendationen är redan skickad och kan inte ändras."))
    return locked


def recommendation_update(
    *,
    acting_user,
    recommendation: Recommendation,
    title: str,
    board_decision_date: dt.date,
    agreement: Agreement,
    answer_deadline: dt.date,
    issued_on: dt.date | None = None,
    registration_number: str = "",
    background: str = "",
    decision_points: str = "",
    consultation: ConsultationRound | None = None,
    recipients: list[Organisation],
) -> Recommendation:
    """Change a draft (never a sent recommendation: its cases follow what was sent)."""
    permissions.check_manage_recommendations(acting_user)
    title, registration_number = (title or "").strip(), (registration_number or "").strip()
    background, decision_points = (background or "").strip(), (decision_points or "").strip()
    errors = _validate_fields(
        title=title,
        board_decision_date=board_decision_date,
        issued_on=issued_on,
        registration_number=registration_number,
        answer_deadline=answer_deadline,
        background=background,
        decision_points=decision_points,
        recipients=recipients,
    )
    if agreement is None:
        errors.append(_("Avtal: välj avtalet som rekommendationen gäller."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_draft(recommendation)
        fields = {
            "title": title,
            "board_decision_date": board_decision_date,
            "issued_on": issued_on,
            "registration_number": registration_number,
            "agreement_id": agreement.pk,
            "answer_deadline": answer_deadline,
            "background": background,
            "decision_points": decision_points,
            "consultation_id": consultation.pk if consultation else None,
        }
        before = {name: getattr(locked, name) for name in fields}
        before_recipients = sorted(locked.recipients.values_list("pk", flat=True))
        after_recipients = sorted(org.pk for org in recipients)
        changed = {name for name, value in fields.items() if before[name] != value}
        if not changed and before_recipients == after_recipients:
            return locked
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        locked.recipients.set(recipients)
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.RECOMMENDATION_UPDATED,
            obj=locked,
            payload={
                "changed": sorted(changed),
                "before": {name: before[name] for name in sorted(changed)},
                "recipients": len(after_recipients),
            },
        )
    return locked


def _attachment_kind(content: bytes) -> str | None:
    """PDF, DOCX or XLSX by their content (magic bytes and, for Office files, the zip's parts)."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def recommendation_attachment_add(
    *, acting_user, recommendation: Recommendation, title: str, upload
) -> RecommendationAttachment:
    """Attach a PDF, DOCX or XLSX (recognised by its content, at most 20 MB) to a draft."""
    permissions.check_manage_recommendations(acting_user)
    title = (title or "").strip()
    errors = []
    if not title:
        errors.append(_("Rubrik: ange vad bilagan är."))
    elif len(title) > MAX_ATTACHMENT_TITLE:
        errors.append(_("Rubrik: högst %(n)s tecken.") % {"n": MAX_ATTACHMENT_TITLE})
    content, kind = b"", None
    if upload is None:
        errors.append(_("Fil: välj en fil."))
    elif upload.size > MAX_ATTACHMENT_BYTES:
        errors.append(_("Fil: filen är större än 20 MB."))
    else:
        content = upload.read()
        kind = _attachment_kind(content)
        if kind is None:
            errors.append(_("Fil: bilagan ska vara en PDF-, Word- (.docx) eller Excel-fil (.xlsx)."))
    if errors:
        raise ValidationError(errors)
    stem = get_valid_filename((upload.name or "bilaga").rsplit(".", 1)[0])[:150] or "bilaga"
    filename = f"{stem}.{kind}"
    with transaction.atomic():
        locked = _lock_draft(recommendation)
        attachment = RecommendationAttachment(
            recommendation=locked,
            title=title,
            filename=filename,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by_name=actor_display_name(acting_user),
        )
        attachment.file.save(filename, ContentFile(content), save=False)
        attachment.save()
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.RECOMMENDATION_ATTACHMENT_ADDED,
            obj=locked,
            payload={
                "attachment": attachment.pk,
                "title": title,
                "filename": filename,
                "size": attachment.size,
                "sha256": attachment.sha256,
            },
        )
    return attachment


def recommendation_attachment_remove(*, acting_user, attachment: RecommendationAttachment) -> None:
    """Remove an attachment from a draft (the stored file goes with it after the commit)."""
    permissions.check_manage_recommendations(acting_user)
    with transaction.atomic():
        locked = _lock_draft(attachment.recommendation)
        row = RecommendationAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
        if row is None or row.recommendation_id != locked.pk:
            raise ValidationError(_("Bilagan finns inte längre."))
        payload = {"attachment": row.pk, "title": row.title, "filename": row.filename, "sha256": row.sha256}
        stored = row.file
        row.delete()
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.RECOMMENDATION_ATTACHMENT_REMOVED,
            obj=locked,
            payload=payload,
        )
        transaction.on_commit(lambda: stored.delete(save=False) if stored else None)


def recommendation_send(
    *,
    acting_user,
    recommendation: Recommendation,
    replay: bool = False,
    demo_organisation_ids: set[int] | None = None,
) -> Recommendation:
    """Send a draft to its recipients: one adoption case each, with the municipality's usual decision chain
    and the deadline moved to the next working day; one audit row; after the commit, the contact persons
    are e-mailed (``decisions.recommendation_notify``).

    A sent recommendation is refused (a second click writes nothing). ``replay`` is for the system replaying
    recorded history (data loads): a past deadline and missing att-satser are then accepted and nobody is
    e-mailed. A renewal links each new case to the municipality's case on the agreement it renews.
    """
    permissions.check_manage_recommendations(acting_user)
    if replay and acting_user is not None:
        raise ValidationError(_("Endast systemet kan läsa in en redan skickad rekommendation."))
    demo_organisation_ids = demo_organisation_ids or set()
    with transaction.atomic():
        locked = (
            Recommendation.objects.select_for_update().select_related("agreement").get(pk=recommendation.pk)
        )
        if locked.sent_at is not None:
            raise ValidationError(_("Rekommendationen är redan skickad."))
        recipients = list(
            locked.recipients.prefetch_related("bodies", "usual_chain__body").order_by("municipality_code")
        )
        errors = []
        if not recipients:
            errors.append(_("Mottagare: en rekommendation behöver minst en mottagare."))
        if not replay and not locked.points():
            errors.append(_("Att-satser: skriv minst en att-sats innan rekommendationen skickas."))
        if not replay and locked.answer_deadline < calendar.today():
            errors.append(_("Besked senast: datumet har redan passerat."))
        if errors:
            raise ValidationError(errors)
        previous = {}
        if locked.agreement.previous_id:
            previous = {
                case.organisation_id: case
                for case in AdoptionCase.objects.filter(
                    recommendation__agreement_id=locked.agreement.previous_id, next_case__isnull=True
                )
            }
        deadline = next_working_day(locked.answer_deadline)
        # Replayed history is dated by the board's decision, not by the day of loading, and counts as
        # already notified (nobody is e-mailed about it).
        sent_at = (
            timezone.make_aware(dt.datetime.combine(locked.board_decision_date, dt.time(12)))
            if replay
            else timezone.now()
        )
        cases, steps = [], []
        for organisation in recipients:
            case = AdoptionCase.objects.create(
                recommendation=locked,
                organisation=organisation,
                deadline=deadline,
                previous_case=previous.get(organisation.pk),
                is_demo_data=locked.is_demo_data or organisation.pk in demo_organisation_ids,
                notified_at=sent_at if replay else None,
                # Replayed history: a case nothing has happened to yet last moved when it was sent.
                last_moved_at=sent_at,
            )
            cases.append(case)
            steps += [
                DecisionStep(case=case, order=index, body=body, role=role)
                for index, (body, role) in enumerate(_default_chain(organisation), start=1)
            ]
        DecisionStep.objects.bulk_create(steps)
        locked.sent_at = sent_at
        locked.save(update_fields=["sent_at"])
        registration.recommendation_sent(acting_user=acting_user, recommendation=locked, cases=cases)
        audit_record(
            acting_user=acting_user,
            action=DecisionAction.RECOMMENDATION_SENT,
            obj=locked,
            payload={
                "recipients": [org.municipality_code or org.name for org in recipients],
                "cases": sorted(case.pk for case in cases),
                "answer_deadline": locked.answer_deadline,
                "case_deadline": deadline,
                "demo_organisations": sorted(demo_organisation_ids),
            },
        )
        if not replay:
            recommendation_id = locked.pk

            def enqueue():
                from ..tasks import recommendation_notify

                recommendation_notify.delay(recommendation_id)

            transaction.on_commit(enqueue)
    return locked


def recommendation_create_and_send(
    *,
    acting_user,
    replay: bool = False,
    demo_organisation_ids: set[int] | None = None,
    attachments: list | None = None,
    **fields,
) -> Recommendation:
    """Create and send in one go (data loads and tests): ``recommendation_create``, an
    ``recommendation_attachment_add`` per ``(title, upload)`` in ``attachments``, then ``recommendation_send``,
    in one transaction."""
    with transaction.atomic():
        recommendation = recommendation_create(acting_user=acting_user, **fields)
        for title, upload in attachments or []:
            recommendation_attachment_add(
                acting_user=acting_user, recommendation=recommendation, title=title, upload=upload
            )
        return recommendation_send(
            acting_user=acting_user,
            recommendation=recommendation,
            replay=replay,
            demo_organisation_ids=demo_organisation_ids,
        )

"""E-mail to the recipients' contact persons when KSL sends a recommendation or a consultation.

Idempotent per recipient: a case is marked ``notified_at`` (a consultation recipient gets a
``ConsultationNotification`` row) only after its mail went out, under a row lock, so a retried task never
mails anyone twice. A refused mail is logged and left unmarked: the next run tries it again.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from governance.core import calendar
from governance.parties.choices import ContactRole
from governance.parties.models import ContactAssignment

from ..choices import WAITING_STATES
from ..models import AdoptionCase, ConsultationNotification, ConsultationRound, Recommendation

logger = logging.getLogger(__name__)


def _contacts(organisation_ids) -> dict[int, list[str]]:
    contacts: dict[int, set[str]] = {}
    for contact in ContactAssignment.objects.current(calendar.today()).filter(
        role=ContactRole.CONTACT_PERSON, organisation__in=set(organisation_ids)
    ):
        if contact.email:
            contacts.setdefault(contact.organisation_id, set()).add(contact.email)
    return {org: sorted(emails) for org, emails in contacts.items()}


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(subject: str, body: str, recipients: list[str]) -> bool:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
    except Exception:
        logger.exception("Mail to %s failed; it will be retried on the next run", recipients)
        return False
    return True


def recommendation_notify(*, recommendation_id: int) -> dict[str, int]:
    """Mail each recipient's current contact persons the recommendation, its att-satser and a link to
    their case. Cases already notified are skipped; cases without a contact person are counted."""
    recommendation = Recommendation.objects.select_related("agreement").get(pk=recommendation_id)
    pending = list(
        AdoptionCase.objects.filter(recommendation=recommendation, notified_at__isnull=True).select_related(
            "organisation"
        )
    )
    contacts = _contacts(case.organisation_id for case in pending)
    counts = {"sent": 0, "already_sent": 0, "no_contact": 0, "failed": 0}
    for case in pending:
        recipients = contacts.get(case.organisation_id)
        if not recipients:
            counts["no_contact"] += 1
            continue
        with transaction.atomic():
            locked = AdoptionCase.objects.select_for_update().filter(pk=case.pk).first()
            if locked is None or locked.notified_at is not None:
                counts["already_sent"] += 1
                continue
            context = {
                "recommendation": recommendation,
                "case": case,
                "points": recommendation.points(),
                "link": _link(reverse("decisions:case", args=[case.pk])),
            }
            subject = render_to_string("email/recommendation_sent_subject.txt", context).strip()
            if not _send(subject, render_to_string("email/recommendation_sent.txt", context), recipients):
                counts["failed"] += 1
                continue
            AdoptionCase.objects.filter(pk=case.pk).update(notified_at=timezone.now())
        counts["sent"] += 1
    return counts


def consultation_notify(*, consultation_id: int) -> dict[str, int]:
    """Mail each recipient's current contact persons the consultation, its questions and the answer link."""
    consultation = ConsultationRound.objects.select_related("sender").get(pk=consultation_id)
    done = set(
        ConsultationNotification.objects.filter(consultation=consultation).values_list(
            "organisation_id", flat=True
        )
    )
    pending = [org for org in consultation.recipients.order_by("municipality_code") if org.pk not in done]
    contacts = _contacts(org.pk for org in pending)
    questions = list(consultation.questions.all())
    counts = {"sent": 0, "already_sent": 0, "no_contact": 0, "failed": 0}
    for organisation in pending:
        recipients = contacts.get(organisation.pk)
        if not recipients:
            counts["no_contact"] += 1
            continue
        with transaction.atomic():
            ConsultationRound.objects.select_for_update().get(pk=consultation.pk)
            if ConsultationNotification.objects.filter(
                consultation=consultation, organisation=organisation
            ).exists():
                counts["already_sent"] += 1
                continue
            context = {
                "consultation": consultation,
                "organisation": organisation,
                "questions": questions,
                "link": _link(reverse("decisions:consultation_answer", args=[consultation.slug])),
            }
            subject = render_to_string("email/consultation_sent_subject.txt", context).strip()
            if not _send(subject, render_to_string("email/consultation_sent.txt", context), recipients):
                counts["failed"] += 1
                continue
            ConsultationNotification.objects.create(
                consultation=consultation, organisation=organisation, recipients=", ".join(recipients)
            )
        counts["sent"] += 1
    return counts


def notifications_sweep() -> dict[str, int]:
    """Daily: mail those not reached yet — cases of sent recommendations still open and not notified (a
    contact person appointed since, or the mail server was down), and recipients of open consultations.
    Idempotent like the tasks it repeats."""
    totals = {"sent": 0, "already_sent": 0, "no_contact": 0, "failed": 0}
    recommendation_ids = (
        AdoptionCase.objects.filter(
            notified_at__isnull=True, state__in=WAITING_STATES, recommendation__sent_at__isnull=False
        )
        .values_list("recommendation_id", flat=True)
        .distinct()
    )
    for recommendation_id in sorted(set(recommendation_ids)):
        for key, value in recommendation_notify(recommendation_id=recommendation_id).items():
            totals[key] += value
    for consultation_id in ConsultationRound.objects.filter(deadline__gte=calendar.today()).values_list(
        "pk", flat=True
    ):
        for key, value in consultation_notify(consultation_id=consultation_id).items():
            totals[key] += value
    return totals

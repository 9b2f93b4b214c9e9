"""E-mail to the recipients' contact persons when KSL sends a recommendation or a consultation.

Every mail goes through the outbox (``core.services.mail_queue``): one mail per recipient, purpose key
``case-notification:<case id>:v<n>`` or ``consultation-notification:<consultation id>:<organisation id>:v<n>``,
queued under the case's (the consultation's) row lock unless one is queued, being sent or sent already. A
case is marked ``notified_at`` (a consultation recipient gets a ``ConsultationNotification`` row) only when
its mail has been delivered (``notification_mail_sent``, in the transaction that marks the mail sent), so a
retried task never mails anyone twice and a mail server that is down leaves the recipient unmarked. The
outbox retries with growing pauses; a mail that failed for good is queued again (next version) by the
daily sweep and counted as ``failed``.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from governance.core import calendar
from governance.core.models import OutgoingMail
from governance.core.services import mail_key_next, mail_latest, mail_queue
from governance.parties.choices import ContactRole
from governance.parties.models import ContactAssignment

from ..choices import WAITING_STATES
from ..models import AdoptionCase, ConsultationNotification, ConsultationRound, Recommendation

logger = logging.getLogger(__name__)

COUNTS = ("queued", "already_queued", "already_sent", "no_contact", "failed")


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


def _queue_once(counts: dict[str, int], prefix: str, **mail) -> None:
    """Queue the mail unless this recipient's mail is queued, being sent or sent; count the outcome. A mail
    that failed for good is counted ``failed`` and queued again as the next version."""
    latest = mail_latest(prefix)
    if latest is not None and latest.status == OutgoingMail.Status.SENT:
        counts["already_sent"] += 1
        return
    if latest is not None and latest.status != OutgoingMail.Status.FAILED:
        counts["already_queued"] += 1
        return
    if latest is not None:
        counts["failed"] += 1
    mail_queue(purpose_key=mail_key_next(prefix), **mail)
    counts["queued"] += 1


def recommendation_notify(*, recommendation_id: int) -> dict[str, int]:
    """Queue for each recipient's current contact persons the recommendation, its att-satser and a link to
    their case. Cases already notified or queued are skipped; cases without a contact person are counted."""
    recommendation = Recommendation.objects.select_related("agreement").get(pk=recommendation_id)
    pending = list(
        AdoptionCase.objects.filter(recommendation=recommendation, notified_at__isnull=True).select_related(
            "organisation"
        )
    )
    contacts = _contacts(case.organisation_id for case in pending)
    counts = dict.fromkeys(COUNTS, 0)
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
            _queue_once(
                counts,
                f"case-notification:{case.pk}",
                subject=render_to_string("email/recommendation_sent_subject.txt", context).strip(),
                body=render_to_string("email/recommendation_sent.txt", context),
                to=recipients,
                obj=locked,
            )
    return counts


def consultation_notify(*, consultation_id: int) -> dict[str, int]:
    """Queue for each recipient's current contact persons the consultation, its questions and the answer link."""
    consultation = ConsultationRound.objects.select_related("sender").get(pk=consultation_id)
    done = set(
        ConsultationNotification.objects.filter(consultation=consultation).values_list(
            "organisation_id", flat=True
        )
    )
    pending = [org for org in consultation.recipients.order_by("municipality_code") if org.pk not in done]
    contacts = _contacts(org.pk for org in pending)
    questions = list(consultation.questions.all())
    counts = dict.fromkeys(COUNTS, 0)
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
            _queue_once(
                counts,
                f"consultation-notification:{consultation.pk}:{organisation.pk}",
                subject=render_to_string("email/consultation_sent_subject.txt", context).strip(),
                body=render_to_string("email/consultation_sent.txt", context),
                to=recipients,
                obj=consultation,
                object_label=f"{consultation} – {organisation}",
            )
    return counts


def notification_mail_sent(sender, mail, **kwargs) -> None:
    """Receiver of ``core.services.mail_sent`` (connected in ``DecisionsConfig.ready``): the recipient has been
    mailed, so the case is marked ``notified_at`` (the time of delivery), or the consultation recipient gets
    its ``ConsultationNotification`` row, in the transaction that marks the mail sent."""
    parts = mail.purpose_key.split(":")
    if parts[0] == "case-notification":
        AdoptionCase.objects.filter(pk=int(parts[1]), notified_at__isnull=True).update(
            notified_at=mail.sent_at
        )
    elif parts[0] == "consultation-notification":
        ConsultationNotification.objects.get_or_create(
            consultation_id=int(parts[1]),
            organisation_id=int(parts[2]),
            defaults={"notified_at": mail.sent_at, "recipients": ", ".join(mail.to)},
        )


def notifications_sweep() -> dict[str, int]:
    """Daily: queue mails for those not reached yet — cases of sent recommendations still open and not notified (a
    contact person appointed since, or the mail server was down), and recipients of open consultations.
    Idempotent like the tasks it repeats."""
    totals = dict.fromkeys(COUNTS, 0)
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

"""Reminders to the municipalities' contact persons and the weekly digest to KSL.

The ``Reminder`` (``Digest``) row is the once-only key: unique per case, deadline and day (per
recommendation and ISO week). It is written in one transaction with its mail in the outbox
(``core.services.mail_queue``, purpose key ``reminder:case:<id>:<deadline>:<day>`` or
``digest:recommendation:<id>:<week>``); the outbox row carries the delivery (queued, sent, failed, with its
retries), so these jobs count mails ``queued``, never "sent", and a mail server that is down is retried by the
outbox instead of being forgotten.
"""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from governance.core import calendar
from governance.core.services import mail_is_open, mail_latest, mail_queue
from governance.parties.choices import ContactRole, Role
from governance.parties.models import ContactAssignment, RoleAssignment

from ..choices import WAITING_STATES, CaseState
from ..models import AdoptionCase, Digest, Recommendation, Reminder

logger = logging.getLogger(__name__)

REMINDER_HORIZON_DAYS = 14


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: e-mail the contact persons of each municipality whose case deadline is within 14 days or past.

    A reminder is recorded per case, deadline and day before it is sent, so it never goes out twice; cases
    whose municipality has no current contact person are counted and skipped.
    """
    today = today or calendar.today()
    cases = list(
        AdoptionCase.objects.filter(
            state__in=WAITING_STATES, deadline__lte=today + dt.timedelta(days=REMINDER_HORIZON_DAYS)
        ).select_related("organisation", "recommendation")
    )
    contacts: dict[int, list[str]] = {}
    for contact in ContactAssignment.objects.current(today).filter(
        role=ContactRole.CONTACT_PERSON, organisation__in={case.organisation_id for case in cases}
    ):
        contacts.setdefault(contact.organisation_id, []).append(contact.email)
    counts = {"queued": 0, "already_sent": 0, "already_queued": 0, "no_contact": 0}
    for case in cases:
        recipients = sorted({email for email in contacts.get(case.organisation_id, []) if email})
        if not recipients:
            counts["no_contact"] += 1
            continue
        if mail_is_open(mail_latest(f"reminder:case:{case.pk}")):
            counts["already_queued"] += 1  # an earlier day's reminder still waits for the mail server
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    case=case, deadline=case.deadline, sent_on=today, recipients=", ".join(recipients)
                )
                context = {
                    "case": case,
                    "today": today,
                    "overdue": case.deadline < today,
                    "days_left": (case.deadline - today).days,
                }
                mail_queue(
                    purpose_key=f"reminder:case:{case.pk}:{case.deadline}:{today}",
                    subject=render_to_string("email/reminder_subject.txt", context).strip(),
                    body=render_to_string("email/reminder.txt", context),
                    to=recipients,
                    obj=case,
                    object_label=str(reminder),
                )
        except IntegrityError:
            counts["already_sent"] += 1
            continue
        counts["queued"] += 1
    return counts


def digest_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Weekly: one digest per recommendation with open cases to every active KSL officer; once per ISO week."""
    today = today or calendar.today()
    iso = today.isocalendar()
    week = f"{iso.year}-W{iso.week:02d}"
    officers = list(
        get_user_model()
        .objects.filter(
            pk__in=RoleAssignment.objects.active(today).filter(role=Role.KSL_OFFICER).values("user_id"),
            is_active=True,
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )
    counts = {"queued": 0, "already_sent": 0}
    if not officers:
        return counts
    from ..queries import dashboard

    for recommendation in Recommendation.objects.filter(
        cases__state__in=[*WAITING_STATES, CaseState.DECIDED]
    ).distinct():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    recommendation=recommendation, week=week, recipients=", ".join(officers)
                )
                board = dashboard(recommendation, today=today)
                context = {
                    "recommendation": recommendation,
                    "board": board,
                    "week": week,
                    "open_rows": [row for row in board.rows if row.case.state in WAITING_STATES],
                }
                mail_queue(
                    purpose_key=f"digest:recommendation:{recommendation.pk}:{week}",
                    subject=render_to_string("email/digest_subject.txt", context).strip(),
                    body=render_to_string("email/digest.txt", context),
                    to=sorted(officers),
                    obj=recommendation,
                    object_label=str(digest),
                )
        except IntegrityError:
            counts["already_sent"] += 1
            continue
        counts["queued"] += 1
    return counts

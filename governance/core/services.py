"""Writes of the shared audit trail, the once-only guard of the create forms (``request_once``), and the
outbox every e-mail goes through (``mail_queue``, ``mail_deliver``)."""

import base64
import datetime as dt
import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AuditAction, CoreAction
from .models import GENESIS_HASH, AuditChainHead, AuditCheck, AuditEvent, OutgoingMail, RequestKey

logger = logging.getLogger(__name__)

#: The info message a view shows when ``request_once`` found the same form already saved.
ALREADY_SAVED_MESSAGE = gettext_lazy("Det var redan sparat – du klickade två gånger.")
#: How long a request key is kept (``request_keys_purge``): far longer than any double click.
REQUEST_KEY_DAYS = 7


def actor_user(user):
    """The account a row records as its actor (``created_by``, ``actor``): None for the system or anonymous."""
    return user if getattr(user, "is_authenticated", False) else None


def actor_display_name(user) -> str:
    """The name copied into audit rows; survives the user's deletion."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "System"
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


_followups = threading.local()


@contextmanager
def audit_followups_batched():
    """Within the block, the work other apps hang on new audit rows (``audit_followup``: the search index)
    runs once per key when the block ends, instead of once per row. Use it inside the transaction of a bulk
    change (a data load, a batch): the work then commits or rolls back with it. Nested blocks join the
    outermost; when the block raises, the pending work is dropped with the change."""
    if getattr(_followups, "pending", None) is not None:
        yield
        return
    _followups.pending = {}
    try:
        yield
        while _followups.pending:
            key = next(iter(_followups.pending))
            _followups.pending.pop(key)()
    finally:
        _followups.pending = None


def audit_followup(key, work: Callable[[], object]) -> None:
    """Run ``work`` for a new audit row now, or, inside ``audit_followups_batched``, once at the block's end
    (the last ``work`` given for ``key`` wins)."""
    pending = getattr(_followups, "pending", None)
    if pending is None:
        work()
    else:
        pending.pop(key, None)
        pending[key] = work


def audit_record(
    *,
    acting_user,
    action: AuditAction,
    obj: models.Model | None = None,
    object_label: str | None = None,
    source_state: str = "",
    target_state: str = "",
    comment: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    """Append one row to the audit trail, chained to the previous one.

    Call inside the transaction of the change it records: the row then commits or rolls back with it.
    The chain head is locked for the rest of that transaction, so appends are strictly ordered.
    ``action`` must be a member of one of the apps' closed lists (``core.choices.AuditAction`` subclasses).
    """
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit_record needs a member of an AuditAction list, not {action!r}.")
    normalised = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            actor=actor_user(acting_user),
            actor_name=actor_display_name(acting_user),
            content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
            object_id=str(obj.pk) if obj is not None else "",
            object_label=(object_label if object_label is not None else str(obj) if obj is not None else "")[
                :300
            ],
            action=action,
            source_state=source_state,
            target_state=target_state,
            comment=comment,
            payload=normalised,
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_hash = event.hash
        head.count += 1
        head.save(update_fields=["last_hash", "count"])
    return event


def audit_check_run() -> AuditCheck:
    """Verify the audit chain, store the result, and e-mail the site admins if it is broken."""
    from django.core.mail import mail_admins

    from .queries import audit_chain_verify

    checked, broken = audit_chain_verify()
    with transaction.atomic():
        check = AuditCheck.objects.create(
            rows_checked=checked,
            intact=broken is None,
            broken_event_id=broken.event_id if broken else None,
            reason=broken.reason[:300] if broken else "",
        )
        if broken is not None:
            where = f"händelse {broken.event_id}" if broken.event_id is not None else "kedjans slut"
            transaction.on_commit(
                lambda: mail_admins(
                    "Granskningsloggen är bruten",
                    f"Första brutna länken: {where} ({broken.reason}).",
                )
            )
    return check


def audit_anchor_write(*, note: str = "daily", verify: bool = True):
    """Anchor the chain head outside the database: append a signed line to ``AUDIT_ANCHOR_PATH`` and e-mail it.

    With ``verify`` (the daily task) the chain is verified first, against the head and the previous anchor, and
    nothing is anchored if it is broken: a rewound chain must not be accepted by a new anchor. Returns the
    ``Anchor``, or None when the chain was broken. A mail that cannot be sent is logged, never raised: the line
    in the file is what counts.
    """
    from django.core.mail import mail_admins

    from .anchors import anchor_append, anchor_make
    from .queries import audit_chain_verify

    if verify:
        _checked, broken = audit_chain_verify()
        if broken is not None:
            logger.error("Granskningsloggen förankrades inte: den är bruten (%s).", broken.reason)
            return None
    head = AuditChainHead.objects.filter(pk=1).values("count", "last_hash").first()
    anchor = anchor_make(
        count=head["count"] if head else 0,
        head_hash=head["last_hash"] if head else GENESIS_HASH,
        note=note,
    )
    anchor_append(anchor)
    try:
        mail_admins(
            "Granskningsloggens ankare",
            "Granskningsloggens kedja vid denna tidpunkt (tid, antal händelser, senaste kontrollsumma, "
            f"anteckning, HMAC-SHA256). Spara raden.\n\n{anchor.line()}\n",
        )
    except Exception:
        logger.exception("Granskningsloggens ankare kunde inte skickas till administratörerna.")
    return anchor


def grants_sync_all(*, users, sync, action: AuditAction) -> dict[str, int]:
    """Run ``sync(user)`` (returning granted/revoked counts) for each user, one transaction and, when anything
    changed, one audit row each. Used by the daily jobs that apply roles and terms whose dates start or end."""
    totals = {"users": 0, "granted": 0, "revoked": 0}
    for user in users:
        with transaction.atomic():
            result = sync(user)
            if result["granted"] or result["revoked"]:
                audit_record(
                    acting_user=None,
                    action=action,
                    obj=user,
                    object_label=user.get_username(),
                    payload=result,
                )
        totals["users"] += 1
        totals["granted"] += result["granted"]
        totals["revoked"] += result["revoked"]
    return totals


class _SeenBefore(Exception):
    """The request key is already stored: leave the transaction without writing anything."""


def request_once(
    *, acting_user, key: uuid.UUID, action: str, run: Callable[[], tuple[object, str]]
) -> tuple[object | None, str, bool]:
    """Run a create form's write once per ``key`` (the form's hidden ``request_key``), e.g. a double click.

    In one transaction: insert the ``RequestKey``, call ``run()`` (the service; it returns the new object and
    the URL of its page), store that URL. Returns ``(object, url, True)``. A second call with the same key
    finds the row (the unique key makes the later of two concurrent inserts wait for the first and then fail)
    and returns ``(None, the first's url, False)`` without calling ``run``. If ``run`` raises (a
    ``ValidationError``), nothing is stored, the key included, so the corrected form may be sent again.
    A key stored by another user or for another action, or without a result yet, is a ``ValidationError``.
    """
    user = actor_user(acting_user)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = RequestKey.objects.create(key=key, user=user, action=action)
            except IntegrityError:
                raise _SeenBefore from None
            obj, url = run()
            record.result_url = url
            record.save(update_fields=["result_url"])
        return obj, url, True
    except _SeenBefore:
        pass
    first = RequestKey.objects.filter(key=key).first()
    if (
        first is None
        or not first.result_url
        or first.action != action
        or first.user_id != getattr(user, "pk", None)
    ):
        raise ValidationError(_("Det här är redan skickat."))
    return None, first.result_url, False


def request_keys_purge(*, days: int = REQUEST_KEY_DAYS) -> int:
    """Delete request keys older than ``days`` (bookkeeping, not history: no audit row). Returns the count."""
    deleted, _rows = RequestKey.objects.filter(
        created_at__lt=timezone.now() - dt.timedelta(days=days)
    ).delete()
    return deleted


# The outbox: every e-mail the system sends (notices, case notifications, reminders, digests) is a row of
# ``OutgoingMail`` written in the business transaction, and delivered by ``mail_deliver`` after the commit.

logger = logging.getLogger(__name__)

#: Minutes to wait after the 1st, 2nd, … failed attempt; the last value repeats. Shared by every outbox (the
#: mail here, the webhook deliveries): ``outbox_backoff``.
MAIL_BACKOFF_MINUTES = (1, 5, 15, 60, 120, 240, 480)
#: After this many failed attempts the mail is ``failed`` (a new request or ``mail_retry`` queues it again).
MAIL_MAX_ATTEMPTS = 8
#: How long a claimed ("sending") row is left to its worker before it counts as due again.
MAIL_LEASE = dt.timedelta(minutes=10)
#: Seconds one SMTP conversation may take (``EMAIL_TIMEOUT`` if set), well inside the lease.
MAIL_SEND_TIMEOUT = 60
#: Bounds of one mail: its recipients (to and bcc together) and the attachments' total size (bytes).
MAIL_MAX_RECIPIENTS = 500
MAIL_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

#: Sent by ``mail_deliver`` with ``mail=`` the row, inside the transaction that marks it sent, so the owner's
#: state ("kallelse skickad", ``notified_at``) changes together with it. Receivers match ``mail.purpose_key``.
mail_sent = Signal()
#: Sent (in the same way) when a mail has failed for good after ``MAIL_MAX_ATTEMPTS`` attempts.
mail_failed = Signal()

_OPEN_STATUSES = (OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING)


def outbox_backoff(attempts: int) -> dt.timedelta:
    """The pause before the next try after ``attempts`` failed attempts (1, 5, 15, 60, … minutes; the last
    repeats), for every outbox: mail (``mail_deliver``) and webhook deliveries."""
    return dt.timedelta(minutes=MAIL_BACKOFF_MINUTES[min(max(attempts, 1), len(MAIL_BACKOFF_MINUTES)) - 1])


def mail_key_next(prefix: str) -> str:
    """The next versioned purpose key ``prefix:vN`` (a notice requested again after a failed mail)."""
    return f"{prefix}:v{OutgoingMail.objects.filter(purpose_key__startswith=f'{prefix}:v').count() + 1}"


def mail_latest(prefix: str) -> OutgoingMail | None:
    """The newest mail whose purpose key is ``prefix`` or starts with ``prefix:``."""
    return (
        OutgoingMail.objects.filter(Q(purpose_key=prefix) | Q(purpose_key__startswith=f"{prefix}:"))
        .order_by("-id")
        .first()
    )


def mail_is_open(mail: OutgoingMail | None) -> bool:
    """Queued or being sent: a new request for the same message must not queue another."""
    return mail is not None and mail.status in _OPEN_STATUSES


def mail_queue(
    *,
    purpose_key: str,
    subject: str,
    body: str,
    to=(),
    bcc=(),
    from_email: str | None = None,
    attachments=(),
    obj: models.Model | None = None,
    object_label: str | None = None,
) -> tuple[OutgoingMail, bool]:
    """Queue one mail; call it inside the transaction of the change it reports. Returns ``(row, created)``.

    ``attachments`` are ``(name, content bytes or str, mimetype)``. A ``purpose_key`` already queued gives the
    existing row and ``created=False`` (the unique key makes the later of two concurrent calls find the
    first's). After the commit ``core.mail_deliver`` is enqueued; if the broker is down, the minutely
    ``core.mails_deliver_due`` finds the row anyway.
    """
    from django.conf import settings

    to, bcc = sorted(set(to)), sorted(set(bcc) - set(to))
    if not to and not bcc:
        raise ValueError("mail_queue needs at least one recipient.")
    if len(to) + len(bcc) > MAIL_MAX_RECIPIENTS:
        raise ValueError(f"More than {MAIL_MAX_RECIPIENTS} recipients in one mail.")
    stored, size = [], 0
    for name, content, mimetype in attachments:
        raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        size += len(raw)
        stored.append({"name": name, "mimetype": mimetype, "content": base64.b64encode(raw).decode("ascii")})
    if size > MAIL_MAX_ATTACHMENT_BYTES:
        raise ValueError("The attachments are too large for one mail.")
    existing = OutgoingMail.objects.filter(purpose_key=purpose_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            mail = OutgoingMail.objects.create(
                purpose_key=purpose_key,
                subject=" ".join(subject.split())[:300],
                body=body,
                from_email=from_email or settings.DEFAULT_FROM_EMAIL,
                to=to,
                bcc=bcc,
                attachments=stored,
                content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
                object_id=str(obj.pk) if obj is not None else "",
                object_label=(object_label if object_label is not None else str(obj) if obj else "")[:300],
            )
    except IntegrityError:
        return OutgoingMail.objects.get(purpose_key=purpose_key), False
    transaction.on_commit(lambda: _mail_enqueue(mail.pk))
    return mail, True


def _mail_enqueue(mail_id: int) -> None:
    from .tasks import mail_deliver

    try:
        mail_deliver.delay(mail_id)
    except Exception:  # the broker is down: the minutely sweep delivers it
        logger.warning("Could not enqueue mail %s; the outbox sweep will deliver it", mail_id, exc_info=True)


def _message_id(purpose_key: str, from_email: str) -> str:
    from email.utils import parseaddr

    domain = parseaddr(from_email)[1].rpartition("@")[2] or "origo.example"
    return f"<{hashlib.sha256(purpose_key.encode('utf-8')).hexdigest()[:40]}@{domain}>"


def _mail_message(mail: OutgoingMail):
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection

    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or MAIL_SEND_TIMEOUT
    message = EmailMessage(
        mail.subject,
        mail.body,
        mail.from_email,
        list(mail.to),
        bcc=list(mail.bcc),
        headers={"Message-ID": _message_id(mail.purpose_key, mail.from_email)},
        connection=get_connection(fail_silently=False, timeout=timeout),
    )
    for attachment in mail.attachments:
        content = base64.b64decode(attachment["content"])
        if attachment["mimetype"].startswith("text/"):
            content = content.decode("utf-8")
        message.attach(attachment["name"], content, attachment["mimetype"])
    return message


def mail_deliver(*, mail_id: int, now: dt.datetime | None = None) -> str:
    """The ``core.mail_deliver`` task: send one queued mail if it is due. Returns ``sent``, ``retry`` (an error,
    kept in ``last_error``; due again after the next pause), ``failed`` (for good) or ``skipped`` (sent
    already, not due, or being sent by another worker).

    The row is first claimed with one conditional UPDATE (queued → sending, one more attempt, a lease of
    ``MAIL_LEASE``), so two deliveries of the same id send once. It is sent with no lock held, then marked
    sent in a transaction that also runs the ``mail_sent`` receivers. Delivery is at least once: a worker
    killed between sending and marking leaves the row to be sent again when the lease ends; the Message-ID
    is derived from ``purpose_key``, so both copies carry the same id and receivers can drop the second.
    """
    now = now or timezone.now()
    claimed = OutgoingMail.objects.filter(
        pk=mail_id, status__in=_OPEN_STATUSES, next_attempt_at__lte=now
    ).update(
        status=OutgoingMail.Status.SENDING,
        attempts=models.F("attempts") + 1,
        next_attempt_at=now + MAIL_LEASE,
    )
    if not claimed:
        return "skipped"
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        _mail_message(mail).send(fail_silently=False)
    except Exception as exc:
        return _mail_attempt_failed(mail_id, f"{type(exc).__name__}: {exc}", now)
    with transaction.atomic():
        locked = OutgoingMail.objects.select_for_update().get(pk=mail_id)
        locked.status = OutgoingMail.Status.SENT
        locked.sent_at = timezone.now()
        locked.last_error = ""
        locked.save(update_fields=["status", "sent_at", "last_error"])
        _signal_send(mail_sent, locked)
    return "sent"


def _mail_attempt_failed(mail_id: int, error: str, now: dt.datetime) -> str:
    with transaction.atomic():
        locked = OutgoingMail.objects.select_for_update().get(pk=mail_id)
        if locked.status != OutgoingMail.Status.SENDING:  # another worker finished it meanwhile
            return "skipped"
        locked.last_error = error[:500]
        if locked.attempts >= MAIL_MAX_ATTEMPTS:
            locked.status = OutgoingMail.Status.FAILED
        else:
            locked.status = OutgoingMail.Status.QUEUED
            locked.next_attempt_at = now + outbox_backoff(locked.attempts)
        locked.save(update_fields=["status", "last_error", "next_attempt_at"])
        logger.warning("Mail %s (%s), attempt %s: %s", mail_id, locked.purpose_key, locked.attempts, error)
        if locked.status == OutgoingMail.Status.FAILED:
            _signal_send(mail_failed, locked)
            return "failed"
    return "retry"


def _signal_send(signal: Signal, mail: OutgoingMail) -> None:
    """Run the receivers in a savepoint: if one raises, it is logged and their writes are undone; the mail's
    own state stays (it has gone out)."""
    try:
        with transaction.atomic():
            signal.send(sender=OutgoingMail, mail=mail)
    except Exception:
        logger.exception("A receiver of mail %s (%s) failed", mail.pk, mail.purpose_key)


def mails_deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Every minute: deliver the mails that are due (first attempts whose task was lost, retries after a
    pause, rows whose worker died). Returns the outcomes counted."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    due = OutgoingMail.objects.filter(status__in=_OPEN_STATUSES, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    for mail_id in list(due.values_list("pk", flat=True)[:limit]):
        counts[mail_deliver(mail_id=mail_id, now=now)] += 1
    return counts


def _newer_version(purpose_key: str) -> str | None:
    """The key of a later version of the same message ("…:v2" for "…:v1"), if one was queued."""
    stem, sep, version = purpose_key.rpartition(":v")
    if not sep or not version.isdigit():
        return None
    later = [
        key
        for key in OutgoingMail.objects.filter(purpose_key__startswith=f"{stem}:v").values_list(
            "purpose_key", flat=True
        )
        if key.rpartition(":v")[2].isdigit() and int(key.rpartition(":v")[2]) > int(version)
    ]
    return max(later, key=lambda key: int(key.rpartition(":v")[2])) if later else None


def mail_retry(*, acting_user, mail_id: int) -> OutgoingMail:
    """failed → queued, with a fresh set of attempts; delivered after the commit. For whoever may see the
    outbox in the administration (the host's administrators) once the cause is fixed; one audit row."""
    from django.core.exceptions import PermissionDenied

    if acting_user is not None and not acting_user.has_perm("core.view_outgoingmail"):
        raise PermissionDenied(_("Bara värdens administratörer skickar om e-post."))
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().get(pk=mail_id)
        superseded = _newer_version(mail.purpose_key)
        if (
            superseded is not None
        ):  # "notice:meeting:3:v1" after v2 was requested: sending both would double it
            raise ValidationError(
                _("%(old)s är ersatt av %(new)s och skickas inte igen.")
                % {"old": mail.purpose_key, "new": superseded}
            )
        if mail.status == OutgoingMail.Status.FAILED:
            mail.status = OutgoingMail.Status.QUEUED
            mail.attempts = 0
            mail.next_attempt_at = timezone.now()
            mail.save(update_fields=["status", "attempts", "next_attempt_at"])
            audit_record(
                acting_user=acting_user,
                action=CoreAction.MAIL_RETRIED,
                obj=mail,
                payload={"purpose_key": mail.purpose_key, "last_error": mail.last_error},
            )
            transaction.on_commit(lambda: _mail_enqueue(mail.pk))
    return mail

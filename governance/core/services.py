"""Writes of the shared audit trail, and the once-only guard of the create forms (``request_once``)."""

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AuditAction
from .models import GENESIS_HASH, AuditChainHead, AuditCheck, AuditEvent, RequestKey

logger = logging.getLogger(__name__)

#: The info message a view shows when ``request_once`` found the same form already saved.
ALREADY_SAVED_MESSAGE = gettext_lazy("Det var redan sparat – du klickade två gånger.")
#: How long a request key is kept (``request_keys_purge``): far longer than any double click.
REQUEST_KEY_DAYS = 7


def actor_display_name(user) -> str:
    """The name copied into audit rows; survives the user's deletion."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "System"
    full = user.get_full_name().strip()
    return f"{full} ({user.get_username()})" if full else user.get_username()


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
            actor=acting_user if getattr(acting_user, "is_authenticated", False) else None,
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
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
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

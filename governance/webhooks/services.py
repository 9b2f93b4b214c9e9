"""Every write of the webhooks app: endpoints (register, change, deactivate, activate, new secret, delete),
the deliveries written from the audit trail (the webhook outbox), their delivery and retry.

The outbox: ``deliveries_create_for_audit_event`` receives every new ``AuditEvent`` inside the transaction that
wrote it. When the action feeds a registered event source (``registry``) and an active endpoint wants the
event and its owner may see the object, a ``WebhookDelivery`` is written in that same transaction, so a
delivery exists exactly when the change committed; after the commit ``webhooks.delivery_deliver`` is enqueued,
and the minutely ``webhooks.deliveries_deliver_due`` finds whatever a lost task or a dead worker left
(docs/adr/0009-webhooks-outbox.md).
"""

import datetime as dt
import json
import logging
import secrets
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.core.services import MAIL_MAX_ATTEMPTS, audit_record, outbox_backoff

from . import permissions, registry, sending
from .choices import DeliveryState, WebhookAction, WebhookEvent
from .models import ERROR_MAX_LENGTH, URL_MAX_LENGTH, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

#: After this many failed attempts a delivery is ``failed`` (``delivery_retry`` queues it again); the pauses
#: between attempts are the mail outbox's (``core.services.outbox_backoff``: 1, 5, 15, 60, … minutes).
DELIVERY_MAX_ATTEMPTS = MAIL_MAX_ATTEMPTS
#: How long a claimed attempt is left to its worker before the delivery counts as due again.
DELIVERY_LEASE = dt.timedelta(minutes=2)
#: Event ids are derived from the audit row and the event, so the same event always has the same id.
EVENT_NAMESPACE = uuid.UUID("6f1c1c52-5d0e-4c43-9f3e-2d7a3b0e9a11")
NAME_MAX_LENGTH = 100


# --- endpoints -------------------------------------------------------------------------------------------


def _clean(*, name: str, url: str, events) -> tuple[str, str, list[str]]:
    """Validate an endpoint's fields; every problem listed at once (``ValidationError`` by field)."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    url = (url or "").strip()
    if not name:
        errors.setdefault("name", []).append(_("Ange ett namn."))
    elif len(name) > NAME_MAX_LENGTH:
        errors.setdefault("name", []).append(
            _("Namnet får vara högst %(n)s tecken.") % {"n": NAME_MAX_LENGTH}
        )
    if not url:
        errors.setdefault("url", []).append(_("Ange adressen."))
    elif len(url) > URL_MAX_LENGTH:
        errors.setdefault("url", []).append(
            _("Adressen får vara högst %(n)s tecken.") % {"n": URL_MAX_LENGTH}
        )
    else:
        try:
            sending.url_check(url)
        except ValidationError as exc:
            errors.setdefault("url", []).extend(exc.messages)
    chosen = sorted({str(e) for e in events or ()})
    if not chosen:
        errors.setdefault("events", []).append(_("Välj minst en händelse."))
    elif unknown := [e for e in chosen if e not in WebhookEvent.values]:
        errors.setdefault("events", []).append(
            _("Okänd händelse: %(events)s.") % {"events": ", ".join(unknown)[:200]}
        )
    if errors:
        raise ValidationError(errors)
    return name, url, chosen


def _locked(acting_user, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """The endpoint, locked and re-read; another user's endpoint is a 404 (``acting_user=None``: the system)."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if acting_user is not None:
        permissions.check_manage_endpoint_or_404(acting_user, locked)
    return locked


def _described(endpoint: WebhookEndpoint) -> dict:
    """What an audit row says about an endpoint (never its secret)."""
    return {"name": endpoint.name, "url": endpoint.url, "events": endpoint.events, "active": endpoint.active}


def endpoint_register(*, acting_user, name: str, url: str, events) -> WebhookEndpoint:
    """A new active endpoint owned by ``acting_user``, with a generated secret (shown to the owner)."""
    permissions.check_use_webhooks(acting_user)
    name, url, events = _clean(name=name, url=url, events=events)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            owner=acting_user, name=name, url=url, events=events, secret=secrets.token_urlsafe(32)
        )
        audit_record(
            acting_user=acting_user,
            action=WebhookAction.ENDPOINT_REGISTERED,
            obj=endpoint,
            payload=_described(endpoint),
        )
    return endpoint


def endpoint_update(
    *, acting_user, endpoint: WebhookEndpoint, name: str, url: str, events
) -> WebhookEndpoint:
    """Change the name, address and chosen events; deliveries already written keep their address's endpoint."""
    name, url, events = _clean(name=name, url=url, events=events)
    with transaction.atomic():
        locked = _locked(acting_user, endpoint)
        before = _described(locked)
        locked.name, locked.url, locked.events = name, url, events
        locked.save(update_fields=["name", "url", "events"])
        audit_record(
            acting_user=acting_user,
            action=WebhookAction.ENDPOINT_CHANGED,
            obj=locked,
            payload={"before": before, "after": _described(locked)},
        )
    return locked


def _active_set(*, acting_user, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    with transaction.atomic():
        locked = _locked(acting_user, endpoint)
        if locked.active == active:
            return locked
        locked.active = active
        locked.save(update_fields=["active"])
        audit_record(
            acting_user=acting_user,
            action=WebhookAction.ENDPOINT_ACTIVATED if active else WebhookAction.ENDPOINT_DEACTIVATED,
            obj=locked,
            payload=_described(locked),
        )
    return locked


def endpoint_deactivate(*, acting_user, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """No new deliveries; pending ones are not sent (they fail with a note and may be retried once it is
    active again). Deactivating an inactive endpoint changes nothing and writes no audit row."""
    return _active_set(acting_user=acting_user, endpoint=endpoint, active=False)


def endpoint_activate(*, acting_user, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Deliveries again for events from now on (nothing missed meanwhile is sent)."""
    return _active_set(acting_user=acting_user, endpoint=endpoint, active=True)


def endpoint_secret_rotate(*, acting_user, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; deliveries from now on are signed with it (the old one stops working at once)."""
    with transaction.atomic():
        locked = _locked(acting_user, endpoint)
        locked.secret = secrets.token_urlsafe(32)
        locked.save(update_fields=["secret"])
        audit_record(
            acting_user=acting_user,
            action=WebhookAction.ENDPOINT_SECRET_ROTATED,
            obj=locked,
            payload={"name": locked.name, "url": locked.url},
        )
    return locked


def endpoint_delete(*, acting_user, endpoint: WebhookEndpoint) -> None:
    """Delete the endpoint and its delivery log; the audit row keeps what it was."""
    with transaction.atomic():
        locked = _locked(acting_user, endpoint)
        audit_record(
            acting_user=acting_user,
            action=WebhookAction.ENDPOINT_DELETED,
            obj=locked,
            payload={**_described(locked), "deliveries": locked.deliveries.count()},
        )
        locked.delete()


# --- the outbox: deliveries from the audit trail ----------------------------------------------------------


def deliveries_create_for_audit_event(sender, instance, created, raw=False, **kwargs) -> None:
    """``post_save`` receiver of ``AuditEvent`` (connected in ``WebhooksConfig.ready``)."""
    if created and not raw and registry.sources_for(instance.action):
        deliveries_create(audit_event=instance)


def event_id_for(audit_event, event: str) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, f"{audit_event.hash}:{event}")


def deliveries_create(*, audit_event) -> list[WebhookDelivery]:
    """Write the deliveries of one audit row, in the caller's transaction; returns the rows written now.

    One per active endpoint that wants the event and whose owner may see the object (the owning app's
    ``can_view``). Called twice for the same row it writes nothing more (``event_id`` is derived from the row
    and unique per endpoint). A failure here is logged and its writes undone; the change itself commits.
    """
    sources = registry.sources_for(audit_event.action)
    if not sources:
        return []
    endpoints = list(WebhookEndpoint.objects.filter(active=True).select_related("owner"))
    if not endpoints:
        return []
    created: list[WebhookDelivery] = []
    try:
        with transaction.atomic():
            for source in sources:
                wanted = [e for e in endpoints if source.event in e.events]
                if not wanted or audit_event.content_type_id != (
                    ContentType.objects.get_for_model(source.model).pk
                ):
                    continue
                obj = source.model._default_manager.filter(pk=audit_event.object_id).first()
                if obj is None:
                    continue
                receivers = [e for e in wanted if permissions.may_receive(e.owner, source, obj)]
                if not receivers:
                    continue
                event_id = event_id_for(audit_event, source.event)
                envelope = {
                    "id": str(event_id),
                    "event": source.event,
                    "occurred_at": audit_event.occurred_at,
                    "action": audit_event.action,
                    "data": source.payload(obj, audit_event),
                }
                envelope = json.loads(json.dumps(envelope, cls=DjangoJSONEncoder))
                for endpoint in receivers:
                    delivery, new = WebhookDelivery.objects.get_or_create(
                        endpoint=endpoint,
                        event_id=event_id,
                        defaults={"event": source.event, "payload": envelope},
                    )
                    if new:
                        created.append(delivery)
    except Exception:
        logger.exception("Webhook deliveries for audit event %s could not be written", audit_event.pk)
        return []
    if created:
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(delivery_ids: list[int]) -> None:
    from .tasks import delivery_deliver

    for delivery_id in delivery_ids:
        try:
            delivery_deliver.delay(delivery_id)
        except Exception:  # the broker is down: the minutely sweep delivers it
            logger.warning(
                "Could not enqueue webhook delivery %s; the sweep will", delivery_id, exc_info=True
            )


def delivery_body(delivery: WebhookDelivery) -> bytes:
    """The exact bytes POSTed (and signed): the stored envelope as compact UTF-8 JSON."""
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


def delivery_deliver(*, delivery_id: int, now: dt.datetime | None = None) -> str:
    """The ``webhooks.delivery_deliver`` task: POST one due delivery. Returns ``delivered``, ``retry`` (an
    error or a non-2xx answer, kept in ``last_status``/``last_error``; due again after the next pause),
    ``failed`` (for good) or ``skipped`` (delivered already, not due, or claimed by another worker).

    The row is claimed with one conditional UPDATE (one more attempt, ``next_attempt_at`` a lease ahead), so
    two tasks for the same id POST once; the POST runs with no lock held, and the row is marked delivered only
    after a 2xx answer. A worker killed in between leaves it pending, due again when the lease ends.
    """
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).update(attempts=models.F("attempts") + 1, next_attempt_at=now + DELIVERY_LEASE)
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    status = None
    if not endpoint.active:
        return _attempt_failed(delivery_id, None, _("Webhooken är avaktiverad."), now, final=True)
    body = delivery_body(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Origo-samverkan-webhooks/1",
        "X-Origo-Event": delivery.event,
        "X-Origo-Delivery": str(delivery.event_id),
        "X-Origo-Signature": sending.signature(endpoint.secret, int(timezone.now().timestamp()), body),
    }
    try:
        response = sending.post(endpoint.url, body, headers)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except Exception as exc:  # refused, timed out, TLS, a broken answer
        error = sending.failure_text(exc)
    else:
        status = response.status
        if 200 <= status < 300:
            with transaction.atomic():
                locked = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
                locked.state = DeliveryState.DELIVERED
                locked.delivered_at = timezone.now()
                locked.last_status = status
                locked.last_error = ""
                locked.save(update_fields=["state", "delivered_at", "last_status", "last_error"])
            return "delivered"
        text = response.body.decode("utf-8", errors="replace").strip()
        error = f"HTTP {status}" + (f": {text}" if text else "")
    return _attempt_failed(delivery_id, status, error, now)


def _attempt_failed(delivery_id: int, status: int | None, error: str, now: dt.datetime, final=False) -> str:
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        if locked.state != DeliveryState.PENDING:  # finished meanwhile
            return "skipped"
        locked.last_status = status
        locked.last_error = " ".join(str(error).split())[:ERROR_MAX_LENGTH]
        if final or locked.attempts >= DELIVERY_MAX_ATTEMPTS:
            locked.state = DeliveryState.FAILED
        else:
            locked.next_attempt_at = now + outbox_backoff(locked.attempts)
        locked.save(update_fields=["state", "last_status", "last_error", "next_attempt_at"])
    logger.warning("Webhook delivery %s, attempt %s: %s", delivery_id, locked.attempts, locked.last_error)
    return "failed" if locked.state == DeliveryState.FAILED else "retry"


def deliveries_deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Every minute: deliver the due deliveries (retries after a pause, a lost task, a dead worker's row).
    Returns the outcomes counted."""
    now = now or timezone.now()
    counts = {"delivered": 0, "retry": 0, "failed": 0, "skipped": 0}
    due = WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    for delivery_id in list(due.values_list("pk", flat=True)[:limit]):
        counts[delivery_deliver(delivery_id=delivery_id, now=now)] += 1
    return counts


def delivery_retry(*, acting_user, delivery: WebhookDelivery) -> WebhookDelivery:
    """failed → pending with a fresh set of attempts, delivered after the commit ("Försök igen"). For the
    endpoint's owner; one audit row. Only a failed delivery can be retried."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        if acting_user is not None:
            permissions.check_manage_endpoint_or_404(acting_user, locked.endpoint)
        if locked.state != DeliveryState.FAILED:
            raise ValidationError(_("Bara misslyckade leveranser kan försökas igen."))
        if not locked.endpoint.active:
            raise ValidationError(_("Aktivera webhooken först."))
        locked.state = DeliveryState.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit_record(
            acting_user=acting_user,
            action=WebhookAction.DELIVERY_RETRIED,
            obj=locked,
            object_label=f"{locked.endpoint.name}: {locked.event}",
            payload={"event_id": str(locked.event_id), "last_error": locked.last_error},
        )
        transaction.on_commit(lambda: _enqueue([locked.pk]))
    return locked

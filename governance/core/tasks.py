"""Background jobs of the core app."""

from celery import shared_task

from . import services


@shared_task(name="core.audit_chain_check")
def audit_chain_check() -> int:
    """Nightly: verify the audit trail's hash chain (read-only, so running it twice is harmless), and purge
    the create forms' request keys older than a week (running that twice deletes nothing more)."""
    services.request_keys_purge()
    return services.audit_check_run().pk


@shared_task(name="core.audit_anchor")
def audit_anchor() -> bool:
    """Daily: append the verified chain head as a signed line to the anchor file and e-mail it to the admins.
    Running it twice writes two lines for the same head, which is harmless."""
    return services.audit_anchor_write() is not None


@shared_task(name="core.mail_deliver", acks_late=True)
def mail_deliver(mail_id: int) -> str:
    """Enqueued after the commit of ``mail_queue``: send one mail. Delivered twice, it sends once (the row is
    claimed first); a failure leaves the row queued with its error and next attempt for the sweep."""
    return services.mail_deliver(mail_id=mail_id)


@shared_task(name="core.mails_deliver_due")
def mails_deliver_due() -> dict[str, int]:
    """Every minute: deliver the outbox's due mails (retries after a pause, a lost task, a dead worker)."""
    return services.mails_deliver_due()

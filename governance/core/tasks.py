"""Background jobs of the core app."""

from celery import shared_task

from . import services


@shared_task(name="core.audit_chain_check")
def audit_chain_check() -> int:
    """Nightly: verify the audit trail's hash chain (read-only, so running it twice is harmless), and purge
    the create forms' request keys older than a week (running that twice deletes nothing more)."""
    services.request_keys_purge()
    return services.audit_check_run().pk

"""Background jobs of the parties app."""

from celery import shared_task

from . import services


@shared_task(name="parties.role_assignments_sync")
def role_assignments_sync() -> dict[str, int]:
    """Daily: grant roles whose start date has come and revoke those that have ended. Idempotent."""
    return services.role_assignments_sync()

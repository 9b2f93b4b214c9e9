"""Background jobs of the meetings app."""

from celery import shared_task

from . import services


@shared_task(name="meetings.membership_grants_sync")
def membership_grants_sync() -> dict[str, int]:
    """Daily: grant members whose term has begun and revoke those whose term has ended. Idempotent."""
    return services.membership_grants_sync_all()

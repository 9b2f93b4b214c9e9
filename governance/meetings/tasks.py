"""Background jobs of the meetings app. Each calls a service and is safe to run twice."""

from celery import shared_task

from . import services


@shared_task(name="meetings.membership_grants_sync")
def membership_grants_sync() -> dict[str, int]:
    """Daily: grant members whose term has begun and revoke those whose term has ended. Idempotent."""
    return services.membership_grants_sync_all()


@shared_task(name="meetings.notice_send", acks_late=True)
def notice_send(meeting_id: int) -> int:
    """Send one meeting's notice; a notice already sent is not sent again (logged at INFO). Returns how many
    notices it sent (0 or 1)."""
    return services.notice_send_once(meeting_id=meeting_id)


@shared_task(name="meetings.notices_send_due")
def notices_send_due() -> dict[str, int]:
    """Daily: notices whose last day is today go out if nobody has sent them."""
    return services.notices_send_due()

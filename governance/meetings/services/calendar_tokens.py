"""The personal secret in the calendar feed addresses (calendar programs cannot log in)."""

import secrets

from django.db import transaction
from django.utils import timezone

from governance.core.services import audit_record

from ..choices import MeetingAction
from ..models import CalendarToken


def calendar_token_rotate(*, acting_user) -> CalendarToken:
    """Create the user's calendar token, or replace it: the old feed addresses stop working at once.
    The audit row records that it happened, never the secret."""
    with transaction.atomic():
        token = CalendarToken.objects.select_for_update().filter(user=acting_user).first()
        replaced = token is not None
        if token is None:
            token = CalendarToken(user=acting_user)
        token.token = secrets.token_urlsafe(32)
        token.created_at = timezone.now()
        token.save()
        audit_record(
            acting_user=acting_user,
            action=MeetingAction.CALENDAR_TOKEN_ROTATED,
            obj=token,
            object_label=str(acting_user),
            payload={"replaced": replaced},
        )
    return token

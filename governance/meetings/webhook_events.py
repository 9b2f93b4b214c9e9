"""The meetings app's webhook event: minutes were published.

Registered with ``webhooks.registry`` in ``MeetingsConfig.ready()``. Published minutes are public (the
"Protokoll" page), so whoever may register an endpoint receives them; before publishing, only those who may
see the body's meetings would (``permissions.can_view_body``).
"""

from django.urls import reverse

from governance.webhooks.choices import WebhookEvent
from governance.webhooks.registry import event_source_register, page_url

from .choices import MeetingAction, MeetingState
from .models import Meeting
from .permissions import can_view_body


def may_see_minutes(user, meeting: Meeting) -> bool:
    return meeting.state == MeetingState.PUBLISHED or can_view_body(user, meeting.body)


def minutes_payload(meeting: Meeting, audit_event) -> dict:
    body = meeting.body
    version = meeting.minutes_version
    return {
        "meeting": {
            "id": meeting.pk,
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "place": meeting.place,
            "state": meeting.state,
            "state_label": str(MeetingState(meeting.state).label),
            "url": page_url(reverse("meetings:meeting", args=[meeting.pk])),
        },
        "body": {"slug": body.slug, "name": body.name},
        "minutes": {
            "version": version,
            "approval_date": meeting.approval_date,
            "docx_url": page_url(reverse("meetings:minutes_docx", args=[meeting.pk, version]))
            if version
            else "",
            "published_url": page_url(reverse("meetings:published_minutes")),
        },
        "actor": audit_event.actor_name,
    }


def register() -> None:
    event_source_register(
        WebhookEvent.MINUTES_PUBLISHED,
        actions=[MeetingAction.MINUTES_PUBLISHED],
        model=Meeting,
        can_view=may_see_minutes,
        payload=minutes_payload,
    )

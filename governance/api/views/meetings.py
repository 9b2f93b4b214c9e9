"""A meeting's transitions through the API, for the actions whose only input is a reason: hold, publish,
correct, cancel, postpone. The same rules (``meetings.permissions.MEETING_RULES``), services and 409 on a
stale ``expected_state`` as the meeting page; ``Idempotency-Key`` as for cases."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.core.transitions import rule_for, transitions_available
from governance.meetings import permissions as meeting_permissions
from governance.meetings import services as meeting_services
from governance.meetings.choices import MeetingState
from governance.meetings.models import Meeting
from governance.meetings.views.pages import ACTION_TRANSITIONS

from .. import serializers
from .idempotency import IDEMPOTENCY_HEADER, idempotency_key, replayed_marked, run_once

MAX_REASON_CHARS = 300

#: The meeting page's actions the API offers, with their labels.
MEETING_ACTIONS = {
    "hold": _lazy("Mötet hålls"),
    "publish": _lazy("Publicera protokollet"),
    "correct": _lazy("Rätta protokollet"),
    "cancel": _lazy("Ställ in mötet"),
    "postpone": _lazy("Skjut upp mötet"),
}


class MeetingTransitionRequestSerializer(serializers.SwedishErrors, drf_serializers.Serializer):
    action = drf_serializers.ChoiceField(choices=list(MEETING_ACTIONS))
    expected_state = drf_serializers.ChoiceField(choices=MeetingState.choices)
    reason = drf_serializers.CharField(
        max_length=MAX_REASON_CHARS, required=False, help_text=_lazy("Skäl (rätta, ställa in, skjuta upp).")
    )


class MeetingTransitionsSerializer(drf_serializers.Serializer):
    state = drf_serializers.CharField()
    available = serializers.TransitionSerializer(many=True)


def _meeting_or_403(user, pk) -> Meeting:
    """As the meeting page: 404 if there is none, 403 for who may not see its body."""
    meeting = Meeting.objects.select_related("body__convener").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    if not meeting_permissions.can_view_body(user, meeting.body):
        raise PermissionDenied(_("Mötet är till för ledamöterna i %(body)s.") % {"body": meeting.body})
    return meeting


def _run(action: str, user, meeting: Meeting, expected_state: str, reason: str) -> None:
    common = {"acting_user": user, "meeting": meeting, "expected_state": expected_state}
    if action == "hold":
        meeting_services.meeting_hold(**common)
    elif action == "publish":
        meeting_services.minutes_publish(**common)
    elif action == "correct":
        meeting_services.minutes_correct(**common, reason=reason)
    elif action == "cancel":
        meeting_services.meeting_cancel(**common, reason=reason)
    elif action == "postpone":
        meeting_services.meeting_postpone(**common, reason=reason)


class MeetingTransitionsView(APIView):
    @extend_schema(responses=MeetingTransitionsSerializer)
    def get(self, request, pk):
        """The actions the caller may take on the meeting now."""
        meeting = _meeting_or_403(request.user, pk)
        available = set(transitions_available(request.user, meeting))
        rows = [
            {"action": action, "label": str(label), "transitions": [ACTION_TRANSITIONS[action]]}
            for action, label in MEETING_ACTIONS.items()
            if ACTION_TRANSITIONS[action] in available
        ]
        return Response({"state": meeting.state, "available": rows})

    @extend_schema(
        request=MeetingTransitionRequestSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                description=_lazy("Samma nyckel vid ett nytt försök: ändringen görs bara en gång."),
            )
        ],
        responses=serializers.MeetingSerializer,
    )
    def post(self, request, pk):
        """Take an action on the meeting, through the same service and rules as the meeting page."""
        meeting = _meeting_or_403(request.user, pk)
        key = idempotency_key(request)
        data = MeetingTransitionRequestSerializer(data=request.data)
        if not data.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in data.errors.items()})
        action = data.validated_data["action"]
        if not rule_for(Meeting, ACTION_TRANSITIONS[action]).allowed(request.user, meeting):
            raise PermissionDenied(_("Du får inte göra det här på mötet nu."))
        args = (
            action,
            request.user,
            meeting,
            data.validated_data["expected_state"],
            data.validated_data.get("reason", ""),
        )

        def run():
            _run(*args)
            return meeting, reverse("api:meeting-detail", kwargs={"pk": meeting.pk})

        replayed = run_once(request, key=key, scope=f"api.meeting.{meeting.pk}.{action}", run=run)
        return replayed_marked(
            Response(
                serializers.MeetingSerializer(Meeting.objects.select_related("body").get(pk=meeting.pk)).data
            ),
            replayed,
        )

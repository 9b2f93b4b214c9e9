"""Shared by the meeting services: the one way a meeting changes state, and the open-minutes checks."""

from django.utils.translation import gettext as _

from governance.core.transitions import TransitionConflict, transition_run

from ..choices import (
    MeetingState,
)
from ..models import Meeting


def _meeting_transition(
    *,
    acting_user,
    meeting: Meeting,
    transition: str,
    payload=None,
    check=None,
    expected_state=None,
    after=None,
) -> Meeting:
    """One meeting transition through ``core.transitions.transition_run`` (rules: ``permissions.MEETING_RULES``).
    ``check(locked)`` validates and may set other fields of the locked row before it is saved; ``after(locked)``
    runs after the save in the same transaction (its dict joins the audit payload)."""
    return transition_run(
        acting_user=acting_user,
        obj=meeting,
        transition=transition,
        expected_state=expected_state,
        validate=check,
        after=after,
        payload=payload,
        select_related=("body",),
    )


def _minutes_open(meeting: Meeting) -> bool:
    """A drafted version nobody has approved yet may still change (a correction starts such a version)."""
    if meeting.state != MeetingState.MINUTES_DRAFTED:
        return False
    version = meeting.current_minutes()
    return version is not None and not version.approvals.exists()


def _rerender_open_minutes(meeting: Meeting) -> None:
    if meeting.state == MeetingState.MINUTES_DRAFTED:
        from .minutes import _render_version

        _render_version(meeting, meeting.current_minutes())


def _check_expected_state(meeting: Meeting, expected_state: str | None) -> None:
    """The stale-page check for the actions that are not a transition themselves (as ``transition_run`` does)."""
    if expected_state is not None and meeting.state != expected_state:
        raise TransitionConflict(
            _("Mötet har ändrats av någon annan (det är nu ”%(state)s”). Ladda om sidan och försök igen.")
            % {"state": meeting.get_state_display()}
        )

"""The POST actions on a meeting: one small view each, through ``meeting_post``."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.core.forms import STALE_PAGE_MESSAGE
from governance.core.transitions import TransitionConflict, rule_for

from .. import permissions, services
from ..choices import MeetingState
from ..forms import (
    ApprovalRecordForm,
    AttendanceForm,
    CheckersForm,
    ItemForm,
    MeetingForm,
    OutcomeForm,
    ReasonForm,
    RescheduleForm,
    RsvpForm,
)
from ..models import AgendaItem, FollowUpReport, Meeting
from ..services.planning import ShortNotice
from .pages import ACTION_TRANSITIONS, _meeting_or_404, _meeting_page


def _post_id(post, name: str) -> int:
    """An id from the form; anything but ASCII digits is a 400, not a 500."""
    value = post.get(name, "")
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(_("Ogiltigt val."))
    return int(value)


def _expected_state(post) -> str | None:
    """The state the page showed (hidden ``expected_state``); the runner answers a stale page with a conflict."""
    value = post.get("expected_state", "")
    if value and value not in MeetingState.values:
        raise ValidationError(STALE_PAGE_MESSAGE)
    return value or None


def meeting_post(check=None):
    """One POST action on a meeting: login, the meeting (404/403), ``check(user, meeting)`` (403), then the
    action; a stale page is a 409 and a refused one a 400, both re-rendering the page with the message."""

    def decorate(view):
        @require_POST
        @login_required
        @wraps(view)
        def wrapper(request, pk: int):
            meeting = _meeting_or_404(request.user, pk)
            if check is not None and not check(request.user, meeting):
                raise PermissionDenied(_("Du får inte göra det här på mötet nu."))
            try:
                response = view(request, meeting)
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return _meeting_page(request, _meeting_or_404(request.user, pk), status=409)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                return _meeting_page(request, _meeting_or_404(request.user, pk), status=400)
            return response or redirect("meetings:meeting", pk=meeting.pk)

        return wrapper

    return decorate


def _may_transition(action):
    """The transition's rule, ignoring the state (a stale page gets its 409 from the runner, not a 403)."""
    return lambda user, meeting: rule_for(Meeting, ACTION_TRANSITIONS[action]).allowed(user, meeting)


def _manages(user, meeting):
    return permissions.can_manage_body(user, meeting.body)


@meeting_post()
def meeting_rsvp(request, meeting):
    form = RsvpForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Välj ett svar."))
    services.rsvp_answer(acting_user=request.user, meeting=meeting, answer=form.cleaned_data["answer"])


@meeting_post(_manages)
def meeting_notice(request, meeting):
    try:
        services.meeting_notice_request(
            acting_user=request.user, meeting=meeting, expected_state=_expected_state(request.POST)
        )
    except services.NoticeAlreadySent as exc:  # a second click: nothing to do, and nothing wrong
        messages.info(request, exc.messages[0])
        return None
    messages.success(request, _("Kallelsen skickas."))
    return None


@meeting_post(_manages)
def meeting_item_add(request, meeting):
    form = ItemForm(request.POST, request.FILES)
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, item_form=form)
    data = form.cleaned_data
    services.agenda_item_add(
        acting_user=request.user,
        meeting=meeting,
        title=data["title"],
        kind=data["kind"],
        presenter=data["presenter"],
        minutes_allotted=data["minutes_allotted"],
        description=data["description"],
        paper=data["paper"],
    )
    messages.success(request, _("Ärendet ”%(title)s” är tillagt.") % {"title": data["title"]})
    return None


@meeting_post(_manages)
def meeting_paper_add(request, meeting):
    item = services.agenda_paper_add(
        acting_user=request.user,
        meeting=meeting,
        provider_key=request.POST.get("provider", ""),
        source_id=_post_id(request.POST, "source"),
    )
    messages.success(request, _("Handlingen ligger under ärendet ”%(title)s”.") % {"title": item.title})


@meeting_post(_manages)
def meeting_followup(request, meeting):
    report = FollowUpReport.objects.filter(pk=_post_id(request.POST, "report")).first()
    if report is None:
        raise ValidationError(_("Välj en uppföljningsrapport."))
    services.agenda_follow_up_add(acting_user=request.user, meeting=meeting, report=report)


@meeting_post(_manages)
def meeting_carry(request, meeting):
    services.agenda_carry_over(acting_user=request.user, meeting=meeting)


@meeting_post(_manages)
def meeting_move(request, meeting):
    item = AgendaItem.objects.filter(pk=_post_id(request.POST, "item"), meeting=meeting).first()
    if item is None or request.POST.get("direction") not in ("up", "down"):
        raise ValidationError(_("Okänt ärende."))
    services.agenda_item_move(acting_user=request.user, item=item, direction=request.POST["direction"])


@meeting_post(_manages)
def meeting_attendance(request, meeting):
    form = AttendanceForm(request.POST, members=services.notice_recipients(meeting), attendances={})
    if not form.is_valid():
        return _meeting_page(request, meeting, status=400, attendance_form=form)
    services.attendance_record(acting_user=request.user, meeting=meeting, statuses=form.statuses())
    return None


@meeting_post(_manages)
def meeting_outcome(request, meeting):
    item = AgendaItem.objects.filter(pk=_post_id(request.POST, "item"), meeting=meeting).first()
    if item is None:
        raise ValidationError(_("Okänt ärende."))
    form = OutcomeForm(request.POST, members=services.notice_recipients(meeting), prefix=f"item{item.pk}")
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    services.item_outcome_record(
        acting_user=request.user,
        item=item,
        outcome=form.cleaned_data["outcome"],
        is_open=form.cleaned_data["is_open"],
        conflicts=form.cleaned_data["conflicts"],
        kind=form.cleaned_data["kind"] or None,
        # An older page without the field leaves the list as it is.
        dispatch=form.cleaned_data["dispatch"] if f"item{item.pk}-dispatch" in request.POST else None,
    )


@meeting_post(_may_transition("hold"))
def meeting_hold(request, meeting):
    services.meeting_hold(
        acting_user=request.user, meeting=meeting, expected_state=_expected_state(request.POST)
    )


@meeting_post(_may_transition("minutes"))
def meeting_minutes(request, meeting):
    form = CheckersForm(request.POST, members=services.notice_recipients(meeting))
    if not form.is_valid():
        if "checkers" in form.errors:
            raise ValidationError(_("Välj två justerare."))
        raise _form_errors(form)
    services.minutes_draft(
        acting_user=request.user,
        meeting=meeting,
        checker_ids=form.cleaned_data["checkers"],
        expected_state=_expected_state(request.POST),
        approval_place=form.cleaned_data["approval_place"],
        approval_date=form.cleaned_data["approval_date"],
    )


@meeting_post()
def meeting_approve(request, meeting):
    # The service says whose approval it is (the chair's or a chosen justerare's), 403 for anyone else.
    try:
        meeting = services.minutes_approve(
            acting_user=request.user, meeting=meeting, expected_state=_expected_state(request.POST)
        )
    except services.AlreadyApproved as exc:  # a second click: nothing to do, and nothing wrong
        messages.info(request, exc.messages[0])
        return None
    version = services.current_version(meeting)
    messages.success(request, _("Du har justerat protokollet, version %(n)s.") % {"n": version.version})


@meeting_post(_may_transition("publish"))
def meeting_publish(request, meeting):
    services.minutes_publish(
        acting_user=request.user, meeting=meeting, expected_state=_expected_state(request.POST)
    )


@meeting_post(_may_transition("correct"))
def meeting_correct(request, meeting):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Ange skälet till rättelsen (högst 300 tecken)."))
    services.minutes_correct(
        acting_user=request.user,
        meeting=meeting,
        reason=form.cleaned_data["reason"],
        expected_state=_expected_state(request.POST),
    )


@meeting_post(_may_transition("cancel"))
def meeting_cancel(request, meeting):
    services.meeting_cancel(
        acting_user=request.user,
        meeting=meeting,
        reason=request.POST.get("reason", ""),
        expected_state=_expected_state(request.POST),
    )
    messages.success(request, _("Mötet är inställt."))


@meeting_post(_may_transition("postpone"))
def meeting_postpone(request, meeting):
    services.meeting_postpone(
        acting_user=request.user,
        meeting=meeting,
        reason=request.POST.get("reason", ""),
        expected_state=_expected_state(request.POST),
    )
    messages.success(request, _("Mötet är uppskjutet. Ge det en ny tid under ”Ny tid”."))


def _new_time_message(meeting) -> str:
    """A new notice only where the members had one for the old time; otherwise the new time is just the time."""
    if services.noticed_time_moved(meeting):
        return _("Mötet är flyttat. Skicka en ny kallelse.")
    return _("Mötet har fått en ny tid.")


def _times(data) -> dict:
    tz = timezone.get_current_timezone()
    return {
        "starts_at": timezone.datetime.combine(data["date"], data["start"], tzinfo=tz),
        "ends_at": timezone.datetime.combine(data["date"], data["end"], tzinfo=tz),
        "short_notice_reason": data["short_notice_reason"],
        "short_notice_confirmed": data["short_notice_confirmed"],
    }


def _form_errors(form) -> ValidationError:
    return ValidationError([e for errors in form.errors.values() for e in errors])


def _time_form_page(request, meeting, form, name, run):
    """Replan or move: on any error the page comes back (400) with the user's input in ``form`` and each error
    next to its field; a stale page still gets its 409 from ``meeting_post``."""
    short_notice = None
    if form.is_valid():
        try:
            run(**_times(form.cleaned_data))
        except ShortNotice as exc:
            short_notice = exc.messages[0]
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise  # about the meeting rather than a field (its state, say): a message at the top
            form.add_service_errors(exc)
        else:
            return None
    return _meeting_page(request, meeting, status=400, short_notice=short_notice, **{name: form})


@meeting_post(_may_transition("replan"))
def meeting_replan(request, meeting):
    def run(**times):
        replanned = services.meeting_replan(
            acting_user=request.user,
            meeting=meeting,
            expected_state=_expected_state(request.POST),
            place=form.cleaned_data.get("place", ""),
            video_link=form.cleaned_data.get("video_link", ""),
            **times,
        )
        messages.success(request, _new_time_message(replanned))

    form = MeetingForm(request.POST)
    return _time_form_page(request, meeting, form, "replan_form", run)


@meeting_post(_may_transition("postpone"))
def meeting_reschedule(request, meeting):
    """Postpone to a new time in one step (``services.meeting_reschedule``)."""
    form = RescheduleForm(request.POST)

    def run(**times):
        moved = services.meeting_reschedule(
            acting_user=request.user,
            meeting=meeting,
            reason=form.cleaned_data["reason"],
            expected_state=_expected_state(request.POST),
            **times,
        )
        messages.success(request, _new_time_message(moved))

    return _time_form_page(request, meeting, form, "reschedule_form", run)


@meeting_post(_manages)
def meeting_item_remove(request, meeting):
    item = AgendaItem.objects.filter(pk=_post_id(request.POST, "item"), meeting=meeting).first()
    if item is None:
        raise ValidationError(_("Okänt ärende."))
    services.agenda_item_remove(acting_user=request.user, item=item)
    messages.success(request, _("”%(title)s” är borttaget från dagordningen.") % {"title": item.title})


@meeting_post(_manages)
def meeting_approval_record(request, meeting):
    """The chair or secretary records the justering of a justerare without a login (the service checks whose)."""
    form = ApprovalRecordForm(request.POST, members=services.approvers_without_login(meeting))
    if not form.is_valid():
        raise _form_errors(form)
    services.minutes_approval_record(
        acting_user=request.user,
        meeting=meeting,
        membership_id=form.cleaned_data["membership"],
        note=form.cleaned_data["note"],
        expected_state=_expected_state(request.POST),
    )

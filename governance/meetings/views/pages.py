"""Pages of the cooperation bodies and their meetings (the POST actions on a meeting are in ``actions.py``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from governance.core import calendar
from governance.core.caching import cached_page, page_valid_until
from governance.core.exports import csv_text, download_response
from governance.core.formatting import file_name
from governance.core.papers import paper_providers
from governance.core.services import ALREADY_SAVED_MESSAGE, request_once
from governance.core.transitions import transitions_available
from governance.diary.queries import entries_for_documents

from .. import ical, permissions, queries, services
from ..archive import archive_years, minutes_package
from ..archive import can_archive as archive_allowed
from ..choices import PROTECTED_ITEMS, MeetingState
from ..forms import (
    ApprovalRecordForm,
    AttendanceForm,
    CheckersForm,
    EndMembershipForm,
    ItemForm,
    MeetingCreateForm,
    MeetingForm,
    MembershipForm,
    OutcomeForm,
    PlanYearForm,
    ReasonForm,
    RescheduleForm,
    RsvpForm,
)
from ..models import AgendaItem, CalendarToken, CooperationBody, FollowUpReport, Meeting, MinutesVersion


@require_safe
@login_required
def body_list(request):
    return render(request, "meetings/body_list.html", {"bodies": queries.body_list(request.user)})


def _body_or_404(user, slug: str) -> CooperationBody:
    try:
        body = queries.body_detail(slug)
    except CooperationBody.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_view_body(user, body):
        raise PermissionDenied(_("Sidan är till för ledamöterna i %(body)s.") % {"body": body})
    return body


@require_safe
@login_required
def body_detail(request, slug: str):
    return _body_page(request, _body_or_404(request.user, slug))


def _body_page(request, body, status=200, membership_form=None, meeting_form=None, short_notice=None):
    current, earlier = queries.split_current(body.memberships.all())
    upcoming = queries.split_upcoming(body.memberships.all())
    return render(
        request,
        "meetings/body_detail.html",
        {
            "body": body,
            "current": current,
            "earlier": earlier,
            "upcoming": upcoming,
            "can_seat": permissions.can_manage_memberships(request.user),
            "membership_form": membership_form or MembershipForm(),
            "end_form": EndMembershipForm(),
            "composition": queries.composition(body),
            "meetings": list(body.meetings.order_by("starts_at")),
            "can_manage": permissions.can_manage_body(request.user, body),
            "meeting_form": meeting_form or MeetingCreateForm(),
            "short_notice": short_notice,
            "plan_form": PlanYearForm(initial={"year": calendar.today().year + 1}),
            "reports": FollowUpReport.objects.all()[:4],
            "archive_years": archive_years(body) if archive_allowed(request.user, body) else [],
        },
        status=status,
    )


@require_POST
@login_required
def body_action(request, slug: str, action: str):
    body = _body_or_404(request.user, slug)
    if action in ("seat", "unseat"):
        return _seat_action(request, body, action)
    form = {"plan": PlanYearForm, "meeting": MeetingCreateForm}.get(action)
    if form is None:
        raise Http404
    if not permissions.can_manage_body(request.user, body):
        raise PermissionDenied(_("Endast ordföranden och sekreteraren planerar möten."))
    form = form(request.POST)
    if action == "meeting":
        return _meeting_create(request, body, form)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        planned = services.meetings_plan_year(
            acting_user=request.user, body=body, year=data["year"], place=data["place"]
        )
        messages.success(
            request,
            ngettext("%(n)s möte planerat.", "%(n)s möten planerade.", len(planned)) % {"n": len(planned)},
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _body_page(request, queries.body_detail(body.slug), status=400)
    return redirect("meetings:body_detail", slug=body.slug)


def _meeting_create(request, body, form):
    """Plan one meeting. On any error the page comes back (400) with the user's input and each error next to
    its field (the end time, the video link, the date, the reason for short notice)."""
    short_notice = None
    if form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()

        def create():
            meeting = services.meeting_create(
                acting_user=request.user,
                body=body,
                starts_at=timezone.datetime.combine(data["date"], data["start"], tzinfo=tz),
                ends_at=timezone.datetime.combine(data["date"], data["end"], tzinfo=tz),
                place=data["place"],
                video_link=data["video_link"],
                short_notice_reason=data["short_notice_reason"],
                short_notice_confirmed=data["short_notice_confirmed"],
            )
            return meeting, reverse("meetings:meeting", kwargs={"pk": meeting.pk})

        try:
            _meeting, url, created = request_once(
                acting_user=request.user, key=data["request_key"], action="meeting.create", run=create
            )
        except services.ShortNotice as exc:
            short_notice = exc.messages[0]
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if not created:
                messages.info(request, ALREADY_SAVED_MESSAGE)
            return redirect(url)
    return _body_page(
        request, queries.body_detail(body.slug), status=400, meeting_form=form, short_notice=short_notice
    )


def _seat_action(request, body, action):
    """KSL and the host seat members and end terms (rotation); composition rules are enforced by the service."""
    if not permissions.can_manage_memberships(request.user):
        raise PermissionDenied(_("Ledamöter utses av KSL och huvudmannen."))
    form = MembershipForm(request.POST) if action == "seat" else EndMembershipForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        if action == "seat":
            person = data["person"]
            appointed_by = next(
                (
                    r.appointed_by
                    for r in body.seat_rules.all()
                    if r.appointed_by_id and r.applies_to(person.organisation)
                ),
                person.organisation,
            )
            services.membership_add(
                acting_user=request.user,
                body=body,
                person=person,
                organisation=person.organisation,
                role=data["role"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                appointed_by=appointed_by,
            )
        else:
            membership = body.memberships.filter(pk=data["membership"]).first()
            if membership is None:
                raise ValidationError(_("Okänt ledamotskap."))
            services.membership_end(
                acting_user=request.user, membership=membership, valid_to=data["valid_to"]
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _body_page(
            request,
            queries.body_detail(body.slug),
            status=400,
            membership_form=form if action == "seat" else None,
        )
    messages.success(request, _("Ledamöterna är uppdaterade."))
    return redirect("meetings:body_detail", slug=body.slug)


def _meeting_or_404(user, pk: int) -> Meeting:
    try:
        meeting = Meeting.objects.select_related("body__convener").get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_view_body(user, meeting.body):
        raise PermissionDenied(_("Mötet är till för ledamöterna i %(body)s.") % {"body": meeting.body})
    return meeting


def _meeting_page(request, meeting, status=200, **forms):
    if timezone.now() < meeting.starts_at:
        page_valid_until(meeting.starts_at)  # attendance may be recorded from the start: not kept past it
    members = services.notice_recipients(meeting)
    attendances = {a.membership_id: a for a in meeting.attendances.select_related("membership__person")}
    mine = next((m for m in members if m.person.user_id == request.user.pk), None)
    can_manage = permissions.can_manage_body(request.user, meeting.body)
    present = [
        m for m in members if attendances.get(m.pk) and attendances[m.pk].status in ("present", "substitute")
    ]
    items = list(
        meeting.items.select_related("follow_up_report").prefetch_related(queries.conflicts_with_people())
    )
    # The versions with their approvals, the justerare and the members, read once: the helpers and the
    # transition rules below answer from them (``queries.meeting_page_read``).
    queries.meeting_page_read(meeting, members=members)
    versions = list(meeting.minutes_versions.all())
    checkers = meeting.checkers()
    without_login = services.approvers_without_login(meeting)
    context = {
        # The chair sees who a mailed notice cannot reach (a formal notice must reach every member).
        "members_without_email": [m for m in members if not m.person.email]
        if can_manage and meeting.state in ("planned", "notice_sent")
        else [],
        "meeting": meeting,
        "body": meeting.body,
        "items": items,
        "moves": services.agenda_moves(items),
        "members": members,
        "attendances": attendances,
        "mine": mine,
        "my_attendance": attendances.get(mine.pk) if mine else None,
        "can_manage": can_manage,
        "allowed": _allowed_actions(request.user, meeting, without_login=without_login, members=members),
        "numbered": queries.minutes_numbered(meeting),
        "extracts": queries.extracts_available(meeting),
        "deadline": services.notice_deadline(meeting),
        # "Kallelse köad / misslyckades" while planned: the meeting says "skickad" only once it was delivered.
        "notice_mail": services.notice_mail(meeting) if meeting.state == MeetingState.PLANNED else None,
        "item_form": forms.get("item_form") or ItemForm(),
        "rsvp_form": RsvpForm(),
        "attendance_form": forms.get("attendance_form")
        or AttendanceForm(members=members, attendances=attendances),
        "checkers_form": CheckersForm(members=present),
        "reason_form": ReasonForm(),
        "replan_form": forms.get("replan_form") or MeetingForm(initial=_time_initial(meeting, place=True)),
        "reschedule_form": forms.get("reschedule_form") or RescheduleForm(initial=_time_initial(meeting)),
        "cancel_reason": services.cancel_reason(meeting) if meeting.state == MeetingState.CANCELLED else "",
        "short_notice": forms.get("short_notice"),
        "protected_items": PROTECTED_ITEMS,
        "approval_form": ApprovalRecordForm(members=without_login),
        "outcome_forms": {
            item.pk: OutcomeForm(
                members=members,
                prefix=f"item{item.pk}",
                initial={
                    "outcome": item.outcome,
                    "kind": item.kind,
                    "dispatch": item.dispatch,
                    "is_open": item.is_open,
                    "conflicts": [c.membership_id for c in item.conflicts.all()],
                },
            )
            for item in items  # the prefetched rows, not a second query (and one per item for conflicts)
        },
        "paper_providers": [(p.key, p.label, p.options(request.user)) for p in paper_providers()]
        if can_manage
        else [],
        "reports": FollowUpReport.objects.all()[:8],
        "versions": versions,
        "checkers": checkers,
        "approvers_text": services.approvers_text(meeting, members=members, checkers=checkers),
        "undecided": services.decisions_missing(meeting, items)
        if meeting.state == MeetingState.MINUTES_DRAFTED
        else [],
        "my_approval": permissions.my_approval(request.user, meeting),
        "diary_entries": entries_for_documents(
            [
                (Meeting, [meeting.pk]),
                (AgendaItem, [i.pk for i in items]),
                (MinutesVersion, [v.pk for v in versions]),
            ]
        ),
    }
    return render(request, "meetings/meeting_detail.html", context, status=status)


def _time_initial(meeting, place=False) -> dict:
    """Moving or replanning starts from the meeting's own date and times (local), and its reason for short
    notice, so that changing only the date keeps the time."""
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    initial = {
        "date": starts.date().isoformat(),
        "start": f"{starts:%H:%M}",
        "end": f"{ends:%H:%M}",
        "short_notice_reason": meeting.short_notice_reason,
    }
    if place:
        initial.update(place=meeting.place, video_link=meeting.video_link)
    return initial


@require_safe
@login_required
@cached_page
def meeting_detail(request, pk: int):
    return _meeting_page(request, _meeting_or_404(request.user, pk))


#: Page action -> the meeting transition it runs (its rule decides who sees and may press the button).
ACTION_TRANSITIONS = {
    "hold": "hold",
    "minutes": "draft_minutes",
    "approve": "approve_minutes",
    "publish": "publish",
    "correct": "correct_minutes",
    "cancel": "cancel",
    "postpone": "postpone",
    "replan": "replan",
}


def _allowed_actions(user, meeting, *, without_login, members=None) -> dict[str, bool]:
    """What ``user`` may do on the meeting page now, from the server's rules: the transitions from
    ``core.transitions`` and the other actions from ``permissions.can_*``. The template shows only these."""
    available = set(transitions_available(user, meeting))
    allowed = {action: name in available for action, name in ACTION_TRANSITIONS.items()}
    agenda = permissions.can_edit_agenda(user, meeting)
    allowed.update(
        rsvp=permissions.can_answer_notice(user, meeting, members=members),
        notice=permissions.can_request_notice(user, meeting),
        item=agenda,
        paper_add=agenda,
        followup=agenda,
        carry=agenda,
        move=agenda,
        remove=permissions.can_remove_item(user, meeting),
        reschedule=allowed["postpone"],
        attendance=permissions.can_record_attendance(user, meeting),
        approval_record=permissions.can_record_approval(user, meeting) and bool(without_login),
        outcome=permissions.can_record_outcomes(user, meeting),
    )
    # A meeting is held on its day: before it, the service refuses, so the page does not offer it.
    allowed["hold"] = allowed["hold"] and meeting.date <= calendar.today()
    # The chair and the justerare approve themselves; the secretary records approvals for others instead.
    allowed["approve"] = allowed["approve"] and permissions.can_approve_in_person(user, meeting)
    return allowed


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@require_safe
@login_required
def notice_download(request, pk: int):
    from governance.documents import rendering as documents
    from governance.documents.services import template_for

    meeting = _meeting_or_404(request.user, pk)
    if meeting.state == MeetingState.CANCELLED:
        raise Http404(_("Mötet är inställt; det finns ingen kallelse."))
    content = documents.render_docx(template_for("notice")[0], services.notice_context(meeting))
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = (
        f'attachment; filename="{file_name("kallelse", meeting.body.name, meeting.date)}.docx"'
    )
    return response


def _version_or_404(user, pk: int, version: int) -> MinutesVersion:
    minutes = (
        MinutesVersion.objects.select_related("meeting__body").filter(meeting_id=pk, version=version).first()
    )
    if minutes is None:
        raise Http404
    published = minutes.meeting.state == MeetingState.PUBLISHED and minutes.is_frozen
    if not published and not (
        user.is_authenticated and permissions.can_view_body(user, minutes.meeting.body)
    ):
        raise Http404
    return minutes


@require_safe
def minutes_download(request, pk: int, version: int, fmt: str):
    """Members read every version; once published, anyone may read the approved ones."""
    minutes = _version_or_404(request.user, pk, version)
    field = minutes.file if fmt == "docx" else minutes.pdf
    if not field:
        raise Http404
    return FileResponse(
        field.open("rb"),
        as_attachment=True,
        filename=f"{file_name('protokoll', minutes.meeting.body.name, minutes.meeting.date, version=version)}.{fmt}",
        content_type=DOCX if fmt == "docx" else "application/pdf",
    )


@require_safe
def extract_download(request, pk: int, paragraph: int):
    meeting = Meeting.objects.select_related("body").filter(pk=pk).first()
    if meeting is None or not (
        meeting.state == MeetingState.PUBLISHED
        or (request.user.is_authenticated and permissions.can_view_body(request.user, meeting.body))
    ):
        raise Http404
    try:
        content = services.extract_render(meeting=meeting, paragraph=paragraph)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    name = file_name("protokollsutdrag", meeting.body.name, meeting.date, f"paragraf-{paragraph}")
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    return response


@require_safe
@login_required
def paper_download(request, pk: int):
    item = AgendaItem.objects.select_related("meeting__body").filter(pk=pk).first()
    if item is None or not item.paper:
        raise Http404
    if not permissions.can_view_body(request.user, item.meeting.body):
        raise PermissionDenied(_("Handlingen är till för organets ledamöter."))
    return FileResponse(item.paper.open("rb"), as_attachment=True, filename=item.paper_name or "handling")


@require_safe
def published_minutes(request):
    """Published: the approved minutes of the bodies."""
    versions = (
        MinutesVersion.objects.filter(meeting__state=MeetingState.PUBLISHED, approved_at__isnull=False)
        .select_related("meeting__body")
        .order_by("-meeting__starts_at", "-version")
    )
    return render(request, "meetings/published_minutes.html", {"versions": versions})


@require_safe
@login_required
def followup_report(request, pk: int):
    report = FollowUpReport.objects.filter(pk=pk).first()
    if report is None:
        raise Http404
    if not (queries.body_list(request.user) or request.user.has_perm("meetings.view_all_bodies")):
        raise PermissionDenied(_("Uppföljningen är till för styrgruppen och referensforum."))
    if request.GET.get("format") == "csv":
        return download_response(
            csv_text(
                [_("Kategori"), _("Grupp"), _("Antal")],
                (
                    [figure.get_category_display(), figure.label, services.suppressed(figure.value)]
                    for figure in report.figures.all()
                ),
            ),
            filename=f"uppfoljning-{report.year}-q{report.quarter}.csv",
        )
    return render(
        request,
        "meetings/followup_report.html",
        {"report": report, "charts": queries.followup_charts(report)},
    )


@require_safe
@login_required
def calendar_links(request):
    """Shows the feed addresses, or a button to create them; reading the page never creates a secret."""
    return render(
        request,
        "meetings/calendar_links.html",
        {"token": queries.calendar_token(request.user), "bodies": queries.body_list(request.user)},
    )


@require_POST
@login_required
def calendar_token_rotate(request):
    replaced = queries.calendar_token(request.user) is not None
    services.calendar_token_rotate(acting_user=request.user)
    messages.success(
        request,
        _("Du har fått nya adresser. De gamla fungerar inte längre.")
        if replaced
        else _("Dina kalenderadresser är skapade."),
    )
    return redirect("meetings:calendar_links")


@require_safe
def calendar_feed(request, token: str, slug: str | None = None):
    """iCalendar feeds for calendar programs, authenticated by the user's secret token."""
    calendar_token = (
        CalendarToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    )
    if calendar_token is None:
        raise Http404
    user = calendar_token.user
    visible = permissions.visible_body_ids(user)
    meetings = Meeting.objects.select_related("body").prefetch_related("items").order_by("starts_at")
    if slug:
        body = CooperationBody.objects.filter(slug=slug).first()
        if body is None or not permissions.can_view_body(user, body):
            raise Http404
        meetings, name = meetings.filter(body=body), body.name
    else:
        meetings = meetings if visible is None else meetings.filter(body_id__in=visible)
        name = _("Mina möten")
    return HttpResponse(
        ical.calendar_for(list(meetings), name=str(name)), content_type="text/calendar; charset=utf-8"
    )


@require_safe
def minutes_archive_download(request, slug: str, year: int):
    """The archive package of the body's minutes for a year: for those who manage the body."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    body = _body_or_404(request.user, slug)
    try:
        name, content = minutes_package(acting_user=request.user, body=body, year=year)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""The meeting page passes the members and justerare it has read to ``approvers_text``: the same text as the
service reading them itself."""

import pytest

from governance.meetings import services
from governance.meetings.models import Meeting

pytestmark = pytest.mark.django_db


def test_approvers_text_from_the_pages_reads_is_the_services_own():
    meetings = list(Meeting.objects.all())
    assert meetings
    with_checkers = 0
    for meeting in meetings:
        members = services.notice_recipients(meeting)
        checkers = list(meeting.minutes_checkers.select_related("person"))
        with_checkers += bool(checkers)
        assert services.approvers_text(
            meeting, members=members, checkers=checkers
        ) == services.approvers_text(meeting)
    assert with_checkers  # the demo has minutes with justerare


@pytest.mark.parametrize("approved_by", [(), ("chair",), ("chair", "member")])
def test_the_pages_reads_allow_what_the_database_allows(request, chair, member, ksl_officer, approved_by):
    """Issue 16: with the versions, approvals, justerare and members read once for the page
    (``queries.meeting_page_read``), the transition rules, the checks, "my approval" and the members without
    a login answer what they answer from the database, before and after each justering."""
    from governance.meetings import permissions, queries
    from governance.meetings.views.pages import _allowed_actions

    meeting = Meeting.objects.get(state="minutes_drafted")
    for persona in approved_by:
        services.minutes_approve(acting_user=request.getfixturevalue(persona), meeting=meeting)
    users = [request.getfixturevalue(p) for p in ("chair", "member", "ksl_officer", "host_admin", "outsider")]
    for user in users:
        fresh = Meeting.objects.select_related("body").get(pk=meeting.pk)
        read = Meeting.objects.select_related("body").get(pk=meeting.pk)
        members = services.notice_recipients(read)
        queries.meeting_page_read(read, members=members)
        assert read.current_minutes() == fresh.current_minutes()
        assert read.checkers() == fresh.checkers()
        assert services.approvers_without_login(read) == services.approvers_without_login(fresh)
        assert permissions.my_approval(user, read) == permissions.my_approval(user, fresh)
        assert permissions.can_record_outcomes(user, read) == permissions.can_record_outcomes(user, fresh)
        assert services.decisions_missing(read) == services.decisions_missing(fresh)
        assert _allowed_actions(
            user, read, without_login=services.approvers_without_login(read), members=members
        ) == _allowed_actions(user, fresh, without_login=services.approvers_without_login(fresh))
    chair_may = _allowed_actions(chair, read, without_login=[], members=members)["approve"]
    assert chair_may == ("chair" not in approved_by)  # the chair is offered the justering until done

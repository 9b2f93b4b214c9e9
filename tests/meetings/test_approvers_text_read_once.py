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

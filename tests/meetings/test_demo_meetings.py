"""The demo meetings "in the present" (``services.demo_meetings_load``): made through the services, marked as
demo data, idempotent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.meetings import services
from governance.meetings.models import CooperationBody, Meeting


def _load():
    return services.demo_meetings_load(acting_user=None)


@pytest.fixture(autouse=True)
def _no_demo_meetings(db):
    """Start from no demo meetings, whether or not ``load_origo`` already loaded them (rolled back after)."""
    Meeting.objects.filter(is_demo_data=True).delete()


def test_demo_meetings_are_created_once(db):
    first = _load()
    assert first["created"] == 3
    events = AuditEvent.objects.count()
    meetings = Meeting.objects.count()
    assert _load() == {"created": 0, "meetings": []}
    assert AuditEvent.objects.count() == events and Meeting.objects.count() == meetings

    demo = Meeting.objects.filter(is_demo_data=True).select_related("body").order_by("starts_at")
    assert demo.count() == 3 and set(first["meetings"]) == {m.pk for m in demo}
    today = calendar.today()
    held = demo.get(body__slug="styrgrupp", starts_at__date__lt=today)
    assert 5 <= (today - held.date).days <= 9 and calendar.is_working_day(held.date)
    assert held.state == "minutes_drafted"
    assert (held.quorum_present, held.quorum_required) == (7, 6)
    assert sorted(c.person.user.username for c in held.minutes_checkers.all()) == ["ksl", "ledamot"]
    version = held.minutes_versions.get()
    assert version.approvals.count() == 0 and version.approved_at is None
    assert held.items.exclude(outcome="").count() >= 4 and held.items.filter(paragraph__isnull=False).exists()

    upcoming = demo.get(body__slug="styrgrupp", starts_at__date__gt=today)
    assert upcoming.state == "planned" and upcoming.notice_sent_at is None
    assert upcoming.date.month == (today.replace(day=1) + dt.timedelta(days=32)).month
    assert upcoming.items.filter(standard_key="").count() == 2  # partly built
    assert services.notice_deadline(upcoming) >= today and not upcoming.is_extra

    annual = demo.get(body__slug="referensforum")
    assert annual.state == "planned" and 14 <= (annual.date - today).days <= 40
    assert annual.items.filter(title__startswith="Årsmöte").exists()
    planned = AuditEvent.objects.filter(
        action="meeting.planned", object_id__in=[str(pk) for pk in first["meetings"]]
    )
    assert [(e.actor_id, e.actor_name, e.payload.get("demo")) for e in planned] == [
        (None, "System", True)
    ] * 3


def test_only_the_system_loads_demo_data_and_no_user_backdates(chair):
    with pytest.raises(PermissionDenied):
        services.demo_meetings_load(acting_user=chair)
    body = CooperationBody.objects.get(slug="styrgrupp")
    day = calendar.today() - dt.timedelta(days=7)
    tz = dt.UTC
    before = Meeting.objects.count()
    for user in (chair, None):  # None outside a data load is a scheduled job: it may not backdate either
        with pytest.raises(PermissionDenied):
            services.meeting_create(
                acting_user=user,
                body=body,
                starts_at=dt.datetime.combine(day, dt.time(12), tzinfo=tz),
                ends_at=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
                system_backdate=True,
            )
    assert Meeting.objects.count() == before


def test_the_chair_and_the_justerare_see_the_demo_minutes_to_approve(client, chair, member):
    _load()
    held = Meeting.objects.get(is_demo_data=True, state="minutes_drafted")
    for user in (chair, member):
        client.force_login(user)
        page = client.get(reverse("meetings:meeting", args=[held.pk])).text
        assert "Demodata" in page and "Justera protokollet" in page
        assert "Beslutfört: 7 närvarande, 6 krävs" in page
    body_page = client.get(reverse("meetings:body_detail", args=["styrgrupp"])).text
    assert body_page.count('class="tag tag-demo"') == 2
    client.force_login(chair)
    upcoming = Meeting.objects.get(is_demo_data=True, body__slug="styrgrupp", state="planned")
    page = client.get(reverse("meetings:meeting", args=[upcoming.pk])).text
    assert "Demodata" in page and "Lägg till ärende" in page and "Skicka kallelsen" in page
    # The chair can approve the demo minutes for real.
    assert client.post(reverse("meetings:meeting_approve", args=[held.pk])).status_code == 302


def test_outside_a_data_load_the_system_neither_holds_a_meeting_nor_drafts_minutes(db):
    from governance.meetings import permissions

    body = CooperationBody.objects.get(slug="styrgrupp")
    day = calendar.today() - dt.timedelta(days=7)
    tz = dt.UTC
    with permissions.system_load():
        meeting = services.meeting_create(
            acting_user=None,
            body=body,
            starts_at=dt.datetime.combine(day, dt.time(12), tzinfo=tz),
            ends_at=dt.datetime.combine(day, dt.time(14), tzinfo=tz),
            system_backdate=True,
        )
    with pytest.raises(PermissionDenied):
        services.meeting_hold(acting_user=None, meeting=meeting)  # e.g. a scheduled job
    meeting.refresh_from_db()
    assert meeting.state == "planned"

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.meetings import permissions
from governance.meetings.models import CooperationBody, Membership
from governance.meetings.services import membership_add, membership_end, membership_grants_sync_all
from governance.meetings.tasks import membership_grants_sync
from governance.parties.models import Organisation

TODAY = calendar.today()


@pytest.fixture
def steering(db):
    return CooperationBody.objects.get(slug="styrgrupp")


@pytest.fixture
def forum(db):
    return CooperationBody.objects.get(slug="referensforum")


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_demo_grants(chair, member, danderyd_clerk, steering, forum):
    assert permissions.can_manage_body(chair, steering) and permissions.can_manage_body(chair, forum)
    assert permissions.can_view_body(member, steering) and not permissions.can_manage_body(member, steering)
    assert not permissions.can_view_body(danderyd_clerk, steering)
    assert permissions.can_view_body(danderyd_clerk, forum) and not permissions.can_manage_body(
        danderyd_clerk, forum
    )
    assert permissions.visible_body_ids(danderyd_clerk) == {forum.pk}


def test_adding_and_ending_a_seat_grants_and_revokes(danderyd_clerk, ksl_officer, steering):
    danderyd = Organisation.objects.get(municipality_code="0162")
    ksl = Organisation.objects.get(kind="association")
    membership = membership_add(
        acting_user=ksl_officer,
        body=steering,
        person=danderyd_clerk.person,
        organisation=danderyd,
        role="deputy",
        valid_from=TODAY,
        appointed_by=ksl,
    )
    assert permissions.can_view_body(_fresh(danderyd_clerk), steering)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_name, event.payload["granted"]) == (
        "membership.added",
        "Karin Lindqvist (ksl)",
        1,
    )
    membership_end(acting_user=ksl_officer, membership=membership, valid_to=TODAY)
    assert permissions.can_view_body(_fresh(danderyd_clerk), steering)  # through today
    membership_grants_sync_all(on=TODAY + dt.timedelta(days=1))
    assert not permissions.can_view_body(_fresh(danderyd_clerk), steering)
    assert Membership.objects.filter(pk=membership.pk).exists()  # kept as history


def test_a_future_term_starts_with_the_daily_sync(ekero_clerk, steering):
    ekero = Organisation.objects.get(municipality_code="0125")
    start = TODAY + dt.timedelta(days=30)
    membership_add(
        acting_user=None,
        body=steering,
        person=ekero_clerk.person,
        organisation=ekero,
        role="deputy",
        valid_from=start,
        appointed_by=Organisation.objects.get(kind="association"),
    )
    assert not permissions.can_view_body(_fresh(ekero_clerk), steering)
    assert membership_grants_sync_all(on=start)["granted"] == 1
    assert membership_grants_sync_all(on=start)["granted"] == 0  # idempotent
    assert membership_grants_sync()["users"] >= 1  # the task body


def test_only_ksl_and_host_admins_seat_members(danderyd_clerk, chair, steering):
    for user in (danderyd_clerk, chair):
        with pytest.raises(PermissionDenied):
            membership_add(
                acting_user=user,
                body=steering,
                person=danderyd_clerk.person,
                organisation=danderyd_clerk.person.organisation,
                role="member",
                valid_from=TODAY,
                appointed_by=danderyd_clerk.person.organisation,
            )


def test_bad_term_is_refused_and_nothing_written(ksl_officer, danderyd_clerk, steering):
    before = (Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="kan inte vara före"):
        membership_add(
            acting_user=ksl_officer,
            body=steering,
            person=danderyd_clerk.person,
            organisation=danderyd_clerk.person.organisation,
            role="member",
            valid_from=TODAY,
            valid_to=TODAY - dt.timedelta(days=1),
            appointed_by=danderyd_clerk.person.organisation,
        )
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before


def test_body_pages(client, chair, danderyd_clerk, steering):
    client.force_login(chair)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("meetings:body_list"))
    assert "Styrgruppen för Origo" in response.text and "Referensforum för Origo" in response.text
    assert len(ctx.captured_queries) <= 7  # + the menu asking whether the user may see the registry
    text = client.get(reverse("meetings:body_detail", args=["styrgrupp"])).text
    assert "Sara Stålhammar" in text and "Ordförande" in text and "Du förbereder organets möten" in text
    assert "Tidigare ledamöter" in text and "Karl Berglund" in text
    client.force_login(danderyd_clerk)
    text = client.get(reverse("meetings:body_list")).text
    assert "Referensforum för Origo" in text and "Styrgruppen för Origo" not in text


def test_a_seventh_municipal_seat_is_refused_and_vacancies_follow(ksl_officer, ekero_clerk, steering):
    from governance.meetings.services import CompositionError

    ekero = Organisation.objects.get(municipality_code="0125")
    before = (Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CompositionError, match="har redan 6 av 6 platser för kommunala ledamöter"):
        membership_add(
            acting_user=ksl_officer,
            body=steering,
            person=ekero_clerk.person,
            organisation=ekero,
            role="member",
            valid_from=TODAY,
            appointed_by=Organisation.objects.get(kind="association"),
        )
    assert (Membership.objects.count(), AuditEvent.objects.count()) == before
    # End one municipal seat: the seat becomes vacant and Ekerö may take it (rotation).
    botkyrka = Membership.objects.get(body=steering, organisation__municipality_code="0127", role="member")
    membership_end(acting_user=ksl_officer, membership=botkyrka, valid_to=TODAY - dt.timedelta(days=1))
    from governance.meetings.queries import composition

    assert next(row for row in composition(steering) if row.label == "kommunala ledamöter").vacancies == 1
    membership_add(
        acting_user=ksl_officer,
        body=steering,
        person=ekero_clerk.person,
        organisation=ekero,
        role="member",
        valid_from=TODAY,
        appointed_by=Organisation.objects.get(kind="association"),
    )


def test_a_chair_not_from_the_convener_is_refused(ksl_officer, danderyd_clerk, forum):
    from governance.meetings.services import CompositionError

    with pytest.raises(
        CompositionError, match="Ordföranden i Referensforum för Origo ska komma från Stockholms stad"
    ):
        membership_add(
            acting_user=ksl_officer,
            body=forum,
            person=danderyd_clerk.person,
            organisation=danderyd_clerk.person.organisation,
            role="chair",
            valid_from=TODAY,
            appointed_by=danderyd_clerk.person.organisation,
        )


def test_one_seat_per_municipality_in_the_forum(ksl_officer, forum):
    from governance.meetings.services import CompositionError
    from governance.parties.models import Person

    danderyd = Organisation.objects.get(municipality_code="0162")
    other = Person.objects.create(first_name="Dan", last_name="Dahl", organisation=danderyd)
    with pytest.raises(CompositionError, match="Danderyds kommun har redan sin plats"):
        membership_add(
            acting_user=ksl_officer,
            body=forum,
            person=other,
            organisation=danderyd,
            role="member",
            valid_from=TODAY,
            appointed_by=danderyd,
        )

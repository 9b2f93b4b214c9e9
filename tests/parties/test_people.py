"""Person records are created and changed through services, each with an audit row."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.core.models import AuditEvent
from governance.parties.models import Organisation, Person
from governance.parties.services import contact_person_add, person_create, person_update


@pytest.fixture
def ekero(db):
    return Organisation.objects.get(municipality_code="0125")


def test_a_new_contact_person_is_an_audited_person_record(ekero_clerk, ekero):
    before = AuditEvent.objects.count()
    contact_person_add(
        acting_user=ekero_clerk,
        organisation=ekero,
        first_name="Nora",
        last_name="Nyström",
        title="Utredare",
        role="clerk",
        email="nora.nystrom@ekero.se",
        phone="",
        valid_from=dt.date(2026, 1, 1),
    )
    person = Person.objects.get(email="nora.nystrom@ekero.se")
    actions = list(AuditEvent.objects.order_by("-id")[:2].values_list("action", "object_id"))
    assert ("person.created", str(person.pk)) in actions and AuditEvent.objects.count() == before + 2


def test_person_create_is_checked_and_validated(danderyd_clerk, ekero_clerk, ekero):
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        person_create(acting_user=danderyd_clerk, organisation=ekero, first_name="Ada", last_name="Ek")
    with pytest.raises(ValidationError):
        person_create(acting_user=ekero_clerk, organisation=ekero, first_name="", last_name="Ek", email="fel")
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_person_update_records_before_and_after(ekero_clerk, danderyd_clerk, ekero):
    person = person_create(acting_user=ekero_clerk, organisation=ekero, first_name="Ada", last_name="Ek")
    with pytest.raises(PermissionDenied):
        person_update(acting_user=danderyd_clerk, person=person, title="Chef")
    person_update(acting_user=ekero_clerk, person=person, title="Chef")
    event = AuditEvent.objects.latest("id")
    assert event.action == "person.updated"
    assert event.payload == {"before": {"title": ""}, "after": {"title": "Chef"}}
    count = AuditEvent.objects.count()
    person_update(acting_user=ekero_clerk, person=person, title="Chef")  # no change, no row
    assert AuditEvent.objects.count() == count

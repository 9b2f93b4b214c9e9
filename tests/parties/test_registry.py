import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from governance.core.models import AuditEvent
from governance.parties.models import Body, ContactAssignment, Organisation, Person, PopulationFigure
from governance.parties.services import contact_assign, contact_end


def test_the_origo_registry(db):
    municipalities = Organisation.objects.filter(kind="municipality")
    assert municipalities.count() == 26
    assert Organisation.objects.get(is_host=True).name == "Stockholms stad"
    assert Organisation.objects.get(municipality_code="0162").name == "Danderyds kommun"
    assert Organisation.objects.get(kind="region").former_names == "Stockholms läns landsting"
    for kind in ["police", "county_board", "association"]:
        assert Organisation.objects.filter(kind=kind).count() == 1
    assert Body.objects.filter(
        organisation__municipality_code="0125", name="Barn- och utbildningsnämnden"
    ).exists()
    assert PopulationFigure.objects.filter(reference_date=dt.date(2011, 12, 31)).count() == 26
    assert (
        Organisation.objects.get(municipality_code="0162").format_registration_number(year=2012, number=7)
        == "KS 2012/7"
    )


def test_load_origo_is_idempotent(db):
    counts = {
        model: model.objects.count()
        for model in (Organisation, Body, PopulationFigure, Person, ContactAssignment, AuditEvent)
    }
    call_command("load_origo", verbosity=0)
    assert {model: model.objects.count() for model in counts} == counts


def test_a_new_contact_person_ends_the_previous_one_and_history_is_kept(danderyd_clerk):
    danderyd = Organisation.objects.get(municipality_code="0162")
    current = ContactAssignment.objects.get(organisation=danderyd, role="contact_person")
    successor = Person.objects.create(
        first_name="Nina", last_name="Nord", organisation=danderyd, email="nina@danderyd.example"
    )
    before = AuditEvent.objects.count()
    new = contact_assign(
        acting_user=None,
        organisation=danderyd,
        person=successor,
        role="contact_person",
        email=successor.email,
        valid_from=dt.date(2024, 1, 1),
    )
    current.refresh_from_db()
    assert current.valid_to == dt.date(2023, 12, 31)
    assert list(ContactAssignment.objects.filter(organisation=danderyd).current(dt.date(2024, 6, 1))) == [new]
    assert list(ContactAssignment.objects.filter(organisation=danderyd).current(dt.date(2015, 6, 1))) == [
        current
    ]
    event = AuditEvent.objects.order_by("id")[before:].get()
    assert event.action == "contact.assigned" and event.payload["ended"] == [current.pk]

    contact_end(acting_user=None, assignment=new, valid_to=dt.date(2025, 1, 31))
    new.refresh_from_db()
    assert new.valid_to == dt.date(2025, 1, 31)
    assert AuditEvent.objects.latest("id").action == "contact.ended"


def test_contact_assign_refuses_a_person_of_another_organisation(danderyd_clerk, ekero_clerk):
    ekero = Organisation.objects.get(municipality_code="0125")
    before = ContactAssignment.objects.count()
    with pytest.raises(ValidationError, match="arbetar inte för Ekerö kommun"):
        contact_assign(
            acting_user=None,
            organisation=ekero,
            person=danderyd_clerk.person,
            role="contact_person",
            email="x@example.se",
            valid_from=dt.date(2024, 1, 1),
        )
    assert ContactAssignment.objects.count() == before

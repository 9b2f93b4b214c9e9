"""The admin never writes around a service: every registered admin (and inline) is checked against a table
of which service owns the writes of its model."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from governance.core.admin import AuditedAdmin, ServiceAdmin
from governance.core.models import AuditEvent
from governance.parties.choices import ContactRole, Role
from governance.parties.models import ContactAssignment, Organisation, Person, RoleAssignment
from governance.parties.services import role_assign

# Model label → the service(s) that own its writes. Its admin must be read-only, or a ServiceAdmin that
# routes saves through the service (``service_save``); inlines of these models must be read-only.
SERVICE_OWNED = {
    "auth.group": "parties.permissions.role_groups_ensure",
    "core.auditevent": "core.services.audit_record",
    "core.auditcheck": "core.services.audit_check_run",
    "core.outgoingmail": "core.services.mail_queue / mail_deliver",
    "webhooks.webhookendpoint": "webhooks.services.endpoint_register / endpoint_update / …",
    "webhooks.webhookdelivery": "webhooks.services.deliveries_create / delivery_deliver / delivery_retry",
    "parties.person": "parties.services.person_create / person_update",
    "parties.contactassignment": "parties.services.contact_assign / contact_end",
    "parties.roleassignment": "parties.services.role_assign / role_end",
    "parties.populationfigure": "parties.services.population_import",
    "parties.organisationname": "parties.services.registry_load",
    "agreements.agreementparty": "agreements.services.agreement_load",
    "agreements.costmodel": "agreements.services.cost_model_update",
    "agreements.costshare": "agreements.services.cost_model_update",
    "agreements.costsplit": "agreements.services.cost_split_set",
    "agreements.signature": "decisions.services.case_sign",
    "decisions.consultationround": "decisions.services.consultation_create / consultation_assess",
    "decisions.consultationquestion": "decisions.services.consultation_create",
    "decisions.consultationresponse": "decisions.services.consultation_response_record",
    "decisions.consultationanswer": "decisions.services.consultation_response_record",
    "decisions.recommendation": "decisions.services.recommendation_create / update / send",
    "decisions.recommendationattachment": "decisions.services.recommendation_attachment_add / remove",
    "decisions.consultationnotification": "decisions.services.consultation_notify",
    "decisions.adoptioncase": "decisions.services.cases (transitions)",
    "decisions.decisionstep": "decisions.services.case_chain_set",
    "decisions.decision": "decisions.services.case_decision_record",
    "decisions.reminder": "decisions.services.reminders_send",
    "decisions.digest": "decisions.services.digest_send",
    "decisions.generateddocument": "decisions.services.document_request / document_render",
    "decisions.documenttemplate": "decisions.services.template_upload",
    "documents.generateddocument": "documents.services",
    "documents.documenttemplate": "documents.services",
    "meetings.membership": "meetings.services.memberships",
    "meetings.meeting": "meetings.services.meetings",
    "meetings.agendaitem": "meetings.services.meetings",
    "meetings.attendance": "meetings.services.meetings",
    "meetings.conflictofinterest": "meetings.services.meetings",
    "meetings.minutesversion": "meetings.services.minutes",
    "meetings.minutesapproval": "meetings.services.minutes",
    "meetings.calendartoken": "meetings.services.meetings",
    "meetings.followupreport": "meetings.services.followup",
    "meetings.followupfigure": "meetings.services.followup",
    "diary.diaryseries": "diary.services.series_for",
    "diary.diarycounter": "diary.services.diary_case_open",
    "diary.diarycase": "diary.services.diary_case_open",
    "diary.diaryentry": "diary.services.diary_register / diary_entry_secrecy_set",
}

# Reference data with no editing service (only fixture loaders): edited in the admin, each write audited
# by ``AuditedAdmin`` in the same transaction.
AUDITED_ADMIN = {
    "auth.user": "accounts; powers come from roles",
    "parties.organisation": "registry_load only loads fixtures",
    "parties.body": "registry_load only loads fixtures",
    "agreements.agreement": "texts and dates; agreement_load only loads fixtures",
    "meetings.cooperationbody": "body_load only loads fixtures",
    "meetings.seatrule": "body_load only loads fixtures",
}

# Third-party apps' own records, not written by this project's code.
THIRD_PARTY_APPS = {"axes": "django-axes login attempts and lockouts; deleting a row unlocks a login"}


@pytest.fixture
def superuser_request(db):
    user = get_user_model().objects.create_superuser("root", "root@example.se", "x")
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _writes(model_admin, request) -> list[str]:
    checks = {
        "add": model_admin.has_add_permission(request, None)
        if isinstance(model_admin, admin.options.InlineModelAdmin)
        else model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request),
        "delete": model_admin.has_delete_permission(request) and getattr(model_admin, "can_delete", True),
    }
    return [name for name, allowed in checks.items() if allowed]


def test_every_admin_writes_through_its_service_or_is_audited(superuser_request):
    problems = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label in SERVICE_OWNED:
            writes = _writes(model_admin, superuser_request)
            routed = isinstance(model_admin, ServiceAdmin) and (
                type(model_admin).service_save is not ServiceAdmin.service_save
            )
            if routed:
                writes = [w for w in writes if w != "delete"]
                if model_admin.has_delete_permission(superuser_request):
                    problems.append(f"{label}: deletes around {SERVICE_OWNED[label]}")
            elif writes:
                problems.append(f"{label}: admin can {'/'.join(writes)} around {SERVICE_OWNED[label]}")
        elif model._meta.app_label in THIRD_PARTY_APPS:
            pass
        elif label in AUDITED_ADMIN:
            if not isinstance(model_admin, AuditedAdmin):
                problems.append(f"{label}: edited without an audit row (not an AuditedAdmin)")
        else:
            problems.append(f"{label}: not classified in SERVICE_OWNED or AUDITED_ADMIN")
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            inline_label = inline.model._meta.label_lower
            writes = _writes(inline, superuser_request)
            if inline_label in SERVICE_OWNED and writes:
                problems.append(f"{label} inline {inline_label}: can {'/'.join(writes)} around a service")
            if inline_label in AUDITED_ADMIN and writes and not isinstance(model_admin, AuditedAdmin):
                problems.append(f"{label} inline {inline_label}: unaudited writes")
    assert not problems, "\n".join(problems)


def _admin_form_data(client, url, **overrides):
    form = client.get(url).context["adminform"].form
    data = {
        name: (form.initial.get(name) if form.initial.get(name) is not None else "") for name in form.fields
    }
    data.update(overrides)
    return data


@pytest.fixture
def danderyd(db):
    return Organisation.objects.get(municipality_code="0162")


def test_role_admin_clearing_till_is_refused_not_a_server_error(client, host_admin, outsider, danderyd):
    assignment = role_assign(
        acting_user=None,
        user=outsider,
        role=Role.MUNICIPAL_CLERK,
        organisation=danderyd,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2030, 12, 31),
    )
    client.force_login(host_admin)
    url = reverse("admin:parties_roleassignment_change", args=[assignment.pk])
    before = AuditEvent.objects.count()
    response = client.post(url, _admin_form_data(client, url, valid_to=""))
    assert response.status_code == 200
    assert "Ange ett slutdatum" in response.text
    assert AuditEvent.objects.count() == before
    assert RoleAssignment.objects.get(pk=assignment.pk).valid_to == dt.date(2030, 12, 31)


def test_role_admin_ends_a_role_through_the_service(client, host_admin, outsider, danderyd):
    assignment = role_assign(
        acting_user=None,
        user=outsider,
        role=Role.MUNICIPAL_CLERK,
        organisation=danderyd,
        valid_from=dt.date(2024, 1, 1),
    )
    client.force_login(host_admin)
    url = reverse("admin:parties_roleassignment_change", args=[assignment.pk])
    response = client.post(url, _admin_form_data(client, url, valid_to="2023-01-01"))
    assert response.status_code == 200 and "Slutdatum kan inte vara före startdatum" in response.text
    assert RoleAssignment.objects.get(pk=assignment.pk).valid_to is None

    response = client.post(url, _admin_form_data(client, url, valid_to="2025-06-30"))
    assert response.status_code == 302
    assert RoleAssignment.objects.get(pk=assignment.pk).valid_to == dt.date(2025, 6, 30)
    assert AuditEvent.objects.latest("id").action == "role.ended"


def test_contact_admin_ends_the_previous_contact_person(client, host_admin, danderyd):
    current = list(
        ContactAssignment.objects.filter(organisation=danderyd, role=ContactRole.CONTACT_PERSON).current(
            dt.date(2026, 1, 1)
        )
    )
    assert current
    successor = Person.objects.create(first_name="Sara", last_name="Efterträdare", organisation=danderyd)
    client.force_login(host_admin)
    url = reverse("admin:parties_contactassignment_add")
    data = _admin_form_data(
        client,
        url,
        person=successor.pk,
        organisation=danderyd.pk,
        role=ContactRole.CONTACT_PERSON,
        email="sara@danderyd.se",
        valid_from="2026-01-01",
        valid_to="",
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:2000]
    for previous in current:
        previous.refresh_from_db()
        assert previous.valid_to == dt.date(2025, 12, 31)
    assert AuditEvent.objects.latest("id").action == "contact.assigned"


def test_person_admin_writes_an_audit_row(client, host_admin, danderyd):
    client.force_login(host_admin)
    url = reverse("admin:parties_person_add")
    data = _admin_form_data(client, url, first_name="Nils", last_name="Ny", organisation=danderyd.pk)
    response = client.post(url, data)
    assert response.status_code == 302, response.text[:2000]
    person = Person.objects.get(last_name="Ny")
    event = AuditEvent.objects.latest("id")
    assert event.action == "person.created" and event.object_id == str(person.pk)


def test_contact_admin_ends_through_the_service_and_never_deletes(client, host_admin, danderyd):
    assignment = ContactAssignment.objects.filter(organisation=danderyd, valid_to__isnull=True).first()
    client.force_login(host_admin)
    url = reverse("admin:parties_contactassignment_change", args=[assignment.pk])
    before = AuditEvent.objects.count()
    response = client.post(url, _admin_form_data(client, url, valid_to=""))
    assert response.status_code == 200 and "Ange ett slutdatum" in response.text
    assert AuditEvent.objects.count() == before
    response = client.post(url, _admin_form_data(client, url, valid_to="2026-03-31"))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == dt.date(2026, 3, 31)
    assert AuditEvent.objects.latest("id").action == "contact.ended"
    delete_url = reverse("admin:parties_contactassignment_delete", args=[assignment.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ContactAssignment.objects.filter(pk=assignment.pk).exists()

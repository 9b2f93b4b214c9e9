"""Admin for parties. Organisations and their bodies are reference data edited here with an audit row
(``AuditedAdmin``); people, contacts and roles are saved through their services; population figures are
imported (``population_import``) and only viewed here."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from governance.core.admin import (
    AuditedAdmin,
    ChoicesOncePerPageMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ServiceAdmin,
)

from . import services
from .models import (
    Body,
    ContactAssignment,
    Organisation,
    OrganisationName,
    Person,
    PopulationFigure,
    RoleAssignment,
)


class BodyInline(ChoicesOncePerPageMixin, admin.TabularInline):
    model = Body
    extra = 0


class OrganisationNameInline(ReadOnlyInline):
    """Former names with their last day, loaded by ``registry_load`` (audited); only shown here."""

    model = OrganisationName
    fields = ["name", "valid_until"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "municipality_code", "is_host", "registration_number_pattern"]
    list_filter = ["kind", "is_host"]
    search_fields = ["name", "short_name", "municipality_code"]
    inlines = [BodyInline, OrganisationNameInline]


@admin.register(Body)
class BodyAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "kind"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    """People are added and changed through ``person_create`` / ``person_update`` (with the audit trail)."""

    list_display = ["last_name", "first_name", "title", "organisation", "email", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["organisation"]

    def service_save(self, request, obj, change):
        values = {name: getattr(obj, name) for name in services.PERSON_FIELDS}
        if change:
            return services.person_update(acting_user=request.user, person=obj, **values)
        return services.person_create(acting_user=request.user, **values)


def _end_date_required(obj):
    if obj.valid_to is None:
        raise ValidationError(
            _(
                "Ange ett slutdatum i ”till”: en pågående post kan inte öppnas igen här, lägg in en ny i stället."
            )
        )


@admin.register(ContactAssignment)
class ContactAssignmentAdmin(ServiceAdmin):
    """Added through ``contact_assign`` (a new contact person ends the previous one) and ended through
    ``contact_end``; the rows stay as history."""

    list_display = ["person", "organisation", "role", "email", "valid_from", "valid_to"]
    list_filter = ["role"]
    list_select_related = ["person", "organisation"]

    def get_readonly_fields(self, request, obj=None):
        return ["person", "organisation", "role", "email", "phone", "valid_from"] if obj else []

    def service_save(self, request, obj, change):
        if change:
            _end_date_required(obj)
            return services.contact_end(acting_user=request.user, assignment=obj, valid_to=obj.valid_to)
        return services.contact_assign(
            acting_user=request.user,
            organisation=obj.organisation,
            person=obj.person,
            role=obj.role,
            email=obj.email,
            phone=obj.phone,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
        )


@admin.register(PopulationFigure)
class PopulationFigureAdmin(ReadOnlyAdmin):
    """Figures come from the SCB import (``population_import``), which validates and audits them."""

    list_display = ["organisation", "reference_date", "population", "source"]
    list_filter = ["reference_date"]
    list_select_related = ["organisation"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceAdmin):
    """Roles are granted and ended through the services, so grants and the audit trail follow. A role is
    ended by setting "till"; clearing it is refused (no service reopens an ended role)."""

    list_display = ["user", "role", "organisation", "valid_from", "valid_to"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "organisation", "valid_from"] if obj else []

    def service_save(self, request, obj, change):
        if change:
            _end_date_required(obj)
            return services.role_end(acting_user=request.user, assignment=obj, valid_to=obj.valid_to)
        return services.role_assign(
            acting_user=request.user,
            user=obj.user,
            role=obj.role,
            organisation=obj.organisation,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
        )

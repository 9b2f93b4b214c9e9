from django.contrib import admin

from governance.core.admin import AuditedAdmin

from . import services
from .models import Body, ContactAssignment, Organisation, Person, PopulationFigure, RoleAssignment


class BodyInline(admin.TabularInline):
    model = Body
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "municipality_code", "is_host", "registration_number_pattern"]
    list_filter = ["kind", "is_host"]
    search_fields = ["name", "short_name", "municipality_code"]
    inlines = [BodyInline]


@admin.register(Body)
class BodyAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "kind"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["last_name", "first_name", "title", "organisation", "email", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["organisation"]


@admin.register(ContactAssignment)
class ContactAssignmentAdmin(AuditedAdmin):
    list_display = ["person", "organisation", "role", "email", "valid_from", "valid_to"]
    list_filter = ["role"]
    list_select_related = ["person", "organisation"]


@admin.register(PopulationFigure)
class PopulationFigureAdmin(AuditedAdmin):
    list_display = ["organisation", "reference_date", "population", "source"]
    list_filter = ["reference_date"]
    list_select_related = ["organisation"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    """Roles are granted and ended through the services, so grants and the audit trail follow."""

    list_display = ["user", "role", "organisation", "valid_from", "valid_to"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "organisation", "valid_from"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # end a role by setting "till"; the row stays as history

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.role_end(acting_user=request.user, assignment=obj, valid_to=obj.valid_to)
        else:
            saved = services.role_assign(
                acting_user=request.user,
                user=obj.user,
                role=obj.role,
                organisation=obj.organisation,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
            )
        obj.pk = saved.pk

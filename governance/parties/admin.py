from django.contrib import admin

from .models import Body, ContactAssignment, Organisation, Person, PopulationFigure


class BodyInline(admin.TabularInline):
    model = Body
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality_code", "is_host", "registration_number_pattern"]
    list_filter = ["kind", "is_host"]
    search_fields = ["name", "short_name", "municipality_code"]
    inlines = [BodyInline]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind"]
    list_filter = ["kind"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "title", "organisation", "email", "user"]
    list_select_related = ["organisation", "user"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["organisation"]


@admin.register(ContactAssignment)
class ContactAssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "role", "email", "valid_from", "valid_to"]
    list_filter = ["role"]
    list_select_related = ["person", "organisation"]


@admin.register(PopulationFigure)
class PopulationFigureAdmin(admin.ModelAdmin):
    list_display = ["organisation", "reference_date", "population", "source"]
    list_filter = ["reference_date"]
    list_select_related = ["organisation"]

from django.contrib import admin

from .models import CooperationBody, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fk_name = "body"
    readonly_fields = ["person", "organisation", "role", "valid_from", "valid_to", "appointed_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # seats are added through the services, so grants and the audit trail follow


@admin.register(CooperationBody)
class CooperationBodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "convener", "meetings_per_year", "notice_working_days"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "body", "role", "organisation", "valid_from", "valid_to"]
    list_filter = ["body", "role"]
    list_select_related = ["person", "body", "organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

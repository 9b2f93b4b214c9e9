from django.contrib import admin

from .models import AuditCheck, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["occurred_at", "actor_name", "action", "object_label", "source_state", "target_state"]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_label", "comment"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditCheck)
class AuditCheckAdmin(admin.ModelAdmin):
    list_display = ["checked_at", "rows_checked", "intact", "broken_event_id", "reason"]
    readonly_fields = ["checked_at", "rows_checked", "intact", "broken_event_id", "reason"]

    def has_add_permission(self, request):
        return False

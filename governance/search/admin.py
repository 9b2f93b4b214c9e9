from django.contrib import admin

from .models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(admin.ModelAdmin):
    """Read-only: the index is rebuilt from the data (``manage.py search_reindex``)."""

    list_display = ["kind", "title", "audience", "date"]
    list_filter = ["kind", "audience"]
    search_fields = ["title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

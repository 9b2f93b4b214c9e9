from django.contrib import admin

from governance.core.admin import ReadOnlyAdmin

from .models import DiaryCase, DiaryCounter, DiaryEntry, DiarySeries


@admin.register(DiarySeries)
class DiarySeriesAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(DiaryCounter)
class DiaryCounterAdmin(ReadOnlyAdmin):
    list_display = ["series", "year", "last_number"]


@admin.register(DiaryCase)
class DiaryCaseAdmin(ReadOnlyAdmin):
    list_display = ["diary_number", "title", "organisation_name", "opened_on"]
    list_select_related = ["series"]
    search_fields = ["title", "own_reference"]


@admin.register(DiaryEntry)
class DiaryEntryAdmin(ReadOnlyAdmin):
    list_display = ["diary_number", "registered_on", "direction", "counterpart", "public_title", "secrecy"]
    list_select_related = ["case__series"]
    list_filter = ["direction"]
    search_fields = ["public_title", "counterpart"]

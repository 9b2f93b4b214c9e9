from django.contrib import admin
from django.db import models

from governance.core.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline

from .models import (
    AgendaItem,
    Attendance,
    CalendarToken,
    ConflictOfInterest,
    CooperationBody,
    FollowUpFigure,
    FollowUpReport,
    Meeting,
    Membership,
    MinutesApproval,
    MinutesVersion,
    SeatRule,
)


class MembershipInline(ReadOnlyInline):
    """Seats are added through the services, so grants and the audit trail follow."""

    model = Membership
    fk_name = "body"
    readonly_fields = ["person", "organisation", "role", "valid_from", "valid_to", "appointed_by"]


@admin.register(CooperationBody)
class CooperationBodyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "convener", "meetings_per_year", "notice_working_days"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "body", "role", "organisation", "valid_from", "valid_to"]
    list_filter = ["body", "role"]
    list_select_related = ["person", "body", "organisation"]


@admin.register(SeatRule)
class SeatRuleAdmin(AuditedAdmin):
    list_display = ["body", "label", "organisation_kind", "organisation", "max_seats", "max_per_organisation"]
    list_filter = ["body"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["body", "starts_at", "place", "state", "is_extra", "is_demo_data"]
    list_filter = ["body", "state", "is_extra", "is_demo_data"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, not "http"


class FigureInline(ReadOnlyInline):
    model = FollowUpFigure


@admin.register(FollowUpReport)
class FollowUpReportAdmin(ReadOnlyAdmin):
    list_display = ["year", "quarter", "published_at"]
    inlines = [FigureInline]


for model in (AgendaItem, Attendance, ConflictOfInterest, MinutesVersion, MinutesApproval):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(CalendarToken)
class CalendarTokenAdmin(ReadOnlyAdmin):
    """Whose calendar feed exists and since when; never the key itself, which opens the feed to anyone."""

    list_display = ["user", "created_at"]
    exclude = ["token"]

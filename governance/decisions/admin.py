"""Admin for the decisions app: read-only where the services own the writes (states, decisions).

A municipality's case data (cases, their decision chains and decisions, reminders, consultation answers) is
confidential: the admin shows it only to whom the pages show it (``permissions.visible_case_filter``, i.e.
the municipality's own people and KSL), never to a host administrator through the staff flag."""

from django.contrib import admin

from governance.core.admin import ReadOnlyAdmin, ReadOnlyInline, ScopedReadOnlyAdmin

from . import permissions
from .models import (
    AdoptionCase,
    ConsultationAnswer,
    ConsultationNotification,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationRound,
    Decision,
    DecisionStep,
    Digest,
    Recommendation,
    RecommendationAttachment,
    Reminder,
)


def _organisation_scope(request, queryset, path: str = ""):
    """``queryset`` narrowed to the organisations whose cases ``request.user`` may read, through ``path``."""
    return queryset.filter(
        **{f"{path}{name}": value for name, value in permissions.visible_case_filter(request.user).items()}
    )


class CaseScopedAdmin(ScopedReadOnlyAdmin):
    """Rows of one municipality, reached from the row through ``organisation_path``."""

    organisation_path = ""

    def scope(self, request, queryset):
        return _organisation_scope(request, queryset, self.organisation_path)


class QuestionInline(ReadOnlyInline):
    model = ConsultationQuestion


class NotificationInline(ReadOnlyInline):
    model = ConsultationNotification


@admin.register(ConsultationRound)
class ConsultationRoundAdmin(ReadOnlyAdmin):
    """Consultations are loaded with their questions (``adoption_history_load``); answers refer to the
    questions, so neither is edited here."""

    list_display = ["title", "sender", "sent_on", "deadline"]
    inlines = [QuestionInline, NotificationInline]


@admin.register(ConsultationResponse)
class ConsultationResponseAdmin(CaseScopedAdmin):
    list_display = ["organisation", "consultation", "position", "timetable_realistic", "answered_on"]
    list_filter = ["consultation", "position"]
    list_select_related = ["organisation", "consultation"]


class AttachmentInline(ReadOnlyInline):
    model = RecommendationAttachment
    fields = ["title", "filename", "size", "sha256", "uploaded_at", "uploaded_by_name"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    """Drafts, attachments and sending are the recommendation services' (the pages under /anslutning/)."""

    list_display = ["title", "board_decision_date", "answer_deadline", "agreement", "sent_at"]
    inlines = [AttachmentInline]


@admin.register(AdoptionCase)
class AdoptionCaseAdmin(CaseScopedAdmin):
    list_display = ["organisation", "recommendation", "state", "deadline", "last_moved_at", "is_demo_data"]
    list_filter = ["recommendation", "state"]
    list_select_related = ["organisation", "recommendation"]


@admin.register(Decision)
class DecisionAdmin(CaseScopedAdmin):
    organisation_path = "case__"
    list_display = ["case", "step", "meeting_date", "paragraph", "outcome"]
    list_select_related = ["case__organisation", "case__recommendation", "step__body"]


@admin.register(DecisionStep)
class DecisionStepAdmin(CaseScopedAdmin):
    organisation_path = "case__"
    list_display = ["case", "order", "body", "role"]
    list_select_related = ["case__organisation", "case__recommendation", "body"]


@admin.register(Reminder)
class ReminderAdmin(CaseScopedAdmin):
    organisation_path = "case__"


@admin.register(ConsultationAnswer)
class ConsultationAnswerAdmin(CaseScopedAdmin):
    organisation_path = "response__"


admin.site.register(Digest, ReadOnlyAdmin)

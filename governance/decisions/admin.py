"""Admin for the decisions app: read-only where the services own the writes (states, decisions)."""

from django.contrib import admin

from governance.core.admin import ReadOnlyAdmin, ReadOnlyInline

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
class ConsultationResponseAdmin(ReadOnlyAdmin):
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
class AdoptionCaseAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "recommendation", "state", "deadline", "last_moved_at", "is_demo_data"]
    list_filter = ["recommendation", "state"]
    list_select_related = ["organisation", "recommendation"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "step", "meeting_date", "paragraph", "outcome"]
    list_select_related = ["case__organisation", "case__recommendation", "step__body"]


for model in (DecisionStep, ConsultationAnswer, Reminder, Digest):
    admin.site.register(model, ReadOnlyAdmin)

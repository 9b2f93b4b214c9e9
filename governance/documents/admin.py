"""Admin for the documents app: read-only, the services own the writes."""

from django.contrib import admin

from governance.core.admin import ReadOnlyAdmin

from .models import DocumentTemplate, GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "subject_key", "version", "status", "created_by_name", "created_at"]
    list_filter = ["kind", "status"]


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "original_name", "uploaded_by_name", "uploaded_at", "is_active"]

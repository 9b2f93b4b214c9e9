"""Admin for the documents app: read-only, the services own the writes.

A generated document (a municipality's memo, its edited texts and signatories) is read by whom its subject is
read by, as on the document pages: the kind's registered ``may_view``. Anyone else sees no row."""

from django.contrib import admin
from django.contrib.contenttypes.prefetch import GenericPrefetch

from governance.core.admin import ReadOnlyAdmin, ScopedReadOnlyAdmin

from . import registry
from .models import DocumentTemplate, GeneratedDocument


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(ScopedReadOnlyAdmin):
    list_display = ["kind", "subject_key", "version", "status", "created_by_name", "created_at"]
    list_filter = ["kind", "status"]

    def may_view(self, request, obj) -> bool:
        entry = registry.kind_entry(obj.kind)
        subject = obj.subject if entry is not None else None
        return subject is not None and bool(entry.may_view(request.user, subject))

    def scope(self, request, queryset):
        if request.user.is_active and request.user.is_superuser:
            return queryset
        # The kinds' rules are Python predicates on the subject, so the readable ids are found row by row.
        rows = queryset.only("pk", "kind", "status", "subject_type", "subject_id")  # status: FSM reads it
        subjects = GenericPrefetch("subject", registry.subject_querysets())  # with what the rules read
        visible = [
            document.pk for document in rows.prefetch_related(subjects) if self.may_view(request, document)
        ]
        return queryset.filter(pk__in=visible)


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "original_name", "uploaded_by_name", "uploaded_at", "is_active"]

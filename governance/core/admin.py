import contextlib
import copy

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms.models import construct_instance
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, CoreAction
from .models import AuditCheck, AuditEvent


# Issue 16: no admin page may take a query per row. Lists and inlines join the rows' foreign keys (two levels,
# which covers the ``__str__`` of the related rows: a case names its organisation and recommendation), editable
# inlines build each select's choices once per page instead of once per row, and the audit log's list counts
# at most ``CappedCountPaginator.CAP`` rows instead of the whole table.
def related_paths(model, depth: int = 2) -> list[str]:
    """The forward foreign-key paths from ``model``, ``depth`` levels deep (for ``select_related``)."""
    paths = []
    for field in model._meta.fields:
        if field.many_to_one or field.one_to_one:
            if not field.concrete or field.related_model is None:
                continue
            paths.append(field.name)
            if depth > 1:
                paths.extend(
                    f"{field.name}__{inner}" for inner in related_paths(field.related_model, depth - 1)
                )
    return paths


class JoinedRowsMixin:
    """A changelist that joins what its rows show: ``list_select_related`` left at Django's default
    (``False``) becomes every foreign key, two levels deep."""

    def get_list_select_related(self, request):
        if self.list_select_related is False:
            return related_paths(self.model) or False
        return self.list_select_related


class ChoicesOncePerPageMixin:
    """Foreign-key selects (in inlines: one per row) evaluate their choices once per page."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if (
            field is not None
            and request is not None
            and hasattr(field, "queryset")
            and "widget" not in kwargs
        ):
            cache = request.__dict__.setdefault("_admin_choices", {})
            key = (self.model, db_field.name)
            if key not in cache:
                field.queryset = field.queryset.select_related(*related_paths(field.queryset.model, depth=1))
                cache[key] = list(field.choices)
            field.choices = cache[key]
        return field


class CappedCountPaginator(Paginator):
    """Counts at most ``CAP`` rows (one bounded query): a list of hundreds of thousands of rows pages through
    its first ``CAP``, and filters, search and the date hierarchy narrow it."""

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP].count()


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = [
        "occurred_at",
        "actor_name",
        "action_label",
        "action",
        "object_label",
        "source_state",
        "target_state",
    ]
    list_filter = ["action"]
    search_fields = ["actor_name", "object_label", "comment"]
    date_hierarchy = "occurred_at"
    # The trail grows without end: count it once, and at most CappedCountPaginator.CAP rows (issue 16).
    show_full_result_count = False
    paginator = CappedCountPaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        """The events of confidential rows (a municipality's case, decisions, answers, documents, signatures)
        only to whom those rows' own admin shows them (``ScopedReadOnlyAdmin.scope``); a superuser sees all.
        The readable rows are looked up once per request (the list, its count and filters share them)."""

        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        hidden = request.__dict__.get("_audit_hidden")
        if hidden is None:
            hidden = request.__dict__["_audit_hidden"] = self._hidden(request)
        for condition in hidden:
            events = events.exclude(condition)
        return events

    @staticmethod
    def _hidden(request) -> list:
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Q

        scoped = {
            model: model_admin
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, ScopedReadOnlyAdmin)
        }
        content_types = ContentType.objects.get_for_models(*scoped)  # one query for those not cached yet
        hidden = []
        for model, model_admin in scoped.items():
            readable = model_admin.scope(request, model._default_manager.all()).values_list("pk", flat=True)
            hidden.append(
                Q(content_type=content_types[model]) & ~Q(object_id__in=[str(pk) for pk in readable])
            )
        return hidden

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    @admin.display(description=_("vad"))
    def action_label(self, event):
        return AuditAction.label_for(event.action)


@admin.register(AuditCheck)
class AuditCheckAdmin(admin.ModelAdmin):
    """Read-only: checks are written by ``audit_check_run``."""

    list_display = ["checked_at", "rows_checked", "intact", "broken_event_id", "reason"]
    readonly_fields = ["checked_at", "rows_checked", "intact", "broken_event_id", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(JoinedRowsMixin, admin.ModelAdmin):
    """Rows written by the services, with their audit trail: viewable here, changed only through the pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedReadOnlyAdmin(ReadOnlyAdmin):
    """Read-only, and confidential: a municipality's cases, decisions, signatures, answers and documents.

    The admin shows a row only to a user the pages would show it to, through the app's own permission
    helpers: the list holds only readable rows (``scope``), and a row outside it answers as missing, its
    view permission refused (``may_view``). A staff flag or a model-level view permission opens no
    municipality (docs/permissions.md); a superuser reads what the helpers give a superuser.
    """

    def scope(self, request, queryset):
        """``queryset`` narrowed to the rows ``request.user`` may read."""
        raise NotImplementedError(f"{type(self).__name__} must define scope(request, queryset).")

    def may_view(self, request, obj) -> bool:
        """Whether ``request.user`` may read ``obj``; by default, whether ``scope`` keeps it."""
        return self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or self.may_view(request, obj)


class ReadOnlyInline(admin.TabularInline):
    """An inline of rows that services write: shown, never added, changed or deleted here. Its rows come
    with their foreign keys joined (a read-only row shows each one's name)."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        paths = [path for path in related_paths(self.model) if not path.startswith(f"{self.fk_name or ''}__")]
        return super().get_queryset(request).select_related(*paths)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _DryRun(Exception):
    """Rolls back the trial run of a service made while validating an admin form."""


class ServiceAdmin(JoinedRowsMixin, admin.ModelAdmin):
    """An admin whose saves go through the app's service (which checks, validates and audits).

    Subclasses implement ``service_save(request, obj, change)`` and return the saved row. The form is
    validated by running the service once in a savepoint that is rolled back, so the service's Swedish
    ``ValidationError``s (and refusals) show as form errors instead of a server error; ``save_model`` then
    runs it for real. Rows are never deleted here, and no inlines (their rows would bypass the service).
    """

    inlines = []
    #: ``service_save(request, obj, change) -> saved row``; every subclass must define it (checked below).
    service_save = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "service_save", None)):
            raise TypeError(f"{cls.__name__} must define service_save(request, obj, change).")

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if self.errors:
                    return cleaned
                candidate = construct_instance(self, copy.copy(self.instance))
                try:
                    with contextlib.suppress(_DryRun), transaction.atomic():
                        model_admin.service_save(request, candidate, change)
                        raise _DryRun
                except (ValidationError, PermissionDenied) as error:
                    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                    raise ValidationError(messages) from error
                return cleaned

        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request, obj, change)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied


class AuditedAdmin(JoinedRowsMixin, ChoicesOncePerPageMixin, admin.ModelAdmin):
    """Admin writes leave an audit row in the same transaction as the change (Django admin wraps each
    save and delete in one), with the changed fields."""

    def save_model(self, request, obj, form, change):
        from .services import audit_record

        super().save_model(request, obj, form, change)
        label = obj._meta.model_name
        audit_record(
            acting_user=request.user,
            action=CoreAction.ADMIN_CHANGED if change else CoreAction.ADMIN_CREATED,
            obj=obj,
            payload={"model": label, "fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        from .services import audit_record

        audit_record(
            acting_user=request.user,
            action=CoreAction.ADMIN_DELETED,
            obj=obj,
            payload={"model": obj._meta.model_name},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        from .services import audit_record

        for obj in queryset:
            audit_record(
                acting_user=request.user,
                action=CoreAction.ADMIN_DELETED,
                obj=obj,
                payload={"model": obj._meta.model_name},
            )
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        from .services import audit_record

        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(
                acting_user=request.user,
                action=CoreAction.ADMIN_CREATED,
                obj=obj,
                payload={"model": obj._meta.model_name},
            )
        for obj, fields in formset.changed_objects:
            audit_record(
                acting_user=request.user,
                action=CoreAction.ADMIN_CHANGED,
                obj=obj,
                payload={"model": obj._meta.model_name, "fields": sorted(fields)},
            )
        for obj in formset.deleted_objects:
            audit_record(
                acting_user=request.user,
                action=CoreAction.ADMIN_DELETED,
                object_label=str(obj),
                payload={"model": obj._meta.model_name},
            )


from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.admin import GroupAdmin, UserAdmin  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class RoleGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    """The role groups and their permissions are kept by ``parties.permissions.role_groups_ensure``."""

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("permissions__content_type")


@admin.register(User)
class AccountAdmin(AuditedAdmin, UserAdmin):
    """Accounts. Powers come from roles (Rolltilldelningar), never from editing an account: only a superuser
    may touch the staff and superuser flags, groups and permissions — a host administrator cannot raise anyone,
    themselves included."""

    PRIVILEGED = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [field for field in self.PRIVILEGED if field not in readonly]
        return readonly


# The outbox (written by ``core.services.mail_queue`` and ``mail_deliver``): shown, never edited here.
from .models import OutgoingMail  # noqa: E402


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    list_display = ("purpose_key", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("purpose_key", "subject", "object_label")
    exclude = ("attachments",)
    actions = ["retry"]

    @admin.action(description=_("Försök igen (misslyckade)"))
    def retry(self, request, queryset):
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        from .services import mail_retry

        failed = list(queryset.filter(status=OutgoingMail.Status.FAILED).values_list("pk", flat=True))
        queued = 0
        for mail_id in failed:
            try:
                mail_retry(acting_user=request.user, mail_id=mail_id)
                queued += 1
            except ValidationError as exc:
                self.message_user(request, exc.messages[0], level=messages.WARNING)
        self.message_user(request, _("%(n)s e-post köade igen.") % {"n": queued})

"""Admin for agreements. The agreement's own texts and dates are edited here with an audit row
(``AuditedAdmin``); parties, cost models, shares and splits are written by the services (the 100 % rule,
``cost_split_set``) and signatures by the case page, so they are only viewed here."""

from django.contrib import admin

from governance.core.admin import AuditedAdmin, ReadOnlyAdmin, ReadOnlyInline, ScopedReadOnlyAdmin
from governance.parties import permissions as party_permissions

from .models import Agreement, AgreementParty, CostModel, CostShare, CostSplit, Signature


class AgreementPartyInline(ReadOnlyInline):
    model = AgreementParty


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    list_display = ["slug", "title", "period_start", "period_end", "host"]
    inlines = [AgreementPartyInline]

    def has_delete_permission(self, request, obj=None):
        return False  # parties, cost model and cases refer to it


class CostShareInline(ReadOnlyInline):
    model = CostShare


class CostSplitInline(ReadOnlyInline):
    model = CostSplit


@admin.register(CostModel)
class CostModelAdmin(ReadOnlyAdmin):
    """Changed on the cost pages (``cost_model_update``, ``cost_split_set``), which keep the 100 % rule."""

    list_display = ["agreement", "annual_budget", "basis_rule", "fixed_basis_date"]
    inlines = [CostShareInline, CostSplitInline]


@admin.register(AgreementParty)
class AgreementPartyAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "organisation", "role"]
    list_select_related = ["agreement", "organisation"]
    list_filter = ["agreement", "role"]


@admin.register(Signature)
class SignatureAdmin(ScopedReadOnlyAdmin):
    """Signatures are recorded through the case page (with the audit trail); here they can only be viewed, and
    only by whom the case page shows them to (the municipality's own people, KSL): who signed for a
    municipality is its case data, not the host administrator's."""

    def scope(self, request, queryset):
        readable = party_permissions.readable_organisation_ids(request.user)
        return queryset if readable is None else queryset.filter(organisation_id__in=readable)

    list_display = ["agreement", "organisation", "signatory_name", "signed_on"]
    list_select_related = ["agreement", "organisation"]

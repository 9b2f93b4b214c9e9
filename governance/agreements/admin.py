from django.contrib import admin

from governance.core.admin import AuditedAdmin

from .models import Agreement, AgreementParty, Amendment, CostModel, CostShare, CostSplit, Signature


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    list_display = ["slug", "title", "period_start", "period_end", "host"]
    inlines = [AgreementPartyInline]


class CostShareInline(admin.TabularInline):
    model = CostShare
    extra = 0


class CostSplitInline(admin.TabularInline):
    model = CostSplit
    extra = 0


@admin.register(CostModel)
class CostModelAdmin(AuditedAdmin):
    list_display = ["agreement", "annual_budget", "basis_rule", "fixed_basis_date"]
    inlines = [CostShareInline, CostSplitInline]


@admin.register(AgreementParty)
class AgreementPartyAdmin(AuditedAdmin):
    list_display = ["agreement", "organisation", "role"]
    list_select_related = ["agreement", "organisation"]
    list_filter = ["agreement", "role"]


@admin.register(Signature)
class SignatureAdmin(AuditedAdmin):
    """Signatures are recorded through the case page (with the audit trail); here they can only be viewed."""

    list_display = ["agreement", "organisation", "signatory_name", "signed_on"]
    list_select_related = ["agreement", "organisation"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Amendment)
class AmendmentAdmin(AuditedAdmin):
    list_display = ["agreement", "title", "decided_on", "is_extension", "new_period_end"]

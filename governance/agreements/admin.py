from django.contrib import admin

from .models import Agreement, AgreementParty, CostModel, CostShare, CostSplit


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "period_start", "period_end", "host"]
    inlines = [AgreementPartyInline]


class CostShareInline(admin.TabularInline):
    model = CostShare
    extra = 0


class CostSplitInline(admin.TabularInline):
    model = CostSplit
    extra = 0


@admin.register(CostModel)
class CostModelAdmin(admin.ModelAdmin):
    list_display = ["agreement", "annual_budget", "basis_rule", "fixed_basis_date"]
    inlines = [CostShareInline, CostSplitInline]


@admin.register(AgreementParty)
class AgreementPartyAdmin(admin.ModelAdmin):
    list_display = ["agreement", "organisation", "role"]
    list_select_related = ["agreement", "organisation"]
    list_filter = ["agreement", "role"]

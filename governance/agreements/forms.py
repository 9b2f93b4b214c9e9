"""Forms for the cost pages: they validate input and nothing else."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.core.formatting import format_percent
from governance.core.forms import ModelChoiceField, ModelMultipleChoiceField, RequestKeyMixin
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation

from . import queries
from .choices import BasisRule, ScenarioMode
from .costs import MAX_BUDGET as _ALLOCATION_MAX_BUDGET
from .costs import AllocationError
from .models import CostModel

MAX_BUDGET = _ALLOCATION_MAX_BUDGET  # one bound for the forms, the services and the allocation
MAX_SPLIT_WEIGHT = 1000  # agreements.services.MAX_SPLIT_WEIGHT
# Spaces people type (or paste from Word and Excel) as thousands separators: "1 200 000".
_THOUSANDS_SEPARATORS = str.maketrans("", "", " \u00a0\u202f\u2009\u2007")


class AmountField(forms.IntegerField):
    """Whole kronor, accepting spaces and non-breaking spaces as thousands separators ("1 200 000");
    still bounded by ``min_value``/``max_value``. A text input, since a number input refuses spaces."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(_THOUSANDS_SEPARATORS)
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No min/max attributes on the text input; the bounds are checked on the server.
        return {key: val for key, val in super().widget_attrs(widget).items() if key not in ("min", "max")}


class CostScenarioForm(forms.Form):
    """The GET form above the cost table: year, basis date, municipalities that do not join."""

    year = forms.IntegerField(label=_("Kostnadsår"), min_value=1901, max_value=2199)
    basis = forms.DateField(
        label=_("Folkmängd per"),
        required=False,
        help_text=_("Lämna tomt för avtalets regel (31 december året före, eller avtalets fasta datum)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    exclude = ModelMultipleChoiceField(
        label=_("Kommuner som inte ansluter"),
        required=False,
        queryset=Organisation.objects.none(),
        to_field_name="municipality_code",
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Deras andel"), choices=ScenarioMode.choices, initial=ScenarioMode.REDISTRIBUTE
    )

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exclude"].queryset = agreement.parties.filter(
            kind=OrganisationKind.MUNICIPALITY
        ).order_by("municipality_code")
        self.fields["exclude"].label_from_instance = lambda org: (
            f"{org.display_name} ({org.municipality_code})"
        )


class CostModelForm(forms.Form):
    """Edit an agreement's budget, basis rule and share percentages."""

    annual_budget = AmountField(
        label=_("Årsbudget (kr)"),
        min_value=1,
        max_value=MAX_BUDGET,
        error_messages={"min_value": _("Budgeten måste vara ett positivt belopp i hela kronor.")},
        help_text=_("Hela kronor; mellanslag mellan tusental går bra, t.ex. 1 200 000."),
    )
    basis_rule = forms.ChoiceField(label=_("Folkmängd per"), choices=BasisRule.choices)
    fixed_basis_date = forms.DateField(
        label=_("Fast datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, cost_model: CostModel, **kwargs):
        super().__init__(*args, **kwargs)
        self.shares = list(cost_model.shares.select_related("organisation"))
        for share in self.shares:
            self.fields[f"share_{share.pk}"] = forms.DecimalField(
                label=_("Andel för %(who)s (%%)")
                % {
                    "who": share.organisation.name
                    if share.organisation_id
                    else _("kommunerna efter folkmängd")
                },
                max_digits=7,
                decimal_places=4,
                initial=share.percent,
            )

    def clean_annual_budget(self):
        budget = self.cleaned_data["annual_budget"]
        if budget <= 0:
            raise forms.ValidationError(_("Budgeten måste vara ett positivt belopp i hela kronor."))
        return budget

    def percents(self) -> dict[int, Decimal]:
        return {share.pk: self.cleaned_data[f"share_{share.pk}"] for share in self.shares}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("basis_rule") == BasisRule.FIXED_DATE and not cleaned.get("fixed_basis_date"):
            self.add_error("fixed_basis_date", _("Ange det fasta datumet för folkmängden."))
        values = [cleaned.get(f"share_{share.pk}") for share in self.shares]
        if all(v is not None for v in values):
            if any(v <= 0 for v in values):
                raise forms.ValidationError(_("Varje andel måste vara större än 0 %."))
            total = sum(values, Decimal(0))
            if total != 100:
                raise forms.ValidationError(
                    _("Andelarna summerar till %(sum)s, inte 100 %%.") % {"sum": format_percent(total)}
                )
        return cleaned


class CostSplitForm(forms.Form):
    """How one party's amount is divided among its bodies: one weight per body, blank for none."""

    def __init__(self, *args, organisation: Organisation, current: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.bodies = list(organisation.bodies.order_by("name"))
        for body in self.bodies:
            self.fields[f"body_{body.pk}"] = forms.IntegerField(
                label=_("Vikt för %(body)s") % {"body": body.name},
                required=False,
                min_value=1,
                max_value=MAX_SPLIT_WEIGHT,
                error_messages=dict.fromkeys(
                    ("min_value", "max_value"),
                    _("Vikten för %(body)s måste vara ett heltal från 1 till %(max)s.")
                    % {"body": body.name, "max": MAX_SPLIT_WEIGHT},
                ),
                initial=current.get(body.pk),
                help_text=_("Lämna tomt om organet inte ska bära någon del."),
            )

    def weights(self) -> dict[int, int]:
        return {
            body.pk: self.cleaned_data[f"body_{body.pk}"]
            for body in self.bodies
            if self.cleaned_data.get(f"body_{body.pk}") is not None
        }


FIXED_SHARE_ROWS = 4


class AgreementCreateForm(RequestKeyMixin, forms.Form):
    """A new agreement and its cost model: fixed shares for a few named parties and the municipalities'
    population pool. Validation of the whole (shares add up to 100 %) is the service's."""

    title = forms.CharField(label=_("Titel"), max_length=300)
    short_title = forms.CharField(label=_("Kort titel"), max_length=100, help_text=_("T.ex. ”Origo”."))
    slug = forms.SlugField(
        label=_("Kortnamn"),
        max_length=60,
        required=False,
        help_text=_("Används i adresser och kommandon. Lämna tomt för kort titel och startår."),
    )
    period_start = forms.DateField(
        label=_("Avtalsperiod från"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label=_("Avtalsperiod till"), widget=forms.DateInput(attrs={"type": "date"}))
    host = ModelChoiceField(
        label=_("Huvudman"), queryset=Organisation.objects.none(), empty_label=_("– välj –")
    )
    previous = ModelChoiceField(
        label=_("Förlänger avtal"),
        required=False,
        empty_label=_("– inget, ett nytt avtal –"),
        queryset=Organisation.objects.none(),
        help_text=_("Vid förnyelse: avtalet som det nya avtalet förlänger."),
    )
    annual_budget = AmountField(
        label=_("Årsbudget (kr)"),
        min_value=1,
        max_value=MAX_BUDGET,
        help_text=_("Hela kronor; mellanslag mellan tusental går bra, t.ex. 1 200 000."),
    )
    basis_rule = forms.ChoiceField(label=_("Folkmängd per"), choices=BasisRule.choices)
    fixed_basis_date = forms.DateField(
        label=_("Fast datum för folkmängd"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    pool_percent = forms.DecimalField(
        label=_("Kommunernas andel efter folkmängd (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=7,
        decimal_places=4,
    )
    cooperating = ModelMultipleChoiceField(
        label=_("Samverkande parter (finansierar inte)"),
        required=False,
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        from .models import Agreement

        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("kind", "municipality_code", "name")
        others = Organisation.objects.exclude(kind=OrganisationKind.MUNICIPALITY).order_by("name")
        self.fields["host"].queryset = organisations
        self.fields["previous"].queryset = Agreement.objects.filter(renewal__isnull=True).order_by(
            "period_start"
        )
        self.fields["cooperating"].queryset = others
        for n in range(1, FIXED_SHARE_ROWS + 1):
            self.fields[f"share_party_{n}"] = ModelChoiceField(
                label=_("Fast andel %(n)s: part") % {"n": n},
                required=False,
                queryset=organisations,
                empty_label=_("– ingen –"),
            )
            self.fields[f"share_percent_{n}"] = forms.DecimalField(
                label=_("Fast andel %(n)s: procent") % {"n": n},
                required=False,
                min_value=0,
                max_value=100,
                max_digits=7,
                decimal_places=4,
            )

    def clean(self):
        cleaned = super().clean()
        for n in range(1, FIXED_SHARE_ROWS + 1):
            party, percent = cleaned.get(f"share_party_{n}"), cleaned.get(f"share_percent_{n}")
            if party is not None and percent is None:
                self.add_error(f"share_percent_{n}", _("Ange procent för parten."))
            if party is None and percent is not None:
                self.add_error(f"share_party_{n}", _("Välj vilken part andelen gäller."))
        if cleaned.get("basis_rule") == BasisRule.FIXED_DATE and not cleaned.get("fixed_basis_date"):
            self.add_error("fixed_basis_date", _("Ange det fasta datumet för folkmängden."))
        if not cleaned.get("slug") and cleaned.get("short_title") and cleaned.get("period_start"):
            from django.utils.text import slugify

            cleaned["slug"] = slugify(f"{cleaned['short_title']}-{cleaned['period_start'].year}")[:60]
        return cleaned

    def fixed_shares(self) -> list[tuple[Organisation, Decimal]]:
        return [
            (self.cleaned_data[f"share_party_{n}"], self.cleaned_data[f"share_percent_{n}"])
            for n in range(1, FIXED_SHARE_ROWS + 1)
            if self.cleaned_data.get(f"share_party_{n}") is not None
        ]


def scenario_allocation(agreement, params):
    """The cost page's form bound to the query ``params`` (a QueryDict; empty: the defaults) and the allocation
    it asks for, or ``None`` with the reason as the form's error. The cost page, its downloads and the API
    read their ``?year=&basis=&exclude=&mode=`` through this one function."""
    data = params.copy() if params else None
    if data is not None:
        data.setdefault("year", str(queries.default_cost_year(agreement)))
        data.setdefault("mode", "redistribute")
    defaults = {"year": queries.default_cost_year(agreement), "mode": "redistribute"}
    # Without parameters the form is bound to the defaults, so a failed allocation (e.g. a new agreement
    # without population figures yet) can be shown as the form's error.
    form = CostScenarioForm(data if data is not None else defaults, agreement=agreement)
    if data is None:
        form.is_valid()
        params = {"year": defaults["year"]}
    elif form.is_valid():
        params = {
            "year": form.cleaned_data["year"],
            "basis_date": form.cleaned_data["basis"],
            "exclude": [org.municipality_code for org in form.cleaned_data["exclude"]],
            "mode": form.cleaned_data["mode"],
        }
    else:
        return form, None
    try:
        allocation = queries.cost_allocation(agreement=agreement, **params)
    except AllocationError as exc:
        form.add_error(None, str(exc))
        form.population_missing = str(exc).startswith(str(_("Folkmängd saknas")))
        return form, None
    return form, allocation

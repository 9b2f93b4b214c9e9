"""Forms of the case pages: they validate input and nothing else. Each carries the state the user saw,
so a stale page gets a conflict instead of a silent overwrite."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.core.forms import ExpectedStateField, HiddenFieldErrorsMixin

from .choices import CaseState, DecisionOutcome, StepRole


class CaseActionForm(HiddenFieldErrorsMixin, forms.Form):
    expected_state = ExpectedStateField(choices=CaseState.choices)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(CaseActionForm):
    comment = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(CaseActionForm):
    step = forms.ModelChoiceField(label=_("Organ"), queryset=None, empty_label=None)
    meeting_date = forms.DateField(
        label=_("Sammanträdesdatum"), widget=forms.DateInput(attrs={"type": "date"})
    )
    # Lengths and forms of § and text are checked by the service, which lists every problem at once.
    paragraph = forms.CharField(
        label=_("Paragraf"),
        help_text=_("T.ex. ”§ 103”, ”KS § 45” eller ”Utl. 2012:109 RVII”; högst 40 tecken."),
    )
    text = forms.CharField(
        label=_("Beslutstext"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Högst 10 000 tecken.")
    )
    outcome = forms.ChoiceField(label=_("Utfall"), choices=DecisionOutcome.choices)
    posted_on = forms.DateField(
        label=_("Protokollet anslaget"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Dagen då justeringen anslogs på anslagstavlan. Kan anges senare."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = case.steps.select_related("body")
        next_step = getattr(case, "next_step", None)  # set by queries.case_detail
        if next_step is not None and not self.is_bound:
            self.initial.setdefault("step", next_step.pk)
        self.fields.pop("comment")


class SignForm(CaseActionForm):
    signatory_name = forms.CharField(label=_("Undertecknat av"), max_length=200)
    signatory_title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(
        label=_("Undertecknat avtal (PDF, högst 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment")


class ReopenForm(CaseActionForm):
    """Reopen a case recorded in error; the reason (at most 300 characters) is checked by the service."""

    comment = forms.CharField(
        label=_("Skäl"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Varför ärendet öppnas igen, högst 300 tecken. Det felaktiga beslutet makuleras."),
    )


class PostingForm(forms.Form):
    """The anslag date of one of the case's decisions."""

    decision = forms.ModelChoiceField(label=_("Beslut"), queryset=None, widget=forms.HiddenInput)
    posted_on = forms.DateField(
        label=_("Protokollet anslaget"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = case.decisions.filter(voided_at__isnull=True)


class ChainStepForm(forms.Form):
    """One row of a decision chain: body, role, order (blank rows are skipped)."""

    order = forms.IntegerField(label=_("Ordning"), min_value=1, max_value=99, required=False)
    body = forms.ModelChoiceField(label=_("Organ"), queryset=None, required=False)
    role = forms.ChoiceField(label=_("Roll"), choices=[("", "–"), *StepRole.choices], required=False)

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        if data.get("body") and not data.get("role"):
            self.add_error("role", _("Välj en roll för %(body)s.") % {"body": data["body"].name})
        if data.get("role") and not data.get("body"):
            self.add_error("body", _("Välj ett organ."))
        return data


class BaseChainFormSet(forms.BaseFormSet):
    def steps(self) -> list:
        """The filled-in rows, in the order given (ties keep the page's order), as (body, role)."""
        rows = [
            (form.cleaned_data.get("order") or index + 100, index, form.cleaned_data)
            for index, form in enumerate(self.forms)
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("body")
            and form.cleaned_data.get("role")
        ]
        return [(data["body"], data["role"]) for _o, _i, data in sorted(rows, key=lambda r: (r[0], r[1]))]


ChainFormSet = forms.formset_factory(
    ChainStepForm, formset=BaseChainFormSet, extra=2, can_delete=True, max_num=12, validate_max=True
)


class ChainReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till ändringen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Krävs när förslaget redan är framlagt eller beslut finns; högst 300 tecken."),
    )


class DashboardFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Läge"), required=False, choices=[("", _("Alla")), *CaseState.choices])
    overdue = forms.BooleanField(label=_("Endast försenade"), required=False)


class MemoForm(HiddenFieldErrorsMixin, forms.Form):
    """The tjänsteutlåtande's fields, prefilled from the case; the clerk may edit every one."""

    request_key = forms.UUIDField(widget=forms.HiddenInput)
    body_id = forms.TypedChoiceField(label=_("Organ"), coerce=int)
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    registration_number = forms.CharField(label=_("Diarienummer"), max_length=60, required=False)
    department = forms.CharField(label=_("Förvaltning"), max_length=200, required=False)
    handler_name = forms.CharField(label=_("Handläggare"), max_length=200, required=False)
    handler_title = forms.CharField(label=_("Handläggarens titel"), max_length=200, required=False)
    handler_phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)
    handler_email = forms.EmailField(label=_("E-post"), required=False)
    title = forms.CharField(label=_("Rubrik"), max_length=300)
    proposals = forms.CharField(
        label=_("Förslag till beslut"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("En beslutsmening per rad, skriven som om den vore beslutad."),
    )
    summary = forms.CharField(label=_("Sammanfattning"), widget=forms.Textarea(attrs={"rows": 4}))
    background = forms.CharField(
        label=_("Ärendet"), widget=forms.Textarea(attrs={"rows": 6}), help_text=_("Tom rad mellan stycken.")
    )
    viewpoints = forms.CharField(
        label=_("Förvaltningens synpunkter"), widget=forms.Textarea(attrs={"rows": 4})
    )
    basis = forms.CharField(
        label=_("Beslutsunderlag"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ett underlag per rad."),
    )
    dispatch = forms.CharField(label=_("Beslutet expedieras till"), widget=forms.Textarea(attrs={"rows": 3}))
    signatories = forms.CharField(
        label=_("Underskrifter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("”Namn, Titel”, en per rad."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body_id"].choices = [
            (body.pk, body.name) for body in case.organisation.bodies.exclude(kind="administration")
        ]

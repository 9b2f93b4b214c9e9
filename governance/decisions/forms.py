"""Forms of the case pages: they validate input and nothing else. Each carries the state the user saw,
so a stale page gets a conflict instead of a silent overwrite."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CaseState, DecisionOutcome


class CaseActionForm(forms.Form):
    expected_state = forms.ChoiceField(choices=CaseState.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Kommentar"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(CaseActionForm):
    comment = forms.CharField(label=_("Skäl"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(CaseActionForm):
    step = forms.ModelChoiceField(label=_("Organ"), queryset=None, empty_label=None)
    meeting_date = forms.DateField(
        label=_("Sammanträdesdatum"), widget=forms.DateInput(attrs={"type": "date"})
    )
    paragraph = forms.CharField(label=_("Paragraf"), max_length=20, help_text=_("T.ex. ”§ 103”."))
    text = forms.CharField(label=_("Beslutstext"), widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label=_("Utfall"), choices=DecisionOutcome.choices)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = case.steps.select_related("body")
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


class DashboardFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Läge"), required=False, choices=[("", _("Alla")), *CaseState.choices])
    overdue = forms.BooleanField(label=_("Endast försenade"), required=False)

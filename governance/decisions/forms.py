"""Forms of the case pages: they validate input and nothing else. Each carries the state the user saw,
so a stale page gets a conflict instead of a silent overwrite."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.core.forms import ExpectedStateField, HiddenFieldErrorsMixin

from .choices import CaseState, DecisionOutcome


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

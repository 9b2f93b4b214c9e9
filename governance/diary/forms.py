"""Forms of the diarium pages: they validate input and nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Direction
from .models import secrecy_validator, series_validator


class RegisterFilterForm(forms.Form):
    """The register's search and filters (GET)."""

    q = forms.CharField(label=_("Sök"), max_length=200, required=False)
    series = forms.CharField(label=_("Serie"), max_length=12, required=False, validators=[series_validator])
    year = forms.IntegerField(label=_("År"), min_value=1900, max_value=2200, required=False)
    direction = forms.ChoiceField(
        label=_("Riktning"), choices=[("", _("Alla")), *Direction.choices], required=False
    )
    date_from = forms.DateField(
        label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Slutdatumet kan inte vara före startdatumet."))
        return data


class SecrecyForm(forms.Form):
    """A registrar's secrecy mark on one entry, with the neutral title shown meanwhile."""

    secrecy = forms.CharField(
        label=_("Sekretess"),
        max_length=40,
        required=False,
        validators=[secrecy_validator],
        help_text=_("T.ex. ”OSL 26 kap. 1 §”. Tomt tar bort markeringen."),
    )
    public_title = forms.CharField(
        label=_("Rubrik utan sekretess"),
        max_length=300,
        required=False,
        help_text=_("Visas för alla medan rubriken är sekretessmarkerad."),
    )

"""Forms of the parties pages: they validate input and nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ContactRole


class ContactForm(forms.Form):
    """A new entry in a party's contact bank."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Roll"), choices=ContactRole.choices, initial=ContactRole.CONTACT_PERSON)
    email = forms.EmailField(label=_("E-post"))
    phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)
    valid_from = forms.DateField(label=_("Giltig från"), widget=forms.DateInput(attrs={"type": "date"}))

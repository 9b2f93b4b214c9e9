"""Forms of the webhook pages: they validate input and nothing else (the service checks the address)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import WebhookEvent
from .models import URL_MAX_LENGTH


class EndpointForm(forms.Form):
    """Register or change an endpoint: a name, the address and the events it wants."""

    name = forms.CharField(label=_("Namn"), max_length=100, help_text=_("Till exempel systemets namn."))
    url = forms.CharField(
        label=_("Adress (URL)"),
        max_length=URL_MAX_LENGTH,
        help_text=_("https://… – dit skickas en signerad POST med JSON för varje händelse."),
    )
    events = forms.MultipleChoiceField(
        label=_("Händelser"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

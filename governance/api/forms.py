from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_TOKEN_NAME


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Namn"),
        max_length=MAX_TOKEN_NAME,
        help_text=_("Vilket system nyckeln är till, t.ex. ”Ärendesystemet”."),
    )

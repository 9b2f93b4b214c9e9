from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """The one search field (GET)."""

    q = forms.CharField(
        label=_("Sök"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Sökningen får vara högst %(limit_value)d tecken (den har %(show_value)d).")
        },
    )

"""Forms of the documents app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DocumentKind


class TemplateUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Dokument"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("Mall (.docx, högst 2 MB)"), widget=forms.ClearableFileInput(attrs={"accept": ".docx"})
    )

"""What every form shares: the hidden ``expected_state``, the hidden ``request_key`` of the create forms, and
Swedish errors for hidden fields.

Django shows an error of a hidden field at the top as "(Dolt fält expected_state) …", with the field's
English name. A user cannot correct a hidden field anyway: the page they saw is out of date (or was tampered
with), so ``HiddenFieldErrorsMixin`` replaces such an error with one Swedish non-field error that says so.
"""

import uuid

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .caching import fresh_uuid

STALE_PAGE_MESSAGE = _("Sidan var inaktuell – ladda om och försök igen.")


class ExpectedStateField(forms.ChoiceField):
    """The state the page showed, sent back with the form; the service compares it with the locked row
    (a different state is a conflict, 409). A missing or unknown value is a stale page, in Swedish."""

    widget = forms.HiddenInput

    def __init__(self, *, choices, **kwargs):
        kwargs.setdefault("label", _("Läge när sidan visades"))
        kwargs.setdefault(
            "error_messages", {"required": STALE_PAGE_MESSAGE, "invalid_choice": STALE_PAGE_MESSAGE}
        )
        super().__init__(choices=choices, **kwargs)


class HiddenFieldErrorsMixin:
    """Put the errors of hidden fields at the top of the form, as one Swedish message without a field name.

    Use it first among the bases: ``class CaseActionForm(HiddenFieldErrorsMixin, forms.Form)``.
    """

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        hidden = [
            name for name, field in self.fields.items() if field.widget.is_hidden and name in self._errors
        ]
        if not hidden:
            return
        for name in hidden:
            del self._errors[name]
            self.cleaned_data.pop(name, None)
        non_field = self._errors.setdefault(NON_FIELD_ERRORS, self.error_class(error_class="nonfield"))
        if str(STALE_PAGE_MESSAGE) not in non_field:
            non_field.append(str(STALE_PAGE_MESSAGE))


class RequestKeyMixin(HiddenFieldErrorsMixin, forms.Form):
    """A create form's hidden ``request_key``: a new UUID each time the page is shown, sent back with the form,
    so that ``core.services.request_once`` writes once however often the same page is submitted (a double
    click). A missing or tampered key is a stale page, in Swedish; the form then carries a fresh key, so
    sending it again works. Use it first among the bases: ``class ConsultationForm(RequestKeyMixin, forms.Form)``.
    """

    request_key = forms.UUIDField(
        label=_("Beställningsnyckel"),
        widget=forms.HiddenInput,
        initial=fresh_uuid,  # a placeholder while a kept page is rendered (core.caching)
        error_messages={"required": STALE_PAGE_MESSAGE, "invalid": STALE_PAGE_MESSAGE},
    )

    def full_clean(self):
        super().full_clean()
        name = "request_key"
        if self.is_bound and name in self.fields and name not in getattr(self, "cleaned_data", {}):
            data = self.data.copy()
            data[self.add_prefix(name)] = str(uuid.uuid4())
            self.data = data


_MAX_ID = 2**63 - 1  # a bigint: larger ids cannot exist, and SQLite raises OverflowError on them


def _is_id(value) -> bool:
    text = str(value).strip()
    # the length first: int() refuses a string of more than 4300 digits with a ValueError of its own
    return text.isascii() and text.isdigit() and len(text) <= len(str(_MAX_ID)) and int(text) <= _MAX_ID


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, but an id no row can have ("99999999999999999999", "1e5") is an invalid choice, not a 500:
    Django catches ValueError and TypeError on the lookup, not the OverflowError SQLite raises."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and not _is_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with the same guard on every chosen id as ``ModelChoiceField``."""

    def _check_values(self, value):
        for pk in value or ():
            if self.to_field_name is None and not _is_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


#: The longest username there is (``User.username``); django-axes records a failed login's username in a
#: 255-character column, so a longer one must never reach ``authenticate``.
MAX_USERNAME = 150
#: A password longer than this is no one's: hashing megabytes of it would only cost the server time.
MAX_PASSWORD = 4096
_USERNAME_TOO_LONG = _("Användarnamnet är för långt (högst %(limit_value)s tecken).")


def _bound_username(form) -> None:
    field = form.fields["username"]
    field.max_length = MAX_USERNAME
    field.widget.attrs["maxlength"] = MAX_USERNAME
    field.validators.append(MaxLengthValidator(MAX_USERNAME, message=_USERNAME_TOO_LONG))
    password = form.fields["password"]
    password.max_length = MAX_PASSWORD
    password.validators.append(MaxLengthValidator(MAX_PASSWORD))


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length checked before ``authenticate`` runs: Django sets
    ``max_length`` only on the widget, so a 100 000-character name reached django-axes, whose failed-login row
    could not hold it (a 500 on PostgreSQL). An invalid field skips ``authenticate`` altogether."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound_username(self)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, with the same bound as ``LoginForm``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bound_username(self)

"""One error format for every error of the API: ``{"code": ..., "message": ..., "fields": {...}}``.

``code`` is stable (a client branches on it), ``message`` is Swedish (a person reads it), ``fields`` names the
invalid input fields with their messages (validation errors only; otherwise empty).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from governance.core.transitions import TransitionConflict


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Ärendet har ändrats sedan du läste det."


#: Exception class -> (stable code, Swedish message when the exception has none of its own).
CODES = [
    (exceptions.ValidationError, "validation_error", _lazy("Uppgifterna är inte giltiga.")),
    (exceptions.ParseError, "parse_error", _lazy("Förfrågan kunde inte läsas.")),
    (exceptions.NotAuthenticated, "not_authenticated", _lazy("Logga in eller ange en API-nyckel.")),
    (exceptions.AuthenticationFailed, "authentication_failed", _lazy("Ogiltig API-nyckel.")),
    (exceptions.PermissionDenied, "permission_denied", _lazy("Du har inte behörighet till detta.")),
    (exceptions.NotFound, "not_found", _lazy("Finns inte.")),
    (exceptions.MethodNotAllowed, "method_not_allowed", _lazy("Metoden är inte tillåten här.")),
    (exceptions.NotAcceptable, "not_acceptable", _lazy("Svarsformatet kan inte levereras.")),
    (exceptions.UnsupportedMediaType, "unsupported_media_type", _lazy("Innehållstypen stöds inte.")),
    (Conflict, "conflict", _lazy("Ärendet har ändrats sedan du läste det.")),
    (exceptions.Throttled, "throttled", _lazy("För många förfrågningar. Vänta en stund och försök igen.")),
]
STABLE_CODES = sorted({code for _cls, code, _message in CODES} | {"error"})


def _messages(value) -> list[str]:
    """The messages of a field's errors, flat: a list's item errors come as ``{index: [...]}``."""
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def _fields(detail) -> dict:
    if isinstance(detail, dict):
        return {
            str(key): _messages(value)
            for key, value in detail.items()
            if key not in ("non_field_errors", "__all__")
        }
    return {}


def _non_field_messages(detail) -> list[str]:
    if isinstance(detail, dict):
        found = []
        for key in ("non_field_errors", "__all__"):
            value = detail.get(key, [])
            found.extend(str(v) for v in (value if isinstance(value, list) else [value]))
        return found
    if isinstance(detail, list):
        return [str(v) for v in detail]
    return [str(detail)]


def exception_handler(exc, context):
    """DRF's handler, with Django's own exceptions translated first and every body in the one format."""
    if isinstance(exc, TransitionConflict):
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Finns inte."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 (logged), never a traceback in the body
    code, default_message = next(
        ((code, message) for cls, code, message in CODES if isinstance(exc, cls)), ("error", _lazy("Fel."))
    )
    detail = getattr(exc, "detail", None)
    messages = _non_field_messages(detail) if code == "validation_error" else []
    if code == "validation_error":
        message = " ".join(messages) or str(default_message)
    elif code == "permission_denied" and str(detail).startswith("CSRF Failed"):
        message = _("Säkerhetskontrollen (CSRF) misslyckades. Ladda om sidan och försök igen.")
    elif code == "permission_denied" and str(detail) != str(exceptions.PermissionDenied.default_detail):
        message = str(detail)  # the owning app's own Swedish reason (``permissions.py``)
    elif code in ("authentication_failed", "conflict") and detail:
        message = str(detail)  # our own Swedish messages
    else:
        message = str(default_message)
    response.data = {
        "code": code,
        "message": message,
        "fields": _fields(detail) if code == "validation_error" else {},
    }
    return response

"""The health check, and the Swedish answers to a locked-out login (429) and a failed CSRF check (403)."""

import math

from axes.helpers import get_cool_off
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe


@require_safe
def health(request):
    """Liveness for load balancers: answers 200 when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def lockout_message(request) -> str:
    """``För många misslyckade inloggningar. Försök igen om 15 minuter.``"""
    cool_off = get_cool_off(request)
    if not cool_off:
        return _("För många misslyckade inloggningar. Kontakta administratören för att låsa upp kontot.")
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    return ngettext(
        "För många misslyckade inloggningar. Försök igen om %(minutes)d minut.",
        "För många misslyckade inloggningar. Försök igen om %(minutes)d minuter.",
        minutes,
    ) % {"minutes": minutes}


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out username + address pair (``AXES_LOCKOUT_CALLABLE``): 429."""
    return render(request, "registration/lockout.html", {"message": lockout_message(request)}, status=429)


def csrf_failure(request, reason=""):
    """``CSRF_FAILURE_VIEW``: the Swedish 403 page, with what to do instead of Django's English reason."""
    message = _(
        "Formuläret kunde inte skickas eftersom sidan var för gammal eller kakor är avstängda. "
        "Ladda om sidan och försök igen."
    )
    return render(request, "403.html", {"exception": message}, status=403)

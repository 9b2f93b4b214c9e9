"""Token authentication for other systems: ``Authorization: Token <secret>`` (or ``Bearer <secret>``)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import token_hash

#: ``last_used_at`` is written at most this often per token (a read should not write on every request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_SECRET_CHARS = 200


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Ange nyckeln efter ”Token ” i Authorization-huvudet."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Ogiltig API-nyckel.")) from None
        if len(secret) > MAX_SECRET_CHARS:
            raise exceptions.AuthenticationFailed(_("Ogiltig API-nyckel."))
        token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(secret)).first()
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Ogiltig eller återkallad API-nyckel."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # bookkeeping, not history
        return token.user, token

    def authenticate_header(self, request):
        return "Token"

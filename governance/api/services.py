"""Writes of the API app: creating and revoking tokens, each with its audit row."""

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.core.services import audit_record

from . import permissions
from .choices import ApiAction
from .models import MAX_ACTIVE_TOKENS, MAX_TOKEN_NAME, ApiToken

#: Secrets are 43 URL-safe characters (32 random bytes); their hash is what is stored.
SECRET_BYTES = 32


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, acting_user, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``acting_user``; returns it with the secret, which is never stored or shown again."""
    if not permissions.can_have_tokens(acting_user):
        raise PermissionDenied(_("Logga in för att skapa en API-nyckel."))
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Ge nyckeln ett namn."))
    if len(name) > MAX_TOKEN_NAME:
        raise ValidationError(_("Namnet får vara högst %(max)d tecken.") % {"max": MAX_TOKEN_NAME})
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=acting_user.pk)
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
            raise ValidationError(
                _("Du har redan %(max)d aktiva nycklar. Återkalla någon först.") % {"max": MAX_ACTIVE_TOKENS}
            )
        secret = secrets.token_urlsafe(SECRET_BYTES)
        token = ApiToken.objects.create(user=user, name=name, key_hash=token_hash(secret), prefix=secret[:8])
        audit_record(
            acting_user=acting_user,
            action=ApiAction.TOKEN_CREATED,
            obj=token,
            payload={"name": name, "prefix": token.prefix},
        )
    return token, secret


def api_token_revoke(*, acting_user, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (its owner only); revoking an already revoked token changes nothing."""
    permissions.check_manage_token(acting_user, token)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            acting_user=acting_user,
            action=ApiAction.TOKEN_REVOKED,
            obj=token,
            payload={"name": token.name, "prefix": token.prefix},
        )
    return token

"""Closed lists of the API app."""

from django.utils.translation import gettext_lazy as _

from governance.core.choices import AuditAction


class ApiAction(AuditAction):
    """Audit actions of the API's tokens."""

    TOKEN_CREATED = "api_token.created", _("API-nyckel skapad")
    TOKEN_REVOKED = "api_token.revoked", _("API-nyckel återkallad")

"""API tokens: how other systems authenticate to ``/api/v1/``."""

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TOKEN_NAME = 100
#: A user's tokens that are not revoked; more are refused (a bound, not a quota to plan around).
MAX_ACTIVE_TOKENS = 20


class ApiToken(models.Model):
    """A user's secret for the REST API (``Authorization: Token <secret>`` or ``Bearer``).

    Only the SHA-256 hash of the secret is stored; the secret is shown once, when the token is created
    (``services.api_token_create``). A request made with the token acts as its user, with exactly that
    user's rights. A revoked token is kept (for the audit trail) but refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("konto"),
    )
    name = models.CharField(
        _("namn"),
        max_length=MAX_TOKEN_NAME,
        help_text=_("Vilket system nyckeln är till, t.ex. ”Ärendesystemet”."),
    )
    key_hash = models.CharField(
        _("kontrollsumma (SHA-256)"), max_length=64, unique=True, validators=[MinLengthValidator(64)]
    )
    prefix = models.CharField(_("början av nyckeln"), max_length=8)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

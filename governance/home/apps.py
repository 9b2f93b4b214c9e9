from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top layer: the start page and the Origo installation loader, the only code that needs every app."""

    name = "governance.home"
    label = "home"
    verbose_name = _("Startsida")

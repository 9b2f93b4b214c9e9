from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "governance.core"
    label = "core"
    verbose_name = _("Gemensamt")

    def ready(self):
        from .caching import watch_writes

        # Every connection, in every process, counts the data generation up after a committed change.
        connection_created.connect(watch_writes, dispatch_uid="core.caching.watch_writes")

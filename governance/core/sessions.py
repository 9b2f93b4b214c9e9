"""The session store: Django's database sessions, with the data generations (``core.caching``) read in the
same query as the session, so neither a kept page nor the cost allocation costs a round trip of its own to learn
whether what is kept is still valid. ``SESSION_ENGINE = "governance.core.sessions"``."""

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db.models import Subquery
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        from .caching import ALL, COSTS, generations_read_with_session
        from .models import DataGeneration

        def generation(scope):
            return Subquery(DataGeneration.objects.filter(pk=scope).values("value")[:1])

        try:
            session = self.model.objects.annotate(all_data=generation(ALL), cost_data=generation(COSTS)).get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:  # as Django's own store
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
            return None
        generations_read_with_session({ALL: session.all_data, COSTS: session.cost_data})
        return session

"""The session store: Django's database sessions, with the data generation (``core.caching``) read in the
same query as the session, so a kept page costs no round trip of its own to learn whether it is still valid.
``SESSION_ENGINE = "governance.core.sessions"``."""

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db.models import Subquery
from django.utils import timezone


class SessionStore(db.SessionStore):
    #: The committed data generation when the session was read (at the start of the request, before the
    #: page's data); None before that, or where there is no session.
    data_generation = None

    def _get_session_from_db(self):
        from .models import DataGeneration

        generation = DataGeneration.objects.filter(pk=1).values("value")[:1]
        try:
            session = self.model.objects.annotate(data_generation=Subquery(generation)).get(
                session_key=self.session_key, expire_date__gt=timezone.now()
            )
        except (self.model.DoesNotExist, SuspiciousOperation) as e:  # as Django's own store
            if isinstance(e, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
                logger.warning(str(e))
            self._session_key = None
            return None
        self.data_generation = session.data_generation
        return session

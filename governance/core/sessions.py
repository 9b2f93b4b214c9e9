"""The session store: Django's database sessions, with the data generations (``core.caching``) read in the
same query as the session, so neither a kept page nor the cost allocation costs a round trip of its own to learn
whether what is kept is still valid. ``SESSION_ENGINE = "governance.core.sessions"``.

The query is written once per database (``_session_sql``) rather than built by the ORM on every request: it is
the one query of every signed-in request, and compiling it cost more than running it (issue 15)."""

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@functools.cache
def _session_sql(alias: str, session_model) -> str:
    from .models import DataGeneration

    connection = connections[alias]
    name = connection.ops.quote_name
    generations = name(DataGeneration._meta.db_table)
    key, value = name(DataGeneration._meta.pk.column), name(DataGeneration._meta.get_field("value").column)

    generation = f"(SELECT {value} FROM {generations} WHERE {key} = %s)"  # noqa: S608 (quoted model names)

    def column(field: str) -> str:
        return name(session_model._meta.get_field(field).column)

    # Only names from the models' own metadata, quoted; every value is a parameter.
    table = name(session_model._meta.db_table)
    where = f"{column('session_key')} = %s AND {column('expire_date')} > %s"
    return f"SELECT {column('session_data')}, {generation}, {generation} FROM {table} WHERE {where}"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        from .caching import ALL, COSTS, generations_read_with_session

        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_session_sql(alias, model), [ALL, COSTS, self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired, as Django's own store
            self._session_key = None
            return None
        generations_read_with_session({ALL: row[1], COSTS: row[2]})
        return model(session_key=self.session_key, session_data=row[0])

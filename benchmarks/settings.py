"""Settings for ``make bench``: the product's settings with the bench's own database, files and URLconf.

The database is ``DATABASE_URL`` when it is set (point it at a database of its own: the bench adds scale data),
else SQLite at ``var/bench/bench.sqlite3``. Files, the audit anchor and the filesystem broker live under
``var/bench/`` (``GOVERNANCE_VAR_DIR``), so nothing the bench does reaches the development data in ``var/``.
The floor views (``benchmarks/views.py``) are mounted only here (``benchmarks/urls.py``): the production
URLconf does not grow.
"""

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent / "var" / "bench"
BENCH_DIR.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("GOVERNANCE_VAR_DIR", str(BENCH_DIR))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}")

from governance.settings import *  # noqa: E402, F403
from governance.settings import DATABASES, TEMPLATES  # noqa: E402

ROOT_URLCONF = "benchmarks.urls"
# Database connections kept between requests, as in production (settings_production): the load run measures
# pages, not a PostgreSQL connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
DEBUG = False
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
# Documents are rendered by calling the service directly; the tasks the services enqueue stay in memory.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
# Twenty users log in for the load run; a fast hasher keeps the logins out of the figures.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

"""gunicorn's configuration for production (``Procfile``, ``compose.yaml``) and for ``make bench``'s load run.

    gunicorn -c deploy/gunicorn.conf.py governance.wsgi

Every setting can be changed from the environment. The web processes keep no state of their own: sessions are
in the database, files in the storage (``STORAGE_BACKEND=s3`` for several hosts), jobs in Redis; run as many
as the load needs (docs/adr/0011-stateless-web-and-one-beat.md).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# Sync workers: the pages are short and CPU-bound; gunicorn's default rule of thumb is 2 × cores + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# Above the document render's own wall-clock limit (DOCUMENT_RENDER_TIMEOUT_SECONDS, 20 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
# A worker is replaced after this many requests (with jitter, so not all at once): bounds slow growth.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# The heartbeat file in memory, not on a disk that may stall (containers).
_SHM = "/dev/shm"  # noqa: S108  (gunicorn's documented place for it; only the worker heartbeat goes there)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", _SHM if os.path.isdir(_SHM) else None)
# Behind the reverse proxy: trust its X-Forwarded-* only from its address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

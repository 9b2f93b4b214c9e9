"""The Celery application.

The broker defaults to kombu's filesystem transport under ``var/`` so that ``make run`` needs no server;
set ``CELERY_BROKER_URL`` (e.g. ``redis://127.0.0.1:6379/0``) in production. See docs/adr/0003-broker-default.md.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

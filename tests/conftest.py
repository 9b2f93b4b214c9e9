"""Shared fixtures: the Origo data set and the demo personas, loaded once per test session.

The personas come from ``fixtures/personas.json``, the same file ``make run`` loads.
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PERSONAS = {p["key"]: p for p in json.loads((FIXTURES / "personas.json").read_text())["personas"]}
DEMO_PASSWORD = json.loads((FIXTURES / "personas.json").read_text())["password"]
SERVICES = os.environ.get("GOVERNANCE_TEST_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    if SERVICES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis: run make test-services")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # signed copies and documents stay out of var/
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            # Transactional tests empty the database with TRUNCATE between tests; in production the
            # trigger refuses TRUNCATE of the audit trail. Only the test database allows it.
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_truncate")
        call_command("load_origo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _no_pdf_unless_asked(request, monkeypatch):
    """PDF conversion costs a LibreOffice start per document (documents, minutes): only tests marked ``pdf``
    convert, wherever they are."""
    if "pdf" not in request.keywords:
        from governance.documents import rendering

        monkeypatch.setattr(rendering, "soffice_path", lambda: None)
        monkeypatch.setattr(rendering, "converter_url", lambda: "")  # nor a running converter (issue 15)


@pytest.fixture(autouse=True)
def _origo_data(request, django_db_blocker):
    """Reload the data set if a transactional test flushed it (outside any test transaction, so it stays)."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")
    from governance.parties.models import Organisation

    with django_db_blocker.unblock():
        if not Organisation.objects.exists():
            call_command("load_origo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks):
    """pytest-django's, but the list leaves out the data generation's count (``core.caching``), which follows
    every change: tests count the jobs and mails a change queues. With ``execute=True`` it still runs."""
    from contextlib import contextmanager

    from governance.core.caching import is_generation_bump

    @contextmanager
    def capture(**kwargs):
        jobs = []
        with django_capture_on_commit_callbacks(**kwargs) as callbacks:
            yield jobs
        jobs.extend(callback for callback in callbacks if not is_generation_bump(callback))

    return capture


@pytest.fixture(autouse=True)
def _kept_pages_cleared():
    """No kept page or cached allocation outlives its test (core.caching): the database rolls back, the
    cache would not."""
    from django.core.cache import cache

    from governance.core.caching import process_copies_clear

    cache.clear()
    process_copies_clear()


@pytest.fixture(autouse=True)
def _fast_hashers(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_anchor_path(settings, tmp_path_factory):
    """Each test its own (not yet created) audit anchor file, never the one under var/."""
    import uuid

    settings.AUDIT_ANCHOR_PATH = tmp_path_factory.getbasetemp() / "anchors" / f"{uuid.uuid4().hex}.log"


def _persona(key):
    return get_user_model().objects.get(username=PERSONAS[key]["username"])


def _persona_fixture(key):
    @pytest.fixture
    def fixture(db):
        return _persona(key)

    fixture.__doc__ = f"The demo persona ``{key}`` from fixtures/personas.json."
    return fixture


ksl_officer = _persona_fixture("ksl_officer")
danderyd_clerk = _persona_fixture("danderyd_clerk")
ekero_clerk = _persona_fixture("ekero_clerk")
chair = _persona_fixture("chair")
member = _persona_fixture("member")
host_admin = _persona_fixture("host_admin")
outsider = _persona_fixture("outsider")


@pytest.fixture
def origo(db):
    from governance.agreements.models import Agreement

    return Agreement.objects.get(slug="origo")


@pytest.fixture
def origo_2016(db):
    from governance.agreements.models import Agreement

    return Agreement.objects.get(slug="origo-2016")


@pytest.fixture
def ksl_client(client, ksl_officer):
    client.force_login(ksl_officer)
    return client


@pytest.fixture(autouse=True)
def _mail_delivered_inline(monkeypatch):
    """The outbox's delivery task runs in the test's process when it is enqueued (after a captured commit),
    instead of going to the broker."""
    from governance.core import tasks

    monkeypatch.setattr(tasks.mail_deliver, "delay", lambda pk: tasks.mail_deliver.run(pk))

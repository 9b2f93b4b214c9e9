"""The embedded default (SQLite, one file shared by the web server and the worker) under concurrent writers
(issue 12, item 8).

Four quick memo requests each read the newest version number and then insert the next one, in one
transaction. With SQLite's default (DEFERRED) transactions each takes a read lock first and fails at once
with "database is locked" when it tries to write while another holds the lock — the busy timeout does not
help, since waiting could deadlock. The project's options (``governance/settings.py``) begin every
transaction IMMEDIATE, so writers queue behind each other for up to the busy timeout, and use WAL so readers
are never blocked. The test opens a file database (the test suite's own SQLite database is in memory, where
locking works differently) with exactly the project's options, and a control run without them shows that the
test would catch the error.
"""

import contextlib
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction

THREADS = 4
WRITES_PER_THREAD = 5

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the SQLite options apply only where the database is SQLite",
)


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """A factory: a new alias on a SQLite file in ``tmp_path`` with the given OPTIONS."""
    aliases = []

    def open_alias(options: dict) -> str:
        alias = f"concurrency_{uuid.uuid4().hex[:8]}"
        conf = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / f"{alias}.sqlite3"),
            "OPTIONS": dict(options),
        }
        configured = connections.configure_settings({"default": dict(conf), alias: conf})
        connections.settings[alias] = configured[alias]
        aliases.append(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute("CREATE TABLE document (id INTEGER PRIMARY KEY, version INTEGER NOT NULL UNIQUE)")
        connections[alias].close()
        return alias

    with django_db_blocker.unblock():
        yield open_alias
        for alias in aliases:
            connections[alias].close()
            del connections.settings[alias]


def _memo_requests(alias: str) -> tuple[list[str], int]:
    """THREADS writers at once, each reading the newest version and inserting the next (like
    ``document_request``); returns the errors and the number of rows written."""
    errors = []
    start = threading.Barrier(THREADS)

    def writer():
        try:
            for _n in range(WRITES_PER_THREAD):
                try:
                    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                        cursor.execute("SELECT COALESCE(MAX(version), 0) FROM document")
                        (newest,) = cursor.fetchone()
                        # let the others read too, where the transaction mode lets them
                        with contextlib.suppress(threading.BrokenBarrierError):
                            start.wait(timeout=0.3)
                        time.sleep(0.01)
                        cursor.execute("INSERT INTO document (version) VALUES (%s)", [newest + 1])
                except OperationalError as exc:
                    errors.append(str(exc))
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer) for _n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM document")
        (rows,) = cursor.fetchone()
    return errors, rows


def test_the_project_options_are_wal_immediate_and_a_busy_timeout():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


def test_concurrent_memo_requests_never_see_database_is_locked(sqlite_file):
    alias = sqlite_file(settings.DATABASES["default"]["OPTIONS"])
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    errors, rows = _memo_requests(alias)
    assert errors == []
    assert rows == THREADS * WRITES_PER_THREAD


def test_without_the_options_the_same_requests_are_locked_out(sqlite_file):
    """The control: SQLite's defaults fail this way, so the test above would catch a regression."""
    alias = sqlite_file({"timeout": 5})
    errors, rows = _memo_requests(alias)
    assert errors and all("locked" in error for error in errors)
    assert rows < THREADS * WRITES_PER_THREAD

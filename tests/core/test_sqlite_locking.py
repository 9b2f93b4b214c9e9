"""`make run` shares one SQLite file between the web server and the worker. A transaction that reads and then
writes while the other process writes must wait for it, not fail with "database is locked" and lose the work
(a trial found a memo render and a notification lost that way). The settings open every transaction with
BEGIN IMMEDIATE in WAL mode; this test runs a real second process against a real file."""

import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite's locking only"
)

HOLD_SECONDS = 1.5

OTHER_WRITER = textwrap.dedent(
    """
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=20)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("INSERT INTO job (name) VALUES ('worker')")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    connection.execute("COMMIT")
    """
)


def _wrapper(path, options):
    settings_dict = {**settings.DATABASES["default"], "NAME": str(path), "OPTIONS": options, "TEST": {}}
    return DatabaseWrapper(settings_dict, alias="locking-test")


def _read_then_write(connection) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM job")
        cursor.execute("INSERT INTO job (name) VALUES ('web')")


def _race(tmp_path, options):
    path = tmp_path / "shared.sqlite3"
    setup = _wrapper(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE job (id INTEGER PRIMARY KEY, name TEXT)")
    setup.close()
    other = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", OTHER_WRITER, str(path), str(HOLD_SECONDS)], stdout=subprocess.PIPE, text=True
    )
    assert other.stdout.readline().strip() == "locked"
    connection = _wrapper(path, options)
    from django.db import connections

    connections["locking-test"] = connection
    try:
        started = time.monotonic()
        _read_then_write(connection)
        waited = time.monotonic() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM job ORDER BY id")
            names = [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()
        del connections["locking-test"]
        other.wait(timeout=30)
    return names, waited


def test_the_configured_options_wait_for_the_other_writer(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():  # its own file, not the test database
        names, waited = _race(tmp_path, settings.DATABASES["default"]["OPTIONS"])
    assert names == ["worker", "web"]  # both writes kept, in the order they got the lock
    assert waited >= HOLD_SECONDS / 2  # it waited for the other process instead of failing


def test_without_them_the_same_work_is_lost(tmp_path, django_db_blocker):
    """The default (deferred) transaction fails: this is what the settings prevent."""
    from django.db import OperationalError

    options = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    with django_db_blocker.unblock(), pytest.raises(OperationalError, match="locked"):
        _race(tmp_path, options)

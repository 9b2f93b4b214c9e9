"""Horizontal scale (issue 15), with real services (make test-services): two web processes (gunicorn, the
production config file), two Celery workers and one beat, all against the test's PostgreSQL and Redis.

A user logs in on web 1 and goes on with the same session on web 2 (sessions live in the database, not in a
process). KSL sends a recommendation through web 2 and starts the memo batch through web 1, then the same
batch again through web 2 (a double click that lands on the other process). The workers notify the
municipalities, deliver the mails and render the memos; beat runs the minutely outbox sweep beside them.
Every job must have run exactly once: one memo per case, each started and finished once; one notification
mail per case with a contact person, claimed once and written once by the mail backend.
"""

import datetime as dt
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

from governance.agreements.models import Agreement
from governance.agreements.services import agreement_create
from governance.core import calendar
from governance.core.models import AuditEvent, OutgoingMail
from governance.decisions import services as decision_services
from governance.decisions.models import AdoptionCase
from governance.documents.choices import DocumentAction, DocumentStatus
from governance.documents.models import GeneratedDocument
from governance.parties.choices import ContactRole
from governance.parties.models import ContactAssignment, Organisation
from tests.conftest import DEMO_PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
RECIPIENTS = 6  # municipalities: a memo each, and a mail each one with a contact person
JOBS_TIMEOUT = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(var_dir: Path) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "GOVERNANCE_VAR_DIR": str(var_dir),  # media, mail files and the beat schedule, shared by all
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "GUNICORN_ACCESSLOG": "",
        "LOG_LEVEL": "WARNING",
    }


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Browser:
    """One user's cookies across both web processes (cookies do not depend on the port)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, data: dict | None = None) -> tuple[int, str]:
        connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection_.request(method, path, body=body, headers=headers)
        response = connection_.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        text = response.read().decode(errors="replace")
        connection_.close()
        return response.status, text


def _wait_for_web(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-3000:]
        try:
            if Browser().request(port, "GET", "/halsa/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"web on {port} did not answer: {log.read_text()[-3000:]}")


def _draft(ksl_officer):
    previous = Agreement.objects.get(slug="origo-2016")
    agreement = agreement_create(
        acting_user=None,
        slug=f"origo-horisontell-{uuid.uuid4().hex[:6]}",
        title="Avtal om Origo 2021–2025",
        short_title="Origo",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2025, 12, 31),
        host=previous.host,
        annual_budget=6_000_000,
        basis_rule="fixed_date",
        fixed_basis_date=dt.date(2011, 12, 31),
        fixed_shares=[(Organisation.objects.get(name="Region Stockholm"), Decimal("50"))],
        pool_percent=Decimal("50"),
        previous=previous,
    )
    # Those with a contact person first (a memo and a mail each), then others (a memo each).
    contacts = _contact_organisations()
    municipalities = Organisation.objects.filter(municipality_code__isnull=False).order_by(
        "municipality_code"
    )
    recipients = sorted(municipalities, key=lambda org: org.pk not in contacts)[:RECIPIENTS]
    return decision_services.recommendation_create(
        acting_user=ksl_officer,
        title="Rekommendation om Origo (horisontell skala)",
        board_decision_date=calendar.today(),
        registration_number="KSL/26/0099",
        agreement=agreement,
        answer_deadline=calendar.today() + dt.timedelta(days=60),
        decision_points="att ansluta sig till avtalet",
        recipients=recipients,
    )


def _contact_organisations() -> set[int]:
    """Organisations with a current contact person: the ones the notification job mails."""
    current = ContactAssignment.objects.current(calendar.today()).filter(role=ContactRole.CONTACT_PERSON)
    return set(current.exclude(email="").values_list("organisation_id", flat=True))


def _messages_written(mail_dir: Path) -> Counter:
    """Message-IDs of every message the file backend wrote (one file per connection, messages in a row)."""
    ids = Counter()
    for path in mail_dir.glob("*.log") if mail_dir.exists() else []:
        ids.update(re.findall(r"^Message-ID: (\S+)", path.read_text(errors="replace"), flags=re.MULTILINE))
    return ids


def test_two_webs_two_workers_and_one_beat_run_every_job_once(tmp_path, settings, ksl_officer):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "make test-services sets CELERY_BROKER_URL"
    # The web processes check the password with the product's hasher, not the tests' fast one.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    ksl_officer.set_password(DEMO_PASSWORD)
    ksl_officer.save()
    draft = _draft(ksl_officer)
    mails_before = OutgoingMail.objects.order_by("-id").values_list("id", flat=True).first() or 0

    var_dir = tmp_path / "var"
    env = _environment(var_dir)
    ports = [_free_port(), _free_port()]
    processes = []
    try:
        for n, port in enumerate(ports, start=1):
            web_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
            command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "governance.wsgi"]
            processes.append((_start(command, web_env, tmp_path / f"web{n}.log"), tmp_path / f"web{n}.log"))
        celery = [sys.executable, "-m", "celery", "-A", "governance"]
        for n in (1, 2):
            worker = [*celery, "worker", "-n", f"horisontell{n}@%h", "--concurrency", "1", "-l", "INFO"]
            processes.append((_start(worker, env, tmp_path / f"worker{n}.log"), tmp_path / f"worker{n}.log"))
        beat = [*celery, "beat", "-l", "INFO", "--schedule", str(tmp_path / "beat-schedule")]
        processes.append((_start(beat, env, tmp_path / "beat.log"), tmp_path / "beat.log"))
        for port, (process, log) in zip(ports, processes, strict=False):
            _wait_for_web(port, process, log)
        web1, web2 = ports

        # Logged in on web 1, the same session on web 2.
        user = Browser()
        assert user.request(web1, "GET", "/logga-in/")[0] == 200
        status, _page = user.request(
            web1, "POST", "/logga-in/", {"username": ksl_officer.username, "password": DEMO_PASSWORD}
        )
        assert status == 302 and "sessionid" in user.cookies
        status, page = user.request(web2, "GET", "/")
        assert status == 200 and "Karin Lindqvist" in page

        # Sent through web 2: the notification job and one mail job per case with a contact person.
        status, _page = user.request(
            web2, "POST", f"/anslutning/rekommendation/{draft.slug}/skicka/", {"confirm": "1"}
        )
        assert status == 302, _page[-2000:]
        cases = list(AdoptionCase.objects.filter(recommendation=draft).values_list("pk", flat=True))
        assert len(cases) == RECIPIENTS

        # The batch through web 1, and the same batch (same key) once more through web 2.
        batch_key = str(uuid.uuid4())
        for port in (web1, web2):
            status, _page = user.request(
                port, "POST", f"/anslutning/{draft.slug}/utkast/", {"batch_key": batch_key}
            )
            assert status == 302, _page[-2000:]

        contacted = set(
            AdoptionCase.objects.filter(
                recommendation=draft, organisation_id__in=_contact_organisations()
            ).values_list("pk", flat=True)
        )
        assert contacted, "some recipient has a contact person"
        deadline = time.monotonic() + JOBS_TIMEOUT
        while time.monotonic() < deadline:
            documents = list(GeneratedDocument.objects.filter(batch_key=batch_key))
            mails = list(OutgoingMail.objects.filter(pk__gt=mails_before, purpose_key__startswith="case-"))
            rendered = len(documents) == len(cases) and all(
                d.status in (DocumentStatus.DONE, DocumentStatus.FAILED) for d in documents
            )
            mailed = len(mails) == len(contacted) and all(m.status == OutgoingMail.Status.SENT for m in mails)
            if rendered and mailed:
                break
            time.sleep(1)
        else:
            logs = "\n".join(f"--- {log.name}\n{log.read_text()[-1500:]}" for _p, log in processes)
            pytest.fail(f"the jobs did not finish in {JOBS_TIMEOUT} s: {documents=} {mails=}\n{logs}")
        # Let beat's minutely sweep and any second delivery have their chance to double something.
        time.sleep(2)
    finally:
        for process, _log in processes:
            _stop(process)

    documents = list(GeneratedDocument.objects.filter(batch_key=batch_key))
    assert sorted(d.subject_id for d in documents) == sorted(cases), "one memo per case, none lost or doubled"
    assert {d.status for d in documents} == {DocumentStatus.DONE}, [d.error for d in documents]
    assert all(d.version == 1 for d in documents)
    ids = [str(d.pk) for d in documents]
    for action in (DocumentAction.DOCUMENT_STARTED, DocumentAction.DOCUMENT_GENERATED):
        done = Counter(
            AuditEvent.objects.filter(action=action, object_id__in=ids).values_list("object_id", flat=True)
        )
        assert done == Counter(ids), f"{action}: every memo exactly once, not {done}"

    mails = list(OutgoingMail.objects.filter(pk__gt=mails_before, purpose_key__startswith="case-"))
    assert sorted(m.purpose_key.split(":")[1] for m in mails) == sorted(str(pk) for pk in contacted)
    assert {(m.status, m.attempts) for m in mails} == {(OutgoingMail.Status.SENT, 1)}
    written = _messages_written(var_dir / "mail")
    assert sum(written.values()) == len(mails) and set(written.values()) == {1}, written

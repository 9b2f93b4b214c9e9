"""A real webhook receiver on 127.0.0.1 (``http.server`` in a thread) and the settings that allow it."""

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading

import pytest

from governance.agreements.models import Agreement
from governance.decisions.models import AdoptionCase
from governance.decisions.services import recommendation_create_and_send
from governance.parties.models import Organisation


class Receiver:
    """Records every POST (headers and body) and answers ``status`` (settable: 500 for an outage)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.hang: threading.Event | None = None  # set: requests wait for it and get no answer
        self.port = 0
        self._server = None
        self._thread = None
        self.listening = False

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                record = {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                    "answered": None,
                }
                receiver.requests.append(record)
                if receiver.hang is not None:  # keep the caller waiting, then drop it unanswered
                    receiver.hang.wait(120)
                    record["answered"] = "dropped"
                    return
                record["answered"] = receiver.status
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.listening = True
        return self

    def stop(self):
        """Down: nothing listens on the port any more (a connection is refused)."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self.listening = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def successful(self, event: str | None = None) -> list[dict]:
        return [
            r
            for r in self.requests
            if isinstance(r["answered"], int)
            and 200 <= r["answered"] < 300
            and (event is None or r["headers"]["x-origo-event"] == event)
        ]


def verify(request: dict, secret: str) -> dict:
    """Check the signature as a receiver must (HMAC-SHA256 of "<t>.<body>"); return the parsed body."""
    parts = dict(item.split("=", 1) for item in request["headers"]["x-origo-signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "bad signature"
    payload = json.loads(request["body"])
    assert payload["id"] == request["headers"]["x-origo-delivery"]
    assert payload["event"] == request["headers"]["x-origo-event"]
    return payload


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    running = Receiver().start()
    yield running
    if running.hang is not None:
        running.hang.set()
    if running.listening:
        running.stop()


@pytest.fixture
def real_broker():
    """Requested by a test whose deliveries go through the broker to a real worker (not inline)."""


@pytest.fixture(autouse=True)
def deliveries_inline(monkeypatch, request):
    """The delivery task runs in the test's process when it is enqueued (after a captured commit); the list
    records what was enqueued. A test that requests ``real_broker`` enqueues for real instead."""
    from governance.webhooks import tasks

    enqueued = []
    if "real_broker" in request.fixturenames:
        return enqueued

    def delay(pk):
        enqueued.append(pk)
        return tasks.delivery_deliver.run(pk)

    monkeypatch.setattr(tasks.delivery_deliver, "delay", delay)
    return enqueued


@pytest.fixture
def danderyd_case(db):
    """A new recommendation (on a new agreement) to Danderyd and Ekerö; Danderyd's case just received."""
    agreement, _created = Agreement.objects.get_or_create(
        slug="webhook-avtal",
        defaults={
            "title": "Testavtal",
            "short_title": "Test",
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2028, 12, 31),
            "host": Organisation.objects.get(is_host=True),
        },
    )
    recommendation = recommendation_create_and_send(
        acting_user=None,
        replay=True,
        slug="webhook-rek",
        title="Testrekommendation",
        board_decision_date=dt.date(2025, 3, 1),
        registration_number="KSL/25/9",
        agreement=agreement,
        answer_deadline=dt.date(2025, 10, 31),
        recipients=list(Organisation.objects.filter(municipality_code__in=["0162", "0125"])),
    )
    return AdoptionCase.objects.get(recommendation=recommendation, organisation__municipality_code="0162")

"""The long-lived PDF converter (issue 15): a real unoserver started by ``manage.py converter``.

PDF copies come from the running LibreOffice; with no converter listening they come from a one-shot
LibreOffice; a converter that accepts and does not answer (its process stopped with SIGSTOP) ends as the PDF
note on a finished version, within the timeout. Two conversions at once each get their own PDF. The
supervisor starts LibreOffice afresh after N conversions and when it passes its memory cap."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase
from governance.documents import converter, rendering, services

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"
UNO_PYTHON = os.environ.get("DOCUMENT_CONVERTER_PYTHON", "/usr/bin/python3")


def _why_no_converter() -> str:
    if rendering.soffice_path() is None:
        return "LibreOffice (soffice) is not installed"
    return converter.uno_python_problem(UNO_PYTHON)


pytestmark = [
    pytest.mark.pdf,
    pytest.mark.skipif(bool(_why_no_converter()), reason=f"no converter here: {_why_no_converter()}"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Converter:
    """``manage.py converter`` in a process of its own, on free ports, its output in a file."""

    def __init__(self, log: Path, *extra: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    str(MANAGE),
                    "converter",
                    "--port",
                    str(self.port),
                    "--uno-port",
                    str(_free_port()),
                    "--python",
                    UNO_PYTHON,
                    *extra,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def wait_ready(self, docx: bytes, within: float = 90) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                converter.convert(self.url, docx, timeout=30, connect_timeout=1)
                return
            except converter.Unavailable:
                assert self.process.poll() is None, self.log.read_text()
                time.sleep(0.5)
        raise AssertionError(f"the converter did not answer within {within} s:\n{self.log.read_text()}")

    def unoserver_pid(self) -> int:
        """The supervised unoserver (the converter command's child)."""
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid and fields[0] != "Z":
                    return int(entry.name)
        raise AssertionError("the converter runs no unoserver")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _memo_docx(title: str = "") -> bytes:
    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")
    params = memo_paper.memo_defaults(case, None).__dict__ | {"date": "2012-08-20"}
    if title:
        params["title"] = title
    return rendering.render_docx(
        rendering.builtin_template_path("memo").read_bytes(), memo_paper.memo_context(case, params)
    )


def _text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return ""
    source = tmp_path / f"{uuid.uuid4()}.pdf"
    source.write_bytes(pdf)
    return subprocess.run(  # noqa: S603
        [pdftotext, "-layout", str(source), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def running_converter(tmp_path_factory, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        docx = _memo_docx()
    server = Converter(tmp_path_factory.mktemp("converter") / "converter.log")
    try:
        server.wait_ready(docx)
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _converter_trusted_again(monkeypatch):
    """Each test starts with no converter timeout behind it."""
    monkeypatch.setattr(rendering, "_converter_skipped_until", 0.0)


@pytest.fixture
def one_shots(monkeypatch):
    """Every one-shot LibreOffice started (the real one runs)."""
    calls = []
    real = rendering.convert_one_shot

    def counted(docx, **kwargs):
        calls.append(len(docx))
        return real(docx, **kwargs)

    monkeypatch.setattr(rendering, "convert_one_shot", counted)
    return calls


def test_the_pdf_comes_from_the_running_converter(db, running_converter, one_shots, settings, tmp_path):
    settings.DOCUMENT_CONVERTER_URL = running_converter.url
    pdf = rendering.convert_to_pdf(_memo_docx())
    assert pdf.startswith(b"%PDF")
    assert one_shots == []
    text = _text(pdf, tmp_path)
    assert not text or "Danderyd" in text


def test_with_no_converter_listening_a_one_shot_libreoffice_makes_it(db, one_shots, settings):
    settings.DOCUMENT_CONVERTER_URL = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    pdf = rendering.convert_to_pdf(_memo_docx())
    assert pdf.startswith(b"%PDF")
    assert len(one_shots) == 1


def test_two_conversions_at_once_each_get_their_own_pdf(db, running_converter, settings, tmp_path):
    settings.DOCUMENT_CONVERTER_URL = running_converter.url
    titles = [f"Avtal nummer {n} om samverkan" for n in range(4)]
    documents = [_memo_docx(title) for title in titles]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdfs = list(pool.map(rendering.convert_to_pdf, documents))
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs)
    for title, pdf in zip(titles, pdfs, strict=True):
        text = " ".join(_text(pdf, tmp_path).split())
        if text:
            assert title in text and all(other not in text for other in titles if other != title)


def test_a_hanging_converter_ends_as_the_pdf_note(danderyd_clerk, running_converter, one_shots, settings):
    """The converter accepts the connection and never answers (SIGSTOP): after the timeout the version is
    done, with its .docx and the note; no one-shot LibreOffice is tried behind the hung one."""
    settings.DOCUMENT_CONVERTER_URL = running_converter.url
    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")
    document = services.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, danderyd_clerk).__dict__,
        request_key=uuid.uuid4(),
    )
    pid = running_converter.unoserver_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        with override_settings(DOCUMENT_PDF_TIMEOUT_SECONDS=2):
            started = time.monotonic()
            document = services.document_render(document_id=document.pk)
            took = time.monotonic() - started
        assert one_shots == []
        # the next PDF of this process does not wait for the hung converter again: a one-shot makes it
        assert rendering.convert_to_pdf(_memo_docx()).startswith(b"%PDF")
        assert len(one_shots) == 1
    finally:
        os.kill(pid, signal.SIGCONT)
    assert document.status == "done", document.error
    assert document.file and not document.pdf
    assert document.pdf_note == "PDF misslyckades: PDF-tjänsten blev inte klar inom 2 sekunder."
    assert took < 30


def test_libreoffice_is_started_afresh_after_n_conversions_and_over_its_memory_cap(db, tmp_path, settings):
    docx = _memo_docx()
    counted = Converter(tmp_path / "counted.log", "--stop-after", "2")
    try:
        counted.wait_ready(docx)  # conversion 1
        first = counted.unoserver_pid()
        assert converter.convert(counted.url, docx, timeout=30, connect_timeout=1).startswith(b"%PDF")  # 2
        settings.DOCUMENT_CONVERTER_URL = counted.url
        counted.wait_ready(docx)  # a new LibreOffice answers again
        assert counted.unoserver_pid() != first
        assert "avslutades med kod 0" in counted.log.read_text()
    finally:
        counted.stop()
    capped = Converter(tmp_path / "capped.log", "--max-rss-mb", "20")
    try:
        deadline = time.monotonic() + 60
        while "startas om" not in capped.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "LibreOffice använde" in capped.log.read_text()
    finally:
        capped.stop()
    for server in (counted, capped):
        assert server.process.returncode == 0, server.log.read_text()
        assert "PDF-tjänsten stoppad: avslutas på begäran." in server.log.read_text()


def test_the_converter_opens_every_document_hidden(monkeypatch):
    """``uno_server`` (run under LibreOffice's Python) adds ``Hidden`` to what unoserver opens, once, and passes
    everything else through; with fake unoserver modules, since ``uno`` exists only in LibreOffice's Python."""
    import importlib
    import sys
    import types

    opened = []

    class PropertyValue:
        def __init__(self, Name, Value):
            self.Name, self.Value = Name, Value

    class Desktop:
        other = "passed through"

        def loadComponentFromURL(self, url, target, flags, properties):
            opened.append({prop.Name: prop.Value for prop in properties})
            return "document"

    class UnoConverter:
        def __init__(self, *args, **kwargs):
            self.desktop = Desktop()

    package = types.ModuleType("unoserver")
    package.converter = types.SimpleNamespace(UnoConverter=UnoConverter, PropertyValue=PropertyValue)
    package.server = types.SimpleNamespace(main=lambda: None)
    monkeypatch.setitem(sys.modules, "unoserver", package)
    monkeypatch.delitem(sys.modules, "governance.documents.uno_server", raising=False)
    try:
        importlib.import_module("governance.documents.uno_server")
        desktop = UnoConverter().desktop
        assert desktop.loadComponentFromURL(
            "file:///a.docx", "_default", 0, (PropertyValue("ReadOnly", True),)
        )
        desktop.loadComponentFromURL("file:///b.docx", "_default", 0, (PropertyValue("Hidden", False),))
        assert desktop.other == "passed through"
    finally:
        sys.modules.pop("governance.documents.uno_server", None)
    assert opened == [{"ReadOnly": True, "Hidden": True}, {"Hidden": False}]  # added once, never twice

"""The long-lived PDF converter: unoserver (one LibreOffice kept running) and its client.

Starting LibreOffice costs seconds; converting a memo in a running one costs a fraction of that. So PDF copies
go to an unoserver (PyPI ``unoserver``) at ``DOCUMENT_CONVERTER_URL`` when one answers, and to a one-shot
``soffice --convert-to pdf`` (``rendering.convert_to_pdf``) when none does.

The server (``manage.py converter``, ``serve``) runs unoserver under a Python that has LibreOffice's UNO
bindings (Debian's ``python3-uno``: ``/usr/bin/python3``, not this project's virtualenv) and supervises it:
unoserver stops after ``--stop-after`` conversions and after a conversion that overruns
``--conversion-timeout``; the supervisor also stops it when LibreOffice's memory passes ``--max-rss-mb``, and
starts it again each time, so LibreOffice's memory stays bounded. unoserver answers one request at a time, so
two workers converting at once are served one after the other.

The client (``convert``) speaks unoserver's XML-RPC itself rather than through ``unoserver.client.UnoClient``,
which asks for the filter list before every conversion, retries a refused connection five times ten seconds
apart, and has no timeout. Here: a refused connection is "no converter" at once (``Unavailable``, the caller
falls back), and a converter that accepts but does not answer within the timeout is a DocumentError.

unoserver reads and writes files on its own host where a client names a path, and has no authentication:
bind it to 127.0.0.1 (the default), one converter beside each worker, never on a shared network.
"""

import contextlib
import http.client
import importlib.metadata
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)


class Unavailable(Exception):
    """No converter did it: nothing answers at the address, it went away before answering, or it answered with
    an error (a LibreOffice ending at a restart answers so). The caller falls back to a one-shot LibreOffice,
    which gives the reason if the document itself is at fault."""


class ConversionFailed(Exception):
    """The converter answered with an error, or did not answer in time; the message (Swedish) says which."""


# ---------------------------------------------------------------------------------------------------------
# The client


class _Connection(http.client.HTTPConnection):
    """An HTTP connection with a short timeout for connecting and a long one for the answer."""

    def __init__(self, host: str, *, connect_timeout: float, timeout: float):
        super().__init__(host, timeout=timeout)
        self._connect_timeout = connect_timeout

    connected = False

    def connect(self):
        self.sock = socket.create_connection((self.host, self.port), self._connect_timeout)
        self.connected = True
        self.sock.settimeout(self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Transport(xmlrpc.client.Transport):
    def __init__(self, *, connect_timeout: float, timeout: float):
        super().__init__()
        self._timeouts = {"connect_timeout": connect_timeout, "timeout": timeout}
        self.made: list[_Connection] = []

    def make_connection(self, host):
        self.made.append(_Connection(host, **self._timeouts))
        self._connection = host, self.made[-1]
        return self.made[-1]


def convert(url: str, docx: bytes, *, timeout: float, connect_timeout: float) -> bytes:
    """The PDF of ``docx`` from the unoserver at ``url`` (``http://127.0.0.1:2003``).

    Raises ``Unavailable`` when nothing answers there (refused, unreachable within ``connect_timeout``, the
    connection dropped before an answer) or the answer is an error, ``ConversionFailed`` when it accepted and
    did not answer within ``timeout`` seconds (or answered with something that is not a PDF)."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ConversionFailed(f"DOCUMENT_CONVERTER_URL måste vara en http-adress, inte {url!r}.")
    transport = _Transport(connect_timeout=connect_timeout, timeout=timeout)
    proxy = xmlrpc.client.ServerProxy(
        f"http://{parts.hostname}:{parts.port or 2003}", transport=transport, allow_none=True
    )
    try:
        # unoserver API 3: inpath, indata, outpath, convert_to, filtername, filter_options, update_index,
        # infiltername, password. The document goes as data, never as a path on the converter's host.
        result = proxy.convert(None, xmlrpc.client.Binary(docx), None, "pdf", None, [], False, None, None)
    except TimeoutError as exc:
        if not any(connection.connected for connection in transport.made):
            raise Unavailable(f"no answer at {url} within {connect_timeout:g} s") from exc
        raise ConversionFailed(f"PDF-tjänsten blev inte klar inom {timeout:g} sekunder.") from exc
    except OSError as exc:  # refused, unreachable, unknown host, reset before the answer
        raise Unavailable(f"{url}: {exc}") from exc
    except xmlrpc.client.Error as exc:  # Fault, ProtocolError
        raise Unavailable(f"{url}: {str(exc)[-300:]}") from exc
    finally:
        proxy("close")()
    data = result.data if isinstance(result, xmlrpc.client.Binary) else result
    if not isinstance(data, bytes) or not data.startswith(b"%PDF"):
        raise ConversionFailed("PDF-tjänsten svarade inte med en PDF.")
    return data


# ---------------------------------------------------------------------------------------------------------
# The server: unoserver under LibreOffice's Python, supervised


@dataclass(frozen=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 2003
    uno_port: int = 2002
    python: str = "/usr/bin/python3"  # a Python with LibreOffice's UNO bindings (Debian: python3-uno)
    executable: str | None = None  # soffice; found on PATH by unoserver when None
    stop_after: int = 200  # conversions before LibreOffice is started afresh
    conversion_timeout: int = 60  # seconds; a conversion over it ends LibreOffice (and is started again)
    max_rss_mb: int = 1024  # LibreOffice's resident memory that makes the supervisor start it afresh
    check_every: float = 2.0  # seconds between memory checks


def uno_python_problem(python: str) -> str:
    """Why ``python`` cannot run unoserver (empty when it can): it must exist and import ``uno``."""
    try:
        done = subprocess.run(  # noqa: S603
            [python, "-c", "import uno"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{python} kan inte startas ({exc})."
    if done.returncode != 0:
        return (
            f"{python} har inte LibreOffice:s Python-gränssnitt (modulen uno saknas; på Debian: "
            "apt-get install python3-uno)."
        )
    return ""


#: The module LibreOffice's Python runs: unoserver's server, documents opened hidden (``uno_server.py``).
SERVER_MODULE = "origo_uno_server"


def _unoserver_path(into: Path) -> Path:
    """A directory holding only unoserver (from this virtualenv), its metadata and ``uno_server.py`` (as
    ``origo_uno_server``), for LibreOffice's Python: nothing else of the virtualenv comes onto its path."""
    spec = importlib.util.find_spec("unoserver")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("unoserver is not installed in this environment")
    package = Path(next(iter(spec.submodule_search_locations)))
    files = importlib.metadata.distribution("unoserver").files or []
    # the .dist-info directory: unoserver reads its own version from it
    metadata = Path(next(f for f in files if f.name == "METADATA").locate()).parent
    for source in (package, metadata):
        (into / source.name).symlink_to(source, target_is_directory=True)
    (into / f"{SERVER_MODULE}.py").symlink_to(Path(__file__).with_name("uno_server.py"))
    return into


def server_command(options: ServerOptions) -> list[str]:
    command = [
        options.python,
        "-m",
        SERVER_MODULE,
        "--interface",
        options.host,
        "--port",
        str(options.port),
        "--uno-port",
        str(options.uno_port),
        "--conversion-timeout",
        str(options.conversion_timeout),
        "--stop-after",
        str(options.stop_after),
    ]
    if options.executable:
        command += ["--executable", options.executable]
    return command


def group_rss_mb(group: int) -> float:
    """Resident memory of every process in process group ``group`` (unoserver, oosplash, soffice.bin)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp is the 5th field of stat, the 3rd after the command
            total += int(fields[21])  # rss in pages is the 24th
    return total * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def serve(options: ServerOptions, *, runs: int | None = None, log=logger.info) -> None:
    """Run unoserver and start it again whenever it stops (after ``stop_after`` conversions, a conversion
    timeout, a crash, or LibreOffice over ``max_rss_mb``), until SIGTERM or SIGINT (or ``runs`` starts)."""
    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    started = 0
    try:
        with tempfile.TemporaryDirectory(prefix="origo-converter-") as work:
            env = dict(os.environ, PYTHONPATH=str(_unoserver_path(Path(work))), PYTHONNOUSERSITE="1")
            while not stopping and (runs is None or started < runs):
                started += 1
                began = time.monotonic()
                process = subprocess.Popen(  # noqa: S603
                    server_command(options), env=env, stdin=subprocess.DEVNULL, start_new_session=True
                )
                log(f"PDF-tjänsten startad (pid {process.pid}) på {options.host}:{options.port}.")
                reason = _watch(process, options, stopping)
                _stop_group(process)
                log(f"PDF-tjänsten stoppad: {reason}.")
                if not stopping and time.monotonic() - began < 10:
                    time.sleep(5)  # it died at once: do not spin
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _watch(process: subprocess.Popen, options: ServerOptions, stopping: list) -> str:
    while True:
        try:
            code = process.wait(timeout=options.check_every)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None:
            return f"avslutades med kod {code}"
        if stopping:
            return "avslutas på begäran"
        rss = group_rss_mb(process.pid)
        if rss > options.max_rss_mb:
            return f"LibreOffice använde {rss:.0f} MB (gräns {options.max_rss_mb} MB); startas om"


def _stop_group(process: subprocess.Popen) -> None:
    """SIGTERM to unoserver's process group (it ends LibreOffice), SIGKILL to what is left after 10 s."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)

"""The document engine: sandboxed .docx rendering and PDF conversion through LibreOffice.

Templates are docxtpl .docx files (templates/docs/, or one a host administrator uploaded). They are rendered in
a sandboxed Jinja environment with autoescape on and StrictUndefined, so user text with ``&``, ``<`` and
quotes stays valid XML and a template cannot reach Python internals or misspell a variable silently.

An uploaded template is untrusted, so rendering is limited three ways:

1. The archive is checked before anything parses it (``check_archive``): unpacked size, number of parts,
   compression ratio, the size of ``word/document.xml``, and no DTD (``<!DOCTYPE``/``<!ENTITY``) anywhere.
2. The sandbox (``LimitedSandbox``, in ``sandbox.py``) refuses strings and lists over a size (``*``, ``+``, ``%``, ``~``, calls and
   filters), ``range`` over a size, huge powers, and more loop iterations in one render than a cap.
3. The render runs in a forked child process (``_run_limited``) with a CPU-time and address-space limit
   (``resource.setrlimit``) and a wall-clock limit enforced by the parent, which kills it. Whatever the template
   does, its memory goes away with the child; the parent gets the .docx bytes or a Swedish reason.

The built-in templates (``is_builtin``) are trusted: each is compiled once (``compiled.py``) and rendered in the
calling process, in the same sandbox, without the fork (issue 15). PDF copies come from the long-lived
converter when one answers (``converter.py``), else from a LibreOffice started for the file.

The limits are Django settings with the defaults in ``LIMIT_DEFAULTS`` (README, "Limits on rendering").
"""

import contextlib
import copy
import functools
import hashlib
import io
import json
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SecurityError

from . import compiled, converter
from .choices import DocumentKind
from .sandbox import (  # noqa: F401  (the limits and the sandbox, named here as before)
    LIMIT_DEFAULTS,
    MB,
    TOO_MUCH,
    LimitedSandbox,
    LimitExceeded,
    limit,
    sandbox,
)

BUILTIN = {
    DocumentKind.MEMO: "tjansteutlatande.docx",
    DocumentKind.CONSULTATION_RESPONSE: "remissvar.docx",
    DocumentKind.COMPILATION: "sammanstallning.docx",
    DocumentKind.AGREEMENT: "avtal.docx",
    DocumentKind.NOTICE: "kallelse.docx",
    DocumentKind.MINUTES: "protokoll.docx",
    DocumentKind.EXTRACT: "protokollsutdrag.docx",
}
MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentError(Exception):
    """A template or its data cannot be rendered; the message (Swedish) says why."""


def builtin_template_path(kind: str) -> Path:
    return Path(settings.BASE_DIR) / "templates" / "docs" / BUILTIN[kind]


# ---------------------------------------------------------------------------------------------------------
# The archive, before anything parses it

_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_archive(content: bytes) -> None:
    """Refuse, with a Swedish reason, an archive too big to unpack safely: more parts, more unpacked bytes, a
    bigger ``word/document.xml`` or a higher compression ratio than the limits, or any DTD (a .docx has none;
    a DTD is how "billion laughs" entity expansion starts)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DocumentError("Filen är inte en giltig .docx-mall.") from exc
    with archive:
        infos = archive.infolist()
        max_parts = limit("DOCUMENT_TEMPLATE_MAX_PARTS")
        if len(infos) > max_parts:
            raise DocumentError(f"Mallen har för många delar ({len(infos):n}; högst {max_parts:n}).")
        total = sum(info.file_size for info in infos)
        max_total = limit("DOCUMENT_TEMPLATE_MAX_UNZIPPED_MB") * MB
        if total > max_total:
            raise DocumentError(
                f"Mallen blir för stor uppackad ({total / MB:.0f} MB; högst {max_total // MB} MB)."
            )
        max_xml = limit("DOCUMENT_TEMPLATE_MAX_DOCUMENT_XML_MB") * MB
        max_ratio = limit("DOCUMENT_TEMPLATE_MAX_RATIO")
        for info in infos:
            if info.filename == "word/document.xml" and info.file_size > max_xml:
                raise DocumentError(
                    f"Mallens textdel (word/document.xml) är för stor ({info.file_size / MB:.0f} MB; "
                    f"högst {max_xml // MB} MB)."
                )
            if info.file_size > MB and info.file_size > max_ratio * max(info.compress_size, 1):
                raise DocumentError(
                    f"Mallen är packad på ett misstänkt sätt: delen {info.filename} packas upp mer än "
                    f"{max_ratio} gånger."
                )
        for info in infos:
            if info.filename.endswith((".xml", ".rels")) and _has_dtd(archive, info):
                raise DocumentError(
                    "Mallen innehåller en DTD (<!DOCTYPE> eller <!ENTITY>), som Word-dokument inte har."
                )


def _has_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(MB):
                if _DTD.search(tail + chunk):
                    return True
                tail = chunk[-16:]
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise DocumentError("Filen är inte en giltig .docx-mall.") from exc
    return False


# ---------------------------------------------------------------------------------------------------------
# Rendering, in a child process with limits


def render_docx(template_bytes: bytes, context: dict) -> bytes:
    """Render a .docx template with ``context``; raises DocumentError with a Swedish reason.

    A built-in template (``is_builtin``) is trusted: it is compiled once (``compiled.py``, cached per SHA-256)
    and rendered in this process, in the sandbox. Any other template (an upload) is checked and rendered in the
    limited child, from scratch."""
    digest = sha256(template_bytes)
    if is_builtin(digest):
        return _render_compiled(template_bytes, digest, context)
    check_archive(template_bytes)
    return _run_limited(_render_docx_here, template_bytes, context)


@functools.cache
def _builtin_digests() -> frozenset[str]:
    """The SHA-256 of each built-in template, read once per process (they change only with a deployment)."""
    return frozenset(sha256(builtin_template_path(kind).read_bytes()) for kind in BUILTIN)


def is_builtin(digest: str) -> bool:
    return digest in _builtin_digests()


def _cache_size() -> int:
    return limit("DOCUMENT_TEMPLATE_CACHE_SIZE")


TEMPLATE_CACHE = compiled.TemplateCache(_cache_size)


def _render_compiled(template_bytes: bytes, digest: str, context: dict) -> bytes:
    """Render a trusted template from its compiled form (compiled on first use, kept in ``TEMPLATE_CACHE``
    per SHA-256 and sandbox limits)."""
    key = (
        digest,
        limit("DOCUMENT_RENDER_MAX_LENGTH"),
        limit("DOCUMENT_RENDER_MAX_RANGE"),
        limit("DOCUMENT_RENDER_MAX_LOOP_ITERATIONS"),
    )
    with _swedish_errors():
        try:
            template = TEMPLATE_CACHE.get(key, lambda: compiled.compile_template(template_bytes, sandbox()))
        except compiled.Unsupported:
            return _render_docx_here(template_bytes, context)
        return compiled.render(
            template, context, keep_together=keep_together_element, set_properties=_properties
        )


@contextlib.contextmanager
def _swedish_errors():
    """Whatever goes wrong in a render, as DocumentError with a Swedish reason."""
    try:
        yield
    except DocumentError:
        raise
    except LimitExceeded as exc:
        raise DocumentError(str(exc)) from exc
    except SecurityError as exc:
        raise DocumentError(
            "Mallen försöker nå sådant som inte är tillåtet (t.ex. __class__ eller andra interna attribut)."
        ) from exc
    except TemplateError as exc:
        raise DocumentError(_template_error(exc)) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError("Filen är inte en giltig .docx-mall.") from exc
    except (MemoryError, OverflowError, RecursionError) as exc:
        raise DocumentError(f"{TOO_MUCH} ({type(exc).__name__}).") from exc


def _render_docx_here(template_bytes: bytes, context: dict) -> bytes:
    with _swedish_errors():
        template = DocxTemplate(io.BytesIO(template_bytes))
        template.render(context, jinja_env=sandbox(), autoescape=True)
        keep_together(template.docx)
        _properties(template.docx.core_properties, context)
        out = io.BytesIO()
        template.save(out)
    return out.getvalue()


def undeclared_variables(template_bytes: bytes, context: dict) -> set[str]:
    """Variables the template uses that ``context`` does not provide; DocumentError if it does not parse."""
    check_archive(template_bytes)
    names = _run_limited(_undeclared_here, template_bytes, sorted(context))
    return set(json.loads(names))


def _undeclared_here(template_bytes: bytes, context_names: list[str]) -> bytes:
    try:
        template = DocxTemplate(io.BytesIO(template_bytes))
        names = template.get_undeclared_template_variables(
            jinja_env=sandbox(), context=dict.fromkeys(context_names)
        )
    except TemplateError as exc:
        raise DocumentError(_template_error(exc)) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError("Filen är inte en giltig .docx-mall.") from exc
    except (MemoryError, RecursionError) as exc:
        raise DocumentError(f"{TOO_MUCH} ({type(exc).__name__}).") from exc
    return json.dumps(sorted(names)).encode()


def _run_limited(function: Callable[..., bytes], *args) -> bytes:
    """``function(*args)`` in a forked child with CPU-time and address-space limits and a wall-clock limit;
    its bytes come back through a pipe. A DocumentError in the child is raised here with its message; a child
    that is killed or dies becomes DocumentError(TOO_MUCH). Nothing is pickled: the child inherits the
    arguments, and the answer is one status byte and the payload."""
    if not limit("DOCUMENT_RENDER_IN_CHILD"):
        return function(*args)
    timeout = limit("DOCUMENT_RENDER_TIMEOUT_SECONDS")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child_main(read_end, write_end, function, args)
    os.close(write_end)
    chunks: list[bytes] = []
    killed = False
    try:
        deadline = time.monotonic() + timeout
        poller = select.poll()  # not select(): a busy web process may have descriptors above FD_SETSIZE
        poller.register(read_end, select.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                killed = True
                break
            chunk = os.read(read_end, MB)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _reap(pid)
    data = b"".join(chunks)
    if killed:
        raise DocumentError(f"{TOO_MUCH} (avbröts efter {timeout} sekunder).")
    if data[:1] == b"O":
        return data[1:]
    if data[:1] == b"E":
        raise DocumentError(data[1:].decode(errors="replace"))
    raise DocumentError(f"{TOO_MUCH} (processen stoppades vid gränsen för minne eller processortid).")


def _reap(pid: int) -> None:
    """Wait for the child; kill it first if it is still running."""
    with contextlib.suppress(ChildProcessError, ProcessLookupError):  # already reaped, or gone
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


_INHERITED = []  # the parent's database connections, kept referenced in the child so they are never closed


def _child_main(read_end: int, write_end: int, function: Callable[..., bytes], args: tuple) -> None:
    status = 0
    try:
        os.close(read_end)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1, signal.SIGALRM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        _forget_database_connections()
        _set_limits()
        try:
            answer = b"O" + function(*args)
        except DocumentError as exc:
            answer = b"E" + str(exc).encode()
        except MemoryError:
            answer = b"E" + f"{TOO_MUCH} (minnesgränsen nåddes).".encode()
        except Exception as exc:
            answer = b"E" + f"Mallen kunde inte fyllas i ({type(exc).__name__}).".encode()
        view = memoryview(answer)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _forget_database_connections() -> None:
    """The child must not use (or close) the parent's database connection: a query on it would interleave with
    the parent's protocol state, and closing it would end the parent's session. Rendering needs no database, so
    any attempt to connect fails."""
    from django.db import connections

    def refuse(*_args, **_kwargs):
        raise DocumentError("Mallen försökte läsa databasen, vilket inte är tillåtet när den fylls i.")

    for connection in connections.all():
        _INHERITED.append(connection.connection)
        connection.connection = None
        connection.connect = refuse


def _set_limits() -> None:
    cpu = limit("DOCUMENT_RENDER_CPU_SECONDS")
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = current + limit("DOCUMENT_RENDER_MEMORY_MB") * MB
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


# Text that must not break at a line end: dates and date ranges (2012-09-10, 2016–2020), "§ 103", "t o m",
# "kl. 13.00", "45 612 kr" and "KS 2012/45".
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NO_BREAK_SPACES = re.compile(r"(?<!\w)(§|t|o|kl\.|nr|KS|SN|Dnr|Utl\.) (?=\d|o m\b|m\b)|(?<=\d) (?=kr\b|%|§)")


def _no_break_spaces(text: str) -> str:
    return _NO_BREAK_SPACES.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


def _properties(properties, context: dict) -> None:
    """The file's properties (``CoreProperties``): generated now by the system, titled as the document (not
    python-docx's)."""
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0, tzinfo=None)
    properties.created = properties.modified = now
    properties.author = properties.last_modified_by = "Origo samverkan"
    properties.comments = ""
    properties.language = "sv-SE"
    title = context.get("title") if isinstance(context.get("title"), str) else ""
    properties.title = title[:250]


def keep_together(document) -> None:
    """Dates keep their hyphens (Word's non-breaking hyphen, ``w:noBreakHyphen``) and short references
    their spaces (no-break space), so no date, paragraph number or amount is split at a line end."""
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    for part in parts:
        keep_together_element(part)


def keep_together_element(part) -> None:
    """``keep_together`` on one element (a body, a header or a footer)."""
    for text in list(part.iter(qn("w:t"))):
        value = text.text or ""
        if not value:
            continue
        spaced = _no_break_spaces(value)
        if not _DATE.search(spaced):
            if spaced != value:
                text.text = spaced
            continue
        # "2012-09-10" → "2012", <w:noBreakHyphen/>, "09", <w:noBreakHyphen/>, "10" inside the same run.
        pieces: list[str | None] = []
        last = 0
        for match in _DATE.finditer(spaced):
            pieces.append(spaced[last : match.start()])
            year, month, day = match.group(0).split("-")
            pieces += [year, None, month, None, day]
            last = match.end()
        pieces.append(spaced[last:])
        anchor = text
        first = True
        for piece in pieces:
            if piece is None:
                element = text.makeelement(qn("w:noBreakHyphen"), {})
            elif first:
                first = False
                text.text = piece
                text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                continue
            elif not piece:
                continue
            else:
                element = copy.deepcopy(text)
                element.text = piece
            anchor.addnext(element)
            anchor = element


def _template_error(exc: TemplateError) -> str:
    """A Swedish explanation of a Jinja error, naming the variable where there is one."""
    from jinja2 import TemplateSyntaxError, UndefinedError

    if isinstance(exc, TemplateSyntaxError):
        return "Mallen har ett syntaxfel i en {{ }}- eller {% %}-tagg (kontrollera att varje tagg är stängd)."
    if isinstance(exc, UndefinedError):
        return f"Mallen använder något som inte finns i underlaget ({exc.message})."
    return "Mallen kunde inte fyllas i."


def is_docx(content: bytes) -> bool:
    """A real .docx: a zip archive with the Word main part and content types."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def converter_url() -> str:
    """Where the long-lived converter (unoserver, ``converter.py``) listens; empty: never ask one."""
    return getattr(settings, "DOCUMENT_CONVERTER_URL", "")


def convert_to_pdf(docx: bytes, *, timeout: int | None = None) -> bytes | None:
    """A PDF copy through LibreOffice: from the long-lived converter at ``DOCUMENT_CONVERTER_URL`` when one
    answers there, else from a LibreOffice started for this file (``convert_one_shot``).

    Returns None when neither is available; raises DocumentError (Swedish) when the conversion fails or takes
    longer than ``timeout`` (default: the DOCUMENT_PDF_TIMEOUT_SECONDS setting). A converter that does not
    accept the connection within DOCUMENT_CONVERTER_CONNECT_TIMEOUT_SECONDS, or drops it before answering (it
    is restarting), counts as absent; one that accepts and does not answer in time is a failure, not retried,
    and this process leaves it alone for DOCUMENT_CONVERTER_RETRY_AFTER_SECONDS (the next PDFs are one-shot),
    so a hung converter costs one timeout, not one per document of a batch."""
    global _converter_skipped_until
    timeout = limit("DOCUMENT_PDF_TIMEOUT_SECONDS") if timeout is None else timeout
    url = converter_url()
    if url and time.monotonic() >= _converter_skipped_until:
        started = time.monotonic()
        try:
            return converter.convert(
                url,
                docx,
                timeout=timeout,
                connect_timeout=limit("DOCUMENT_CONVERTER_CONNECT_TIMEOUT_SECONDS"),
            )
        except converter.ConversionFailed as exc:
            _converter_skipped_until = time.monotonic() + limit("DOCUMENT_CONVERTER_RETRY_AFTER_SECONDS")
            raise DocumentError(str(exc)) from exc
        except converter.Unavailable:
            timeout = max(1, round(timeout - (time.monotonic() - started)))
    return convert_one_shot(docx, timeout=timeout)


_converter_skipped_until = 0.0  # monotonic time; after a converter timed out, one-shot conversions until then


def convert_one_shot(docx: bytes, *, timeout: int | None = None) -> bytes | None:
    """A PDF copy through a LibreOffice started for this file, with a throwaway user profile so conversions
    can run in parallel. None when LibreOffice is not installed here.

    LibreOffice runs in a session of its own, and on a timeout the whole process group is killed: ``soffice``
    starts ``soffice.bin``, which would otherwise go on at full CPU after its parent is gone."""
    binary = soffice_path()
    if binary is None:
        return None
    timeout = limit("DOCUMENT_PDF_TIMEOUT_SECONDS") if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="soffice-") as work:
        source = Path(work) / "document.docx"
        source.write_bytes(docx)
        profile = Path(work) / "profile"
        process = subprocess.Popen(  # noqa: S603
            [
                binary,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                work,
                str(source),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            _kill_group(process)
            raise DocumentError(f"LibreOffice blev inte klar inom {timeout} sekunder.") from exc
        except BaseException:
            _kill_group(process)
            raise
        finally:
            _kill_group(process, only_leftovers=True)
        target = Path(work) / "document.pdf"
        if process.returncode != 0 or not target.exists():
            raise DocumentError(f"LibreOffice kunde inte skapa PDF: {stderr.decode(errors='replace')[:300]}")
        return target.read_bytes()


def _kill_group(process: subprocess.Popen, *, only_leftovers: bool = False) -> None:
    """SIGKILL to the process group ``process`` leads (its own session), then reap ``process``. With
    ``only_leftovers`` the leader has exited already and only what it left behind in the group is killed."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if not only_leftovers:
        try:
            process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

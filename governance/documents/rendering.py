"""The document engine: sandboxed .docx rendering and PDF conversion through LibreOffice.

Templates are docxtpl .docx files (templates/docs/, or one a host administrator uploaded). They are rendered in
a sandboxed Jinja environment with autoescape on and StrictUndefined, so user text with ``&``, ``<`` and
quotes stays valid XML and a template cannot reach Python internals or misspell a variable silently.
"""

import copy
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .choices import DocumentKind

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


def sandbox() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def render_docx(template_bytes: bytes, context: dict) -> bytes:
    """Render a .docx template with ``context``; raises DocumentError with a Swedish reason."""
    try:
        template = DocxTemplate(io.BytesIO(template_bytes))
        template.render(context, jinja_env=sandbox(), autoescape=True)
        keep_together(template.docx)
        _properties(template.docx, context)
        out = io.BytesIO()
        template.save(out)
    except SecurityError as exc:
        raise DocumentError(
            "Mallen försöker nå sådant som inte är tillåtet (t.ex. __class__ eller andra interna attribut)."
        ) from exc
    except TemplateError as exc:
        raise DocumentError(_template_error(exc)) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError("Filen är inte en giltig .docx-mall.") from exc
    return out.getvalue()


# Text that must not break at a line end: dates and date ranges (2012-09-10, 2016–2020), "§ 103", "t o m",
# "kl. 13.00", "45 612 kr" and "KS 2012/45".
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_NO_BREAK_SPACES = re.compile(r"(?<!\w)(§|t|o|kl\.|nr|KS|SN|Dnr|Utl\.) (?=\d|o m\b|m\b)|(?<=\d) (?=kr\b|%|§)")


def _no_break_spaces(text: str) -> str:
    return _NO_BREAK_SPACES.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


def _properties(document, context: dict) -> None:
    """The file's properties: generated now by the system, titled as the document (not python-docx's)."""
    from django.utils import timezone

    properties = document.core_properties
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


def undeclared_variables(template_bytes: bytes, context: dict) -> set[str]:
    """Variables the template uses that ``context`` does not provide; DocumentError if it does not parse."""
    try:
        template = DocxTemplate(io.BytesIO(template_bytes))
        return template.get_undeclared_template_variables(jinja_env=sandbox(), context=context)
    except TemplateError as exc:
        raise DocumentError(_template_error(exc)) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError("Filen är inte en giltig .docx-mall.") from exc


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


def convert_to_pdf(docx: bytes, *, timeout: int = 120) -> bytes | None:
    """A PDF copy through LibreOffice, with a throwaway user profile so conversions can run in parallel.

    Returns None when LibreOffice is not installed."""
    binary = soffice_path()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="soffice-") as work:
        source = Path(work) / "document.docx"
        source.write_bytes(docx)
        profile = Path(work) / "profile"
        result = subprocess.run(  # noqa: S603
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
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        target = Path(work) / "document.pdf"
        if result.returncode != 0 or not target.exists():
            raise DocumentError(
                f"LibreOffice kunde inte skapa PDF: {result.stderr.decode(errors='replace')[:300]}"
            )
        return target.read_bytes()

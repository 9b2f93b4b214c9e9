"""The document engine: sandboxed .docx rendering and PDF conversion through LibreOffice.

Templates are docxtpl .docx files (templates/docs/, or one a host administrator uploaded). They are rendered in
a sandboxed Jinja environment with autoescape on and StrictUndefined, so user text with ``&``, ``<`` and
quotes stays valid XML and a template cannot reach Python internals or misspell a variable silently.
"""

import hashlib
import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
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

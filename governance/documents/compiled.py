"""Compiled templates: a .docx template parsed, patched and compiled once, then rendered many times.

A plain docxtpl render opens the whole package with python-docx, runs its regular expressions over the XML,
compiles every part as a Jinja template, renders, and saves the package again, compressing every part (the
built-in templates carry 800 kB of styles). Only the main document, its headers, footers and footnotes and
the core properties change from one render to the next, so ``compile_template`` does the rest once:

- the parts that do not change are written, compressed, into a zip (``prefix``); a render appends the parts
  it renders to a copy of it (``zipfile`` in append mode), so nothing unchanged is compressed again;
- each part's XML is patched by docxtpl's own ``patch_xml`` and compiled in the sandbox once;
- the main document is kept parsed without its body; a render inserts the rendered body.

A render then does what docxtpl's ``render`` does after compiling (``resolve_listing``, ``fix_tables``,
``fix_docpr_ids``), plus this project's post-processing (``keep_together``, the file's properties), with
docxtpl's own functions, so the .docx is the one a fresh ``DocxTemplate`` would give.

Compiled templates are kept per SHA-256 of the template and the sandbox's limits, at most
``DOCUMENT_TEMPLATE_CACHE_SIZE`` of them (least recently used first out). Only trusted templates (the built-in
ones, ``rendering.is_builtin``) are compiled in the calling process: patching and compiling an uploaded
template runs in the limited child like the rest of its render (``rendering.render_docx``).
"""

import copy
import io
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Template
from lxml import etree

#: The core properties docxtpl renders as templates (``DocxTemplate.render_properties``).
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
DEFAULT_CACHE_SIZE = 16


@dataclass(frozen=True)
class RenderedPart:
    """A header, footer or footnotes part: its name in the package, encoding and compiled template."""

    name: str
    encoding: str
    template: Template
    keep_together: bool


@dataclass(frozen=True)
class CompiledTemplate:
    environment: object  # the LimitedSandbox the templates are compiled in
    prefix: bytes  # a zip of every part a render does not change
    document_name: str
    shell: etree._Element  # the main document's root without its body
    body_index: int
    body: Template
    parts: tuple[RenderedPart, ...]
    core_name: str
    core_xml: bytes
    properties: tuple[tuple[str, Template], ...]


class Unsupported(Exception):
    """The template has a shape the compiled path does not handle (no core properties part, for one); the
    caller renders it with plain docxtpl instead."""


def compile_template(template_bytes: bytes, environment) -> CompiledTemplate:
    """Parse, patch and compile ``template_bytes`` in ``environment``. Raises what docxtpl, python-docx and
    Jinja raise on a broken template, and ``Unsupported``."""
    tpl = DocxTemplate(io.BytesIO(template_bytes))
    tpl.init_docx()
    document = tpl.docx
    package = document.part.package
    try:
        core_part = package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError as exc:
        raise Unsupported("no core properties part") from exc
    document_name = document.part.partname.lstrip("/")
    core_name = core_part.partname.lstrip("/")

    def compiled(xml: str) -> Template:
        # as docxtpl's render_xml_part: every paragraph on a line of its own, for Jinja's line numbers
        return environment.from_string(_PARAGRAPH_START.sub(r"\n<w:p\1", xml))

    body = compiled(tpl.patch_xml(tpl.get_xml()))
    parts = []
    for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
        for _rel, part in tpl.get_headers_footers(uri):
            xml = tpl.get_part_xml(part)
            parts.append(
                RenderedPart(
                    part.partname.lstrip("/"),
                    tpl.get_headers_footers_encoding(xml),
                    compiled(tpl.patch_xml(xml)),
                    keep_together=True,
                )
            )
    for part in package.parts:
        if part.content_type == _FOOTNOTES and part.partname.lstrip("/") not in {p.name for p in parts}:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            parts.append(
                RenderedPart(part.partname.lstrip("/"), "utf-8", compiled(tpl.patch_xml(blob)), False)
            )
    properties = tuple(
        (name, environment.from_string(getattr(document.core_properties, name) or "")) for name in PROPERTIES
    )
    changed = {document_name, core_name, *(p.name for p in parts)}
    with zipfile.ZipFile(io.BytesIO(template_bytes)) as source:
        shell = parse_xml(source.read(document_name))
        core_xml = source.read(core_name)
        prefix = io.BytesIO()
        with zipfile.ZipFile(prefix, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename not in changed and not info.is_dir():
                    target.writestr(info.filename, source.read(info.filename))
    old_body = shell.find(qn("w:body"))
    if old_body is None:
        raise Unsupported("no body")
    body_index = shell.index(old_body)
    shell.remove(old_body)
    return CompiledTemplate(
        environment=environment,
        prefix=prefix.getvalue(),
        document_name=document_name,
        shell=shell,
        body_index=body_index,
        body=body,
        parts=tuple(parts),
        core_name=core_name,
        core_xml=core_xml,
        properties=properties,
    )


_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def render(
    compiled: CompiledTemplate,
    context: dict,
    *,
    keep_together: Callable[[etree._Element], None],
    set_properties: Callable[[CoreProperties, dict], None],
) -> bytes:
    """The .docx of ``compiled`` filled in with ``context``; ``keep_together`` post-processes each rendered
    body, header and footer element and ``set_properties`` the file's properties."""
    environment = compiled.environment
    environment.start_render()
    helper = DocxTemplate(None)  # docxtpl's post-processing, on a template object of our own
    helper.docx_ids_index = 1000
    body = helper.fix_tables(_finish(helper, compiled.body.render(context)))
    helper.fix_docpr_ids(body)
    keep_together(body)
    root = copy.deepcopy(compiled.shell)
    root.insert(compiled.body_index, body)
    changed = {compiled.document_name: serialize_part_xml(root)}
    for part in compiled.parts:
        xml = _finish(helper, part.template.render(context))
        if part.keep_together:
            element = parse_xml(xml.encode(part.encoding))
            keep_together(element)
            changed[part.name] = serialize_part_xml(element)
        else:
            changed[part.name] = xml.encode(part.encoding)
    core = parse_xml(compiled.core_xml)
    properties = CoreProperties(core)
    for name, template in compiled.properties:
        setattr(properties, name, template.render(context))
    set_properties(properties, context)
    changed[compiled.core_name] = serialize_part_xml(core)
    out = io.BytesIO(compiled.prefix)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in changed.items():
            archive.writestr(name, data)
    return out.getvalue()


_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_PARAGRAPH_LINE = re.compile(r"\n<w:p([ >])")


def _finish(helper: DocxTemplate, xml: str) -> str:
    """What docxtpl's ``render_xml_part`` does to a rendered part: paragraphs back on one line, escaped braces
    restored, listings resolved."""
    xml = _PARAGRAPH_LINE.sub(r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return helper.resolve_listing(xml)


class TemplateCache:
    """At most ``size()`` compiled templates, least recently used out first; safe across threads (a template
    compiled twice at once is compiled twice, and one of the two kept)."""

    def __init__(self, size: Callable[[], int]):
        self._size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build: Callable[[], CompiledTemplate]) -> CompiledTemplate:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = build()
        with self._lock:
            self._items[key] = made
            self._items.move_to_end(key)
            while len(self._items) > max(self._size(), 0):
                self._items.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

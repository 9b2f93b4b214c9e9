"""Uploaded templates cannot exhaust the host (issue 12, item 1).

Each hostile template is refused at upload (a Swedish ValidationError, nothing stored) and fails a render with
DocumentError, and the test process does not grow: the render runs in a child process with CPU, memory and
wall-clock limits, after the archive's sizes are checked and inside a sandbox with size and loop caps. The
limits are lowered here so that every test is quick."""

import io
import random
import resource
import string
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from docx import Document

from governance.documents import rendering, services
from governance.documents.models import DocumentTemplate
from governance.parties.models import Organisation

FAST = {
    "DOCUMENT_RENDER_CPU_SECONDS": 5,
    "DOCUMENT_RENDER_MEMORY_MB": 300,
    "DOCUMENT_RENDER_TIMEOUT_SECONDS": 5,
}
NO_SANDBOX_CAPS = {
    "DOCUMENT_RENDER_MAX_LENGTH": 10**12,
    "DOCUMENT_RENDER_MAX_RANGE": 10**12,
    "DOCUMENT_RENDER_MAX_LOOP_ITERATIONS": 10**15,
}
TOO_MUCH = "för mycket minne eller tid att fylla i"
GROWTH_KB = 200 * 1024  # ru_maxrss is in kB on Linux


def _template_with(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rewritten(
    content: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
):
    """``content`` with some parts replaced and others added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, data in add.items():
            target.writestr(name, data)
    return out.getvalue()


def _maxrss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _refused_everywhere(host_admin, content: bytes, message: str) -> None:
    """Refused at upload with ``message`` and nothing stored; a render fails with DocumentError; the test
    process has not grown."""
    before_rss = _maxrss()
    before = DocumentTemplate.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.template_upload(acting_user=host_admin, kind="memo", name="mall.docx", content=content)
    assert DocumentTemplate.objects.count() == before
    with pytest.raises(rendering.DocumentError, match=message):
        rendering.render_docx(content, services.sample_context("memo"))
    assert _maxrss() - before_rss < GROWTH_KB
    # the parent's database connection is intact after the child has gone
    assert Organisation.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'a' * 10**9 }}",
        "{{ ['a'] * 10**9 }}",
        "{% for i in range(10**9) %}x{% endfor %}",
        "{% for i in range(10000) %}{% for j in range(10000) %}{{ j }}{% endfor %}{% endfor %}",
        "{% set ns = namespace(s='a' * 100000) %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}",
        "{{ 'a'|center(10**9) }}",
        "{{ 'a'.ljust(10**9) }}",
        "{{ '{:>999999999}'.format('a') }}",
        "{{ '%999999999d' % 1 }}",
        "{{ 7 ** 10000000 }}",
    ],
    ids=[
        "string-times",
        "list-times",
        "range",
        "nested-loops",
        "doubling",
        "center",
        "ljust",
        "format",
        "percent",
        "power",
    ],
)
@override_settings(**FAST)
def test_sandbox_caps_refuse_hostile_templates(host_admin, text):
    _refused_everywhere(host_admin, _template_with(text), TOO_MUCH)


@override_settings(**(FAST | NO_SANDBOX_CAPS | {"DOCUMENT_RENDER_MEMORY_MB": 150}))
def test_the_memory_limit_stops_what_the_sandbox_lets_through(host_admin):
    """With the sandbox's caps out of the way, the child's address-space limit stops a 1.6 GB string."""
    text = (
        "{% set ns = namespace(s='a' * 100000) %}{% for i in range(14) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s|length }}"
    )
    _refused_everywhere(host_admin, _template_with(text), TOO_MUCH)


@override_settings(**(FAST | NO_SANDBOX_CAPS | {"DOCUMENT_RENDER_TIMEOUT_SECONDS": 1}))
def test_the_wall_clock_limit_kills_a_long_render(host_admin):
    text = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    _refused_everywhere(host_admin, _template_with(text), "avbröts efter 1 sekunder")


@override_settings(
    **(FAST | NO_SANDBOX_CAPS | {"DOCUMENT_RENDER_CPU_SECONDS": 1, "DOCUMENT_RENDER_TIMEOUT_SECONDS": 20})
)
def test_the_cpu_limit_stops_a_long_render(host_admin):
    text = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    _refused_everywhere(host_admin, _template_with(text), "gränsen för minne eller processortid")


def test_a_zip_bomb_is_refused_before_parsing(host_admin):
    bomb = _rewritten(
        _template_with("{{ organisation }}"), add={"word/media/bomb.bin": b"\0" * (60 * 1024 * 1024)}
    )
    assert len(bomb) < rendering.MAX_TEMPLATE_BYTES
    _refused_everywhere(host_admin, bomb, "för stor uppackad")


def test_a_highly_compressed_part_is_refused(host_admin):
    bomb = _rewritten(
        _template_with("{{ organisation }}"), add={"word/media/bomb.bin": b"\0" * (5 * 1024 * 1024)}
    )
    _refused_everywhere(host_admin, bomb, "packas upp mer än 100 gånger")


@override_settings(DOCUMENT_TEMPLATE_MAX_DOCUMENT_XML_MB=1)
def test_a_huge_document_xml_is_refused_before_parsing(host_admin):
    noise = "".join(random.Random(12).choices(string.ascii_letters + " ", k=1_500_000))
    _refused_everywhere(host_admin, _template_with(noise), r"word/document\.xml\) är för stor")


@override_settings(DOCUMENT_TEMPLATE_MAX_PARTS=20)
def test_too_many_parts_are_refused(host_admin):
    many = _rewritten(
        _template_with("{{ organisation }}"), add={f"customXml/extra{i}.xml": b"<a/>" for i in range(30)}
    )
    _refused_everywhere(host_admin, many, "för många delar")


def test_entity_expansion_is_refused(host_admin):
    content = _template_with("{{ organisation }}")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("word/document.xml")
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
    )
    laughs = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE w:document [' + entities + b"]>"
    )
    xml = laughs + xml.split(b"?>", 1)[1].replace(b"{{ organisation }}", b"&lol9;")
    _refused_everywhere(host_admin, _rewritten(content, replace={"word/document.xml": xml}), "DTD")


def test_a_render_may_not_reach_the_database(host_admin):
    """The child never uses the parent's connection: a lazy query in the context fails instead."""
    content = _template_with("{% for o in organisations %}{{ o }}{% endfor %}")
    with pytest.raises(rendering.DocumentError, match="databasen"):
        rendering.render_docx(content, {"organisations": Organisation.objects.all()})
    assert Organisation.objects.exists()


def test_ordinary_templates_still_render(host_admin):
    text = "{% for p in proposals %}{{ loop.index }}. {{ p ~ '!' }}{% if not loop.last %}; {% endif %}{% endfor %}"
    services.template_upload(
        acting_user=host_admin, kind="memo", name="egen.docx", content=_template_with(text)
    )
    context = services.sample_context("memo") | {"proposals": ["a", "b", "c"]}
    document = Document(io.BytesIO(rendering.render_docx(_template_with(text), context)))
    assert document.paragraphs[0].text == "1. a!; 2. b!; 3. c!"
    amounts = _template_with(
        "{{ '%d kr'|format(45000000) }}, {{ '{} kr'.format(6000000) }}, {{ 'Dnr 1234567 %s' % 'x' }}"
    )
    assert Document(io.BytesIO(rendering.render_docx(amounts, {}))).paragraphs[0].text.replace(
        "\xa0", " "
    ) == ("45000000 kr, 6000000 kr, Dnr 1234567 x")
    for kind in rendering.BUILTIN:
        template = rendering.builtin_template_path(kind).read_bytes()
        rendering.check_archive(template)


def test_the_render_task_has_time_limits():
    from governance.celery import app
    from governance.documents import tasks

    task = app.tasks[tasks.document_render.name]
    assert task.soft_time_limit == 120
    assert task.time_limit == 150

"""Built-in templates compiled once (issue 15): the same document as a fresh docxtpl render, a bounded cache,
and a loop count that starts from zero in every render, in every thread."""

import io
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import override_settings
from docx import Document

from governance.documents import rendering, services
from governance.documents.choices import DocumentKind


def _texts(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.footer.paragraphs] + [p.text for p in section.header.paragraphs]
    return texts


@pytest.fixture(autouse=True)
def _empty_cache():
    rendering.TEMPLATE_CACHE.clear()
    yield
    rendering.TEMPLATE_CACHE.clear()


@pytest.mark.parametrize("kind", list(rendering.BUILTIN))
def test_a_compiled_render_is_the_document_docxtpl_makes(db, kind):
    template = rendering.builtin_template_path(kind).read_bytes()
    context = services.sample_context(kind)
    compiled = rendering.render_docx(template, context)
    assert len(rendering.TEMPLATE_CACHE) == 1  # it went the compiled way
    plain = rendering._render_docx_here(template, context)
    assert _texts(compiled) == _texts(plain)
    assert any(text.strip() for text in _texts(compiled))
    properties = Document(io.BytesIO(compiled)).core_properties
    assert properties.author == "Origo samverkan" and properties.language == "sv-SE"
    with zipfile.ZipFile(io.BytesIO(compiled)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    assert len(names) == len(set(names))  # each rendered part once, replacing the template's


@override_settings(DOCUMENT_TEMPLATE_CACHE_SIZE=2)
def test_the_cache_keeps_at_most_its_size(db):
    for kind in (DocumentKind.MEMO, DocumentKind.NOTICE, DocumentKind.MINUTES):
        rendering.render_docx(
            rendering.builtin_template_path(kind).read_bytes(), services.sample_context(kind)
        )
    assert len(rendering.TEMPLATE_CACHE) == 2


def test_an_uploaded_template_is_not_compiled_here(db):
    """Anything but a built-in template renders in the limited child, never in this process's cache."""
    content = io.BytesIO()
    document = Document()
    document.add_paragraph("{{ organisation }}")
    document.save(content)
    out = rendering.render_docx(content.getvalue(), {"organisation": "Exempel kommun"})
    assert _texts(out)[0] == "Exempel kommun"
    assert len(rendering.TEMPLATE_CACHE) == 0


def test_every_render_counts_its_loops_from_zero(db):
    template = rendering.builtin_template_path(DocumentKind.MEMO).read_bytes()
    context = services.sample_context(DocumentKind.MEMO)
    rendering.render_docx(template, context)
    (compiled,) = rendering.TEMPLATE_CACHE._items.values()
    one_render = compiled.environment.iterations
    assert one_render > 0
    with override_settings(DOCUMENT_RENDER_MAX_LOOP_ITERATIONS=one_render):
        for _ in range(3):
            rendering.render_docx(template, context)
        with pytest.raises(rendering.DocumentError, match="för många varv"):
            rendering.render_docx(template, context | {"sections": context["sections"] * 2})


def test_renders_in_threads_at_once_keep_their_own_data(db):
    template = rendering.builtin_template_path(DocumentKind.MEMO).read_bytes()
    base = services.sample_context(DocumentKind.MEMO)

    def render(n: int) -> tuple[int, list[str]]:
        return n, _texts(rendering.render_docx(template, base | {"title": f"Ärende {n:02d} av 16"}))

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render, range(16)))
    for n, texts in results:
        assert any(f"Ärende {n:02d} av 16" in text for text in texts)
        assert not any(f"Ärende {m:02d} av 16" in text for m in range(16) if m != n for text in texts)

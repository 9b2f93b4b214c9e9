"""Issue 15: the built-in templates are slim (no unused styles or Word-only parts, so LibreOffice loads them
fast) and whole: every style, part and relationship they name exists."""

import importlib.util
import io
import posixpath
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from governance.documents import rendering

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "slim_docx_templates.py"
_spec = importlib.util.spec_from_file_location("slim_docx_templates", SCRIPT)
slimmer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(slimmer)
W = slimmer.W


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _style_ids(parts: dict[str, bytes]) -> set[str]:
    styles = etree.fromstring(parts["word/styles.xml"])
    return {style.get(f"{{{W}}}styleId") for style in styles.iter(f"{{{W}}}style")}


def _named_styles(parts: dict[str, bytes]) -> set[str]:
    named = set()
    for name, content in parts.items():
        if name.startswith("word/") and name.endswith(".xml"):
            root = etree.fromstring(content)
            for tag in slimmer.STYLE_REFERENCES + slimmer.STYLE_CHAIN:
                named |= {element.get(f"{{{W}}}val") for element in root.iter(f"{{{W}}}{tag}")}
    return named


@pytest.mark.parametrize("name", sorted(rendering.BUILTIN.values()))
def test_a_builtin_template_is_slim(name):
    """Re-running the script changes nothing: run it after scripts/build_doc_templates.py."""
    content = (Path(rendering.__file__).resolve().parents[2] / "templates" / "docs" / name).read_bytes()
    assert slimmer.slim(content) == content
    parts = _parts(content)
    assert "word/stylesWithEffects.xml" not in parts
    assert not any(part.startswith("docProps/thumbnail") for part in parts)
    assert len(parts["word/styles.xml"]) < 40_000


@pytest.mark.parametrize("name", sorted(rendering.BUILTIN.values()))
def test_every_style_part_and_relationship_a_builtin_template_names_exists(name):
    content = (Path(rendering.__file__).resolve().parents[2] / "templates" / "docs" / name).read_bytes()
    parts = _parts(content)
    assert _named_styles(parts) <= _style_ids(parts)
    types = etree.fromstring(parts["[Content_Types].xml"])
    overrides = {o.get("PartName").lstrip("/") for o in types.iter(f"{{{slimmer.CT}}}Override")}
    assert overrides <= set(parts)
    for rels in (part for part in parts if part.endswith(".rels")):
        owner = posixpath.dirname(posixpath.dirname(rels))
        for rel in etree.fromstring(parts[rels]).iter(f"{{{slimmer.RELS}}}Relationship"):
            if rel.get("TargetMode") != "External":
                assert posixpath.normpath(posixpath.join(owner, rel.get("Target"))) in parts, (
                    rels,
                    rel.get("Target"),
                )


def test_the_script_drops_only_what_nothing_uses():
    document = Document()
    document.add_paragraph("{{ organisation }}", style="Heading 1")
    document.add_paragraph("{%p for line in lines %}", style="List Bullet")
    content = io.BytesIO()
    document.save(content)
    before = _parts(content.getvalue())
    after_content = slimmer.slim(content.getvalue())
    after = _parts(after_content)
    kept = _style_ids(after)
    # Used, default, chained (Heading 1 → Normal, its linked character style) and LibreOffice's page styles.
    assert {
        "Heading1",
        "Heading1Char",
        "ListBullet",
        "Normal",
        "DefaultParagraphFont",
        "Header",
        "Footer",
    } <= kept
    assert "LightShading" in _style_ids(before) and "LightShading" not in kept  # a table style nobody uses
    assert "Title" not in kept
    assert "word/stylesWithEffects.xml" in before and "word/stylesWithEffects.xml" not in after
    assert after["word/document.xml"] == before["word/document.xml"]  # tags and text untouched, byte for byte
    assert b"stylesWithEffects" not in after["word/_rels/document.xml.rels"] + after["[Content_Types].xml"]
    assert [p.text for p in Document(io.BytesIO(after_content)).paragraphs] == [
        "{{ organisation }}",
        "{%p for line in lines %}",
    ]

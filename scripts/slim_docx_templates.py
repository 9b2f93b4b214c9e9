"""Slim the built-in .docx templates so LibreOffice loads them faster (issue 15).

python-docx's default template, which ``build_doc_templates.py`` starts from, carries a ~350 kB
``word/styles.xml`` with ~100 table and list styles that no template uses, a ~440 kB
``word/stylesWithEffects.xml`` (Word 2010's copy of the same styles, never read by LibreOffice) and a thumbnail of
an empty page. LibreOffice parses all of it on every conversion. This script removes from each template only what
nothing uses:

* ``w:style`` definitions that no part of the document refers to: kept are the default style of each type
  (``w:default="1"``), every style named by ``w:pStyle``/``w:rStyle``/``w:tblStyle``/``w:numStyleLink``/
  ``w:styleLink`` in the body, headers, footers, notes, comments or numbering, the ones ``settings.xml`` names,
  ``Header`` and ``Footer`` (LibreOffice uses them unasked), and, repeatedly, every style a kept style names
  through ``w:basedOn``/``w:link``/``w:next``.
  ``w:docDefaults`` and ``w:latentStyles`` stay as they are.
* ``word/stylesWithEffects.xml`` and ``docProps/thumbnail.*``, with their relationships and content types.
* Parts no relationship points to (``customXml`` included), with their own relationships.

Every other part (``document.xml`` with its Jinja/docxtpl tags, headers, footers, numbering, settings, theme)
is copied byte for byte, in the same order and with the same time stamps, so running the script twice changes
nothing the second time. Run it after ``build_doc_templates.py``:

    .venv/bin/python scripts/slim_docx_templates.py            # every templates/docs/*.docx
    .venv/bin/python scripts/slim_docx_templates.py a.docx ...  # only these files
"""

import io
import posixpath
import sys
import zipfile
from pathlib import Path

from lxml import etree

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "docs"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
DROPPED_TYPES = {
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
}
# Elements whose w:val is a style id, wherever they appear.
STYLE_REFERENCES = ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")
# settings.xml elements whose w:val is a style id.
SETTINGS_REFERENCES = ("clickAndTypeStyle", "defaultTableStyle")
# A kept style keeps the styles it names here.
STYLE_CHAIN = ("basedOn", "link", "next")
# Styles LibreOffice maps onto its own page header/footer styles and uses even when no paragraph names them:
# without "Header" the memo's whole page moved by a pixel at 60 dpi. Kept whenever the template defines them.
ALWAYS_KEPT = ("Header", "Footer")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def rels_path(part: str) -> str:
    """The relationships part of ``part`` ("" is the package itself)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def reachable_parts(parts: dict[str, bytes]) -> set[str]:
    """Every part reached from the package through relationships that are kept (internal targets only)."""
    seen: set[str] = set()
    todo = [""]
    while todo:
        part = todo.pop()
        rels = rels_path(part) if part else "_rels/.rels"
        if rels not in parts:
            continue
        for rel in etree.fromstring(parts[rels]).iter(f"{{{RELS}}}Relationship"):
            if rel.get("TargetMode") == "External" or rel.get("Type") in DROPPED_TYPES:
                continue
            target = rel.get("Target")
            name = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
            )
            if name in parts and name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def drop_relationships(content: bytes) -> bytes:
    root = etree.fromstring(content)
    dropped = [rel for rel in root if rel.get("Type") in DROPPED_TYPES]
    if not dropped:
        return content
    for rel in dropped:
        root.remove(rel)
    return serialize(root)


def used_style_ids(parts: dict[str, bytes], styles) -> set[str]:
    """Style ids the document uses, directly or through another used style."""
    used: set[str] = set()
    for name, content in parts.items():
        if not (name.startswith("word/") and name.endswith(".xml")) or name == "word/styles.xml":
            continue
        root = etree.fromstring(content)
        tags = STYLE_REFERENCES + (SETTINGS_REFERENCES if name == "word/settings.xml" else ())
        for tag in tags:
            used.update(element.get(w("val")) for element in root.iter(w(tag)))
    by_id = {style.get(w("styleId")): style for style in styles.iter(w("style"))}
    used.update(sid for sid, style in by_id.items() if style.get(w("default")) in ("1", "true", "on"))
    used.update(sid for sid in ALWAYS_KEPT if sid in by_id)
    todo = [sid for sid in used if sid in by_id]
    while todo:
        style = by_id[todo.pop()]
        for tag in STYLE_CHAIN:
            for element in style.findall(w(tag)):
                sid = element.get(w("val"))
                if sid in by_id and sid not in used:
                    used.add(sid)
                    todo.append(sid)
    return used


def slim_styles(parts: dict[str, bytes]) -> bytes:
    styles = etree.fromstring(parts["word/styles.xml"])
    used = used_style_ids(parts, styles)
    for style in list(styles.iter(w("style"))):
        if style.get(w("styleId")) not in used:
            style.getparent().remove(style)
    return serialize(styles)


def slim_content_types(content: bytes, kept: set[str]) -> bytes:
    root = etree.fromstring(content)
    extensions = {posixpath.splitext(name)[1][1:].lower() for name in kept}
    for element in list(root):
        if element.tag == f"{{{CT}}}Override":
            unused = element.get("PartName").lstrip("/") not in kept
        else:
            unused = element.get("Extension").lower() not in extensions
        if unused:
            root.remove(element)
    return serialize(root)


def slim(content: bytes) -> bytes:
    """The slimmed .docx; equal to ``content`` when there is nothing left to remove."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        infos = archive.infolist()
        parts = {info.filename: archive.read(info) for info in infos}
    reached = reachable_parts(parts)
    kept = reached | {rels_path(name) for name in reached} | {"_rels/.rels", "[Content_Types].xml"}
    new = {name: parts[name] for name in kept if name in parts}
    for name in new:
        if name.endswith(".rels"):
            new[name] = drop_relationships(parts[name])
    new["word/styles.xml"] = slim_styles(new)
    new["[Content_Types].xml"] = slim_content_types(parts["[Content_Types].xml"], set(new))
    if all(name in new and new[name] == parts[name] for name in parts):
        return content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            if info.filename in new:
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                copy.external_attr = info.external_attr
                archive.writestr(copy, new[info.filename])
    return out.getvalue()


def main(paths: list[str]) -> None:
    files = [Path(p) for p in paths] or sorted(TEMPLATES.glob("*.docx"))
    for path in files:
        before = path.read_bytes()
        after = slim(before)
        if after != before:
            path.write_bytes(after)
        print(f"{path.name}: {len(before)} -> {len(after)} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])

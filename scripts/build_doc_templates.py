"""Build the .docx templates in templates/docs/ (docxtpl, Jinja tags each inside one run).

Run after changing this script; the .docx files are committed so that an organisation can open and adjust
them in Word or LibreOffice (and upload its own version under Dokumentmallar):

    .venv/bin/python scripts/build_doc_templates.py

Every Jinja tag is written with one ``add_run`` call, so Word never splits it across runs. Paragraph loops
use docxtpl's ``{%p %}`` tags and table-row loops ``{%tr %}``, each alone in its paragraph or row.
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "templates" / "docs"


def new_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    for name, size in (("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 12)):
        style = document.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
    return document


def para(document, text: str = "", *, style: str | None = None, bold: bool = False, align=None):
    paragraph = document.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
    if align is not None:
        paragraph.alignment = align
    return paragraph


def loop(document, header: str, body: str, *, style: str | None = None, bold: bool = False):
    """A paragraph loop: ``{%p for … %}``, the repeated paragraph, ``{%p endfor %}``."""
    para(document, header)
    para(document, body, style=style, bold=bold)
    para(document, "{%p endfor %}")


def header_block(document, kind_label: str) -> None:
    table = document.add_table(rows=3, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [
        ("{{ organisation }}", kind_label),
        ("{{ department }}", "{{ date_iso }}"),
        ("", "{{ registration_label }}"),
    ]
    for row, (left, right) in zip(table.rows, cells, strict=True):
        if left:
            row.cells[0].paragraphs[0].add_run(left).bold = left == "{{ organisation }}"
        if right:
            run = row.cells[1].paragraphs[0].add_run(right)
            run.bold = right == kind_label
            row.cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para(document, "{{ handler_line }}")


def signatures(document) -> None:
    para(document)
    loop(document, "{%p for person in signatories %}", "{{ person.name }}", bold=False)
    para(document, "{%p if False %}{%p endif %}")


def build_memo() -> None:
    document = new_document()
    header_block(document, "TJÄNSTEUTLÅTANDE")
    para(document, "{{ body }}", bold=True)
    para(document, "{{ title }}", style="Heading 1")
    para(document, "Förslag till beslut", style="Heading 2")
    loop(document, "{%p for sentence in proposals %}", "{{ loop.index }}) {{ sentence }}")
    para(document, "Sammanfattning", style="Heading 2")
    loop(document, "{%p for text in summary %}", "{{ text }}")
    para(document, "Ärendet", style="Heading 2")
    loop(document, "{%p for text in background %}", "{{ text }}")
    para(document, "Kostnad", style="Heading 3")
    para(document, "{{ share_sentence }}")
    para(document, "{%p if split_sentence %}")
    para(document, "{{ split_sentence }}")
    para(document, "{%p endif %}")
    para(document, "Förvaltningens synpunkter", style="Heading 2")
    loop(document, "{%p for text in viewpoints %}", "{{ text }}")
    para(document, "Beslutsunderlag", style="Heading 2")
    loop(document, "{%p for item in basis %}", "{{ item }}")
    para(document, "Beslutet expedieras till", style="Heading 2")
    loop(document, "{%p for recipient in dispatch %}", "{{ recipient }}")
    para(document)
    loop(document, "{%p for person in signatories %}", "{{ person.name }}, {{ person.title }}")
    document.save(OUT / "tjansteutlatande.docx")


def build_consultation_response() -> None:
    document = new_document()
    header_block(document, "REMISSVAR")
    para(document, "{{ recipient }}", bold=True)
    para(document, "Svar på remiss: {{ title }}", style="Heading 1")
    para(document, "{{ intro }}")
    para(document, "Ställningstagande", style="Heading 2")
    para(document, "{{ position }}")
    para(document, "Svar på frågorna", style="Heading 2")
    para(document, "{%p for item in answers %}")
    para(document, "{{ item.number }}. {{ item.question }}", bold=True)
    para(document, "{{ item.answer }}")
    para(document, "{%p endfor %}")
    para(document, "Tidplanen", style="Heading 2")
    para(document, "{{ timetable }}")
    para(document, "{{ adopted }}")
    para(document)
    loop(document, "{%p for person in signatories %}", "{{ person.name }}, {{ person.title }}")
    document.save(OUT / "remissvar.docx")


def row_loop_table(
    document, headers: list[str], cells: list[str], loop_tag: str, total: list[str] | None = None, widths=None
):
    table = document.add_table(rows=3 + (1 if total else 0), cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].paragraphs[0].add_run(loop_tag)
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].add_run(text)
    if total:
        for cell, text in zip(table.rows[3].cells, total, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
    # The endfor row goes after the data row.
    end = table.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if total:  # keep the total row last: move the endfor row above it
        table._tbl.remove(end._tr)
        table.rows[2]._tr.addnext(end._tr)
    for index, width in enumerate(widths or []):
        table.columns[index].width = Cm(width)  # the grid, which LibreOffice reads
        for row in table.rows:
            row.cells[index].width = Cm(width)
    return table


def build_compilation() -> None:
    document = new_document()
    header_block(document, "SAMMANSTÄLLNING")
    para(document, "Sammanställning av remissvar: {{ title }}", style="Heading 1")
    para(document, "{{ answered_sentence }}")
    para(document, "{{ not_answered_sentence }}")
    para(document, "{{ timetable_sentence }}")
    para(document, "Ställningstaganden", style="Heading 2")
    row_loop_table(
        document,
        ["Ställningstagande", "Antal"],
        ["{{ row.label }}", "{{ row.count }}"],
        "{%tr for row in positions %}",
    )
    para(document, "Svar per fråga", style="Heading 2")
    para(document, "{%p for item in questions %}")
    para(document, "{{ item.number }}. {{ item.text }}", bold=True)
    para(document, "{%p for quote in item.answers %}")
    para(document, "{{ quote }}")
    para(document, "{%p endfor %}")
    para(document, "{%p endfor %}")
    para(document, "Alla svar", style="Heading 2")
    row_loop_table(
        document,
        ["Kommun", "Ställningstagande", "Tidplanen realistisk", "Antaget av"],
        ["{{ r.name }}", "{{ r.position }}", "{{ r.timetable }}", "{{ r.adopted_by }}"],
        "{%tr for r in responses %}",
        widths=[4.0, 5.0, 3.0, 4.0],
    )
    para(document, "KSL:s bedömning", style="Heading 2")
    para(document, "{%p for paragraph in assessment %}")
    para(document, "{{ paragraph }}")
    para(document, "{%p endfor %}")
    document.save(OUT / "sammanstallning.docx")


def build_agreement() -> None:
    document = new_document()
    header_block(document, "AVTAL")
    para(document, "{{ title }}", style="Heading 1")
    para(document, "1. Parter", style="Heading 2")
    loop(document, "{%p for party in parties %}", "{{ party }}")
    para(document, "2. Avtalstid", style="Heading 2")
    para(document, "{{ period_sentence }}")
    para(document, "3. Huvudman", style="Heading 2")
    para(document, "{{ host_sentence }}")
    para(document, "4. Finansiering", style="Heading 2")
    para(document, "{{ budget_sentence }}")
    loop(document, "{%p for share in shares %}", "{{ share }}")
    para(document, "Parternas belopp framgår av bilaga 1.")
    para(document, "5. Underskrifter", style="Heading 2")
    para(document, "Avtalet har upprättats i lika lydande exemplar, ett för varje part.")
    document.add_page_break()
    para(document, "Bilaga 1. Kostnadsfördelning {{ year }}", style="Heading 1")
    para(document, "{{ appendix_sentence }}")
    row_loop_table(
        document,
        ["Part", "Andel", "Folkmängd", "Belopp per år"],
        ["{{ line.name }}", "{{ line.percent }}", "{{ line.population }}", "{{ line.amount }}"],
        "{%tr for line in lines %}",
        total=["Summa", "", "{{ total_population }}", "{{ total }}"],
        widths=[7.0, 2.5, 3.0, 3.5],
    )
    document.save(OUT / "avtal.docx")


def meeting_header(document, kind_label: str) -> None:
    header_block(document, kind_label)
    para(document, "{{ body }}", style="Heading 1")
    para(document, "Tid: {{ when }}")
    para(document, "Plats: {{ place }}")
    para(document, "{%p if video_link %}")
    para(document, "Videomöte: {{ video_link }}")
    para(document, "{%p endif %}")


def _tight(paragraph, *, keep_with_next: bool = True):
    """No space after the paragraph, kept on the page with the next one (a name with its title)."""
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.keep_with_next = keep_with_next
    return paragraph


def signature_lines(document, loop_tag: str | None = None, *, name: str, title: str) -> None:
    """Signature lines for the meeting papers: room to sign, the line, the name, the title, kept together on
    one page. With ``loop_tag`` (``{%p for s in … %}``) one block per person in the list; the line itself
    comes from the context (``signature_line``) so that a Jinja tag is never split."""
    if loop_tag:
        para(document, loop_tag)
    _tight(para(document))
    _tight(para(document))
    _tight(para(document, "{{ signature_line }}"))
    _tight(para(document, name))
    _tight(para(document, title), keep_with_next=False)
    if loop_tag:
        para(document, "{%p endfor %}")


def build_notice() -> None:
    document = new_document()
    meeting_header(document, "KALLELSE")
    para(document, "Ledamöter och ersättare kallas till sammanträde. {{ rsvp_note }}")
    para(document, "Föredragningslista", style="Heading 2")
    # Nr narrow, Ärende wide (the type in brackets after the title, so no short column has to hold a long
    # word), Föredragande wide enough for "Verksamhetschefen": 16 cm, the width between the margins.
    row_loop_table(
        document,
        ["Nr", "Ärende", "Föredragande", "Tid"],
        [
            "{{ item.number }}",
            "{{ item.title }} ({{ item.kind_note }})",
            "{{ item.presenter }}",
            "{{ item.minutes }}",
        ],
        "{%tr for item in items %}",
        widths=[1.2, 9.1, 4.2, 1.5],
    )
    para(document, "Handlingar", style="Heading 2")
    para(document, "{%p for item in items %}")
    para(document, "{%p if item.description or item.papers %}")
    para(document, "{{ item.number }}. {{ item.title }}", bold=True)
    para(document, "{{ item.description }} {{ item.papers }}")
    para(document, "{%p endif %}")
    para(document, "{%p endfor %}")
    para(document)
    para(document, "Välkomna!")
    para(document)
    _tight(para(document, "{{ chair }}"))
    _tight(para(document, "{{ chair_title }}"), keep_with_next=False)
    para(document)
    para(document, "{%p if secretary %}")
    _tight(para(document, "Frågor om kallelsen besvaras av sekreteraren:"))
    _tight(para(document, "{{ secretary }}"))
    _tight(para(document, "{{ secretary_title }}"), keep_with_next=False)
    para(document, "{%p endif %}")
    document.save(OUT / "kallelse.docx")


def build_minutes() -> None:
    document = new_document()
    meeting_header(document, "PROTOKOLL")
    para(document, "{{ version_note }}")
    para(document, "Närvarande", style="Heading 2")
    loop(document, "{%p for person in present %}", "{{ person }}")
    para(document, "{%p if substitutes %}")
    para(document, "Tjänstgörande ersättare", style="Heading 3")
    loop(document, "{%p for person in substitutes %}", "{{ person }}")
    para(document, "{%p endif %}")
    para(document, "{%p if absent %}")
    para(document, "Frånvarande", style="Heading 3")
    loop(document, "{%p for person in absent %}", "{{ person }}")
    para(document, "{%p endif %}")
    para(document, "{{ quorum }}")
    para(document, "Justerare: {{ checkers }}")
    para(document, "Justeringens plats och tid: {{ approval_place_time }}")
    para(document, "Paragrafer: {{ paragraphs }}")
    para(document, "{%p for item in items %}")
    para(document, "{{ item.paragraph }} {{ item.title }}", style="Heading 2")
    para(document, "{{ item.outcome }}")
    para(document, "{%p if item.conflicts %}")
    para(document, "{{ item.conflicts }}")
    para(document, "{%p endif %}")
    para(document, "{%p endfor %}")
    para(document, "Underskrifter", style="Heading 2")
    _tight(para(document, "Vid protokollet"))
    signature_lines(document, name="{{ secretary }}", title="{{ secretary_title }}")
    para(document)
    _tight(para(document, "Justeras"))
    signature_lines(document, "{%p for s in signatures %}", name="{{ s.name }}", title="{{ s.title }}")
    para(document)
    para(document, "{{ approved_text }}")
    document.save(OUT / "protokoll.docx")


def build_extract() -> None:
    document = new_document()
    meeting_header(document, "PROTOKOLLSUTDRAG")
    para(document, "{{ item.paragraph }} {{ item.title }}", style="Heading 2")
    para(document, "{{ item.outcome }}")
    para(document, "{%p if item.conflicts %}")
    para(document, "{{ item.conflicts }}")
    para(document, "{%p endif %}")
    para(document)
    para(document, "{{ approved_text }}. Justerare: {{ checkers }}.")
    para(document, "Expedieras till", style="Heading 3")
    para(document, "{%p for recipient in item.dispatch %}")
    _tight(para(document, "{{ recipient }}"), keep_with_next=False)
    para(document, "{%p endfor %}")
    para(document)
    _tight(para(document, "Rätt utdraget intygar"))
    signature_lines(document, name="{{ secretary }}", title="{{ secretary_title }}")
    document.save(OUT / "protokollsutdrag.docx")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    build_memo()
    build_consultation_response()
    build_compilation()
    build_agreement()
    build_notice()
    build_minutes()
    build_extract()
    print(f"Wrote the templates to {OUT}")


if __name__ == "__main__":
    main()

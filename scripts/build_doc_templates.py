"""Build the .docx templates in templates/docs/ (docxtpl, Jinja tags each inside one run).

Run after changing this script; the .docx files are committed so that an organisation can open and adjust
them in Word or LibreOffice (and upload its own version under Dokumentmallar):

    .venv/bin/python scripts/build_doc_templates.py

Every Jinja tag is written with one ``add_run`` call, so Word never splits it across runs. Paragraph loops
use docxtpl's ``{%p %}`` tags and table-row loops ``{%tr %}``, each alone in its paragraph or row.
"""

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
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
        style.paragraph_format.keep_with_next = True  # a heading never ends a page
        style.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 12)
        style.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.space_after = Pt(6)
    # The memo's own paragraph kinds: numbered att-satser, list lines (underlag, bilagor, expediering) and
    # signature lines with room to sign above the name.
    for name, indent, hanging, before, after in (
        ("Att-sats", 0.75, 0.75, 0, 6),
        ("Förteckning", 0, 0, 0, 0),
        ("Underskrift", 0, 0, 36, 0),
        ("Underskriftsrad", 0, 0, 12, 0),
    ):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.paragraph_format.left_indent = Cm(indent)
        style.paragraph_format.first_line_indent = Cm(-hanging) if hanging else None
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
        if name != "Att-sats":
            # A list stays whole and with what follows; "Stockholm den …" and "På … vägnar:" stay with the
            # names; a name stays with its title: no signature or bilaga left alone at a page's foot.
            style.paragraph_format.keep_with_next = True
    page_numbers(section)
    swedish(document)
    return document


def swedish(document) -> None:
    """Swedish as the text's language (Word's spelling and hyphenation), and properties that name the system
    rather than python-docx's defaults (set again on every generated document)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), "sv-SE")
    language.set(qn("w:eastAsia"), "sv-SE")
    language.set(qn("w:bidi"), "ar-SA")
    properties = document.core_properties
    properties.author = properties.last_modified_by = "Origo samverkan"
    properties.comments = ""
    properties.language = "sv-SE"


def field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when the page is laid out."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def page_numbers(section) -> None:
    """ "Sida X av Y" at the foot of every page."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run("Sida ")
    field(paragraph, "PAGE")
    paragraph.add_run(" av ")
    field(paragraph, "NUMPAGES")
    paragraph.style.font.size = Pt(9)  # the Footer style: the fields' numbers too


def para(document, text: str = "", *, style: str | None = None, bold: bool = False, align=None):
    paragraph = document.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = True if bold else None  # None: the style decides (headings stay bold)
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


def memo_header(document) -> None:
    """The header block of a Swedish municipal memo: organisation, förvaltning and handläggare (name, title,
    phone, e-mail) on the left; the document's name, date and Dnr on the right."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(9.5), Cm(6.5)
    left.paragraphs[0].add_run("{{ organisation }}").bold = True
    left.add_paragraph("{{ department }}")
    left.add_paragraph("{%p for line in handler_lines %}")
    left.add_paragraph("{{ line }}")
    left.add_paragraph("{%p endfor %}")
    for paragraph in left.paragraphs:
        paragraph.paragraph_format.space_after = Pt(0)
    right.paragraphs[0].add_run("{{ document_title }}").bold = True
    right.add_paragraph("{{ date_iso }}")
    right.add_paragraph("{{ registration_label }}")
    for paragraph in right.paragraphs:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.space_after = Pt(0)


def build_memo() -> None:
    """The tjänsteutlåtande: header block, addressee, title, then the parts in the organisation's order
    (``sections``, from its document profile), each paragraph in the style of its kind."""
    document = new_document()
    memo_header(document)
    para(document)
    para(document, "{{ body }}", bold=True)
    para(document, "{{ title }}", style="Heading 1")
    para(document, "{%p for section in sections %}")
    para(document, "{%p if section.heading %}")
    para(document, "{{ section.heading }}", style="Heading 2")
    para(document, "{%p endif %}")
    para(document, "{%p for p in section.paragraphs %}")
    para(document, '{%p if p.kind == "point" %}')
    para(document, "{{ p.text }}", style="Att-sats")
    para(document, '{%p elif p.kind == "item" or p.kind == "signature_title" %}')
    para(document, "{{ p.text }}", style="Förteckning")
    para(document, '{%p elif p.kind == "signature" %}')
    para(document, "{{ p.text }}", style="Underskrift")
    para(document, '{%p elif p.kind == "signature_lead" %}')
    para(document, "{{ p.text }}", style="Underskriftsrad")
    para(document, "{%p else %}")
    para(document, "{{ p.text }}")
    para(document, "{%p endif %}")
    para(document, "{%p endfor %}")
    para(document, "{%p endfor %}")
    document.save(OUT / "tjansteutlatande.docx")


def build_consultation_response() -> None:
    """The remissvar: the municipality's header with its own Dnr, its position, its answers (the unanswered
    questions in one line), who decided it, and who signs."""
    document = new_document()
    memo_header(document)
    para(document)
    para(document, "{{ recipient }}", bold=True)
    para(document, "Svar på remiss: {{ title }}", style="Heading 1")
    para(document, "{{ intro }}")
    para(document, "{%p if summary %}")
    para(document, "Sammanfattning", style="Heading 2")
    para(document, "{%p for text in summary %}")
    para(document, "{{ text }}")
    para(document, "{%p endfor %}")
    para(document, "{%p endif %}")
    para(document, "Ställningstagande", style="Heading 2")
    para(document, "{{ position }}")
    para(document, "Svar på frågorna", style="Heading 2")
    para(document, "{%p for item in answers %}")
    para(document, "{{ item.number }}. {{ item.question }}", style="Heading 3")
    para(document, "{{ item.answer }}")
    para(document, "{%p endfor %}")
    para(document, "{%p if unanswered_sentence %}")
    para(document, "{{ unanswered_sentence }}")
    para(document, "{%p endif %}")
    para(document, "Tidplanen", style="Heading 2")
    para(document, "{{ timetable }}")
    para(document, "{{ adopted }}")
    para(document, "{%p for person in signatories %}")
    para(document, "{{ person.name }}", style="Underskrift")
    para(document, "{{ person.title }}", style="Förteckning")
    para(document, "{%p endfor %}")
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
    para(document, "{%p if preliminary_sentence %}")
    para(document, "{{ preliminary_sentence }}", bold=True)
    para(document, "{%p endif %}")
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
    """A Swedish cooperation agreement: numbered sections, the parties' signature blocks two by two, and
    the cost table as bilaga 1. Layout helpers are local so the shared ones stay as the other kinds use them."""
    from docx.oxml import OxmlElement

    document = new_document()
    small = Pt(9)

    def titled(text: str, style: str):
        """A heading whose run takes its boldness from the style (``para`` writes bold off on the run)."""
        paragraph = para(document, text, style=style)
        paragraph.runs[0].bold = None
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def heading(text: str) -> None:
        titled(text, "Heading 2")

    def texts(variable: str, item: str = "text") -> None:
        loop(document, f"{{%p for {item} in {variable} %}}", f"{{{{ {item} }}}}")

    def bullets(variable: str) -> None:
        loop(document, f"{{%p for item in {variable} %}}", "{{ item }}", style="List Bullet")

    def signature_cell(cell, side: str) -> None:
        """One party's block: its name, then a line each for ort och datum, underskrift, namnförtydligande."""
        first = cell.paragraphs[0]
        first.add_run(f"{{%p if row.{side} %}}")
        name = cell.add_paragraph()
        name.add_run(f"För {{{{ row.{side}.name }}}}").bold = True
        name.paragraph_format.keep_with_next = True
        for label in ("Ort och datum", "Underskrift", "Namnförtydligande"):
            line = cell.add_paragraph()
            line.paragraph_format.space_before = Pt(16)
            line.paragraph_format.space_after = Pt(0)
            line.paragraph_format.keep_with_next = True
            line.add_run("_" * 34)
            caption = cell.add_paragraph()
            caption.paragraph_format.space_after = Pt(0)
            caption.add_run(label).font.size = small
        cell.add_paragraph().add_run("{%p endif %}")
        cell.add_paragraph()  # a cell keeps one paragraph when the block is left out

    # Title block: the kind and the period on one line, then the title.
    top = document.add_table(rows=1, cols=2)
    top.rows[0].cells[0].paragraphs[0].add_run("AVTAL").bold = True
    right = top.rows[0].cells[1].paragraphs[0]
    right.add_run("Avtalsperiod {{ period_short }}")
    right.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para(document)
    titled("{{ title }}", "Heading 1")
    para(document, "{{ intro }}")

    heading("1. Parter")
    para(document, "Finansierande parter:")
    bullets("financing_parties")
    para(document, "{%p if host_parties %}")
    para(document, "Huvudman, som inte finansierar verksamheten:")
    bullets("host_parties")
    para(document, "{%p endif %}")
    para(document, "{%p if cooperating_parties %}")
    para(document, "Samverkande parter, som inte finansierar verksamheten:")
    bullets("cooperating_parties")
    para(document, "{%p endif %}")

    heading("2. Bakgrund och syfte")
    texts("background")
    texts("purpose")

    heading("3. Huvudman och organisation")
    texts("host_paragraphs")
    titled("Styrgrupp", "Heading 3")
    para(document, "Styrgruppen består av")
    bullets("steering_group")
    para(document, "{{ steering_group_sentence }}")
    titled("Referensforum", "Heading 3")
    para(document, "Referensforum består av")
    bullets("reference_forum")
    para(document, "{{ reference_forum_sentence }}")
    titled("Kontaktpersoner", "Heading 3")
    para(document, "{{ contact_sentence }}")

    heading("4. Finansiering")
    para(document, "{{ budget_sentence }}")
    bullets("share_lines")
    para(document, "{{ financing_sentence }}")
    para(document, "{%p if splits %}")
    titled("Fördelning inom part", "Heading 3")
    texts("splits")
    para(document, "{%p endif %}")

    heading("5. Uppföljning")
    para(document, "{{ follow_up_intro }}")
    bullets("follow_up_items")
    texts("follow_up_after")

    heading("6. Avtalstid och förlängning")
    texts("term")

    heading("7. Uppsägning")
    texts("termination")

    heading("8. Ändringar och tillägg")
    texts("amendments")

    heading("9. Tvister")
    texts("disputes")

    heading("10. Underskrifter")
    para(document, "{{ signature_sentence }}")
    table = document.add_table(rows=3, cols=2)
    table.autofit = False
    table.rows[0].cells[0].paragraphs[0].add_run("{%tr for row in signature_rows %}")
    signature_cell(table.rows[1].cells[0], "left")
    signature_cell(table.rows[1].cells[1], "right")
    table.rows[2].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    row_properties = table.rows[1]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))  # a block never breaks across pages
    for row in table.rows:
        for cell in row.cells:
            cell.width = Cm(8.0)
    for column in table.columns:
        column.width = Cm(8.0)

    document.add_page_break()
    titled("Bilaga 1. Kostnadsfördelning {{ year }}", "Heading 1")
    para(document, "{{ title }}")
    para(document, "{{ appendix_sentence }}")
    row_loop_table(
        document,
        ["Part", "Andel", "Folkmängd", "Belopp per år"],
        ["{{ line.name }}", "{{ line.percent }}", "{{ line.population }}", "{{ line.amount }}"],
        "{%tr for line in lines %}",
        total=["Summa", "", "{{ total_population }}", "{{ total }}"],
        widths=[7.0, 2.5, 3.0, 3.5],
    )
    para(document, "{%p if splits %}")
    para(document)
    titled("Fördelning inom part", "Heading 3")
    texts("splits")
    para(document, "{%p endif %}")
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
    # Then drop what python-docx's default template carries and nothing uses (LibreOffice converts faster).
    from slim_docx_templates import main as slim_templates

    slim_templates([])
    print(f"Wrote the templates to {OUT}")


if __name__ == "__main__":
    main()

"""Issue 11: every paper, rendered through LibreOffice to PDF, has no word, date or amount broken at a line end.

The PDF's text (pdftotext) is read line by line. A line may end only after a whole word of the document (or
after the hyphen of a compound such as "Barn- och"); a fragment that is not a word of the .docx, like
"2012-" of "2012-09-10", "45" of "45 612 kr" or "utbildningsnämn" of a squeezed table column, fails.
"""

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from docx import Document

from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase, ConsultationResponse, ConsultationRound
from governance.documents import registry, rendering
from governance.documents.choices import DocumentKind

needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs LibreOffice (soffice) and poppler-utils (pdftotext)",
)
# "2012-09-10" and "45 612 kr" must stay whole; the no-break characters read as their plain forms.
_PLAIN = str.maketrans({"\u00a0": " ", "\u2011": "-"})
_PAGE_NUMBER = re.compile(r"^Sida \d+ av \d+$")


def _docx_words(content: bytes) -> set[str]:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.footer.paragraphs] + [p.text for p in section.header.paragraphs]
    return set(" ".join(texts).translate(_PLAIN).split())


def _pdf_texts(documents: dict[str, bytes]) -> dict[str, str]:
    """All documents through one LibreOffice run, then pdftotext."""
    with tempfile.TemporaryDirectory(prefix="pdfwords-") as work:
        folder = Path(work)
        for name, content in documents.items():
            (folder / f"{name}.docx").write_bytes(content)
        subprocess.run(  # noqa: S603
            [
                shutil.which("soffice"),
                f"-env:UserInstallation=file://{folder / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *[str(folder / f"{name}.docx") for name in documents],
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        out = {}
        for name in documents:
            result = subprocess.run(  # noqa: S603
                [shutil.which("pdftotext"), "-enc", "UTF-8", str(folder / f"{name}.pdf"), "-"],
                check=True,
                capture_output=True,
            )
            out[name] = result.stdout.decode("utf-8")
        return out


def broken_words(pdf_text: str, words: set[str]) -> list[str]:
    """The line ends that split a word: the last token of a line that is not a word of the document."""
    broken = []
    for line in pdf_text.translate(_PLAIN).splitlines():
        tokens = line.split()
        if not tokens or _PAGE_NUMBER.match(line.strip()):  # the footer's fields are not in the .docx text
            continue
        last = tokens[-1]
        if last in words or not any(ch.isalnum() for ch in last):  # a word, or a list bullet
            continue
        compound = last.endswith("-") and any(
            w.startswith(last) and re.match(r"[^\W\d]", w[len(last) :] or "x") for w in words
        )
        if not compound:
            broken.append(line.strip())
    return broken


def _approved_demo_meeting(chair):
    """The demo meeting whose minutes wait for justering, justerad through the services."""
    from governance.meetings import services
    from governance.meetings.models import Meeting

    meeting = Meeting.objects.get(state="minutes_drafted")
    meeting = services.minutes_approve(acting_user=chair, meeting=meeting)
    for checker in meeting.minutes_checkers.select_related("person__user"):
        user = checker.person.user
        if user is not None and user != chair:
            meeting = services.minutes_approve(acting_user=user, meeting=meeting)
        elif user is None:
            meeting = services.minutes_approval_record(
                acting_user=chair, meeting=meeting, membership_id=checker.pk, note="Justerat på papper"
            )
    assert meeting.state == "minutes_approved"
    return meeting


def _every_paper(chair) -> dict[str, bytes]:
    from governance.meetings.services import extract_render
    from governance.meetings.services.minutes import minutes_context, notice_context

    def built_in(kind):
        return rendering.builtin_template_path(kind).read_bytes()

    def through_registry(kind, subject):
        entry = registry.kind_entry(kind)
        return rendering.render_docx(built_in(kind), entry.build_context(subject, {}))

    papers = {}
    for slug, code in (("origo-2012", "0162"), ("origo-2012", "0180"), ("origo-2016", "0125")):
        case = AdoptionCase.objects.get(recommendation__slug=slug, organisation__municipality_code=code)
        params = memo_paper.memo_defaults(case, None).__dict__
        papers[f"memo-{code}"] = rendering.render_docx(
            built_in(DocumentKind.MEMO), memo_paper.memo_context(case, params)
        )
    response = ConsultationResponse.objects.filter(consultation__slug="origo-remiss-2011").first()
    papers["remissvar"] = through_registry(DocumentKind.CONSULTATION_RESPONSE, response)
    papers["sammanstallning"] = through_registry(
        DocumentKind.COMPILATION, ConsultationRound.objects.get(slug="origo-remiss-2011")
    )
    from governance.agreements.models import Agreement

    papers["avtal"] = through_registry(DocumentKind.AGREEMENT, Agreement.objects.get(slug="origo"))
    meeting = _approved_demo_meeting(chair)
    papers["kallelse"] = rendering.render_docx(built_in(DocumentKind.NOTICE), notice_context(meeting))
    papers["protokoll"] = rendering.render_docx(built_in(DocumentKind.MINUTES), minutes_context(meeting))
    paragraph = meeting.items.exclude(paragraph=None).values_list("paragraph", flat=True).first()
    papers["protokollsutdrag"] = extract_render(meeting=meeting, paragraph=paragraph)
    return papers


@pytest.mark.pdf
@needs_libreoffice
def test_no_paper_breaks_a_word_at_a_line_end(chair):
    papers = _every_paper(chair)
    texts = _pdf_texts(papers)
    problems = {}
    for name, content in papers.items():
        assert texts[name].strip(), f"{name}: the PDF has no text"
        broken = broken_words(texts[name], _docx_words(content))
        if broken:
            problems[name] = broken
    assert problems == {}


def test_the_check_finds_a_broken_date_and_a_squeezed_word():
    words = {"Socialnämnden", "2012-09-10", "§", "103", "Barn-", "och", "utbildningsnämnden"}
    assert broken_words("Socialnämnden 2012-\n09-10 § 103", words) == ["Socialnämnden 2012-"]
    assert broken_words("Barn-\noch utbildningsnämn\nden", words) == ["och utbildningsnämn", "den"]
    assert broken_words("Socialnämnden 2012-09-10\n§ 103\nSida 1 av 2\n\uf0b7", words) == []

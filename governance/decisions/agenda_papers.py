"""The adoption summary as an agenda paper (``core.papers``): where the municipalities stand on one
recommendation, for a cooperation body's meeting."""

import io

from docx import Document

from governance.core import calendar
from governance.core.formatting import format_date_long
from governance.core.papers import paper_provider_register

from .models import Recommendation

ADOPTION_SUMMARY = "adoption_summary"


def adoption_summary_options(user) -> list[tuple[int, str]]:
    """Every recommendation, newest board decision first (the summaries hold counts, not a case's contents)."""
    return list(Recommendation.objects.order_by("-board_decision_date").values_list("pk", "title"))


def adoption_summary_build(recommendation_id: int) -> tuple[str, bytes, Recommendation]:
    from .queries import dashboard

    recommendation = Recommendation.objects.filter(pk=recommendation_id).first()
    if recommendation is None:
        raise LookupError(recommendation_id)
    board = dashboard(recommendation)
    document = Document()
    document.add_heading(f"Läget i kommunernas anslutning: {recommendation.title}", level=1)
    document.add_paragraph(
        f"Underlag {format_date_long(calendar.today())}. Besked senast {recommendation.answer_deadline}. "
        + ", ".join(f"{label}: {count}" for _v, label, count in board.counts if count)
        + f". Försenade: {board.overdue}."
    )
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Kommun", "Läge", "Senaste beslut"], strict=True):
        cell.text = text
    for row in board.rows:
        cells = table.add_row().cells
        cells[0].text = row.case.organisation.display_name
        cells[1].text = str(row.case.get_state_display()) + (" (försenad)" if row.overdue else "")
        cells[2].text = row.last_decision.isoformat() if row.last_decision else ""
    out = io.BytesIO()
    document.save(out)
    return f"anslutning-{recommendation.slug}-{calendar.today()}.docx", out.getvalue(), recommendation


def register() -> None:
    paper_provider_register(
        ADOPTION_SUMMARY,
        "Läget i kommunernas anslutning",
        options=adoption_summary_options,
        build=adoption_summary_build,
        describe=lambda recommendation: f"Lägesrapport om {recommendation.title}.",
    )

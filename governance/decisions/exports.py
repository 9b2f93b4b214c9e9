"""The adoption matrix as CSV, XLSX and a terminal table."""

from django.utils.translation import gettext as _

from governance.core.exports import csv_text, xlsx_bytes

from .queries import Dashboard


def _header(board: Dashboard) -> list[str]:
    return [
        _("Kommunkod"),
        _("Kommun"),
        _("Läge"),
        *[str(label) for _v, label in board.stages],
        _("Försenad"),
        _("Dagar sedan senaste händelse"),
        _("Beslut"),
        _("Senaste beslut"),
        _("Besked senast"),
        _("Laga kraft"),
    ]


def _rows(board: Dashboard) -> list[list]:
    rows = []
    for row in board.rows:
        marks = [
            "x" if row.stage_index is not None and i <= row.stage_index else ""
            for i in range(len(board.stages))
        ]
        rows.append(
            [
                row.case.organisation.municipality_code,
                row.case.organisation.display_name,
                str(row.case.get_state_display()),
                *marks,
                _("ja") if row.overdue else "",
                row.days_since_movement,
                row.decisions,
                row.last_decision.isoformat() if row.last_decision else "",
                row.case.deadline.isoformat(),
                row.final_on.isoformat() if row.final_on else "",
            ]
        )
    return rows


def matrix_csv(board: Dashboard, *, bom: bool = True) -> str:
    return csv_text(_header(board), _rows(board), bom=bom)


def matrix_xlsx(board: Dashboard) -> bytes:
    return xlsx_bytes(
        sheet_title=_("Anslutning"),
        title=str(board.recommendation),
        header=_header(board),
        rows=_rows(board),
        widths={"B": 20, "C": 22},
    )


def matrix_table(board: Dashboard) -> str:
    """Compact terminal matrix: one column per stage, ● reached, · not yet."""
    short = [str(number) for number in range(1, len(board.stages) + 1)]
    legend = "  ".join(f"{number} = {label}" for number, (_v, label) in zip(short, board.stages, strict=True))
    lines = [str(board.recommendation), "", f"Steg: {legend}", ""]
    lines.append(f"{'Kod':<5} {'Kommun':<16} {' '.join(f'{s:<2}' for s in short)}  {'Läge':<22} Försenad")
    for row in board.rows:
        marks = " ".join(
            f"{'●' if row.stage_index is not None and i <= row.stage_index else '·':<2}"
            for i in range(len(short))
        )
        lines.append(
            f"{row.case.organisation.municipality_code:<5} {row.case.organisation.display_name[:16]:<16} {marks}  "
            f"{row.case.get_state_display():<22} {'ja' if row.overdue else ''}"
        )
    lines.append("")
    lines.append(", ".join(f"{label}: {count}" for _v, label, count in board.counts if count))
    lines.append(f"Försenade: {board.overdue}")
    return "\n".join(lines) + "\n"

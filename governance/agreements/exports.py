"""Cost allocation as CSV, XLSX and a terminal table."""

from django.utils.translation import gettext as _

from governance.core.exports import csv_text, decimal_comma, xlsx_bytes
from governance.core.formatting import format_amount, format_date_iso, format_number

from .costs import Allocation


def _header(allocation: Allocation) -> list[str]:
    columns = [_("Kommunkod"), _("Part"), _("Andel (%)"), _("Folkmängd"), _("Belopp (kr)")]
    if allocation.is_scenario:
        columns += [_("Vid fullt deltagande (kr)"), _("Skillnad (kr)"), _("Ansluter")]
    columns.append(_("Fördelning inom parten"))
    return columns


def _rows(allocation: Allocation) -> list[list]:
    rows = []
    for line in allocation.lines:
        row = [
            line.code or "",
            line.name,
            decimal_comma(line.percent) if line.percent is not None else "",
            line.population if line.population is not None else "",
            line.amount,
        ]
        if allocation.is_scenario:
            row += [line.full_amount, line.difference, _("ja") if line.joins else _("nej")]
        row.append("; ".join(f"{split.body_name}: {split.amount}" for split in line.splits))
        rows.append(row)
    return rows


def _total_row(allocation: Allocation) -> list:
    row = ["", _("Summa"), "", allocation.pool_population, allocation.total]
    if allocation.is_scenario:
        row += [allocation.budget, allocation.total - allocation.budget, ""]
    row.append("")
    return row


def _title(agreement, allocation: Allocation) -> str:
    return _("%(agreement)s: kostnadsfördelning %(year)s, folkmängd %(basis)s, budget %(budget)s") % {
        "agreement": agreement,
        "year": allocation.year,
        "basis": format_date_iso(allocation.basis_date),
        "budget": format_amount(allocation.budget),
    }


def _all_rows(allocation: Allocation) -> list[list]:
    rows = [*_rows(allocation), _total_row(allocation)]
    if allocation.unfunded:
        rows.append(["", _("Ofinansierat"), "", "", allocation.unfunded])
    return rows


def allocation_csv(agreement, allocation: Allocation, *, bom: bool = True) -> str:
    """Semicolon-separated (what Swedish Excel opens directly), amounts as plain integers."""
    return csv_text(_header(allocation), _all_rows(allocation), bom=bom)


def allocation_xlsx(agreement, allocation: Allocation) -> bytes:
    return xlsx_bytes(
        sheet_title=str(allocation.year),
        title=_title(agreement, allocation),
        header=_header(allocation),
        rows=_all_rows(allocation),
        bold_last_row=not allocation.unfunded,
        number_columns=("D", "E", "F", "G"),
        widths={"B": 32, "I": 60},
    )


def allocation_table(agreement, allocation: Allocation) -> str:
    """A plain-text table for the terminal."""
    header = _header(allocation)
    body = []
    for row in [*_rows(allocation), _total_row(allocation)]:
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, int) and index >= 3:
                cells.append(format_number(value).replace("\u00a0", " "))
            else:
                cells.append(str(value))
        body.append(cells)
    widths = [max(len(str(h)), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    numeric = {2, 3, 4, 5, 6} if allocation.is_scenario else {2, 3, 4}

    def fmt(cells):
        return "  ".join(
            c.rjust(widths[i]) if i in numeric else c.ljust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    lines = [
        _title(agreement, allocation).replace("\u00a0", " "),
        "",
        fmt(header),
        "-" * sum(widths, 2 * len(widths)),
    ]
    lines += [fmt(cells) for cells in body[:-1]]
    lines += ["-" * sum(widths, 2 * len(widths)), fmt(body[-1])]
    if allocation.unfunded:
        lines.append(
            _("Ofinansierat: %(amount)s")
            % {"amount": format_amount(allocation.unfunded).replace("\u00a0", " ")}
        )
    lines += list(allocation.notes)
    return "\n".join(lines) + "\n"

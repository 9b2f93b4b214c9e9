import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from governance.agreements.models import CostShare


def _run(*args):
    out = io.StringIO()
    call_command("costs", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_table_prints_the_reference_amounts_and_the_total(db):
    output = _run("origo", "--year", "2012", "--basis", "2011-12-31")
    danderyd = next(line for line in output.splitlines() if line.startswith("0162"))
    ekero = next(line for line in output.splitlines() if line.startswith("0125"))
    assert danderyd.split()[-1] == "612" and "45 612" in danderyd
    assert "36 960" in ekero
    assert "6 000 000" in next(line for line in output.splitlines() if "Summa" in line)


def test_basis_may_be_left_out(db):
    assert "45 612" in _run("origo", "--year", "2013")


def test_csv_and_scenario(db, capsys):
    call_command(
        "costs", "origo", "--year", "2013", "--format", "csv", "--exclude", "0162,0125", stderr=io.StringIO()
    )
    rows = [line.split(";") for line in capsys.readouterr().out.splitlines()]
    header = rows[0]
    assert header[:5] == ["Kommunkod", "Part", "Andel (%)", "Folkmängd", "Belopp (kr)"]
    by_code = {row[0]: row for row in rows[1:] if row[0]}
    assert by_code["0162"][4] == "0" and by_code["0162"][5] == "45612" and by_code["0162"][6] == "-45612"
    assert by_code["0162"][7] == "nej"
    assert int(by_code["0180"][4]) > int(by_code["0180"][5])  # Stockholm pays more when two stay out
    total = next(row for row in rows if row[1] == "Summa")
    assert total[4] == "6000000"


def test_xlsx(db, tmp_path):
    target = tmp_path / "k.xlsx"
    _run("origo-2016", "--year", "2016", "--format", "xlsx", "--out", str(target))
    sheet = openpyxl.load_workbook(target).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]}
    assert rows["0125"][4] == 36960
    assert rows["0125"][5] == "Socialnämnden: 18480; Barn- och utbildningsnämnden: 18480"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["okand", "--year", "2013"], "Det finns inget avtal ”okand”"),
        (["origo", "--year", "2013", "--exclude", "0999"], "Okänd kommunkod i avtalet: 0999"),
        (["origo", "--year", "2013", "--basis", "2001-12-31"], "Folkmängd saknas den 31 december 2001"),
        (["origo", "--year", "2013", "--basis", "31/12/2011"], "inte ett datum på formen ÅÅÅÅ-MM-DD"),
    ],
)
def test_bad_input_exits_non_zero_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_a_broken_cost_model_is_reported(db):
    CostShare.objects.filter(cost_model__agreement__slug="origo", organisation__kind="police").update(
        percent=30
    )
    with pytest.raises(CommandError, match="Andelarna summerar till 105\u00a0%, inte 100 %"):
        _run("origo", "--year", "2013")


def test_an_unwritable_output_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Kan inte skriva"):
        _run("origo", "--year", "2013", "--format", "xlsx", "--out", str(tmp_path / "saknas" / "k.xlsx"))
    with pytest.raises(CommandError, match="Kan inte skriva"):
        call_command(
            "draft_memo", "origo", "--municipality", "0162", "--out", str(tmp_path / "saknas" / "m.docx")
        )

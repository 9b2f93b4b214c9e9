import pytest
from django.core.management import CommandError, call_command

from governance.core.models import AuditEvent
from governance.parties.models import PopulationFigure
from governance.parties.services import PopulationImportError, population_import

HEADER = "municipality_code,municipality,reference_date,population\n"


def test_import_creates_updates_and_writes_one_audit_row(db):
    before = AuditEvent.objects.count()
    result = population_import(
        acting_user=None,
        text=HEADER
        + "0162,Danderyd,2020-12-31,33000\n0125,Ekerö,2020-12-31,29000\n0162,Danderyd,2019-12-31,32858\n",
    )
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert (
        PopulationFigure.objects.get(
            organisation__municipality_code="0162", reference_date="2019-12-31"
        ).population
        == 32858
    )
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.action for e in events] == ["population.imported"]
    assert events[0].payload["created"] == 2 and events[0].actor_name == "System"


def test_reimporting_the_shipped_figures_changes_nothing(db):
    from tests.conftest import FIXTURES

    before = (PopulationFigure.objects.count(), AuditEvent.objects.count())
    result = population_import(
        acting_user=None, text=(FIXTURES / "population_stockholms_lan.csv").read_text()
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 286)
    assert (PopulationFigure.objects.count(), AuditEvent.objects.count()) == before


def test_malformed_rows_are_reported_with_line_numbers_and_nothing_is_written(db):
    text = (
        HEADER
        + "0162,Danderyd,2021-12-31,33100\n"  # line 2: fine
        + "162,Danderyd,2021-12-31,1\n"  # line 3: code
        + "0125,Ekerö,31/12/2021,29000\n"  # line 4: date
        + "0125,Ekerö,2021-12-31,-3\n"  # line 5: population
        + "0114,Upplands Väsby\n"  # line 6: columns
        + "9999,Okänd,2021-12-31,100\n"  # line 7: unknown municipality
        + "0162,Danderyd,2021-12-31,33100\n"  # line 8: duplicate of line 2
    )
    before = (PopulationFigure.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PopulationImportError) as caught:
        population_import(acting_user=None, text=text)
    messages = "\n".join(caught.value.messages)
    assert "Rad 3: kommunkoden ”162” är inte fyra siffror." in messages
    assert "Rad 4: datumet ”31/12/2021” är inte på formen ÅÅÅÅ-MM-DD." in messages
    assert "Rad 5: folkmängden ”-3” är inte ett positivt heltal." in messages
    assert "Rad 6: 2 kolumner, 4 väntades." in messages
    assert "Rad 7: okänd kommunkod 9999." in messages
    assert "Rad 8: 0162 2021-12-31 finns redan på rad 2." in messages
    assert "Rad 2" not in messages
    assert (PopulationFigure.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Filen är tom."), ("code,name\n", "Rad 1: rubrikraden ska vara"), (HEADER, "inga rader")],
)
def test_empty_or_headerless_files_are_refused(db, text, message):
    with pytest.raises(PopulationImportError, match=message):
        population_import(acting_user=None, text=text)


def test_command_exits_non_zero_with_the_errors(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "0162,Danderyd,2021-12-31,abc\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Rad 2: folkmängden ”abc” är inte ett positivt heltal"):
        call_command("import_population", str(bad))
    with pytest.raises(CommandError, match="finns inte"):
        call_command("import_population", str(tmp_path / "missing.csv"))
    assert not PopulationFigure.objects.filter(reference_date="2021-12-31").exists()


def test_command_imports_a_good_file(db, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + HEADER + "0162,Danderyd,2021-12-31,33100\n", encoding="utf-8")
    call_command("import_population", str(good))
    assert "1 nya" in capsys.readouterr().out
    assert PopulationFigure.objects.get(reference_date="2021-12-31").population == 33100


def test_a_clerk_may_not_import(danderyd_clerk):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        population_import(acting_user=danderyd_clerk, text=HEADER + "0162,Danderyd,2021-12-31,33100\n")

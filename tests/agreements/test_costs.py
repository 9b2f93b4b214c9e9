import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from governance.agreements.choices import ScenarioMode
from governance.agreements.costs import AllocationError, FixedParty, PoolMember, apportion, compute_allocation
from governance.agreements.queries import cost_allocation
from governance.parties.models import PopulationFigure

BASIS_2011 = dt.date(2011, 12, 31)


def test_reference_amounts_of_the_municipal_decisions(origo):
    """Seeds 001 and 000: with population on 2011-12-31 Danderyd pays 45 612 kr and Ekerö 36 960 kr."""
    allocation = cost_allocation(agreement=origo, year=2012, basis_date=BASIS_2011)
    assert allocation.line_for_code("0162").amount == 45_612
    assert allocation.line_for_code("0125").amount == 36_960
    assert allocation.total == 6_000_000
    region, police = allocation.lines[0], allocation.lines[1]
    assert (region.name, region.amount) == ("Region Stockholm", 1_500_000)
    assert (police.name, police.amount) == ("Polismyndigheten", 1_500_000)
    assert sum(line.amount for line in allocation.lines if line.is_municipality) == 3_000_000


def test_ekero_share_is_split_equally_between_its_two_bodies(origo_2016):
    allocation = cost_allocation(agreement=origo_2016, year=2016)
    ekero = allocation.line_for_code("0125")
    assert ekero.amount == 36_960
    assert [(s.body_name, s.amount) for s in ekero.splits] == [
        ("Socialnämnden", 18_480),
        ("Barn- och utbildningsnämnden", 18_480),
    ]


@pytest.mark.parametrize("year", range(2010, 2021))
def test_sum_is_exact_for_every_year_of_data(origo, year):
    basis = dt.date(year - 1, 12, 31)
    populations = dict(
        PopulationFigure.objects.filter(reference_date=basis).values_list(
            "organisation__municipality_code", "population"
        )
    )
    assert len(populations) == 26
    allocation = cost_allocation(agreement=origo, year=year, basis_date=basis)
    assert allocation.total == 6_000_000
    pool_total = sum(populations.values())
    for line in allocation.lines:
        if line.is_municipality:
            exact = Fraction(3_000_000 * populations[line.code], pool_total)
            assert abs(line.amount - exact) < 1, line


def test_agreement_rule_previous_year_end_is_used_when_basis_is_left_out(origo):
    cost_model = origo.cost_model
    cost_model.basis_rule = "previous_year_end"
    cost_model.fixed_basis_date = None
    cost_model.save()
    allocation = cost_allocation(agreement=origo, year=2015)
    assert allocation.basis_date == dt.date(2014, 12, 31)
    assert allocation.line_for_code("0162").amount == 44_078  # 44 077,83 rounded half up


def test_fixed_basis_date_of_the_agreement(origo):
    assert cost_allocation(agreement=origo, year=2014).basis_date == BASIS_2011


def test_apportion_rounds_half_up_then_fixes_the_last_kronor():
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]  # 3,33 each: the missing krona goes to the first
    assert apportion(100, [1, 1]) == [50, 50]
    assert apportion(5, [1, 1]) == [3, 2]  # 2,5 and 2,5: half up gives 6, the later part gives one back
    assert apportion(7, [Decimal(25), Decimal(25), Decimal(50)]) == [2, 2, 3]  # 3,5 was rounded furthest up
    assert apportion(0, [1, 2]) == [0, 0]


def test_apportion_property_sum_exact_and_within_one_krona():
    rng = random.Random(20121231)
    for _ in range(300):
        total = rng.randint(0, 50_000_000)
        weights = [rng.randint(1, 1_000_000) for _ in range(rng.randint(1, 40))]
        parts = apportion(total, weights)
        assert sum(parts) == total
        weight_sum = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            assert abs(part - Fraction(total * weight, weight_sum)) < 1


def _pool(members):
    return [PoolMember(i, code, code, population) for i, (code, population) in enumerate(members, start=10)]


def _allocate(**overrides):
    arguments = {
        "year": 2012,
        "basis_date": BASIS_2011,
        "budget": 1000,
        "fixed": [FixedParty(1, "Region", Decimal(50))],
        "pool_percent": Decimal(50),
        "members": _pool([("0001", 100), ("0002", 300), ("0003", 600)]),
    }
    arguments.update(overrides)
    return compute_allocation(**arguments)


def test_scenario_redistribute_gives_the_share_to_those_who_join():
    allocation = _allocate(exclude=["0003"], mode=ScenarioMode.REDISTRIBUTE)
    assert [(line.amount, line.full_amount) for line in allocation.lines] == [
        (500, 500),
        (125, 50),
        (375, 150),
        (0, 300),
    ]
    assert allocation.total == 1000 and allocation.unfunded == 0
    assert allocation.line_for_code("0001").difference == 75
    assert allocation.line_for_code("0003").difference == -300
    assert not allocation.line_for_code("0003").joins


def test_scenario_unfunded_leaves_the_gap_open():
    allocation = _allocate(exclude=["0003"], mode=ScenarioMode.UNFUNDED)
    assert [line.amount for line in allocation.lines] == [500, 50, 150, 0]
    assert allocation.unfunded == 300


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"budget": 0}, "Budgeten måste vara ett positivt belopp"),
        ({"budget": -5}, "Budgeten måste vara ett positivt belopp"),
        ({"pool_percent": Decimal(40)}, "Andelarna summerar till 90\u00a0%, inte 100 %"),
        ({"exclude": ["9999"]}, "Okänd kommunkod i avtalet: 9999"),
        ({"exclude": ["0001", "0002", "0003"]}, "Alla kommuner är undantagna"),
        (
            {"members": _pool([("0001", 100), ("0002", None)])},
            "Folkmängd saknas den 31 december 2011 för: 0002",
        ),
    ],
)
def test_bad_input_is_refused_with_a_swedish_message(overrides, message):
    with pytest.raises(AllocationError, match=message):
        _allocate(**overrides)


def test_missing_population_for_the_basis_date_names_the_date(origo):
    with pytest.raises(AllocationError, match="Folkmängd saknas den 31 december 2003 för: Upplands Väsby"):
        cost_allocation(agreement=origo, year=2004, basis_date=dt.date(2003, 12, 31))


def test_rows_built_on_demand_agree_with_the_columns_and_survive_pickling():
    """The allocation keeps the municipalities as columns; a row read alone, every row read at once and the
    allocation after a round trip through the cache's pickle all show the same amounts and splits."""
    from django.core.cache import cache

    allocation = _allocate(
        exclude=["0002"],
        mode=ScenarioMode.REDISTRIBUTE,
        splits={12: [("Socialnämnden", 1), ("Barn- och utbildningsnämnden", 3)]},
    )
    rows = allocation.lines
    assert [line.code for line in rows] == [None, "0001", "0002", "0003"]
    assert all(allocation.line_for_code(line.code) == line for line in rows[1:])
    assert all(allocation.line_for_organisation(line.organisation_id) == line for line in rows)
    assert allocation.line_for_organisation(999) is None
    assert allocation.total == sum(line.amount for line in rows) == 1000
    with pytest.raises(KeyError):
        allocation.line_for_code("9999")
    third = allocation.line_for_code("0003")
    assert [(s.body_name, s.amount) for s in third.splits] == [
        ("Socialnämnden", third.amount // 4),
        ("Barn- och utbildningsnämnden", third.amount - third.amount // 4),
    ]
    assert not allocation.line_for_code("0002").joins and allocation.line_for_code("0001").joins

    cache.set("test-allocation", allocation)  # the cache pickles it, as it does in production
    restored = cache.get("test-allocation")
    assert "lines" not in restored.__dict__  # the rows are not pickled: they are built again when read
    assert restored == allocation and restored.lines == rows

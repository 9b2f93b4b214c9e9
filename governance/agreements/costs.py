"""Cost allocation: the pure computation, with no database access.

Rounding rule (docs/adr/0002-rounding.md): each part's exact share is rounded half up to whole kronor;
if the rounded parts then miss the total by k kronor, the k parts whose rounding moved them furthest in the
wrong direction are adjusted by one krona each (largest remainder). On a tie, a krona added goes to the
earlier part in the listed order (municipality code) and a krona taken away comes from the later part. Every part stays within one krona of its exact share and the parts
always add up exactly to the total. The same rule is applied at each level: budget → fixed shares and the
municipal pool; pool → municipalities by population; a municipality's amount → its bodies by weight.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from itertools import repeat
from typing import NamedTuple

from django.utils.translation import gettext as _

from governance.core.formatting import format_amount, format_date_long, format_percent

from .choices import ScenarioMode

#: The largest annual budget the system takes, in whole kronor (ten billion): far above any cooperation's,
#: and far below what a bigint column (and the allocation's arithmetic) can hold. The forms, the services
#: and ``compute_allocation`` all refuse a larger one with a Swedish message instead of a server error.
MAX_BUDGET = 10_000_000_000


def budget_too_large_message(budget) -> str:
    return _("Budgeten får vara högst %(max)s (angiven: %(b)s).") % {
        "max": format_amount(MAX_BUDGET),
        "b": budget if len(str(budget)) <= 40 else f"{str(budget)[:40]}…",
    }


class AllocationError(ValueError):
    """The inputs cannot be allocated; the message (Swedish) says what is wrong."""


def _whole_weights(weights: Sequence[int | Fraction | Decimal]) -> list[int]:
    """``weights`` as whole numbers in the same proportions (scaled by their common denominator)."""
    exact = [w.as_integer_ratio() for w in weights]
    denominator = math.lcm(*(d for _n, d in exact)) if exact else 1
    return [n * (denominator // d) for n, d in exact]


def apportion(total: int, weights: Sequence[int | Fraction | Decimal]) -> list[int]:
    """Split ``total`` whole kronor in proportion to ``weights``; the parts add up to ``total`` exactly.

    Exact integer arithmetic (no fractions): part i's exact share is ``total * w_i / W``; rounded half up it
    is ``(2 * total * w_i + W) // (2 W)``. Only when the rounded parts miss the total are the remainders
    ``r_i = total * w_i - rounded_i * W`` (the exact share minus the rounded part, times W) computed."""
    if total < 0:
        raise AllocationError(_("Beloppet som ska fördelas kan inte vara negativt."))
    weight_sum = sum(weights)
    whole = weights  # whole numbers already (the populations) when their sum is an int
    if type(weight_sum) is not int:  # percents (Decimal), weights (Fraction)
        whole = _whole_weights(weights)
        weight_sum = sum(whole)
    if not whole or min(whole) < 0:
        if whole:
            raise AllocationError(_("En andel kan inte vara negativ."))
        raise AllocationError(_("Det finns inga andelar att fördela beloppet på."))
    if weight_sum == 0:
        raise AllocationError(_("Det finns inga andelar att fördela beloppet på."))
    double_total, double_sum = 2 * total, 2 * weight_sum
    rounded = [(double_total * weight + weight_sum) // double_sum for weight in whole]  # half up
    shortfall = total - sum(rounded)
    if shortfall:
        # (exact - rounded) * W, in [-W/2, W/2): give a krona to the most under-rounded parts, or take one
        # from the most over-rounded.
        remainders = [total * w - r * weight_sum for w, r in zip(whole, rounded, strict=True)]
        # Sorting is stable: on a tie, the earlier part gets a krona and the later part gives one.
        if shortfall > 0:
            order = sorted(range(len(whole)), key=remainders.__getitem__, reverse=True)[:shortfall]
        else:
            order = sorted(reversed(range(len(whole))), key=remainders.__getitem__)[:-shortfall]
        step = 1 if shortfall > 0 else -1
        for i in order:
            rounded[i] += step
    return rounded


class FixedParty(NamedTuple):
    organisation_id: int
    name: str
    percent: Decimal


class PoolMember(NamedTuple):
    """A municipality in the pool. A named tuple, so the pool's columns are read with one ``zip(*members)``."""

    organisation_id: int
    code: str
    name: str
    population: int | None


class BodyAmount(NamedTuple):
    body_name: str
    amount: int


class AllocationLine(NamedTuple):
    """One party's row in the allocation table, as the cost page, the exports and the documents read it."""

    organisation_id: int
    name: str
    code: str | None
    is_municipality: bool
    percent: Decimal | None
    population: int | None
    amount: int
    full_amount: int
    joins: bool = True
    splits: tuple[BodyAmount, ...] = ()

    @property
    def difference(self) -> int:
        return self.amount - self.full_amount


_MODES = frozenset(ScenarioMode.values)


@dataclass(frozen=True)
class Allocation:
    """An allocation of one year's budget, with the full-participation amounts beside the scenario's.

    Columnar (issue 15): the municipalities' amounts are kept as columns (``ids``, ``codes``, ``amounts``…),
    in the members' order, and their rows (``AllocationLine``) are built the first time ``lines`` is read. A
    memo needs one party's row (``line_for_organisation``), not 290; the cost page reads them all once. The
    columns also pickle and unpickle in a fraction of the time of 290 row objects, which matters because the
    allocation is kept in the cache and read by every memo of a batch."""

    year: int
    basis_date: dt.date
    budget: int
    pool_amount: int
    mode: str
    fixed_lines: tuple[AllocationLine, ...]
    ids: tuple[int, ...]
    names: tuple[str, ...]
    codes: tuple[str, ...]
    populations: tuple[int | None, ...]
    amounts: tuple[int, ...]
    full_amounts: tuple[int, ...]
    #: per municipality whether it joins; ``None`` when every one does (no scenario)
    joins: tuple[bool, ...] | None = None
    #: per municipality its amount split on its bodies; ``None`` when no municipality splits
    splits: tuple[tuple[BodyAmount, ...], ...] | None = None
    excluded_codes: tuple[str, ...] = ()
    pool_population: int = 0
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def lines(self) -> tuple[AllocationLine, ...]:
        """Every party's row: the fixed parties first, then the municipalities in order."""
        rows = map(  # tuple.__new__(AllocationLine, fields) per row: built in C, no Python call per row
            tuple.__new__,
            repeat(AllocationLine),
            zip(
                self.ids,
                self.names,
                self.codes,
                repeat(True),
                repeat(None),
                self.populations,
                self.amounts,
                self.full_amounts,
                self.joins or repeat(True),
                self.splits or repeat(()),
            ),
        )
        return (*self.fixed_lines, *rows)

    def __getstate__(self) -> dict:
        """The columns only: the rows are built again after unpickling, when read."""
        state = dict(self.__dict__)
        state.pop("lines", None)
        return state

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.fixed_lines) + sum(self.amounts)

    @property
    def unfunded(self) -> int:
        return self.budget - self.total

    @property
    def is_scenario(self) -> bool:
        return bool(self.excluded_codes)

    def _municipality_line(self, index: int) -> AllocationLine:
        return AllocationLine(
            self.ids[index],
            self.names[index],
            self.codes[index],
            True,
            None,
            self.populations[index],
            self.amounts[index],
            self.full_amounts[index],
            self.joins[index] if self.joins else True,
            self.splits[index] if self.splits else (),
        )

    def line_for_organisation(self, organisation_id: int) -> AllocationLine | None:
        """The row of one party (a financing party first, as in ``lines``, then a municipality), or ``None``."""
        fixed = next((line for line in self.fixed_lines if line.organisation_id == organisation_id), None)
        if fixed is None and organisation_id in self.ids:
            return self._municipality_line(self.ids.index(organisation_id))
        return fixed

    def line_for_code(self, code: str) -> AllocationLine:
        """The row of the municipality with ``code``; ``KeyError`` if the allocation has none."""
        if code not in self.codes:
            raise KeyError(code)
        return self._municipality_line(self.codes.index(code))


def compute_allocation(
    *,
    year: int,
    basis_date: dt.date,
    budget: int,
    fixed: Sequence[FixedParty],
    pool_percent: Decimal | None,
    members: Sequence[PoolMember],
    splits: dict[int, Sequence[tuple[str, int]]] | None = None,
    exclude: Sequence[str] = (),
    mode: str = ScenarioMode.REDISTRIBUTE,
) -> Allocation:
    """Allocate ``budget`` for ``year``; see the module docstring for the rounding rule."""
    if budget <= 0:
        raise AllocationError(
            _("Budgeten måste vara ett positivt belopp i hela kronor (angiven: %(b)s).") % {"b": budget}
        )
    if budget > MAX_BUDGET:
        raise AllocationError(budget_too_large_message(budget))
    percents = [party.percent for party in fixed] + ([pool_percent] if pool_percent is not None else [])
    if sum(percents, Decimal(0)) != Decimal(100):
        raise AllocationError(
            _("Andelarna summerar till %(sum)s, inte 100 %%.")
            % {"sum": format_percent(sum(percents, Decimal(0)))}
        )
    if mode not in _MODES:
        raise AllocationError(_("Okänt scenario ”%(mode)s”.") % {"mode": mode})
    # The pool's columns, transposed in C: ids, codes, names, populations in the members' order.
    ids, codes, names, populations = zip(*members, strict=True) if members else ((), (), (), ())
    unknown = sorted(set(exclude) - set(codes)) if exclude else []
    if unknown:
        raise AllocationError(_("Okänd kommunkod i avtalet: %(codes)s.") % {"codes": ", ".join(unknown)})
    if pool_percent is not None:
        missing = [m for m in members if m.population is None] if None in populations else []
        if missing:
            raise AllocationError(
                _("Folkmängd saknas %(date)s för: %(names)s.")
                % {
                    "date": format_date_long(basis_date),
                    "names": ", ".join(f"{m.name} ({m.code})" for m in missing),
                }
            )
        if not members:
            raise AllocationError(_("Avtalet har inga kommuner att fördela kommunernas andel på."))

    top = apportion(budget, percents)
    pool_amount = top[-1] if pool_percent is not None else 0
    excluded = set(exclude)
    joiners = [m for m in members if m.code not in excluded] if excluded else members
    if pool_percent is not None and excluded and not joiners and mode == ScenarioMode.REDISTRIBUTE:
        raise AllocationError(_("Alla kommuner är undantagna; det finns ingen att fördela andelen på."))

    full: list[int] = []  # per member, in order
    scenario: list[int] = []
    if pool_percent is not None:
        full = apportion(pool_amount, populations)
        if not excluded:
            scenario = full
        elif mode == ScenarioMode.REDISTRIBUTE:
            joined = iter(apportion(pool_amount, [m.population for m in joiners]))
            scenario = [0 if m.code in excluded else next(joined) for m in members]
        else:  # unfunded: those who join pay what they would have paid anyway
            scenario = [0 if m.code in excluded else amount for m, amount in zip(members, full, strict=True)]
    else:
        full = scenario = [0] * len(members)

    splits = splits or {}

    def split_amount(organisation_id: int, amount: int) -> tuple[BodyAmount, ...]:
        parts = splits.get(organisation_id)
        if not parts:
            return ()
        amounts = apportion(amount, [weight for _name, weight in parts])
        return tuple(BodyAmount(name, a) for (name, _w), a in zip(parts, amounts, strict=True))

    fixed_lines = tuple(
        AllocationLine(
            party.organisation_id,
            party.name,
            None,
            False,
            party.percent,
            None,
            amount,
            amount,
            True,
            split_amount(party.organisation_id, amount) if splits else (),
        )
        for party, amount in zip(fixed, top, strict=False)
    )
    municipal_splits = None
    if splits and members:
        municipal_splits = tuple(map(split_amount, ids, scenario))
        if not any(municipal_splits):
            municipal_splits = None
    return Allocation(
        year=year,
        basis_date=basis_date,
        budget=budget,
        pool_amount=pool_amount,
        mode=mode,
        fixed_lines=fixed_lines,
        ids=ids,
        names=names,
        codes=codes,
        populations=populations,
        amounts=tuple(scenario),
        full_amounts=tuple(full),
        joins=tuple(code not in excluded for code in codes) if excluded else None,
        splits=municipal_splits,
        excluded_codes=tuple(sorted(excluded)),
        pool_population=sum(filter(None, populations)) if None in populations else sum(populations),
    )

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


def apportion(total: int, weights: Sequence[int | Fraction | Decimal]) -> list[int]:
    """Split ``total`` whole kronor in proportion to ``weights``; the parts add up to ``total`` exactly."""
    if total < 0:
        raise AllocationError(_("Beloppet som ska fördelas kan inte vara negativt."))
    exact_weights = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact_weights):
        raise AllocationError(_("En andel kan inte vara negativ."))
    weight_sum = sum(exact_weights)
    if not exact_weights or weight_sum == 0:
        raise AllocationError(_("Det finns inga andelar att fördela beloppet på."))
    exact = [total * w / weight_sum for w in exact_weights]
    rounded = [math.floor(x + Fraction(1, 2)) for x in exact]  # round half up
    shortfall = total - sum(rounded)
    if shortfall:
        # Remainder exact - rounded lies in [-1/2, 1/2). Give a krona to the most under-rounded parts,
        # or take one from the most over-rounded.
        order = sorted(
            range(len(exact)),
            key=lambda i: (-(exact[i] - rounded[i]), i) if shortfall > 0 else (exact[i] - rounded[i], -i),
        )
        step = 1 if shortfall > 0 else -1
        for i in order[: abs(shortfall)]:
            rounded[i] += step
    return rounded


@dataclass(frozen=True)
class FixedParty:
    organisation_id: int
    name: str
    percent: Decimal


@dataclass(frozen=True)
class PoolMember:
    organisation_id: int
    code: str
    name: str
    population: int | None


@dataclass(frozen=True)
class BodyAmount:
    body_name: str
    amount: int


@dataclass(frozen=True)
class AllocationLine:
    """One party's row in the allocation table."""

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


@dataclass(frozen=True)
class Allocation:
    """An allocation of one year's budget, with the full-participation amounts beside the scenario's."""

    year: int
    basis_date: dt.date
    budget: int
    pool_amount: int
    mode: str
    lines: tuple[AllocationLine, ...]
    excluded_codes: tuple[str, ...] = ()
    pool_population: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def unfunded(self) -> int:
        return self.budget - self.total

    @property
    def is_scenario(self) -> bool:
        return bool(self.excluded_codes)

    def line_for_code(self, code: str) -> AllocationLine:
        return next(line for line in self.lines if line.code == code)


def _pool_amounts(pool_amount: int, members: Sequence[PoolMember]) -> dict[str, int]:
    amounts = apportion(pool_amount, [m.population for m in members])
    return dict(zip((m.code for m in members), amounts, strict=True))


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
    if mode not in ScenarioMode.values:
        raise AllocationError(_("Okänt scenario ”%(mode)s”.") % {"mode": mode})
    codes = {member.code for member in members}
    unknown = sorted(set(exclude) - codes)
    if unknown:
        raise AllocationError(_("Okänd kommunkod i avtalet: %(codes)s.") % {"codes": ", ".join(unknown)})
    if pool_percent is not None:
        missing = [m for m in members if m.population is None]
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
    joiners = [m for m in members if m.code not in excluded]
    if pool_percent is not None and excluded and not joiners and mode == ScenarioMode.REDISTRIBUTE:
        raise AllocationError(_("Alla kommuner är undantagna; det finns ingen att fördela andelen på."))

    full: dict[str, int] = {}
    scenario: dict[str, int] = {}
    if pool_percent is not None:
        full = _pool_amounts(pool_amount, members)
        if not excluded:
            scenario = full
        elif mode == ScenarioMode.REDISTRIBUTE:
            scenario = _pool_amounts(pool_amount, joiners)
        else:  # unfunded: those who join pay what they would have paid anyway
            scenario = {m.code: full[m.code] for m in joiners}

    splits = splits or {}

    def split_amount(organisation_id: int, amount: int) -> tuple[BodyAmount, ...]:
        parts = splits.get(organisation_id)
        if not parts:
            return ()
        amounts = apportion(amount, [weight for _name, weight in parts])
        return tuple(BodyAmount(name, a) for (name, _w), a in zip(parts, amounts, strict=True))

    lines = [
        AllocationLine(
            organisation_id=party.organisation_id,
            name=party.name,
            code=None,
            is_municipality=False,
            percent=party.percent,
            population=None,
            amount=amount,
            full_amount=amount,
            splits=split_amount(party.organisation_id, amount),
        )
        for party, amount in zip(fixed, top, strict=False)
    ]
    for member in members:
        amount = scenario.get(member.code, 0)
        lines.append(
            AllocationLine(
                organisation_id=member.organisation_id,
                name=member.name,
                code=member.code,
                is_municipality=True,
                percent=None,
                population=member.population,
                amount=amount,
                full_amount=full.get(member.code, 0),
                joins=member.code not in excluded,
                splits=split_amount(member.organisation_id, amount),
            )
        )
    return Allocation(
        year=year,
        basis_date=basis_date,
        budget=budget,
        pool_amount=pool_amount,
        mode=mode,
        lines=tuple(lines),
        excluded_codes=tuple(sorted(excluded)),
        pool_population=sum(m.population or 0 for m in members),
    )

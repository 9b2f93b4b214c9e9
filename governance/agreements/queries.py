"""Reads for agreement and cost pages: loads a cost model in a fixed number of queries and allocates it."""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import DecimalField, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.utils.translation import gettext as _

from governance.core import calendar
from governance.core.caching import COSTS, generation_current, release, writes_pending
from governance.parties.choices import OrganisationKind
from governance.parties.models import PopulationFigure

from .choices import PartyRole, ScenarioMode, ShareKind
from .costs import Allocation, AllocationError, FixedParty, PoolMember, compute_allocation
from .models import Agreement, AgreementParty, CostModel, CostShare, CostSplit


def agreement_list(*, party_id: int | None = None):
    """Every agreement, oldest first. With ``party_id``, each says whether that organisation is a party to it
    (``has_party``), in the same query (``agreement_ids_for`` asks it separately)."""
    agreements = Agreement.objects.select_related("host", "cost_model", "previous").order_by("period_start")
    if party_id is not None:
        agreements = agreements.annotate(
            has_party=Exists(
                AgreementParty.objects.filter(agreement=OuterRef("pk"), organisation_id=party_id)
            )
        )
    return list(agreements)


def agreement_ids_for(organisation) -> set[int]:
    """Ids of the agreements ``organisation`` is a party to."""
    return set(
        AgreementParty.objects.filter(organisation=organisation).values_list("agreement_id", flat=True)
    )


def agreement_for_slug(slug: str) -> Agreement:
    """The agreement named ``slug``; raises ``AllocationError`` with a Swedish message if there is none."""
    agreement = (
        Agreement.objects.select_related("host", "cost_model")
        .prefetch_related(
            Prefetch("cost_model__shares", queryset=CostShare.objects.select_related("organisation")),
        )
        .filter(slug=slug)
        .first()
    )
    if agreement is None:
        known = ", ".join(Agreement.objects.order_by("slug").values_list("slug", flat=True)) or "–"
        raise AllocationError(
            _("Det finns inget avtal ”%(slug)s” (finns: %(known)s).") % {"slug": slug, "known": known}
        )
    return agreement


#: How long one process keeps an allocation. The key holds a fingerprint of every input, so a change to the
#: cost model, its shares or splits, the financing parties, their names or the population gives a new key at
#: once; the time only bounds the memory of entries nobody asks for again.
ALLOCATION_CACHE_SECONDS = 3600


def _allocation_inputs(agreement: Agreement, cost_model: CostModel, basis: dt.date) -> tuple:
    """Everything the allocation of ``agreement`` at ``basis`` depends on, as plain values, in two queries: the
    cost model's shares and splits, and the financing municipalities with their population."""
    split_rows = CostSplit.objects.filter(cost_model=cost_model).values_list(
        Value(""),
        "body__organisation_id",
        "body__name",
        Value(None, output_field=DecimalField(max_digits=7, decimal_places=4)),
        "weight",
        "pk",
    )
    if "shares" in getattr(cost_model, "_prefetched_objects_cache", {}):  # the cost page prefetches them
        shares = tuple(
            (
                share.kind,
                share.organisation_id,
                share.organisation.name if share.organisation_id else None,
                share.percent,
            )
            for share in cost_model.shares.all()
        )
        splits = tuple((row[1], row[2], row[4]) for row in split_rows.order_by("pk"))
    else:  # the shares and the splits in one query: a split's "kind" is "" (a share's never is)
        share_rows = cost_model.shares.order_by().values_list(
            "kind",
            "organisation_id",
            "organisation__name",
            "percent",
            Value(None, output_field=IntegerField()),
            "pk",
        )
        rows = list(share_rows.union(split_rows.order_by(), all=True))
        shares = tuple(
            (kind, organisation_id, name, percent)
            for kind, organisation_id, name, percent, _weight, _pk in sorted(
                (row for row in rows if row[0]), key=lambda row: (row[0], -row[3], row[5])
            )
        )
        splits = tuple(  # a split's weight has its own (integer) column: SQLite would read it as the percent
            (organisation_id, name, weight)
            for _kind, organisation_id, name, _percent, weight, _pk in sorted(
                (row for row in rows if not row[0]), key=lambda row: row[5]
            )
        )
    figure = PopulationFigure.objects.filter(organisation=OuterRef("organisation_id"), reference_date=basis)
    rows = (
        AgreementParty.objects.filter(
            agreement=agreement, role=PartyRole.FINANCING, organisation__kind=OrganisationKind.MUNICIPALITY
        )
        .annotate(population=Subquery(figure.values("population")[:1]))
        .order_by("organisation__municipality_code", "organisation_id")
        .values_list(
            "organisation_id",
            "organisation__municipality_code",
            "organisation__short_name",
            "organisation__name",
            "population",
        )
    )  # the parties with their population in one query
    municipalities = tuple(row[:4] for row in rows)
    population = tuple(sorted({row[0]: row[4] for row in rows if row[4] is not None}.items()))
    return shares, municipalities, population, splits


def _allocation_compute(
    *, year: int, basis: dt.date, budget: int, inputs: tuple, exclude: Sequence[str], mode: str
) -> Allocation:
    shares, municipalities, population_rows, split_rows = inputs
    fixed = [
        FixedParty(organisation_id, name, percent)
        for kind, organisation_id, name, percent in shares
        if kind == ShareKind.FIXED
    ]
    pool = next((percent for kind, *_rest, percent in shares if kind == ShareKind.POPULATION_POOL), None)
    population = dict(population_rows)
    members = [
        PoolMember(pk, code, short_name or name, population.get(pk))
        for pk, code, short_name, name in municipalities
    ]
    splits: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for organisation_id, body_name, weight in split_rows:
        splits[organisation_id].append((body_name, weight))
    return compute_allocation(
        year=year,
        basis_date=basis,
        budget=budget,
        fixed=fixed,
        pool_percent=pool,
        members=members,
        splits=dict(splits),
        exclude=exclude,
        mode=mode,
    )


def cost_allocation(
    *,
    agreement: Agreement,
    year: int,
    basis_date: dt.date | None = None,
    exclude: Sequence[str] = (),
    mode: str = ScenarioMode.REDISTRIBUTE,
) -> Allocation:
    """Allocate ``agreement``'s budget for ``year``.

    ``basis_date`` defaults to the agreement's rule. ``exclude`` lists municipality codes that do not join.
    Raises ``AllocationError`` (Swedish message) for anything that cannot be allocated.

    Computed once per agreement, year and inputs and kept in the cache (a batch of 290 memos computes it once,
    not 290 times), under a fingerprint of the inputs, so any change to them — the budget, basis rule, shares,
    cost splits, financing parties, their names or their population — is seen at once, in every process, with
    nothing to invalidate. Reading the inputs for the fingerprint costs two queries over every party; so the
    allocation is also kept under the committed generation of its input tables (``core.caching.COSTS``):
    while none of them has changed, one tiny query answers (each memo of a batch, the start page, the cost
    page). Not while this connection holds uncommitted changes: then the inputs are read.
    """
    if not 1900 < year < 2200:
        raise AllocationError(_("Kostnadsåret %(year)s är orimligt.") % {"year": year})
    generation = None if writes_pending(connections["default"]) else generation_current(scope=COSTS)
    by_generation = (
        f"cost-allocation:v3:{release()}:{agreement.pk}:{year}:{basis_date}:{','.join(exclude)}:{mode}:g{generation}"
        if generation is not None
        else None
    )
    allocation = cache.get(by_generation) if by_generation else None
    if allocation is None:
        allocation = _allocation_cached(agreement, year, basis_date, exclude, mode)
        if by_generation:  # as long as a kept page at most: a count lost to a crash ends with it
            cache.set(by_generation, allocation, settings.PAGE_CACHE_SECONDS or ALLOCATION_CACHE_SECONDS)
    if not agreement.covers_year(year):
        notes = (
            _("Obs: %(year)s ligger utanför avtalsperioden %(start)s–%(end)s.")
            % {"year": year, "start": agreement.period_start, "end": agreement.period_end},
        )
        allocation = replace(allocation, notes=notes)
    return allocation


def _allocation_cached(agreement, year, basis_date, exclude, mode) -> Allocation:
    """The allocation from its inputs, kept under their fingerprint (see ``cost_allocation``)."""
    try:
        cost_model: CostModel = agreement.cost_model
    except CostModel.DoesNotExist as exc:
        raise AllocationError(_("Avtalet %(a)s har ingen kostnadsmodell.") % {"a": agreement}) from exc
    basis = basis_date or cost_model.basis_date_for(year)
    inputs = _allocation_inputs(agreement, cost_model, basis)
    fingerprint = hashlib.sha256(
        repr((year, basis, cost_model.annual_budget, tuple(exclude), str(mode), inputs)).encode()
    ).hexdigest()
    key = f"cost-allocation:v3:{agreement.pk}:{year}:{fingerprint}"
    allocation = cache.get(key)
    if allocation is None:
        allocation = _allocation_compute(
            year=year,
            basis=basis,
            budget=cost_model.annual_budget,
            inputs=inputs,
            exclude=exclude,
            mode=mode,
        )  # AllocationError is raised again on the next call: failures are not kept
        cache.set(key, allocation, ALLOCATION_CACHE_SECONDS)
    return allocation


def latest_population_date() -> dt.date | None:
    """The latest reference date with population figures for any municipality, or ``None`` (one query)."""
    return (
        PopulationFigure.objects.filter(organisation__kind=OrganisationKind.MUNICIPALITY)
        .order_by("-reference_date")
        .values_list("reference_date", flat=True)
        .first()
    )


def default_cost_year(agreement: Agreement) -> int:
    """The year shown first: this year if the agreement covers it, else the agreement's first year."""
    this_year = calendar.today().year
    return this_year if agreement.covers_year(this_year) else agreement.period_start.year


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: float
    full_width: float
    value_text: str
    joins: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_area: int
    bar_height: int
    bars: tuple[Bar, ...]
    title: str


def cost_chart(allocation: Allocation) -> BarChart:
    """Geometry of the horizontal bar chart of the municipalities' amounts (rendered as SVG by a template)."""
    from governance.core.formatting import format_amount

    lines = [line for line in allocation.lines if line.is_municipality]
    label_width, bar_area, bar_height, gap = 130, 560, 14, 6
    largest = max([max(line.amount, line.full_amount) for line in lines] or [1]) or 1
    bars = tuple(
        Bar(
            label=line.name,
            y=24 + index * (bar_height + gap),
            width=round(bar_area * line.amount / largest, 1),
            full_width=round(bar_area * line.full_amount / largest, 1),
            value_text=format_amount(line.amount),
            joins=line.joins,
        )
        for index, line in enumerate(lines)
    )
    return BarChart(
        width=label_width + bar_area + 110,
        height=24 + len(bars) * (bar_height + gap) + 10,
        label_width=label_width,
        bar_area=bar_area,
        bar_height=bar_height,
        bars=bars,
        title=_("Kommunernas andelar per år"),
    )

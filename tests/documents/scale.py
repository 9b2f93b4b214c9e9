"""Invented municipalities for the batch tests and measurements: ``n`` municipalities in all (the Origo ones
plus invented ones), their population, an agreement financed by all of them and a recommendation sent to all,
so a KSL batch makes ``n`` memos. Everything goes through the services. ``make_scale_data`` (issue 15) makes
richer data; this is the small, fast part the batch needs."""

import datetime as dt

from governance.agreements.services import agreement_load
from governance.core import calendar
from governance.decisions.models import Recommendation
from governance.decisions.services.recommendations import recommendation_create_and_send
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation
from governance.parties.services import population_import, registry_load

BASIS = dt.date(2023, 12, 31)
SLUG = "batchprov"


def municipalities_add(n: int) -> int:
    """Invent municipalities (codes 9000 and up) until there are ``n``; returns how many were added."""
    have = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).count()
    missing = max(0, n - have)
    organisations = [
        {
            "name": f"Provkommun {i:03d} kommun",
            "short_name": f"Provkommun {i:03d}",
            "kind": "municipality",
            "municipality_code": f"{9000 + i:04d}",
            "is_host": False,
            "registration_number_pattern": "KS {year}/{n}",
            "bodies": [
                ["Kommunfullmäktige", "council"],
                ["Kommunstyrelsen", "executive_board"],
                ["Socialnämnden", "committee"],
                ["Kommunledningskontoret", "administration"],
            ],
        }
        for i in range(missing)
    ]
    if organisations:
        registry_load(acting_user=None, organisations=organisations)
    return missing


def population_set(extra: int = 0) -> None:
    """Every municipality's population at ``BASIS`` (10 000 + 37 × its place, plus ``extra``)."""
    rows = [
        f"{org.municipality_code},{org.short_name or org.name},{BASIS.isoformat()},{10_000 + 37 * i + extra}"
        for i, org in enumerate(
            Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).order_by("municipality_code")
        )
    ]
    population_import(
        acting_user=None, text="municipality_code,municipality,reference_date,population\n" + "\n".join(rows)
    )


def scale_round(n: int) -> Recommendation:
    """``n`` municipalities, an agreement they all finance and a recommendation sent to all (idempotent)."""
    existing = Recommendation.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    today = calendar.today()
    municipalities_add(n)
    population_set()
    agreement, _created = agreement_load(
        acting_user=None,
        data={
            "slug": SLUG,
            "title": "Avtal om provverksamhet",
            "short_title": "Provverksamhet",
            "period_start": f"{today.year}-01-01",
            "period_end": f"{today.year + 3}-12-31",
            "host": "Stockholms stad",
            "financing": ["all_municipalities", "Region Stockholm"],
            "cooperating": [],
            "cost_model": {
                "annual_budget": 29_000_000,
                "basis_rule": "fixed_date",
                "fixed_basis_date": BASIS.isoformat(),
                "shares": [{"party": "Region Stockholm", "percent": "20"}, {"pool": True, "percent": "80"}],
                "splits": [],
            },
        },
    )
    return recommendation_create_and_send(
        acting_user=None,
        slug=SLUG,
        title="Rekommendation om provverksamhet",
        board_decision_date=today - dt.timedelta(days=7),
        issued_on=today - dt.timedelta(days=7),
        agreement=agreement,
        answer_deadline=today + dt.timedelta(days=120),
        decision_points="att ingå avtal om provverksamhet",
    )

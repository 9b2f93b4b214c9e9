"""Scale data for measuring the system at national size (``manage.py make_scale_data``, issue 15).

Sweden has 290 municipalities; the county's 26 are real (``load_origo``), the rest are invented here:
"Skalkommun 9001 (påhittad)" and so on, with codes 9001–9264 that no real municipality has, a council, an
executive board, a social committee and an administration each, and an invented population for every SCB
reference date in the data set. Then ``recommendations`` invented recommendations, each with its own
agreement, sent to every municipality, with histories dated back from today: the newest in every open state,
older ones mostly signed, a few declined or withdrawn. A few cases get a long history of postponements
(``long_events`` events), so a case page can be measured at 10 and at 100 events.

Everything goes through the same loaders and services as ``load_origo`` and the pages (``registry_load``,
``population_import``, ``agreement_load``, ``adoption_history_load``), so every step is validated and
audited, and everything says it is invented. Idempotent: a second run with the same arguments adds nothing;
a run with more municipalities or recommendations adds only what is missing (recommendations already sent
keep the municipalities they were sent to).
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q

from governance.core import calendar
from governance.parties.choices import OrganisationKind
from governance.parties.models import Organisation, PopulationFigure

from ..choices import DecisionOutcome
from ..models import AdoptionCase, Recommendation
from .demo import KS_ALONE, PLAN, _case_events, _decision

#: Codes of invented municipalities start here; no real municipality code begins with 9.
FIRST_INVENTED_CODE = 9001
MAX_MUNICIPALITIES = 290
MAX_RECOMMENDATIONS = 200
MAX_LONG_EVENTS = 200
SLUG_PREFIX = "skala"
#: Working days between two invented recommendations.
SPACING_WORKING_DAYS = 25
#: How many cases get the long history.
LONG_CASES = 5


@dataclass(frozen=True)
class ScaleResult:
    municipalities_created: int
    population_rows: int
    recommendations_created: int
    events: int
    long_history_cases: list[int]


def _invented_organisations(count: int) -> list[dict]:
    return [
        {
            "name": f"Skalkommun {code} (påhittad)",
            "short_name": f"Skalkommun {code}",
            "kind": OrganisationKind.MUNICIPALITY,
            "municipality_code": str(code),
            "registration_number_pattern": "KS {year}/{n}",
            "bodies": [
                ["Kommunfullmäktige", "council"],
                ["Kommunstyrelsen", "executive_board"],
                ["Socialnämnden", "committee", "Socialförvaltningen"],
                ["Socialförvaltningen", "administration"],
            ],
        }
        for code in range(FIRST_INVENTED_CODE, FIRST_INVENTED_CODE + count)
    ]


def _population_csv(codes: list[str], dates: list[dt.date]) -> str:
    """Invented figures, stable per code (seeded), growing a little every year."""
    lines = ["municipality_code,municipality,reference_date,population"]
    for code in codes:
        rng = random.Random(int(code))
        base = rng.choice(
            [rng.randint(2_500, 15_000), rng.randint(15_000, 60_000), rng.randint(60_000, 250_000)]
        )
        for index, day in enumerate(sorted(dates)):
            lines.append(f"{code},Skalkommun {code} (påhittad),{day.isoformat()},{int(base * (1.01**index))}")
    return "\n".join(lines) + "\n"


#: The newest recommendation: every open state, as in the demo round.
OPEN_STATES = sorted(set(PLAN.values()))


def _state(code: str, k: int) -> str:
    """Where the case of municipality ``code`` stands in the ``k``-th newest invented recommendation."""
    rng = random.Random(f"{code}-{k}")
    if k == 0:
        return rng.choice(OPEN_STATES)
    roll = rng.random()
    if k == 1:
        return "signed" if roll < 0.6 else rng.choice(["decided", "in_decision", "proposed", "declined"])
    if roll < 0.85:
        return "signed"
    if roll < 0.93:
        return "declined"
    if roll < 0.97:
        return "withdrawn"
    return "signed_ks"


def _long_events(code: str, board: dt.date, today: dt.date, count: int) -> list[dict]:
    """A case that is prepared, proposed and then postponed by the social committee again and again: one
    event per meeting day, each day after the board's decision and none in the future."""
    events = [
        {"do": "start_preparation", "on": board.isoformat()},
        {"do": "propose", "on": board.isoformat()},
    ]
    day = board
    for paragraph in range(1, max(count - 2, 0) + 1):
        day += dt.timedelta(days=1)
        if day >= today:  # recorded at noon: today's would lie in the future in the morning
            break
        events.append(_decision("Socialnämnden", day, paragraph, "Ärendet bordläggs (påhittat).", "postpone"))
    return events


def scale_spec(
    *, codes: list[str], recommendations: int, long_events: int, today: dt.date, existing: set[str]
) -> list[dict]:
    """The ``recommendations`` newest invented recommendations as fixture data (``adoption.json``'s shape),
    with their agreements, leaving out slugs in ``existing``."""
    specs = []
    for k in range(recommendations):
        slug = f"{SLUG_PREFIX}-{k + 1:03d}"
        if slug in existing:
            continue
        shifted = calendar.working_days_before(today, k * SPACING_WORKING_DAYS)
        first, last = shifted.year + 1, shifted.year + 4
        period = f"{first}–{last}"
        board = calendar.working_days_before(shifted, 70)
        # The long histories go to the oldest recommendation whose board decided long enough ago for them.
        long_k = next(
            (
                j
                for j in range(recommendations)
                if (today - calendar.working_days_before(today, j * SPACING_WORKING_DAYS + 70)).days
                >= long_events
            ),
            recommendations - 1,
        )
        long_codes = set(codes[:: max(len(codes) // LONG_CASES, 1)][:LONG_CASES]) if k == long_k else set()
        cases = []
        for code in codes:
            if code in long_codes:
                cases.append(
                    {"code": code, "demo": True, "events": _long_events(code, board, today, long_events)}
                )
                continue
            state = PLAN[code] if k == 0 and code in PLAN else _state(code, k)
            ks_alone = state.endswith("_ks") or (k == 0 and code in KS_ALONE)
            cases.append(
                {
                    "code": code,
                    "demo": True,
                    "steps": [["Kommunstyrelsen", "decides"]] if ks_alone else None,
                    "events": _case_events(code, state, shifted, period),
                }
            )
        specs.append(
            {
                "agreement": {
                    "slug": slug,
                    "demo": True,
                    "title": f"Skalningsavtal {k + 1} {period} (påhittat)",
                    "short_title": f"Skalningsavtal {k + 1}",
                    "period_start": f"{first}-01-01",
                    "period_end": f"{last}-12-31",
                    "host": "Stockholms stad",
                    "financing": ["all_municipalities", "Region Stockholm"],
                    "cooperating": ["Kommunförbundet Stockholms Län"],
                    "cost_model": {
                        "annual_budget": 1_000_000 * (k % 9 + 2),
                        "basis_rule": "fixed_date",
                        "fixed_basis_date": "2019-12-31",
                        "shares": [
                            {"party": "Region Stockholm", "percent": "30"},
                            {"pool": True, "percent": "70"},
                        ],
                    },
                },
                "recommendation": {
                    "slug": slug,
                    "demo": True,
                    "title": f"Rekommendation om skalningsavtal {k + 1} {period} (påhittad skalningsdata)",
                    "board_decision_date": board.isoformat(),
                    "registration_number": f"KSL/{board:%y}/{9000 + k} (påhittat)",
                    "agreement": slug,
                    "answer_deadline": calendar.working_days_before(shifted, 3).isoformat(),
                    "consultation": None,
                    "background": (
                        "Påhittad rekommendation för att mäta systemet med alla Sveriges 290 kommuner "
                        "(manage.py make_scale_data). Inget av detta har hänt."
                    ),
                    "decision_points": f"att ingå skalningsavtal {k + 1} för perioden {period}.",
                    "cases": cases,
                },
            }
        )
    return specs


def scale_data_load(
    *, acting_user=None, municipalities: int, recommendations: int, long_events: int = 100, today=None
) -> ScaleResult:
    """Load scale data (the system only, like the demo data): see the module's docstring."""
    from governance.agreements.services import agreement_load
    from governance.parties.services import population_import, registry_load

    from .loading import adoption_history_load

    if acting_user is not None:
        raise PermissionDenied("Skalningsdata läses bara in av systemet (manage.py make_scale_data).")
    if not 1 <= municipalities <= MAX_MUNICIPALITIES:
        raise ValidationError(f"Antalet kommuner ska vara 1–{MAX_MUNICIPALITIES}.")
    if not 0 <= recommendations <= MAX_RECOMMENDATIONS:
        raise ValidationError(f"Antalet rekommendationer ska vara 0–{MAX_RECOMMENDATIONS}.")
    if not 0 <= long_events <= MAX_LONG_EVENTS:
        raise ValidationError(f"Antalet händelser i de långa historikerna ska vara 0–{MAX_LONG_EVENTS}.")
    real = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).exclude(
        municipality_code__startswith="9"
    )
    if not real.filter(municipality_code="0180").exists():
        raise ValidationError("Läs in Origo-data först (manage.py load_origo).")
    today = today or calendar.today()
    invented = max(municipalities - real.count(), 0)
    counts = {"municipalities": 0, "population": 0, "recommendations": 0, "events": 0}
    with transaction.atomic():
        counts["municipalities"] = registry_load(
            acting_user=None, organisations=_invented_organisations(invented)
        )["organisations_created"]
        codes = [str(code) for code in range(FIRST_INVENTED_CODE, FIRST_INVENTED_CODE + invented)]
        dates = sorted(set(PopulationFigure.objects.values_list("reference_date", flat=True)))
        have = set(
            PopulationFigure.objects.filter(organisation__municipality_code__in=codes).values_list(
                "organisation__municipality_code", "reference_date"
            )
        )
        missing = [code for code in codes if any((code, day) not in have for day in dates)]
        if missing:
            counts["population"] = population_import(
                acting_user=None, text=_population_csv(missing, dates), source="Påhittad (skalningsdata)"
            ).created
    # Every municipality, real or invented, in code order: the same recipients as a real recommendation.
    all_codes = list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .order_by("municipality_code")
        .values_list("municipality_code", flat=True)
    )
    existing = set(
        Recommendation.objects.filter(slug__startswith=f"{SLUG_PREFIX}-").values_list("slug", flat=True)
    )
    for spec in scale_spec(
        codes=all_codes,
        recommendations=recommendations,
        long_events=long_events,
        today=today,
        existing=existing,
    ):
        # One transaction per recommendation: an interrupted run keeps what is done and resumes from there.
        with transaction.atomic():
            agreement_load(acting_user=None, data=spec["agreement"])
            loaded = adoption_history_load(
                acting_user=None, data={"consultation": None, "recommendations": [spec["recommendation"]]}
            )
        counts["recommendations"] += loaded["recommendations"]
        counts["events"] += loaded["events"]
    long_cases = list(
        AdoptionCase.objects.filter(recommendation__slug__startswith=f"{SLUG_PREFIX}-")
        .annotate(postponed=Count("decisions", filter=Q(decisions__outcome=DecisionOutcome.POSTPONE)))
        .filter(postponed__gte=10)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return ScaleResult(
        municipalities_created=counts["municipalities"],
        population_rows=counts["population"],
        recommendations_created=counts["recommendations"],
        events=counts["events"],
        long_history_cases=long_cases,
    )

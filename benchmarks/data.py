"""The bench's data: built once through the product's commands and reused, and the subjects measured on it.

``make_scale_data N --recommendations R`` (municipalities × recommendations with histories) when the command
exists, on top of ``load_origo`` (the personas and Origo's own data; both commands are idempotent). Without
``make_scale_data`` the bench measures the demo data (26 municipalities) and says so in the results.
``var/bench/data-<vendor>-<database>.json`` records what was built and how long it took; a second run with the
same parameters and database builds nothing.
"""

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.db import connection
from django.db.models import Count

from governance.core.models import AuditEvent
from governance.decisions.models import AdoptionCase, Recommendation
from governance.decisions.services import case_registration_number_set
from governance.meetings.models import Meeting
from governance.parties.models import Organisation

from .settings import BENCH_DIR

LONG_HISTORY = 100  # events on the long case
SHORT_HISTORY = 10  # events on the short case
PERSONAS = ("ksl", "danderyd", "ekero", "ordforande", "ledamot", "admin")


def _quiet():
    return open(os.devnull, "w")


def data_ensure(*, municipalities: int, recommendations: int) -> dict:
    """Migrate, then build the data unless ``var/bench/data.json`` says this database already has it."""
    call_command("migrate", verbosity=0, interactive=False, stdout=_quiet())
    scale = "make_scale_data" in get_commands()
    key = {
        "vendor": connection.vendor,
        "database": str(settings.DATABASES["default"]["NAME"]),
        "command": "make_scale_data" if scale else "load_origo",
        "municipalities": municipalities if scale else None,
        "recommendations": recommendations if scale else None,
    }
    marker = BENCH_DIR / f"data-{connection.vendor}-{Path(key['database']).stem}.json"
    if marker.exists():
        built = json.loads(marker.read_text())
        if built.get("key") == key and Organisation.objects.exists():
            return {**built, "reused": True}
    started = time.perf_counter()
    call_command("load_origo", verbosity=0, stdout=_quiet())
    if scale:
        call_command("make_scale_data", municipalities, recommendations=recommendations, stdout=_quiet())
    built = {"key": key, "seconds": round(time.perf_counter() - started, 1)}
    marker.write_text(json.dumps(built, indent=2))
    return {**built, "reused": False}


@dataclass
class Subjects:
    recommendation: Recommendation
    cases: int
    municipalities: int
    short_case: AdoptionCase
    long_case: AdoptionCase
    events: dict[str, int]
    meetings: list[int] = field(default_factory=list)
    users: dict = field(default_factory=dict)


def _event_counts(case_ids) -> dict[int, int]:
    content_type = ContentType.objects.get_for_model(AdoptionCase)
    rows = (
        AuditEvent.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in case_ids])
        .values("object_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(case_ids, 0)
    counts.update({int(row["object_id"]): row["n"] for row in rows})
    return counts


def _history_lengthen(case: AdoptionCase, events: int) -> None:
    """Give ``case`` ``events`` audit events through a real service (its diarienummer set again and again),
    so its page shows a long history. Idempotent: only the missing events are added."""
    missing = events - _event_counts([case.pk])[case.pk]
    for i in range(missing):
        case = case_registration_number_set(
            acting_user=None, case=case, registration_number=f"BENCH {case.pk}/{i % 2}{missing}-{i}"
        )


def subjects_pick() -> Subjects:
    """The recommendation with the most cases (the dashboard), a case with about 10 events and one with 100
    (the case page's flatness), the meetings KSL's officer sits in, the personas."""
    recommendation = (
        Recommendation.objects.annotate(n=Count("cases")).filter(n__gt=0).order_by("-n", "-id").first()
    )
    case_ids = list(recommendation.cases.order_by("id").values_list("id", flat=True))
    counts = _event_counts(case_ids)
    short_id = min(case_ids, key=lambda pk: (abs(counts[pk] - SHORT_HISTORY), pk))
    # make_scale_data gives a few cases (of an older recommendation) a long history; else one is made here.
    longest = (
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(AdoptionCase))
        .exclude(object_id=str(short_id))
        .values("object_id")
        .annotate(n=Count("id"))
        .order_by("-n", "object_id")
        .first()
    )
    long_id = int(longest["object_id"])
    if longest["n"] < LONG_HISTORY:
        long_id = max((pk for pk in case_ids if pk != short_id), key=lambda pk: (counts[pk], -pk))
        _history_lengthen(AdoptionCase.objects.get(pk=long_id), LONG_HISTORY)
    counts = _event_counts([short_id, long_id])
    users = {u.username: u for u in get_user_model().objects.filter(username__in=PERSONAS)}
    return Subjects(
        recommendation=recommendation,
        cases=len(case_ids),
        municipalities=Organisation.objects.filter(municipality_code__isnull=False).count(),
        short_case=AdoptionCase.objects.get(pk=short_id),
        long_case=AdoptionCase.objects.get(pk=long_id),
        events={"short": counts[short_id], "long": counts[long_id]},
        meetings=list(Meeting.objects.order_by("-id").values_list("id", flat=True)[:20]),
        users=users,
    )

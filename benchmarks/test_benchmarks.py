"""Speed and memory targets. Run with ``make bench``; the numbers are printed and the targets asserted here,
never in the unit suite (2-core machines vary; these targets leave a wide margin)."""

import random
import tracemalloc
import uuid

from django.urls import reverse

from governance.agreements.costs import FixedParty, PoolMember, compute_allocation
from governance.agreements.queries import cost_allocation
from governance.decisions import documents, services
from governance.decisions.models import AdoptionCase

TARGET_ALLOCATION_290_S = 0.05  # all 290 Swedish municipalities in one pool
TARGET_DASHBOARD_S = 0.5  # the KSL dashboard for 26 municipalities, rendered
TARGET_MEMO_S = 1.0  # one tjänsteutlåtande rendered (without PDF)
TARGET_MEMO_PEAK_MB = 50


def test_allocation_of_290_municipalities(benchmark):
    import datetime as dt
    from decimal import Decimal

    rng = random.Random(290)
    members = [PoolMember(i, f"{i:04d}", f"K{i}", rng.randint(2_000, 1_000_000)) for i in range(290)]
    result = benchmark(
        compute_allocation,
        year=2026,
        basis_date=dt.date(2025, 12, 31),
        budget=123_456_789,
        fixed=[FixedParty(1, "Region", Decimal(25)), FixedParty(2, "Polisen", Decimal(25))],
        pool_percent=Decimal(50),
        members=members,
    )
    assert result.total == 123_456_789
    assert benchmark.stats["mean"] < TARGET_ALLOCATION_290_S


def test_origo_allocation_from_the_database(benchmark, origo):
    allocation = benchmark(cost_allocation, agreement=origo, year=2013)
    assert allocation.total == 6_000_000


def test_dashboard_page(benchmark, ksl_client):
    url = reverse("decisions:dashboard", args=["origo-2016"])
    response = benchmark(ksl_client.get, url)
    assert response.status_code == 200
    assert benchmark.stats["mean"] < TARGET_DASHBOARD_S


def test_memo_rendering_time_and_memory(benchmark, danderyd_clerk, monkeypatch):
    monkeypatch.setattr(documents, "soffice_path", lambda: None)
    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")
    params = documents.memo_defaults(case, danderyd_clerk).__dict__
    template = services.template_for("memo")[0]

    def render():
        return documents.render_docx(template, documents.memo_context(case, params))

    content = benchmark(render)
    assert documents.is_docx(content)
    assert benchmark.stats["mean"] < TARGET_MEMO_S
    tracemalloc.start()
    services.document_render(
        document_id=services.document_request(
            acting_user=danderyd_clerk,
            kind="memo",
            subject_key=f"case:{case.pk}",
            params=params,
            request_key=uuid.uuid4(),
        ).pk
    )
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memo generation peak memory: {peak / 1e6:.1f} MB")
    assert peak < TARGET_MEMO_PEAK_MB * 1e6

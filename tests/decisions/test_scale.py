"""``make_scale_data``: invented municipalities and recommendations through the services (issue 15)."""

import io

import pytest
from django.core.management import CommandError, call_command

from governance.core.models import AuditEvent
from governance.decisions.choices import CaseState
from governance.decisions.models import AdoptionCase, Decision, Recommendation
from governance.decisions.services.scale import scale_data_load
from governance.parties.models import Organisation, PopulationFigure

pytestmark = pytest.mark.django_db


def test_scale_data_is_invented_audited_and_loaded_once():
    before = AuditEvent.objects.count()
    result = scale_data_load(municipalities=32, recommendations=2, long_events=12)

    invented = Organisation.objects.filter(municipality_code__startswith="9")
    assert invented.count() == 6 == result.municipalities_created
    assert all("(påhittad)" in org.name for org in invented)
    # every SCB reference date of the data set, for every invented municipality
    dates = PopulationFigure.objects.values("reference_date").distinct().count()
    assert PopulationFigure.objects.filter(organisation__in=invented).count() == 6 * dates
    scale = Recommendation.objects.filter(slug__startswith="skala-")
    assert scale.count() == 2 == result.recommendations_created
    assert all(r.is_demo_data and "påhittad" in r.title for r in scale)
    for recommendation in scale:
        assert recommendation.cases.count() == 32
    states = set(AdoptionCase.objects.filter(recommendation__in=scale).values_list("state", flat=True))
    assert {CaseState.RECEIVED, CaseState.IN_PREPARATION, CaseState.SIGNED} <= states
    # a few cases with a long history of postponements, for measuring the case page at many events
    assert len(result.long_history_cases) == 5
    for pk in result.long_history_cases:
        assert Decision.objects.filter(case_id=pk).count() >= 10
    # through the services: every event is audited
    assert AuditEvent.objects.count() - before > result.events

    again = scale_data_load(municipalities=32, recommendations=2, long_events=12)
    assert (again.municipalities_created, again.recommendations_created, again.events) == (0, 0, 0)
    assert scale.count() == 2


def test_command_reports_and_refuses_bad_sizes():
    out = io.StringIO()
    call_command("make_scale_data", 27, recommendations=1, long_events=0, stdout=out)
    assert "1 nya rekommendationer" in out.getvalue()
    with pytest.raises(CommandError, match="1–290"):
        call_command("make_scale_data", 291, stdout=io.StringIO())

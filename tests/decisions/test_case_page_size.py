"""A case postponed again and again keeps a case page of one size: older postponements fold away behind
"Visa alla beslut", and its history shows the latest events (issue 15)."""

import datetime as dt

import pytest
from django.urls import reverse

from governance.core import calendar
from governance.decisions.choices import CaseState, DecisionOutcome
from governance.decisions.models import AdoptionCase
from governance.decisions.queries import POSTPONEMENTS_SHOWN
from governance.decisions.services import case_decision_record, case_propose, case_start_preparation

pytestmark = pytest.mark.django_db


def _postponed_case(times: int) -> AdoptionCase:
    case = (
        AdoptionCase.objects.filter(organisation__municipality_code="0125", state=CaseState.RECEIVED).first()
        or AdoptionCase.objects.filter(state=CaseState.RECEIVED).first()
    )
    board = case.recommendation.board_decision_date
    case_start_preparation(acting_user=None, case=case, on=board)
    case_propose(acting_user=None, case=case, on=board)
    step = case.steps.order_by("order").first()
    day = board
    for number in range(1, times + 1):
        day += dt.timedelta(days=1)
        assert day < calendar.today()
        case_decision_record(
            acting_user=None,
            case=case,
            step=step,
            meeting_date=day,
            paragraph=f"§ {number}",
            text=f"Ärendet bordläggs ({number}).",
            outcome=DecisionOutcome.POSTPONE,
        )
    return case


def test_older_postponements_fold_away_and_show_on_request(client, ksl_officer):
    case = _postponed_case(POSTPONEMENTS_SHOWN + 7)
    client.force_login(ksl_officer)
    url = reverse("decisions:case", args=[case.pk])

    page = client.get(url).content.decode()
    shown = [n for n in range(1, POSTPONEMENTS_SHOWN + 8) if f"Ärendet bordläggs ({n})." in page]
    assert shown == list(range(8, POSTPONEMENTS_SHOWN + 8))  # the latest ones
    assert "Visa alla beslut (7 äldre bordläggningar och återremisser visas inte)" in page

    everything = client.get(url, {"beslut": "alla"}).content.decode()
    assert all(f"Ärendet bordläggs ({n})." in everything for n in range(1, POSTPONEMENTS_SHOWN + 8))
    assert "Visa alla beslut" not in everything


def test_a_few_postponements_are_all_shown(client, ksl_officer):
    case = _postponed_case(2)
    client.force_login(ksl_officer)
    page = client.get(reverse("decisions:case", args=[case.pk])).content.decode()
    assert "Ärendet bordläggs (1)." in page and "Ärendet bordläggs (2)." in page
    assert "Visa alla beslut" not in page

"""Issue 11: what the papers take from the case (the memos per seed are in test_memo_seeds.py)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from governance.decisions import memo_paper, papers, services
from governance.decisions.models import AdoptionCase


def _danderyd_2012():
    return AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")


def test_only_the_system_dates_a_replayed_step(danderyd_case, danderyd_clerk):
    with pytest.raises(PermissionDenied):
        services.case_start_preparation(
            acting_user=danderyd_clerk, case=danderyd_case, on=dt.date(2025, 4, 1)
        )
    danderyd_case.refresh_from_db()
    assert danderyd_case.state == "received"


def test_a_dnr_written_with_dnr_is_not_doubled():
    assert memo_paper.registration_label("Dnr 325-983/2012") == "Dnr 325-983/2012"  # Stockholm's own form
    assert memo_paper.registration_label("KS 2012/0123") == "Dnr KS 2012/0123"
    assert memo_paper.registration_label(" ") == ""


def test_the_2011_answers_are_tjanstemannasvar_with_the_municipalitys_header(db):
    from governance.decisions.models import ConsultationResponse

    response = ConsultationResponse.objects.get(
        consultation__slug="origo-remiss-2011", organisation__municipality_code="0114"
    )
    assert response.decided_by == "officials" and response.adopted_by is None
    context = papers.consultation_response_context(response)
    assert context["adopted"] == "Remissvaret är ett tjänstemannasvar."
    assert context["registration_label"] == ""  # never KSL's dnr in the municipality's header
    assert "(KSL:s dnr KSL/11/0145" in context["intro"] and "på KSL:s frågor" in context["intro"]

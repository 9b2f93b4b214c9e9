"""Issue 11, the memo's pre-fill from what the system knows (seed 001, Danderyd 2012)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from governance.decisions import papers, services
from governance.decisions.models import AdoptionCase


def _danderyd_2012():
    return AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")


def test_the_memo_is_dated_when_the_case_was_put_forward_and_cites_ksls_own_date(db, danderyd_clerk):
    defaults = papers.memo_defaults(_danderyd_2012(), danderyd_clerk)
    assert defaults.date == dt.date(2012, 7, 23)  # "socialkontorets tjänsteutlåtande 2012-07-23"
    basis = defaults.basis.splitlines()
    assert basis[0] == "Tjänsteutlåtande 2012-07-23"
    assert basis[1] == "KSL:s rekommendation 2012-06-05"  # the letter's date, not the board's 2012-06-15


def test_the_beslutsunderlag_follows_the_date_the_clerk_sets(db, danderyd_clerk):
    case = _danderyd_2012()
    params = {**papers.memo_defaults(case, danderyd_clerk).__dict__, "date": dt.date(2012, 8, 1)}
    context = papers.memo_context(case, params)
    assert "Tjänsteutlåtande 2012-08-01" in context["basis"]
    assert "Tjänsteutlåtande 2012-07-23" not in context["basis"]


def test_only_the_system_dates_a_replayed_step(danderyd_case, danderyd_clerk):
    with pytest.raises(PermissionDenied):
        services.case_start_preparation(
            acting_user=danderyd_clerk, case=danderyd_case, on=dt.date(2025, 4, 1)
        )
    danderyd_case.refresh_from_db()
    assert danderyd_case.state == "received"


def test_a_dnr_written_with_dnr_is_not_doubled():
    assert papers.registration_label("Dnr 325-983/2012") == "Dnr 325-983/2012"  # Stockholm's own form
    assert papers.registration_label("KS 2012/0123") == "Dnr KS 2012/0123"
    assert papers.registration_label(" ") == ""


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


def test_ksl_drafting_for_danderyd_names_danderyds_handlaggare_and_dispatch(db, ksl_officer):
    defaults = papers.memo_defaults(_danderyd_2012(), ksl_officer)
    assert defaults.handler_name == "David Dahlgren"  # Danderyd's contact person, not KSL's officer
    dispatch = defaults.dispatch.splitlines()
    assert dispatch[0] == "Kommunförbundet Stockholms Län" and "Socialnämnden" in dispatch  # it prepared


def test_the_dispatch_includes_the_bodies_that_share_the_cost(db, ekero_clerk):
    case = AdoptionCase.objects.get(recommendation__slug="origo-2016", organisation__municipality_code="0125")
    dispatch = papers.memo_defaults(case, ekero_clerk).dispatch.splitlines()
    assert "Barn- och utbildningsnämnden" in dispatch and len(dispatch) == len(set(dispatch))

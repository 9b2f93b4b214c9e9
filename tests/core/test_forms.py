"""Form errors in Swedish that name their field: the hidden ``expected_state``, other hidden fields, and the
shared form template (templates/includes/form.html)."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse

from governance.core.forms import STALE_PAGE_MESSAGE, ExpectedStateField, HiddenFieldErrorsMixin
from governance.core.models import AuditEvent
from governance.decisions.choices import CaseState
from governance.decisions.forms import CaseActionForm, MemoForm
from governance.decisions.models import AdoptionCase
from governance.meetings.forms import EndMembershipForm
from tests.decisions.conftest import fresh_recommendation  # noqa: F401  (a fixture)

STALE = "Sidan var inaktuell – ladda om och försök igen."


class _Form(HiddenFieldErrorsMixin, forms.Form):
    expected_state = ExpectedStateField(choices=[("a", "A"), ("b", "B")])
    amount = forms.IntegerField(label="Belopp", help_text="Hela kronor.")


def test_the_stale_page_message():
    assert str(STALE_PAGE_MESSAGE) == STALE


@pytest.mark.parametrize("value", [None, "", "hackat"])
def test_a_missing_or_tampered_expected_state_is_a_swedish_form_error(value):
    data = {"comment": "x"} if value is None else {"expected_state": value}
    form = CaseActionForm(data)
    assert not form.is_valid()
    assert form.errors == {"__all__": [STALE]}
    html = form.as_div()
    assert STALE in html
    assert "expected_state)" not in html and "Dolt fält" not in html and "Hidden field" not in html


def test_a_valid_expected_state_passes():
    form = CaseActionForm({"expected_state": CaseState.RECEIVED})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["expected_state"] == CaseState.RECEIVED
    assert str(form.fields["expected_state"].label) == "Läge när sidan visades"


def test_other_hidden_fields_are_swedish_too(db):
    case = AdoptionCase.objects.filter(organisation__municipality_code="0162").first()
    memo = MemoForm({"request_key": "inte-en-uuid"}, case=case)
    assert not memo.is_valid()
    assert "request_key" not in memo.errors and STALE in memo.non_field_errors()
    end = EndMembershipForm({"membership": "x", "valid_to": "2026-01-01"})
    assert not end.is_valid()
    assert end.errors == {"__all__": [STALE]}


def test_the_form_template_names_each_field_and_puts_form_errors_first():
    form = _Form({"expected_state": "c", "amount": "tre"})
    assert not form.is_valid()
    html = render_to_string(
        "includes/form.html", {"form": form, "cancel_url": "/", "error_heading": "Sparades inte"}
    )
    summary = html.split("</div>", 1)[0]
    assert "Sparades inte" in summary
    assert summary.index(STALE) < summary.index("Belopp: ")
    assert '<a href="#id_amount">Belopp: Fyll i ett heltal.</a>' in summary
    # Next to the field, in the element the field's aria-describedby names; the field is marked invalid.
    assert '<div class="field-error" id="id_amount_error"><p>Belopp: Fyll i ett heltal.</p></div>' in html
    field = re.search(r'<input[^>]*id="id_amount"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_amount_helptext id_amount_error"' in field
    assert '<small id="id_amount_helptext">Hela kronor.</small>' in html
    assert '<label for="id_amount">Belopp</label>' in html
    assert "Hela kronor." in html
    assert '<label for="id_expected_state">' not in html  # a hidden field has no label or row
    assert 'type="hidden" name="expected_state"' in html
    assert "expected_state)" not in html and "Dolt fält" not in html


def test_the_form_template_has_a_default_heading():
    form = _Form({"expected_state": "a", "amount": ""})
    assert not form.is_valid()
    html = render_to_string("includes/form.html", {"form": form, "cancel_url": "/"})
    assert "Formuläret innehåller fel" in html
    assert "Belopp: Detta fält måste fyllas i." in html


def test_a_tampered_expected_state_on_the_case_page_is_a_400_and_stores_nothing(
    client,
    danderyd_clerk,
    fresh_recommendation,  # noqa: F811
):
    recommendation = fresh_recommendation()
    case = AdoptionCase.objects.get(recommendation=recommendation, organisation__municipality_code="0162")
    client.force_login(danderyd_clerk)
    before = AuditEvent.objects.count()
    url = reverse("decisions:case_action", args=[case.pk, "start_preparation"])
    response = client.post(url, {"expected_state": "hackat"})
    assert response.status_code == 400
    assert STALE in response.text
    assert "expected_state)" not in response.text
    assert "Expected state" not in response.text
    assert AuditEvent.objects.count() == before
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED


@pytest.mark.parametrize("value", ["99999999999999999999", "1e5", "-1", "١٢"])
def test_an_id_no_row_can_have_is_an_invalid_choice_not_a_500(client, ksl_officer, value):
    """SQLite raises OverflowError on an id beyond a bigint, which Django's lookup does not catch."""
    from django.urls import reverse

    from governance.decisions.models import Recommendation

    client.force_login(ksl_officer)
    before = Recommendation.objects.count()
    response = client.post(
        reverse("decisions:recommendation_create"),
        {
            "title": "T",
            "agreement": value,
            "recipients": [value],
            "request_key": "00000000-0000-4000-8000-000000000001",
        },
    )
    assert response.status_code == 400 and "Välj ett giltigt alternativ" in response.text
    assert Recommendation.objects.count() == before

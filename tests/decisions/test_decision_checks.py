"""Issue 10: the checks on each body's decision, the anslag date and laga kraft, the signature date, and
reopening a case recorded in error — through the services and through the pages."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions import exports, queries, services
from governance.decisions.models import Decision
from governance.decisions.services.decision_checks import paragraph_normalise

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CHAIN = ("Socialnämnden", "Kommunstyrelsen", "Kommunfullmäktige")


def _last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _proposed(case, user):
    services.case_start_preparation(acting_user=user, case=case)
    return services.case_propose(acting_user=user, case=case)


def _record(case, user, body, **overrides):
    arguments = {
        "acting_user": user,
        "case": case,
        "step": case.steps.get(body__name=body),
        "meeting_date": dt.date(2025, 5, 1),
        "paragraph": "§ 1",
        "text": "Beslutar enligt förslaget.",
        "outcome": "approve",
        **overrides,
    }
    return services.case_decision_record(**arguments)


def _decided(case, user, on=dt.date(2025, 5, 1), **final):
    case = _proposed(case, user)
    for body in CHAIN[:-1]:
        case = _record(case, user, body, meeting_date=on)
    return _record(case, user, CHAIN[-1], meeting_date=on, **final)


def _refused(case, call, *fragments):
    """The call raises one ValidationError with every fragment, and nothing is stored."""
    before = (_last_id(), Decision.objects.count(), case.__class__.objects.get(pk=case.pk).state)
    with pytest.raises(ValidationError) as caught:
        call()
    text = " | ".join(caught.value.messages)
    for fragment in fragments:
        assert fragment in text
    assert (_last_id(), Decision.objects.count(), case.__class__.objects.get(pk=case.pk).state) == before
    return caught.value.messages


# Chain order


def test_a_later_body_cannot_decide_before_the_earlier_ones(danderyd_case, danderyd_clerk):
    case = _proposed(danderyd_case, danderyd_clerk)
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Kommunfullmäktige"),
        "Kommunfullmäktige kan inte besluta innan Socialnämnden och Kommunstyrelsen har beslutat",
        "ändra beslutskedjan",
    )
    case = _record(case, danderyd_clerk, "Socialnämnden")
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Kommunfullmäktige", meeting_date=dt.date(2025, 5, 2)),
        "Kommunfullmäktige kan inte besluta innan Kommunstyrelsen har beslutat",
    )


def test_a_postponement_is_not_the_bodys_decision(danderyd_case, danderyd_clerk):
    case = _record(
        _proposed(danderyd_case, danderyd_clerk), danderyd_clerk, "Socialnämnden", outcome="postpone"
    )
    assert case.state == "in_decision"
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Kommunstyrelsen", meeting_date=dt.date(2025, 5, 8)),
        "Kommunstyrelsen kan inte besluta innan Socialnämnden har beslutat (en bordläggning räknas inte)",
    )


def test_an_informed_step_need_not_decide(danderyd_case, danderyd_clerk):
    bodies = {b.name: b for b in danderyd_case.organisation.bodies.all()}
    services.case_chain_set(
        acting_user=danderyd_clerk,
        case=danderyd_case,
        steps=[(bodies["Socialnämnden"], "informed"), (bodies["Kommunstyrelsen"], "decides")],
    )
    case = _record(_proposed(danderyd_case, danderyd_clerk), danderyd_clerk, "Kommunstyrelsen")
    assert case.state == "decided"


def test_a_decision_cannot_predate_the_previous_steps(danderyd_case, danderyd_clerk):
    case = _record(
        _proposed(danderyd_case, danderyd_clerk),
        danderyd_clerk,
        "Socialnämnden",
        meeting_date=dt.date(2025, 5, 10),
    )
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Kommunstyrelsen", meeting_date=dt.date(2025, 5, 1)),
        "Kommunstyrelsen (2025-05-01) kan inte besluta före det tidigare beslutet i kedjan (2025-05-10)",
    )


def test_every_problem_is_listed_at_once(danderyd_case, danderyd_clerk):
    case = _proposed(danderyd_case, danderyd_clerk)
    messages = _refused(
        case,
        lambda: _record(
            case,
            danderyd_clerk,
            "Kommunstyrelsen",
            meeting_date=calendar.today() + dt.timedelta(days=2),
            paragraph="§ " + "1" * 45,
            text="x" * 10_001,
        ),
        "Paragraf: högst 40 tecken (nu 47)",
        "Beslutstext: högst 10 000 tecken (nu 10001)",
        "Sammanträdesdatum: kan inte ligga i framtiden",
        "Kommunstyrelsen kan inte besluta innan Socialnämnden har beslutat",
    )
    assert len(messages) == 4


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("§ 103", "§ 103"),
        ("§103", "§ 103"),
        ("103 §", "103 §"),
        ("103§", "103 §"),
        ("KS § 45", "KS § 45"),
        ("KS §45", "KS § 45"),
        ("  Utl. 2012:109 RVII ", "Utl. 2012:109 RVII"),
    ],
)
def test_paragraph_forms_are_recognised(written, stored):
    assert paragraph_normalise(written) == stored


def test_a_free_reference_is_stored_normalised(danderyd_case, danderyd_clerk):
    case = _record(
        _proposed(danderyd_case, danderyd_clerk), danderyd_clerk, "Socialnämnden", paragraph="SN §103"
    )
    assert case.decisions.get().paragraph == "SN § 103"


@pytest.mark.parametrize(
    ("paragraph", "message"),
    [
        ("§ " + "9" * 39, "Paragraf: högst 40 tecken (nu 41)"),
        ("§ 1\n§ 2", "Paragraf: får inte innehålla radbrytningar"),
        ("   ", "Paragraf: ange paragraf"),
    ],
)
def test_bad_paragraphs_are_refused(danderyd_case, danderyd_clerk, paragraph, message):
    case = _proposed(danderyd_case, danderyd_clerk)
    _refused(case, lambda: _record(case, danderyd_clerk, "Socialnämnden", paragraph=paragraph), message)


def test_text_of_ten_thousand_characters_is_the_limit(danderyd_case, danderyd_clerk):
    case = _proposed(danderyd_case, danderyd_clerk)
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Socialnämnden", text="a" * 10_001),
        "Beslutstext: högst 10 000 tecken",
    )
    case = _record(case, danderyd_clerk, "Socialnämnden", text="a" * 10_000)
    assert len(case.decisions.get().text) == 10_000


def test_the_same_body_and_meeting_twice_is_refused(danderyd_case, danderyd_clerk):
    case = _record(
        _proposed(danderyd_case, danderyd_clerk), danderyd_clerk, "Socialnämnden", outcome="postpone"
    )
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Socialnämnden"),
        "Socialnämnden har redan ett registrerat beslut från sammanträdet 2025-05-01",
    )


def test_a_double_click_past_the_check_gets_the_same_message(danderyd_case, danderyd_clerk, monkeypatch):
    from governance.decisions.services import cases

    case = _record(
        _proposed(danderyd_case, danderyd_clerk), danderyd_clerk, "Socialnämnden", outcome="postpone"
    )
    monkeypatch.setattr(cases, "decision_problems", lambda **kwargs: [])  # the race: both passed the check
    _refused(
        case,
        lambda: _record(case, danderyd_clerk, "Socialnämnden"),
        "Socialnämnden har redan ett registrerat beslut från sammanträdet 2025-05-01",
    )


# Signature


def test_a_signature_dated_before_the_decision_is_refused(danderyd_case, danderyd_clerk):
    case = _decided(danderyd_case, danderyd_clerk, on=dt.date(2025, 5, 1))
    before = _last_id()
    with pytest.raises(ValidationError) as caught:
        services.case_sign(
            acting_user=danderyd_clerk,
            case=case,
            signatory_name="Kommundirektören",
            signed_on=dt.date(2025, 4, 20),
            document=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        )
    assert caught.value.messages == [
        "Datum: underskriften (2025-04-20) kan inte vara före beslutet att ingå avtalet "
        "(Kommunfullmäktige 2025-05-01)."
    ]
    assert _last_id() == before


def test_signature_before_the_decision_on_the_page(client, danderyd_case, danderyd_clerk):
    case = _decided(danderyd_case, danderyd_clerk, on=dt.date(2025, 5, 1))
    client.force_login(danderyd_clerk)
    response = client.post(
        reverse("decisions:case_action", args=[case.pk, "sign"]),
        {
            "expected_state": "decided",
            "signatory_name": "Kommundirektören",
            "signed_on": "2025-04-30",
            "document": SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "underskriften (2025-04-30) kan inte vara före beslutet att ingå avtalet" in response.text


# Anslag date and laga kraft


@pytest.fixture
def after_christmas(monkeypatch):
    """Today is 2027-01-15, so a decision in December 2026 and its anslag are in the past."""
    monkeypatch.setattr(calendar, "today", lambda: dt.date(2027, 1, 15))


def test_laga_kraft_over_christmas_on_the_case_and_the_matrix(
    client, danderyd_case, danderyd_clerk, ksl_officer, after_christmas
):
    # Posted Friday 2026-12-04; three weeks later is juldagen (Fri 25th), then annandag jul and a Sunday:
    # the appeal period ends Monday 2026-12-28 and the decision vinner laga kraft on Tuesday the 29th.
    case = _decided(danderyd_case, danderyd_clerk, on=dt.date(2026, 12, 1), posted_on=dt.date(2026, 12, 4))
    final = case.decisions.get(step__body__name="Kommunfullmäktige")
    assert (final.posted_on, final.appeal_ends_on, final.final_on) == (
        dt.date(2026, 12, 4),
        dt.date(2026, 12, 28),
        dt.date(2026, 12, 29),
    )
    client.force_login(danderyd_clerk)
    page = client.get(reverse("decisions:case", args=[case.pk])).text
    # Today (2027-01-15) is after the day it became final: past tense.
    assert (
        "Protokollet anslaget 2026-12-04 · överklagandetiden gick ut 2026-12-28 · vann laga kraft 2026-12-29"
        in page
    )
    assert "vinner laga kraft" not in page
    assert page.count("Ange anslagsdatum") == 2  # the two earlier bodies' decisions still lack theirs

    client.force_login(ksl_officer)
    dashboard = client.get(reverse("decisions:dashboard", args=[case.recommendation.slug])).text
    assert (
        "Laga kraft" in dashboard
        and '<td class="final-on" data-label="Laga kraft">2026-12-29</td>' in dashboard
    )
    board = queries.dashboard(case.recommendation)
    row = next(r for r in board.rows if r.case.pk == case.pk)
    assert row.final_on == dt.date(2026, 12, 29)
    assert "Laga kraft" in exports.matrix_csv(board) and "2026-12-29" in exports.matrix_csv(board)
    csv = client.get(reverse("decisions:matrix_csv", args=[case.recommendation.slug])).content.decode()
    assert "2026-12-29" in csv
    xlsx = client.get(reverse("decisions:matrix_xlsx", args=[case.recommendation.slug])).content
    cells = [str(c.value) for row in openpyxl.load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    assert "Laga kraft" in cells and "2026-12-29" in cells


def test_the_anslag_date_added_later_is_checked_and_audited(client, danderyd_case, danderyd_clerk):
    case = _decided(danderyd_case, danderyd_clerk, on=dt.date(2025, 5, 1))
    final = case.decisions.get(step__body__name="Kommunfullmäktige")
    client.force_login(danderyd_clerk)
    url = reverse("decisions:decision_posting", args=[case.pk])
    page = client.get(reverse("decisions:case", args=[case.pk])).text
    assert "Ange anslagsdatum" in page and "laga kraft 20" not in page

    before = _last_id()
    for posted, message in [
        (
            "2025-04-30",
            "Anslagsdatum: protokollet (2025-04-30) kan inte anslås före sammanträdet (2025-05-01)",
        ),
        ("2025-07-15", "Anslagsdatum: 2025-07-15 är mer än 60 dagar efter sammanträdet"),
        ((calendar.today() + dt.timedelta(days=1)).isoformat(), "Anslagsdatum: kan inte ligga i framtiden"),
    ]:
        response = client.post(url, {"decision": final.pk, "posted_on": posted})
        assert response.status_code == 400 and message in response.text
    assert _last_id() == before and Decision.objects.get(pk=final.pk).posted_on is None

    response = client.post(url, {"decision": final.pk, "posted_on": "2025-05-12"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(pk__gt=before)
    assert event.action == "decision.posted" and event.object_id == str(case.pk)
    assert event.payload["decision_id"] == final.pk and event.payload["posted_on"] == "2025-05-12"
    assert event.payload["final_on"] == "2025-06-03"  # 12 May + 3 weeks = Monday 2 June, a working day
    page = client.get(reverse("decisions:case", args=[case.pk])).text
    assert "överklagandetiden gick ut 2025-06-02 · vann laga kraft 2025-06-03" in page


def test_only_the_municipalitys_clerk_records_an_anslag_date(
    client, danderyd_case, danderyd_clerk, ekero_clerk, ksl_officer
):
    case = _decided(danderyd_case, danderyd_clerk)
    final = case.decisions.get(step__body__name="Kommunfullmäktige")
    for user in (ekero_clerk, ksl_officer):
        with pytest.raises(PermissionDenied):
            services.decision_posting_record(acting_user=user, decision=final, posted_on=dt.date(2025, 5, 5))
    client.force_login(ksl_officer)
    url = reverse("decisions:decision_posting", args=[case.pk])
    assert client.post(url, {"decision": final.pk, "posted_on": "2025-05-05"}).status_code == 403
    client.force_login(ekero_clerk)
    assert client.post(url, {"decision": final.pk, "posted_on": "2025-05-05"}).status_code == 404
    assert Decision.objects.get(pk=final.pk).posted_on is None


# Reopen


def test_reopening_a_decided_case_voids_the_deciding_approval_and_audits(danderyd_case, danderyd_clerk):
    case = _decided(danderyd_case, danderyd_clerk)
    final = case.decisions.get(step__body__name="Kommunfullmäktige")
    before = _last_id()
    case = services.case_reopen(
        acting_user=danderyd_clerk,
        case=case,
        reason="Beslutet registrerades på fel ärende.",
        expected_state="decided",
    )
    assert case.state == "in_preparation"
    final.refresh_from_db()
    assert final.voided_at is not None and final.void_reason == "Beslutet registrerades på fel ärende."
    assert case.decisions.filter(voided_at__isnull=True).count() == 2  # the earlier bodies' decisions stay
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert (event.action, event.source_state, event.target_state) == (
        "case.reopened",
        "decided",
        "in_preparation",
    )
    assert event.comment == "Beslutet registrerades på fel ärende."
    assert event.payload == {
        "reason": "Beslutet registrerades på fel ärende.",
        "voided_decision_ids": [final.pk],
    }
    # The council's decision can now be recorded again, even for the same meeting date.
    case = services.case_propose(acting_user=danderyd_clerk, case=case)
    case = _record(case, danderyd_clerk, "Kommunfullmäktige")
    assert case.state == "decided"


def test_reopening_a_declined_case_voids_the_refusal(danderyd_case, danderyd_clerk):
    case = _decided(danderyd_case, danderyd_clerk, outcome="decline")
    assert case.state == "declined"
    refusal = case.decisions.get(outcome="decline")
    case = services.case_reopen(acting_user=danderyd_clerk, case=case, reason="Fel utfall registrerat.")
    refusal.refresh_from_db()
    assert case.state == "in_preparation" and refusal.voided_at is not None


def test_reopening_a_withdrawn_case_voids_nothing(danderyd_case, ksl_officer):
    case = services.case_withdraw(acting_user=ksl_officer, case=danderyd_case, comment="Fel kommun.")
    case = services.case_reopen(acting_user=ksl_officer, case=case, reason="Återkallades av misstag.")
    assert case.state == "in_preparation"
    assert AuditEvent.objects.latest("id").payload["voided_decision_ids"] == []


@pytest.mark.parametrize(
    ("reason", "message"), [(" ", "Skäl: ange varför"), ("x" * 301, "Skäl: högst 300 tecken")]
)
def test_reopening_needs_a_short_reason(danderyd_case, danderyd_clerk, reason, message):
    case = _decided(danderyd_case, danderyd_clerk)
    _refused(
        case, lambda: services.case_reopen(acting_user=danderyd_clerk, case=case, reason=reason), message
    )
    assert not Decision.objects.filter(case=case, voided_at__isnull=False).exists()


def test_reopening_is_refused_to_others_and_from_other_states(danderyd_case, danderyd_clerk, ekero_clerk):
    with pytest.raises(ValidationError, match="Det går inte i läget"):
        services.case_reopen(acting_user=danderyd_clerk, case=danderyd_case, reason="x")
    case = _decided(danderyd_case, danderyd_clerk)
    with pytest.raises(PermissionDenied):
        services.case_reopen(acting_user=ekero_clerk, case=case, reason="x")


def test_reopen_on_the_case_page(client, danderyd_case, danderyd_clerk, ksl_officer):
    case = _decided(danderyd_case, danderyd_clerk)
    for user in (danderyd_clerk, ksl_officer):
        client.force_login(user)
        assert "Öppna ärendet igen" in client.get(reverse("decisions:case", args=[case.pk])).text
    url = reverse("decisions:case_action", args=[case.pk, "reopen"])
    client.force_login(danderyd_clerk)
    assert client.post(url, {"expected_state": "decided", "comment": ""}).status_code == 400
    before = _last_id()
    response = client.post(url, {"expected_state": "decided", "comment": "Registrerat på fel organ."})
    assert response.status_code == 302
    (event,) = AuditEvent.objects.filter(pk__gt=before)
    assert event.action == "case.reopened" and event.payload["reason"] == "Registrerat på fel organ."
    page = client.get(reverse("decisions:case", args=[case.pk])).text
    assert "Makulerat" in page and "Registrerat på fel organ." in page


# The decision form on the page


def test_decision_page_refuses_out_of_order_and_long_paragraphs(client, danderyd_case, danderyd_clerk):
    case = _proposed(danderyd_case, danderyd_clerk)
    client.force_login(danderyd_clerk)
    url = reverse("decisions:case_action", args=[case.pk, "decision"])
    data = {
        "expected_state": "proposed",
        "step": case.steps.get(body__name="Kommunstyrelsen").pk,
        "meeting_date": "2025-05-01",
        "paragraph": "§ 12",
        "text": "Beslut.",
        "outcome": "approve",
    }
    before = (_last_id(), Decision.objects.count())
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Kommunstyrelsen kan inte besluta innan Socialnämnden har beslutat" in response.text
    response = client.post(
        url, {**data, "step": case.steps.get(body__name="Socialnämnden").pk, "paragraph": "x" * 41}
    )
    assert response.status_code == 400 and "Paragraf: högst 40 tecken (nu 41)" in response.text
    assert (_last_id(), Decision.objects.count()) == before
    response = client.post(
        url,
        {**data, "step": case.steps.get(body__name="Socialnämnden").pk, "posted_on": "2025-05-09"},
    )
    assert response.status_code == 302
    assert Decision.objects.get(case=case).posted_on == dt.date(2025, 5, 9)


def test_the_page_says_what_has_happened(client, danderyd_case, danderyd_clerk):
    client.force_login(danderyd_clerk)
    url = reverse("decisions:case_action", args=[danderyd_case.pk, "start_preparation"])
    response = client.post(url, {"expected_state": "received", "comment": ""}, follow=True)
    assert "Beredningen är påbörjad." in response.text and "Klart:" not in response.text


def test_the_memo_form_warns_when_the_cost_cannot_be_computed(client, danderyd_case, danderyd_clerk):
    from governance.decisions.models import Recommendation

    client.force_login(danderyd_clerk)
    page = client.get(
        reverse("decisions:memo_form", args=[danderyd_case.pk])
    ).text  # agreement without a cost model
    assert "Obs:" in page and "kan inte beräknas" in page
    demo = Recommendation.objects.get(slug=f"origo-{calendar.today().year + 1}").cases.get(
        organisation__municipality_code="0162"
    )
    assert "kan inte beräknas" not in client.get(reverse("decisions:memo_form", args=[demo.pk])).text


def test_a_paragraph_without_a_number_is_refused():
    from governance.decisions.services.decision_checks import paragraph_problems

    assert any("med siffror" in problem for problem in paragraph_problems("§ tolv"))
    assert paragraph_problems("§ 12") == [] and paragraph_problems("Utl. 2012:109 RVII") == []

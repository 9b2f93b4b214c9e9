"""Every transition through the services: allowed, refused, guarded, audited, and conflicts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from governance.agreements.models import Signature
from governance.core import calendar
from governance.core.models import AuditEvent
from governance.core.queries import audit_chain_verify
from governance.core.transitions import TransitionConflict as CaseConflict
from governance.decisions import services
from governance.decisions.models import AdoptionCase, Decision

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(content=PDF):
    return SimpleUploadedFile("avtal.pdf", content, content_type="application/pdf")


def _events_since(before):
    # The diarium's rows (documents registered on the way) are not transitions.
    return list(AuditEvent.objects.filter(pk__gt=before).exclude(action__startswith="diary_").order_by("id"))


def _last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _step(case, body_name):
    return case.steps.get(body__name=body_name)


def _to_proposed(case, user):
    services.case_start_preparation(acting_user=user, case=case)
    return services.case_propose(acting_user=user, case=case)


def _decide(case, user, body, outcome="approve", on=dt.date(2025, 5, 1), paragraph="§ 1"):
    return services.case_decision_record(
        acting_user=user,
        case=case,
        step=_step(case, body),
        meeting_date=on,
        paragraph=paragraph,
        text="Beslutar enligt förslaget.",
        outcome=outcome,
    )


def _decide_all(case, user, on=dt.date(2025, 5, 1)):
    """Every body of the default chain approves, in order, on the same day."""
    for body in ("Socialnämnden", "Kommunstyrelsen", "Kommunfullmäktige"):
        case = _decide(case, user, body, on=on)
    return case


def test_the_whole_way_with_one_event_row_per_transition(danderyd_case, danderyd_clerk):
    assert danderyd_case.deadline == dt.date(2025, 10, 31)  # a Friday: not moved
    assert [s.body.name for s in danderyd_case.steps.all()] == [
        "Socialnämnden",
        "Kommunstyrelsen",
        "Kommunfullmäktige",
    ]
    before = _last_id()
    case = services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case, comment="Börjar")
    assert case.state == "in_preparation"
    case = services.case_propose(acting_user=danderyd_clerk, case=case)
    case = _decide(case, danderyd_clerk, "Socialnämnden", paragraph="§ 103")
    assert case.state == "in_decision"
    case = _decide(case, danderyd_clerk, "Kommunstyrelsen")
    assert case.state == "in_decision"
    case = _decide(case, danderyd_clerk, "Kommunfullmäktige")
    assert case.state == "decided"
    case = services.case_sign(
        acting_user=danderyd_clerk,
        case=case,
        signatory_name="Kommundirektören",
        signed_on=dt.date(2025, 6, 1),
        document=_pdf(),
    )
    assert case.state == "signed"
    events = _events_since(before)
    assert [(e.action, e.source_state, e.target_state) for e in events] == [
        ("case.preparation_started", "received", "in_preparation"),
        ("case.proposed", "in_preparation", "proposed"),
        ("case.intermediate_decision_recorded", "proposed", "in_decision"),
        ("case.intermediate_decision_recorded", "in_decision", "in_decision"),
        ("case.final_decision_recorded", "in_decision", "decided"),
        ("case.signed", "decided", "signed"),
    ]
    assert {e.actor_name for e in events} == {"David Dahlgren (danderyd)"}
    assert events[0].comment == "Börjar"
    assert events[2].payload["paragraph"] == "§ 103"
    assert Decision.objects.filter(case=case).count() == 3
    signature = Signature.objects.get(organisation=case.organisation, agreement=case.recommendation.agreement)
    assert signature.document.read() == PDF and len(signature.sha256) == 64
    assert audit_chain_verify()[1] is None

    counts = services.cases_advance_periods(today=dt.date(2026, 1, 1))
    case.refresh_from_db()
    assert case.state == "in_force" and counts["in_force"] >= 1


def test_refer_back_and_postpone(danderyd_case, danderyd_clerk):
    case = _to_proposed(danderyd_case, danderyd_clerk)
    case = _decide(case, danderyd_clerk, "Socialnämnden")
    case = _decide(case, danderyd_clerk, "Kommunstyrelsen", outcome="postpone")
    assert case.state == "in_decision"
    case = _decide(case, danderyd_clerk, "Kommunstyrelsen", outcome="refer_back", on=dt.date(2025, 5, 8))
    assert case.state == "in_preparation"
    assert AuditEvent.objects.latest("id").action == "case.referred_back"


def test_decline_by_the_deciding_body_ends_the_case(danderyd_case, danderyd_clerk):
    case = _to_proposed(danderyd_case, danderyd_clerk)
    case = _decide(case, danderyd_clerk, "Socialnämnden", outcome="decline")  # an opinion: the case goes on
    assert case.state == "in_decision"
    case = _decide(case, danderyd_clerk, "Kommunstyrelsen")
    case = _decide(case, danderyd_clerk, "Kommunfullmäktige", outcome="decline")
    assert case.state == "declined"


@pytest.mark.parametrize(
    ("transition", "state_needed"),
    [("case_propose", "in_preparation"), ("case_start_preparation", "received")],
)
def test_a_transition_from_the_wrong_state_is_refused_and_writes_nothing(
    danderyd_case, danderyd_clerk, transition, state_needed
):
    if state_needed == "received":
        services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    before = _last_id()
    with pytest.raises(ValidationError, match="Det går inte i läget"):
        getattr(services, transition)(acting_user=danderyd_clerk, case=danderyd_case)
    assert _events_since(before) == []


def test_signing_before_a_decision_is_refused(danderyd_case, danderyd_clerk):
    case = _to_proposed(danderyd_case, danderyd_clerk)
    before = (_last_id(), Signature.objects.count())
    with pytest.raises(ValidationError, match="Det går inte i läget"):
        services.case_sign(
            acting_user=danderyd_clerk,
            case=case,
            signatory_name="X",
            signed_on=dt.date(2025, 6, 1),
            document=_pdf(),
        )
    assert (_last_id(), Signature.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"paragraph": ""}, "Paragraf: ange paragraf"),
        ({"text": "  "}, "Beslutstext: ange beslutstext"),
        ({"meeting_date": None}, "Sammanträdesdatum: ange datum"),
        ({"meeting_date": dt.date(2025, 2, 1)}, "kan inte vara före rekommendationen"),
        ({"meeting_date": calendar.today() + dt.timedelta(days=3)}, "kan inte ligga i framtiden"),
        ({"outcome": "maybe"}, "Utfall: välj beslutets utfall"),
        ({"step": None}, "Organ: välj ett organ"),
    ],
)
def test_decision_guards(danderyd_case, danderyd_clerk, overrides, message):
    case = _to_proposed(danderyd_case, danderyd_clerk)
    arguments = {
        "acting_user": danderyd_clerk,
        "case": case,
        "step": _step(case, "Kommunfullmäktige"),
        "meeting_date": dt.date(2025, 5, 1),
        "paragraph": "§ 5",
        "text": "Beslut.",
        "outcome": "approve",
        **overrides,
    }
    before = (_last_id(), Decision.objects.count())
    with pytest.raises(ValidationError, match=message):
        services.case_decision_record(**arguments)
    case.refresh_from_db()
    assert case.state == "proposed" and (_last_id(), Decision.objects.count()) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signatory_name": ""}, "Ange vem som undertecknade"),
        ({"signed_on": None}, "Ange datum"),
        ({"document": None}, "Bifoga det undertecknade avtalet"),
        ({"document": "notpdf"}, "Filen är inte en PDF"),
    ],
)
def test_signature_guards(danderyd_case, danderyd_clerk, overrides, message):
    case = _decide_all(_to_proposed(danderyd_case, danderyd_clerk), danderyd_clerk)
    if overrides.get("document") == "notpdf":
        overrides["document"] = SimpleUploadedFile(
            "avtal.pdf", b"PK\x03\x04 a zip pretending", content_type="application/pdf"
        )
    arguments = {
        "acting_user": danderyd_clerk,
        "case": case,
        "signatory_name": "A B",
        "signed_on": dt.date(2025, 6, 1),
        "document": _pdf(),
        **overrides,
    }
    before = (_last_id(), Signature.objects.count())
    with pytest.raises(ValidationError, match=message):
        services.case_sign(**arguments)
    assert (_last_id(), Signature.objects.count()) == before


def test_permissions_of_each_transition(danderyd_case, danderyd_clerk, ekero_clerk, ksl_officer, host_admin):
    for user in (ekero_clerk, ksl_officer, host_admin):
        with pytest.raises(PermissionDenied):
            services.case_start_preparation(acting_user=user, case=danderyd_case)
    with pytest.raises(PermissionDenied):
        services.case_withdraw(acting_user=danderyd_clerk, case=danderyd_case, comment="x")
    case = services.case_withdraw(
        acting_user=ksl_officer, case=danderyd_case, comment="Rekommendationen dras tillbaka."
    )
    assert case.state == "withdrawn"
    with pytest.raises(ValidationError, match="Ange varför"):
        services.case_withdraw(acting_user=ksl_officer, case=case, comment=" ")


def test_a_stale_page_gets_a_conflict_and_nothing_is_written(danderyd_case, danderyd_clerk):
    services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case, expected_state="received")
    before = _last_id()
    with pytest.raises(CaseConflict, match="ändrats av någon annan"):
        services.case_start_preparation(
            acting_user=danderyd_clerk, case=danderyd_case, expected_state="received"
        )
    assert _events_since(before) == []


def test_the_state_field_is_protected(danderyd_case):
    with pytest.raises(AttributeError):
        danderyd_case.state = "decided"


def test_a_transition_outside_the_runner_is_refused(danderyd_case):
    case = AdoptionCase.objects.get(pk=danderyd_case.pk)
    with pytest.raises(RuntimeError, match="transition_run"):
        case.start_preparation()
    assert AdoptionCase.objects.get(pk=case.pk).state == "received"


def test_chain_is_configurable_per_case(danderyd_case, danderyd_clerk):
    bodies = {b.name: b for b in danderyd_case.organisation.bodies.all()}
    services.case_chain_set(
        acting_user=danderyd_clerk,
        case=danderyd_case,
        steps=[(bodies["Socialnämnden"], "prepares"), (bodies["Kommunstyrelsen"], "decides")],
    )
    assert [s.body.name for s in danderyd_case.steps.all()] == ["Socialnämnden", "Kommunstyrelsen"]
    with pytest.raises(ValidationError, match="Exakt ett organ"):
        services.case_chain_set(
            acting_user=danderyd_clerk, case=danderyd_case, steps=[(bodies["Socialnämnden"], "prepares")]
        )
    ekero_body = danderyd_case.recommendation.cases.get(
        organisation__municipality_code="0125"
    ).organisation.bodies.first()
    with pytest.raises(ValidationError, match="Alla organ"):
        services.case_chain_set(
            acting_user=danderyd_clerk, case=danderyd_case, steps=[(ekero_body, "decides")]
        )


def test_deadline_on_a_holiday_moves_to_the_next_working_day(fresh_recommendation):
    recommendation = fresh_recommendation(slug="jul", deadline=dt.date(2025, 12, 24))
    assert {case.deadline for case in recommendation.cases.all()} == {dt.date(2025, 12, 29)}


def test_a_second_signature_of_the_same_agreement_is_refused(danderyd_case, danderyd_clerk, ekero_clerk):
    from governance.decisions.models import AdoptionCase as Case

    case = _decide_all(_to_proposed(danderyd_case, danderyd_clerk), danderyd_clerk)
    services.case_sign(
        acting_user=danderyd_clerk,
        case=case,
        signatory_name="A",
        signed_on=dt.date(2025, 6, 1),
        document=_pdf(),
    )
    other = Case.objects.get(pk=case.pk)
    with pytest.raises(ValidationError, match="Danderyds kommun har redan undertecknat avtalet"):
        services.case_sign(
            acting_user=danderyd_clerk,
            case=other,
            signatory_name="A",
            signed_on=dt.date(2025, 6, 1),
            document=_pdf(),
        )


def test_a_renewal_links_each_case_to_the_previous_one(db):
    from governance.decisions.models import Recommendation

    renewal = Recommendation.objects.get(slug="origo-2016")
    case = renewal.cases.get(organisation__municipality_code="0162")
    assert case.previous_case.recommendation.slug == "origo-2012"
    assert case.previous_case.state == "renewed"


def test_recommendation_guards(db, fresh_recommendation, danderyd_clerk):
    with pytest.raises(ValidationError, match="kan inte vara före"):
        fresh_recommendation(slug="x", deadline=dt.date(2025, 1, 1))
    from governance.agreements.models import Agreement

    with pytest.raises(PermissionDenied):
        services.recommendation_create(
            acting_user=danderyd_clerk,
            slug="y",
            title="Y",
            board_decision_date=dt.date(2025, 1, 1),
            registration_number="",
            agreement=Agreement.objects.get(slug="origo"),
            answer_deadline=dt.date(2025, 6, 1),
        )


def test_the_case_history_says_in_swedish_what_happened(client, danderyd_case, danderyd_clerk):
    from django.urls import reverse

    services.case_start_preparation(acting_user=danderyd_clerk, case=danderyd_case)
    client.force_login(danderyd_clerk)
    page = client.get(reverse("decisions:case", args=[danderyd_case.pk])).content.decode()
    assert "Beredning påbörjades" in page
    assert "case.preparation_started" not in page


def test_rows_written_under_the_old_action_names_keep_their_labels():
    from governance.core.choices import AuditAction
    from governance.decisions.choices import LEGACY_ACTIONS

    for old, new in LEGACY_ACTIONS.items():
        assert AuditAction.label_for(new) != new, old

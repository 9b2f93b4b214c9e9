"""The demo round in the present (``services/demo.py``), as ``make run`` and the test session load it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from governance.agreements.models import Agreement
from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions.choices import CaseState
from governance.decisions.models import AdoptionCase, ConsultationRound, Decision, Recommendation
from governance.decisions.services.demo import PLAN, demo_round_load, demo_round_spec


def _current():
    return Recommendation.objects.get(slug=f"origo-{calendar.today().year + 1}")


def test_the_demo_round_is_current_marked_and_has_every_open_state(db):
    recommendation = _current()
    today = calendar.today()
    assert recommendation.is_demo_data and recommendation.agreement.is_demo_data
    assert "(demo)" in recommendation.title and "(demo)" in recommendation.agreement.title
    assert recommendation.agreement.period_start == dt.date(today.year + 1, 1, 1)
    assert len(recommendation.points()) == 3
    cases = list(recommendation.cases.all())
    assert len(cases) == 26 and all(case.is_demo_data for case in cases)
    states = {case.state for case in cases}
    assert states == {
        CaseState.RECEIVED,
        CaseState.IN_PREPARATION,
        CaseState.PROPOSED,
        CaseState.IN_DECISION,
        CaseState.DECIDED,
        CaseState.SIGNED,
        CaseState.DECLINED,
        CaseState.WITHDRAWN,
    }
    overdue = [case for case in cases if case.is_overdue()]
    assert overdue and all(0 < (today - case.deadline).days < 14 for case in overdue)  # days, not years
    by_code = {case.organisation.municipality_code: case for case in cases}
    assert by_code["0162"].state == CaseState.IN_PREPARATION  # Danderyd's clerk proposes next
    assert by_code["0125"].state == CaseState.IN_DECISION  # Ekerö's clerk records the board's decision
    assert [step.body.name for step in by_code["0187"].steps.all()] == ["Kommunstyrelsen"]  # KS alone


def test_decisions_of_the_demo_round_have_anslag_and_laga_kraft_dates(db):
    decisions = Decision.objects.filter(case__recommendation=_current(), voided_at__isnull=True)
    assert decisions.exists()
    assert all(d.meeting_date <= calendar.today() for d in decisions)
    posted = [d for d in decisions if d.posted_on]
    assert posted and all(
        d.final_on == calendar.appeal_period_end(d.posted_on) + dt.timedelta(days=1) for d in posted
    )
    # Some decisions have become final, some become final in the coming weeks.
    assert {d.final_on <= calendar.today() for d in posted} == {True, False}
    # Stockholm's council decided, but its minutes are not posted yet: the clerk has that to do.
    stockholm = decisions.get(
        case__organisation__municipality_code="0180", step__body__name="Kommunfullmäktige"
    )
    assert stockholm.posted_on is None


def test_an_open_consultation_some_have_answered(db):
    consultation = ConsultationRound.objects.get(slug=f"origo-remiss-{calendar.today().year}")
    assert consultation.is_demo_data and consultation.is_open()
    answered = set(consultation.responses.values_list("organisation__municipality_code", flat=True))
    assert len(answered) == 8 and not {"0162", "0125"} & answered  # the demo clerks still have it to do
    assert consultation.responses.filter(decided_by="body", decision_date__isnull=False).exists()
    assert consultation.responses.filter(decided_by="officials").exists()


def test_loading_again_changes_nothing(db):
    before = (AuditEvent.objects.count(), AdoptionCase.objects.count(), Agreement.objects.count())
    counts = demo_round_load(acting_user=None)
    assert counts["recommendations"] == 0 and counts["agreements"] == 0
    assert (AuditEvent.objects.count(), AdoptionCase.objects.count(), Agreement.objects.count()) == before


def test_only_the_system_loads_demo_data(db, ksl_officer):
    with pytest.raises(PermissionDenied):
        demo_round_load(acting_user=ksl_officer)


def test_the_demo_loads_on_any_day(db):
    """Loaded a year ago, the round is that year's: every date counted from the day, every step valid."""
    a_year_ago = calendar.today() - dt.timedelta(days=365)
    counts = demo_round_load(acting_user=None, today=a_year_ago)
    assert counts["recommendations"] == 1 and counts["agreements"] == 1
    recommendation = Recommendation.objects.get(slug=f"origo-{a_year_ago.year + 1}")
    assert recommendation.cases.count() == 26


def test_the_plan_covers_every_municipality(db):
    spec = demo_round_spec(calendar.today())
    codes = {case["code"] for case in spec["recommendations"][0]["cases"]}
    assert codes == set(PLAN) and len(codes) == 26


def test_the_signed_copy_downloads_under_a_readable_name(client, ksl_officer):
    case = _current().cases.get(organisation__municipality_code="0114")  # Upplands Väsby has signed
    client.force_login(ksl_officer)
    response = client.get(reverse("decisions:signature", args=[case.pk]))
    assert response.status_code == 200
    signed_on = case.recommendation.agreement.signatures.get(organisation=case.organisation).signed_on
    assert response["Content-Disposition"] == (
        f'attachment; filename="avtal-undertecknat-upplands-vasby-{signed_on}.pdf"'
    )


def test_received_cases_last_moved_when_the_round_was_sent(db):
    """A case nothing has happened to yet last moved when the recommendation was sent, not when the data
    was loaded (else the dashboard shows 0 days since its last event)."""
    recommendation = _current()
    received = list(recommendation.cases.filter(state=CaseState.RECEIVED))
    assert received and recommendation.sent_at is not None
    assert all(case.last_moved_at == recommendation.sent_at for case in received)
    assert (calendar.today() - recommendation.sent_at.date()).days > 30


def test_the_memo_writes_the_share_in_swedish_words_when_the_profile_asks(db, tmp_path, danderyd_clerk):
    import io

    from django.core.management import call_command
    from docx import Document

    from governance.decisions.services import document_profile_save
    from governance.parties.models import Organisation

    danderyd = Organisation.objects.get(municipality_code="0162")
    document_profile_save(acting_user=danderyd_clerk, organisation=danderyd, amounts_in_words=True)
    out = tmp_path / "memo.docx"
    call_command("draft_memo", _current().slug, "--municipality", "0162", "--out", str(out))
    text = "\n".join(p.text for p in Document(io.BytesIO(out.read_bytes())).paragraphs)
    # 51 834 kr: "femtioettusen", never "femtioetttusen".
    assert "femtioettusen åttahundratrettiofyra kronor" in text and "ttt" not in text


def test_the_case_history_starts_with_the_arrival_and_hides_the_bookkeeping(client, danderyd_clerk):
    case = _current().cases.get(organisation__municipality_code="0162")
    client.force_login(danderyd_clerk)
    history = client.get(reverse("decisions:case", args=[case.pk])).text.split("Historik")[1]
    assert "Rekommendationen skickades till Danderyd; ärendet mottogs" in history
    assert "Beredning påbörjades" in history and "senaste händelse daterad" not in history


def test_the_memo_proposes_the_recommended_att_satser(db, danderyd_clerk):
    from governance.decisions.memo_paper import memo_defaults

    case = _current().cases.get(organisation__municipality_code="0162")  # SN → KS → KF; the memo goes to KS
    proposals = memo_defaults(case, danderyd_clerk).proposals.splitlines()
    first = calendar.today().year + 1
    # One lead and numbered att-satser (Danderyd's profile numbers "1."), as a KS that proposes writes them.
    assert proposals[:4] == [
        "Kommunstyrelsen föreslår kommunfullmäktige besluta",
        "1. att ingå avtal om Origo resurscentrum mot hedersrelaterat förtryck och våld för perioden "
        f"{first}–{first + 4}.",
        "2. att kommunens andel av kostnaden finansieras inom socialnämndens budget.",
        "3. att uppdra åt kommunstyrelsen att underteckna avtalet.",
    ]


def test_the_compilation_document_has_the_assessment_and_who_did_not_answer(db, ksl_officer):
    import io

    from docx import Document

    from governance.decisions import services as decision_services
    from governance.documents import rendering
    from governance.documents.registry import kind_entry
    from governance.documents.services import template_for

    consultation = ConsultationRound.objects.get(slug=f"origo-remiss-{calendar.today().year}")
    decision_services.consultation_assess(
        acting_user=ksl_officer, consultation=consultation, assessment="Första läsning.\n\nFler svar väntas."
    )
    consultation.refresh_from_db()
    content = rendering.render_docx(
        template_for("compilation")[0], kind_entry("compilation").build_context(consultation, {})
    )
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Inget svar från: " in text and "Danderyd" in text.split("Inget svar från: ")[1].split("\n")[0]
    assert "KSL:s bedömning\nFörsta läsning.\nFler svar väntas." in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Tjänstemannasvar" in cells and any(c.startswith("Socialnämnden ") and "§" in c for c in cells)

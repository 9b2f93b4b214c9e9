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


def test_the_remissvar_has_the_municipalitys_dnr_one_line_for_the_unanswered_and_a_signature(db):
    import io

    from docx import Document

    from governance.decisions.models import ConsultationRound
    from governance.documents import rendering
    from governance.parties.models import Organisation

    consultation = ConsultationRound.objects.get(slug="origo-remiss-2011")
    ekero = Organisation.objects.get(municipality_code="0125")
    questions = list(consultation.questions.all())
    response = services.consultation_response_record(
        acting_user=None,  # recorded history
        consultation=consultation,
        organisation=ekero,
        position="positive",
        timetable_realistic=None,
        answers={questions[0].number: "Ja, med ett virtuellt hus."},
        answered_on=dt.date(2011, 11, 28),
        registration_number="SN 2011/87",
        signed_by_name="Inger Norin",
        signed_by_title="Utvecklingsledare",
    )
    context = papers.consultation_response_context(response)
    assert context["registration_label"] == "Dnr SN 2011/87"  # Ekerö's own, not KSL/11/0145
    numbers = [str(q.number) for q in questions[1:]]
    assert context["unanswered_sentence"] == (
        f"Kommunen har inte besvarat frågorna {', '.join(numbers[:-1])} och {numbers[-1]}."
    )
    assert [a["number"] for a in context["answers"]] == [questions[0].number]
    template = rendering.builtin_template_path("consultation_response").read_bytes()
    document = Document(io.BytesIO(rendering.render_docx(template, context)))
    text = "\n".join(p.text for p in document.paragraphs).replace("\u00a0", " ")
    header = document.tables[0].rows[0].cells[1].text.replace("\u00a0", " ")
    assert "REMISSVAR" in header and "Dnr SN 2011/87" in header and "KSL/11/0145" not in header
    assert "Inget svar." not in text and context["unanswered_sentence"] in text
    assert text.rstrip().endswith("Inger Norin\nUtvecklingsledare")
    assert "Remissvaret är ett tjänstemannasvar." in text


def test_the_clerk_records_the_cases_dnr_and_the_memo_uses_it(client, ekero_clerk):
    from django.urls import reverse

    from governance.core.models import AuditEvent

    case = AdoptionCase.objects.get(recommendation__slug="origo-2016", organisation__municipality_code="0125")
    client.force_login(ekero_clerk)
    url = reverse("decisions:case_registration", args=[case.pk])
    assert client.post(url, {"registration_number": "x" * 61}).status_code == 400
    assert AdoptionCase.objects.get(pk=case.pk).registration_number == ""
    assert client.post(url, {"registration_number": " SN 2015/41 "}).status_code == 302
    case.refresh_from_db()
    assert case.registration_number == "SN 2015/41"
    event = AuditEvent.objects.latest("id")
    assert event.action == "case.registration_number_recorded" and event.payload == {
        "before": "",
        "after": "SN 2015/41",
    }
    assert memo_paper.memo_defaults(case, ekero_clerk).registration_number == "SN 2015/41"
    page = client.get(reverse("decisions:case", args=[case.pk])).text
    assert 'value="SN 2015/41"' in page

"""The names generated documents are downloaded under: kind, subject and version, å/ä/ö as a/a/o."""

import uuid

import pytest
from django.urls import reverse

from governance.agreements.models import Agreement
from governance.core.formatting import file_name, file_slug
from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase, ConsultationResponse, ConsultationRound
from governance.documents import services
from governance.documents.models import FILE_STEMS, GeneratedDocument


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Danderyd", "danderyd"),
        ("Ekerö", "ekero"),
        ("Täby kommun", "taby-kommun"),
        ("Sammanställning: Åre & Öland", "sammanstallning-are-oland"),
        ("Origo 2013–2015", "origo-2013-2015"),
        ("  --  ", ""),
    ],
)
def test_file_slug(text, slug):
    assert file_slug(text) == slug


def test_file_slug_is_cut_between_words():
    slug = file_slug("Länsgemensamt resurscentrum mot hedersrelaterat förtryck och våld", max_length=30)
    assert slug == "lansgemensamt-resurscentrum"


def test_file_name():
    assert file_name("tjansteutlatande", "Danderyd", version=1) == "tjansteutlatande-danderyd-v1"
    assert file_name("kallelse", "Styrgruppen", "2026-03-12") == "kallelse-styrgruppen-2026-03-12"


def test_every_kind_has_a_stem_without_swedish_letters():
    for stem in FILE_STEMS.values():
        assert stem == file_slug(stem)


def _render(user, kind, key, params=None):
    document = services.document_request(
        acting_user=user, kind=kind, subject_key=key, params=params or {}, request_key=uuid.uuid4()
    )
    return services.document_render(document_id=document.pk)


def test_download_names_for_every_generated_kind(client, ksl_officer, danderyd_clerk):
    case = AdoptionCase.objects.select_related("organisation").get(
        recommendation__slug="origo-2016", organisation__municipality_code="0162"
    )
    response = ConsultationResponse.objects.select_related("organisation").get(
        organisation__municipality_code="0180"
    )
    consultation = ConsultationRound.objects.get(slug="origo-remiss-2011")
    agreement = Agreement.objects.get(slug="origo-2016")
    memo = _render(
        danderyd_clerk, "memo", f"case:{case.pk}", memo_paper.memo_defaults(case, danderyd_clerk).__dict__
    )
    expected = {
        memo: "tjansteutlatande-danderyd-v1.docx",
        _render(ksl_officer, "consultation_response", f"response:{response.pk}"): (
            f"remissvar-{file_slug(response.organisation.display_name)}-v1.docx"
        ),
        _render(ksl_officer, "compilation", f"consultation:{consultation.pk}"): (
            "sammanstallning-origo-remiss-2011-v1.docx"
        ),
        _render(ksl_officer, "agreement", f"agreement:{agreement.pk}", {"year": 2016}): (
            "avtal-origo-2016-v1.docx"
        ),
    }
    client.force_login(ksl_officer)
    for document, name in expected.items():
        assert document.status == "done", document.error
        answer = client.get(reverse("documents:document_docx", args=[document.pk]))
        assert answer.status_code == 200
        assert answer["Content-Disposition"] == f'attachment; filename="{name}"'
        assert "case-" not in answer["Content-Disposition"]


def test_a_document_whose_subject_is_gone_is_named_by_its_key(db):
    document = GeneratedDocument(kind="notice", subject_key="meeting:7", version=2)
    assert document.filename == "kallelse-meeting-7-v2"

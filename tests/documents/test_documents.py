"""Generated Swedish decision documents, opened with python-docx."""

import io
import uuid
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document

from governance.core.models import AuditEvent
from governance.decisions import memo_paper
from governance.decisions.models import AdoptionCase, ConsultationResponse, ConsultationRound
from governance.documents import rendering, services
from governance.documents.models import DocumentTemplate, GeneratedDocument

NBSP = "\u00a0"


def _case(slug, code):
    return AdoptionCase.objects.select_related("organisation", "recommendation__agreement").get(
        recommendation__slug=slug, organisation__municipality_code=code
    )


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _generate(case, user=None, **overrides):
    params = {**memo_paper.memo_defaults(case, user).__dict__, **overrides}
    document = services.document_request(
        acting_user=user, kind="memo", subject_key=f"case:{case.pk}", params=params, request_key=uuid.uuid4()
    )
    return services.document_render(document_id=document.pk)


def _content(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_danderyd_2012_memo_through_the_document_pipeline(danderyd_clerk):
    """The memo generated as a clerk does (the per-seed contents are in tests/decisions/test_memo_seeds.py)."""
    document = _generate(_case("origo-2012", "0162"), danderyd_clerk)
    assert (
        document.status == "done"
        and len(document.sha256) == 64
        and document.template_name.startswith("tjansteutlatande")
    )
    text = _text(_content(document)).replace(NBSP, " ")
    assert "Danderyds kommun" in text and "TJÄNSTEUTLÅTANDE" in text
    assert "Kommunstyrelsen beslutar att godkänna avtal för länsgemensamt resurscentrum" in text
    assert "varav Danderyds del skulle bli 45 612 kr." in text  # no words by default (the profile's option)


def test_stockholm_2012_memo_shares_the_cost_of_the_host(ksl_officer):
    text = _text(_content(_generate(_case("origo-2012", "0180"), ksl_officer)))
    assert f"varav Stockholms stads del skulle bli 1{NBSP}239{NBSP}783{NBSP}kr" in text


def test_user_text_with_xml_characters_stays_valid(danderyd_clerk):
    tricky = "Kostnad & nytta <viktigt> \"citat\" och 'apostrof'"
    document = _generate(_case("origo-2012", "0162"), danderyd_clerk, viewpoints=tricky, title="A & B <C>")
    content = _content(document)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "&amp;" in xml and "&lt;viktigt&gt;" in xml
    assert tricky in _text(content) and "A & B <C>" in _text(content)


def test_a_task_delivered_twice_stores_one_version(danderyd_clerk):
    case = _case("origo-2012", "0162")
    key = uuid.uuid4()
    params = memo_paper.memo_defaults(case, danderyd_clerk).__dict__
    first = services.document_request(
        acting_user=danderyd_clerk, kind="memo", subject_key=f"case:{case.pk}", params=params, request_key=key
    )
    again = services.document_request(
        acting_user=danderyd_clerk, kind="memo", subject_key=f"case:{case.pk}", params=params, request_key=key
    )
    assert first.pk == again.pk
    done = services.document_render(document_id=first.pk)
    name, sha = done.file.name, done.sha256
    redelivered = services.document_render(document_id=first.pk)
    assert (redelivered.file.name, redelivered.sha256, redelivered.version) == (name, sha, first.version)
    assert GeneratedDocument.objects.filter(subject_key=f"case:{case.pk}", kind="memo").count() == 1
    assert AuditEvent.objects.filter(action="document.generated", object_id=str(first.pk)).count() == 1


def test_each_generation_is_a_new_version(danderyd_clerk):
    case = _case("origo-2012", "0162")
    versions = [_generate(case, danderyd_clerk).version for _ in range(2)]
    assert versions == [1, 2]


def test_enqueued_on_commit(danderyd_clerk, django_capture_on_commit_callbacks, monkeypatch):
    from governance.documents import tasks

    sent = []
    monkeypatch.setattr(tasks.document_render, "delay", lambda pk: sent.append(pk))
    case = _case("origo-2012", "0162")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = services.document_request(
            acting_user=danderyd_clerk,
            kind="memo",
            subject_key=f"case:{case.pk}",
            params=memo_paper.memo_defaults(case, danderyd_clerk).__dict__,
            request_key=uuid.uuid4(),
        )
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [document.pk]
    assert GeneratedDocument.objects.get(pk=document.pk).status == "queued"


def test_the_task_body_renders(danderyd_clerk):
    from governance.documents.tasks import document_render

    case = _case("origo-2012", "0162")
    document = services.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, danderyd_clerk).__dict__,
        request_key=uuid.uuid4(),
    )
    assert document_render(document.pk) == document.pk
    assert GeneratedDocument.objects.get(pk=document.pk).status == "done"


def test_another_municipality_may_not_draft(ekero_clerk):
    from django.core.exceptions import PermissionDenied

    case = _case("origo-2012", "0162")
    with pytest.raises(PermissionDenied):
        services.document_request(
            acting_user=ekero_clerk,
            kind="memo",
            subject_key=f"case:{case.pk}",
            params={},
            request_key=uuid.uuid4(),
        )


def test_pdf_copy_or_a_clear_note(danderyd_clerk, monkeypatch):
    case = _case("origo-2012", "0162")
    monkeypatch.setattr(rendering, "soffice_path", lambda: None)
    document = _generate(case, danderyd_clerk)
    assert document.status == "done" and not document.pdf
    assert "LibreOffice är inte installerat" in document.pdf_note


@pytest.mark.pdf
@pytest.mark.skipif(rendering.soffice_path() is None, reason="LibreOffice is not installed")
def test_pdf_copy_when_libreoffice_is_installed(danderyd_clerk):
    document = _generate(_case("origo-2012", "0162"), danderyd_clerk)
    with document.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_other_kinds(ksl_officer):
    response = ConsultationResponse.objects.get(organisation__municipality_code="0180")
    consultation = ConsultationRound.objects.get(slug="origo-remiss-2011")
    from governance.agreements.models import Agreement

    agreement = Agreement.objects.get(slug="origo-2016")
    results = {}
    for kind, key, params in [
        ("consultation_response", f"response:{response.pk}", {}),
        ("compilation", f"consultation:{consultation.pk}", {}),
        ("agreement", f"agreement:{agreement.pk}", {"year": 2016}),
    ]:
        document = services.document_request(
            acting_user=ksl_officer, kind=kind, subject_key=key, params=params, request_key=uuid.uuid4()
        )
        document = services.document_render(document_id=document.pk)
        assert document.status == "done", document.error
        results[kind] = _text(_content(document))
    assert "Svar på remiss: Förslag till länsgemensamt resurscentrum" in results["consultation_response"]
    assert "8. Är kommunen positiv till att delta" in results["consultation_response"]
    assert "Svar har inkommit från 21 av 26 kommuner." in results["compilation"]
    assert "13 kommuner anser att tidplanen är orealistisk." in results["compilation"]
    assert f"Ekerö |  | 25{NBSP}767 | 36{NBSP}960{NBSP}kr" in results["agreement"]
    assert f"Summa |  | 2{NBSP}091{NBSP}473 | 6{NBSP}000{NBSP}000{NBSP}kr" in results["agreement"]
    assert "Bilaga 1. Kostnadsfördelning 2016" in results["agreement"]


def _template_with(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_template_with("{{ ''.__class__.__mro__ }}"), "inte är tillåtet"),
        (_template_with("{{ organisation.__class__ }}"), "inte är tillåtet"),
        (
            _template_with("{{ kommunens_okanda_variabel }}"),
            "variabler som inte finns: kommunens_okanda_variabel",
        ),
        (_template_with("{% for x in %}"), "syntaxfel"),
        (b"not a zip at all", "inte ett Word-dokument"),
        (b"PK\x03\x04" + b"0" * 100, "inte ett Word-dokument"),
    ],
)
def test_bad_templates_are_refused(host_admin, content, message):
    before = DocumentTemplate.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.template_upload(acting_user=host_admin, kind="memo", name="mall.docx", content=content)
    assert DocumentTemplate.objects.count() == before


def test_a_valid_custom_template_is_used(host_admin, danderyd_clerk):
    content = _template_with("EGEN MALL {{ organisation }}: {{ share_sentence }}")
    services.template_upload(acting_user=host_admin, kind="memo", name="egen.docx", content=content)
    document = _generate(_case("origo-2012", "0162"), danderyd_clerk)
    assert document.template_name.startswith("egen.docx")
    assert "EGEN MALL Danderyds kommun: Den totala budgeten" in _text(_content(document))


def test_only_host_admins_upload_templates(ksl_officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.template_upload(
            acting_user=ksl_officer, kind="memo", name="x.docx", content=_template_with("x")
        )


def test_template_upload_page(client, host_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(host_admin)
    url = reverse("documents:templates")
    bad = SimpleUploadedFile("m.docx", _template_with("{{ ''.__class__ }}"))
    response = client.post(url, {"kind": "memo", "file": bad})
    assert response.status_code == 400 and "Mallen avvisades" in response.text
    big = SimpleUploadedFile("m.docx", b"0" * (rendering.MAX_TEMPLATE_BYTES + 1))
    response = client.post(url, {"kind": "memo", "file": big})
    assert response.status_code == 400 and "större än 2 MB" in response.text
    assert not DocumentTemplate.objects.exists()


def test_draft_memo_command(db, tmp_path):
    out = tmp_path / "memo.docx"
    call_command("draft_memo", "origo-2016", "--municipality", "0125", "--out", str(out))
    assert f"varav Ekerös del skulle bli 36{NBSP}960{NBSP}kr" in _text(out.read_bytes())
    with pytest.raises(CommandError, match="Kommunkod 9999 är inte mottagare"):
        call_command("draft_memo", "origo", "--municipality", "9999", "--out", str(out))


def test_memo_form_page(client, danderyd_clerk):
    case = _case("origo-2016", "0162")
    client.force_login(danderyd_clerk)
    url = reverse("decisions:memo_form", args=[case.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Socialnämnden föreslår" not in page.text
    form = page.context["form"]
    data = {name: (value if value is not None else "") for name, value in form.initial.items()}
    data["title"] = ""
    before = GeneratedDocument.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400 and "Detta fält måste fyllas i" in response.text
    assert GeneratedDocument.objects.count() == before
    data["title"] = "Origo 2016–2020"
    response = client.post(url, data)
    assert response.status_code == 302
    document = GeneratedDocument.objects.latest("id")
    assert document.params["title"] == "Origo 2016–2020" and document.status == "queued"
    response = client.post(url, data)  # the same form submitted twice: one version
    assert GeneratedDocument.objects.count() == before + 1


def _prepare(key):
    """The batch job's body, as the worker runs it (task bodies are tested directly)."""
    from governance.decisions.services import memo_batch_prepare
    from governance.documents.models import DocumentBatch

    return memo_batch_prepare(batch_id=DocumentBatch.objects.get(key=key).pk)


def test_batch_for_all_recipients(ksl_client, django_capture_on_commit_callbacks):
    import uuid as _uuid

    from governance.decisions.models import Recommendation
    from governance.documents.models import DocumentBatch

    key = _uuid.uuid4()
    with django_capture_on_commit_callbacks() as callbacks:
        response = ksl_client.post(
            reverse("decisions:batch_create", args=["origo-2016"]), {"batch_key": str(key)}
        )
    assert response.status_code == 302 and response["Location"] == reverse("documents:batch", args=[key])
    assert len(callbacks) == 1  # one job for the whole batch, none per case
    assert DocumentBatch.objects.get(key=key).status == "preparing"
    assert not GeneratedDocument.objects.filter(batch_key=key).exists()
    page = ksl_client.get(reverse("documents:batch", args=[key]))  # shown from the first moment
    assert "Förbereds … 6 utkast köas strax." in page.text and "0 av 6 klara" in page.text
    assert 'hx-trigger="every 2s"' in page.text

    with django_capture_on_commit_callbacks() as callbacks:
        assert _prepare(key) == 6
    assert len(callbacks) == 6  # one render task per version, each enqueued as its version commits
    assert _prepare(key) == 6  # the job delivered twice queues nothing more
    docs = GeneratedDocument.objects.filter(batch_key=key)
    waiting = Recommendation.objects.get(slug="origo-2016").cases.filter(
        state__in=["received", "in_preparation", "proposed", "in_decision"]
    )
    assert docs.count() == waiting.count() == 6  # only the municipalities that have not decided
    assert DocumentBatch.objects.get(key=key).status == "ready"
    page = ksl_client.get(reverse("documents:batch", args=[key]))
    assert "0 av 6 klara" in page.text and "Förbereds" not in page.text
    for document in docs[:3]:
        services.document_render(document_id=document.pk)
    assert "3 av 6 klara" in ksl_client.get(reverse("documents:batch", args=[key])).text


def test_a_batch_submitted_twice_is_one_batch(ksl_client):
    import uuid as _uuid

    from governance.documents.models import DocumentBatch

    key = str(_uuid.uuid4())
    url = reverse("decisions:batch_create", args=["origo-2016"])
    ksl_client.post(url, {"batch_key": key})
    ksl_client.post(url, {"batch_key": key})
    assert DocumentBatch.objects.filter(key=key).count() == 1
    _prepare(key)
    ksl_client.post(url, {"batch_key": key})
    assert GeneratedDocument.objects.filter(batch_key=key).count() == 6
    response = ksl_client.post(reverse("decisions:batch_create", args=["origo-2012"]))
    assert response.status_code == 302 and response["Location"].endswith("/anslutning/origo-2012/")
    assert (
        not DocumentBatch.objects.filter(origin_key__startswith="recommendation:").exclude(key=key).exists()
    )


def test_default_template_download_and_restore(client, host_admin, danderyd_clerk):
    client.force_login(host_admin)
    response = client.get(reverse("documents:template_builtin", args=["memo"]))
    assert response.status_code == 200 and rendering.is_docx(b"".join(response.streaming_content))
    services.template_upload(
        acting_user=host_admin,
        kind="memo",
        name="egen.docx",
        content=_template_with("EGEN {{ organisation }}"),
    )
    assert client.post(reverse("documents:template_restore", args=["memo"])).status_code == 302
    assert not DocumentTemplate.objects.filter(is_active=True).exists()
    document = _generate(_case("origo-2012", "0162"), danderyd_clerk)
    assert document.template_name.startswith("tjansteutlatande.docx")

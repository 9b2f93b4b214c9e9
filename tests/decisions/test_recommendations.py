"""KSL's recommendation: a draft with att-satser and attachments, sent once to the municipalities, which
creates their cases with decision chains and mails their contact persons."""

import datetime as dt
import io
import uuid
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from governance.agreements.models import Agreement
from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions import services, tasks
from governance.decisions.choices import DecisionAction
from governance.decisions.models import AdoptionCase, DecisionStep, Recommendation, RecommendationAttachment
from governance.parties.models import Organisation

CODES = ("0162", "0125", "0180")  # Danderyd and Ekerö have contact persons, Stockholm none


@pytest.fixture
def agreement(db):
    """A renewal of origo-2016 that no municipality has been asked about yet."""
    from decimal import Decimal

    from governance.agreements.services import agreement_create

    previous = Agreement.objects.get(slug="origo-2016")
    region = Organisation.objects.get(name="Region Stockholm")
    return agreement_create(
        acting_user=None,
        slug="origo-2021-avtal",
        title="Avtal om Origo 2021–2025",
        short_title="Origo",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2025, 12, 31),
        host=previous.host,
        annual_budget=6_000_000,
        basis_rule="fixed_date",
        fixed_basis_date=dt.date(2011, 12, 31),
        fixed_shares=[(region, Decimal("50"))],
        pool_percent=Decimal("50"),
        previous=previous,
    )


def _draft(user, agreement, **overrides):
    fields = {
        "title": "Rekommendation om anslutning till Origo",
        "board_decision_date": calendar.today(),
        "registration_number": "KSL/26/0001",
        "agreement": agreement,
        "answer_deadline": calendar.today() + dt.timedelta(days=60),
        "decision_points": "att ansluta sig till avtalet\natt finansiera enligt kostnadsbilagan",
        "recipients": list(Organisation.objects.filter(municipality_code__in=CODES)),
    }
    fields.update(overrides)
    return services.recommendation_create(acting_user=user, **fields)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_draft_has_no_cases_and_a_generated_unique_slug(ksl_officer, agreement):
    first = _draft(ksl_officer, agreement)
    second = _draft(ksl_officer, agreement)
    assert first.slug == "rekommendation-om-anslutning-till-origo"
    assert second.slug == "rekommendation-om-anslutning-till-origo-2"
    assert not first.is_sent and first.cases.count() == 0
    assert first.recipients.count() == 3
    assert AuditEvent.objects.filter(action=DecisionAction.RECOMMENDATION_CREATED).latest(
        "id"
    ).object_id == str(second.pk)
    everyone = services.recommendation_create(
        acting_user=ksl_officer,
        title="Alla",
        board_decision_date=calendar.today(),
        agreement=agreement,
        answer_deadline=calendar.today(),
    )
    assert everyone.recipients.count() == 26


def test_draft_fields_are_bounded(ksl_officer, agreement):
    before = Recommendation.objects.count()
    with pytest.raises(ValidationError) as exc:
        _draft(ksl_officer, agreement, title="", decision_points="\n".join(["att x"] * 21))
    text = " ".join(exc.value.messages)
    assert "Rubrik" in text and "högst 20 rader" in text
    with pytest.raises(ValidationError, match="högst 1000 tecken"):
        _draft(ksl_officer, agreement, decision_points="att " + "x" * 1000)
    assert Recommendation.objects.count() == before


def test_only_ksl_writes_recommendations(danderyd_clerk, agreement):
    with pytest.raises(PermissionDenied):
        _draft(danderyd_clerk, agreement)


def test_update_only_while_draft(ksl_officer, agreement, django_capture_on_commit_callbacks):
    draft = _draft(ksl_officer, agreement)
    services.recommendation_update(
        acting_user=ksl_officer,
        recommendation=draft,
        title="Ny rubrik",
        board_decision_date=draft.board_decision_date,
        agreement=agreement,
        answer_deadline=draft.answer_deadline,
        decision_points=draft.decision_points,
        recipients=list(draft.recipients.all()),
    )
    assert Recommendation.objects.get(pk=draft.pk).title == "Ny rubrik"
    assert AuditEvent.objects.latest("id").action == DecisionAction.RECOMMENDATION_UPDATED
    with django_capture_on_commit_callbacks():
        services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    with pytest.raises(ValidationError, match="redan skickad"):
        services.recommendation_update(
            acting_user=ksl_officer,
            recommendation=draft,
            title="För sent",
            board_decision_date=draft.board_decision_date,
            agreement=agreement,
            answer_deadline=draft.answer_deadline,
            recipients=list(draft.recipients.all()),
        )


def test_send_creates_cases_with_chains_and_mails_the_contact_persons_once(
    ksl_officer, agreement, django_capture_on_commit_callbacks, mailoutbox, queued_notifications
):
    draft = _draft(ksl_officer, agreement)
    before = AuditEvent.objects.exclude(action__startswith="diary_").count()  # the diarium's rows aside
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    assert len(callbacks) == 3  # the notification task after the commit, then the two mails it queued
    assert queued_notifications == [("decisions.recommendation_notify", draft.pk)]
    assert sent.is_sent
    cases = list(AdoptionCase.objects.filter(recommendation=draft).select_related("organisation"))
    assert sorted(c.organisation.municipality_code for c in cases) == sorted(CODES)
    deadline = calendar.next_working_day(draft.answer_deadline)
    assert all(case.deadline == deadline for case in cases)
    assert all(DecisionStep.objects.filter(case=case).exists() for case in cases)
    # Renewal of origo: each case follows the municipality's case on the agreement it renews.
    danderyd = next(c for c in cases if c.organisation.municipality_code == "0162")
    assert danderyd.previous_case is not None
    assert danderyd.previous_case.recommendation.agreement.slug == "origo-2016"
    assert AuditEvent.objects.exclude(action__startswith="diary_").count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == DecisionAction.RECOMMENDATION_SENT
    assert sorted(event.payload["recipients"]) == sorted(CODES) and len(event.payload["cases"]) == 3
    # Danderyd and Ekerö have a contact person; Stockholm has none and is not marked.
    assert sorted(a for m in mailoutbox for a in m.to) == [
        "david.dahlgren@danderyd.example",
        "elin.ekstrand@ekero.example",
    ]
    message = next(m for m in mailoutbox if "danderyd" in m.to[0])
    assert "att ansluta sig till avtalet" in message.body
    assert reverse("decisions:case", args=[danderyd.pk]) in message.body
    assert AdoptionCase.objects.filter(recommendation=draft, notified_at__isnull=False).count() == 2
    # A retried task mails nobody twice.
    assert tasks.recommendation_notify.run(draft.pk)["queued"] == 0
    assert len(mailoutbox) == 2


def test_a_second_send_writes_nothing(ksl_officer, agreement, django_capture_on_commit_callbacks):
    draft = _draft(ksl_officer, agreement)
    with django_capture_on_commit_callbacks():
        services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    before = (AuditEvent.objects.count(), AdoptionCase.objects.count())
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError, match="redan skickad"),
    ):
        services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    assert callbacks == []
    assert (AuditEvent.objects.count(), AdoptionCase.objects.count()) == before


def test_send_refuses_without_att_satser_or_with_a_past_deadline(ksl_officer, agreement):
    draft = _draft(
        ksl_officer,
        agreement,
        decision_points="",
        board_decision_date=dt.date(2025, 1, 1),
        answer_deadline=dt.date(2025, 3, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    text = " ".join(exc.value.messages)
    assert "Att-satser" in text and "redan passerat" in text
    assert draft.cases.count() == 0 and not Recommendation.objects.get(pk=draft.pk).is_sent


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP down")


def test_failed_mail_is_not_marked_and_is_retried(
    ksl_officer, agreement, django_capture_on_commit_callbacks, settings, mailoutbox
):
    from governance.core.services import mails_deliver_due

    draft = _draft(ksl_officer, agreement)
    with django_capture_on_commit_callbacks():
        services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    settings.EMAIL_BACKEND = "tests.decisions.test_recommendations.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.recommendation_notify(recommendation_id=draft.pk)
    assert counts["queued"] == 2 and not mailoutbox
    assert not AdoptionCase.objects.filter(recommendation=draft, notified_at__isnull=False).exists()
    assert services.recommendation_notify(recommendation_id=draft.pk)["already_queued"] == 2  # not twice
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert mails_deliver_due(now=timezone.now() + dt.timedelta(hours=1))["sent"] == 2
    assert len(mailoutbox) == 2
    assert AdoptionCase.objects.filter(recommendation=draft, notified_at__isnull=False).count() == 2


def test_attachments_are_checked_by_content_and_size(ksl_officer, agreement, monkeypatch):
    draft = _draft(ksl_officer, agreement)
    pdf = services.recommendation_attachment_add(
        acting_user=ksl_officer,
        recommendation=draft,
        title="Avtalet",
        upload=SimpleUploadedFile("avtal.pdf", b"%PDF-1.4 avtal"),
    )
    docx = services.recommendation_attachment_add(
        acting_user=ksl_officer,
        recommendation=draft,
        title="Tjänsteutlåtande",
        upload=SimpleUploadedFile("tu.bin", _docx()),
    )
    assert pdf.filename == "avtal.pdf" and docx.filename == "tu.docx" and len(pdf.sha256) == 64
    assert AuditEvent.objects.latest("id").action == DecisionAction.RECOMMENDATION_ATTACHMENT_ADDED
    before = (RecommendationAttachment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match=r"PDF-, Word- .* eller Excel-fil"):
        services.recommendation_attachment_add(
            acting_user=ksl_officer,
            recommendation=draft,
            title="Skript",
            upload=SimpleUploadedFile("avtal.pdf", b"MZ not a pdf"),
        )
    monkeypatch.setattr(services.recommendations, "MAX_ATTACHMENT_BYTES", 10)
    with pytest.raises(ValidationError, match="större än 20 MB"):
        services.recommendation_attachment_add(
            acting_user=ksl_officer,
            recommendation=draft,
            title="Stor",
            upload=SimpleUploadedFile("stor.pdf", b"%PDF-1.4 " + b"x" * 20),
        )
    assert (RecommendationAttachment.objects.count(), AuditEvent.objects.count()) == before
    services.recommendation_attachment_remove(acting_user=ksl_officer, attachment=pdf)
    assert list(draft.attachments.all()) == [docx]
    assert AuditEvent.objects.latest("id").action == DecisionAction.RECOMMENDATION_ATTACHMENT_REMOVED


def test_pages_from_draft_to_sent(
    client, ksl_officer, danderyd_clerk, outsider, agreement, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(ksl_officer)
    listing = client.get(reverse("decisions:list")).text
    assert "Ny rekommendation" in listing and "Ny remiss" in listing
    assert client.get(reverse("decisions:recommendation_create")).status_code == 200
    danderyd, ekero = (Organisation.objects.get(municipality_code=c) for c in ("0162", "0125"))
    data = {
        "title": "Origo 2021",
        "request_key": str(uuid.uuid4()),
        "board_decision_date": calendar.today().isoformat(),
        "registration_number": "KSL/26/2",
        "answer_deadline": (calendar.today() + dt.timedelta(days=30)).isoformat(),
        "agreement": agreement.pk,
        "decision_points": "att ansluta sig",
        "recipients": [danderyd.pk, ekero.pk],
    }
    bad = client.post(reverse("decisions:recommendation_create"), {**data, "decision_points": "x" * 1001})
    assert bad.status_code == 400 and "högst 1000 tecken" in bad.text
    response = client.post(reverse("decisions:recommendation_create"), data)
    assert response.status_code == 302
    draft = Recommendation.objects.get(slug="origo-2021")
    page = client.get(response["Location"]).text
    assert "Utkast" in page and "Skicka till kommunerna" in page and "Ja, skicka till 2 kommuner" in page
    upload_url = reverse("decisions:recommendation_attachment_add", args=[draft.slug])
    bad = client.post(upload_url, {"title": "Fel", "file": SimpleUploadedFile("a.pdf", b"text")})
    assert bad.status_code == 400 and "PDF-, Word- (.docx) eller Excel-fil" in bad.text
    assert (
        client.post(
            upload_url, {"title": "Avtalet", "file": SimpleUploadedFile("a.pdf", b"%PDF-1")}
        ).status_code
        == 302
    )
    attachment = draft.attachments.get()

    # Others: the draft is not listed, its pages are 404 or 403.
    client.force_login(danderyd_clerk)
    assert "Origo 2021" not in client.get(reverse("decisions:list")).text
    assert client.get(reverse("decisions:recommendation", args=[draft.slug])).status_code == 404
    assert client.get(reverse("decisions:recommendation_edit", args=[draft.slug])).status_code == 403
    assert (
        client.get(
            reverse("decisions:recommendation_attachment", args=[draft.slug, attachment.pk])
        ).status_code
        == 404
    )

    client.force_login(ksl_officer)
    send_url = reverse("decisions:recommendation_send", args=[draft.slug])
    assert client.post(send_url, {}).status_code == 400  # not confirmed
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(send_url, {"confirm": "1"}).status_code == 302
    assert draft.cases.count() == 2 and len(mailoutbox) == 2
    before = AuditEvent.objects.count()
    again = client.post(send_url, {"confirm": "1"})
    assert again.status_code == 400 and "redan skickad" in again.text
    assert AuditEvent.objects.count() == before and draft.cases.count() == 2
    assert client.get(reverse("decisions:recommendation_edit", args=[draft.slug])).status_code == 404

    # Sent: Danderyd's clerk reads it, with a link to the own case, and downloads the attachment.
    client.force_login(danderyd_clerk)
    assert "Origo 2021" in client.get(reverse("decisions:list")).text
    page = client.get(reverse("decisions:recommendation", args=[draft.slug])).text
    case = draft.cases.get(organisation=danderyd)
    assert reverse("decisions:case", args=[case.pk]) in page
    assert reverse("decisions:case", args=[draft.cases.get(organisation=ekero).pk]) not in page
    download = client.get(reverse("decisions:recommendation_attachment", args=[draft.slug, attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1"
    client.force_login(outsider)
    assert client.get(reverse("decisions:recommendation", args=[draft.slug])).status_code == 403


def test_the_daily_sweep_reaches_a_contact_person_appointed_later_once(
    ksl_officer, host_admin, agreement, django_capture_on_commit_callbacks, mailoutbox, settings
):
    from governance.parties.choices import ContactRole
    from governance.parties.models import Organisation
    from governance.parties.services import contact_assign, person_create

    settings.SITE_URL = "https://origo.example.se/"
    draft = _draft(ksl_officer, agreement)
    with django_capture_on_commit_callbacks(execute=True):
        services.recommendation_send(acting_user=ksl_officer, recommendation=draft)
    stockholm_case = draft.cases.get(organisation__municipality_code="0180")
    assert stockholm_case.notified_at is None  # no contact person when it was sent
    stockholm = Organisation.objects.get(municipality_code="0180")
    person = person_create(
        acting_user=host_admin, organisation=stockholm, first_name="Sara", last_name="Sund"
    )
    contact_assign(
        acting_user=host_admin,
        organisation=stockholm,
        person=person,
        role=ContactRole.CONTACT_PERSON,
        email="sara.sund@stockholm.example",
        valid_from=calendar.today(),
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notifications_sweep.run()
    # The recommendation, and the demo round's open consultation that Stockholm has not been told of either.
    to_stockholm = [m for m in mailoutbox if m.to == ["sara.sund@stockholm.example"]]
    assert len(to_stockholm) == 2
    link = "https://origo.example.se" + reverse("decisions:case", args=[stockholm_case.pk])
    assert sum(link in m.body for m in to_stockholm) == 1  # an address that works from a mail client
    stockholm_case.refresh_from_db()
    assert stockholm_case.notified_at is not None
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.notifications_sweep.run()
    assert not [m for m in mailoutbox if m.to == ["sara.sund@stockholm.example"]]

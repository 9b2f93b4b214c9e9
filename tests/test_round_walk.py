"""Issue 10, "Done when": a whole recommendation round walked through the pages only.

KSL creates an agreement and a recommendation, sends it; Danderyd's clerk finds the case from the start page,
sets the chain, drafts the memo, records the decisions and signs; KSL sees laga kraft on the dashboard. The
story is advanced only through django.test.Client; the database is only read, to assert state and audit rows.
"""

import datetime as dt
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.agreements.models import Agreement, Signature
from governance.core import calendar
from governance.core.models import AuditEvent
from governance.decisions.models import Decision, Recommendation
from governance.parties.models import ContactAssignment, Organisation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _notifications_inline(monkeypatch):
    """The notification tasks run their bodies at once (as a worker would), never through the broker."""
    from governance.decisions import tasks

    for task in (tasks.recommendation_notify, tasks.consultation_notify):
        monkeypatch.setattr(task, "delay", lambda pk, task=task: task.run(pk))


@pytest.fixture(autouse=True)
def _no_pdf_conversion(monkeypatch):
    from governance.documents import rendering

    monkeypatch.setattr(rendering, "soffice_path", lambda: None)


class _Links(HTMLParser):
    """Every <a href> of a page, with its text, in document order, and the ids of the sections."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def links(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def todo_section(html: str) -> str:
    """The "Att göra" section of the start page ('' when there is none)."""
    match = re.search(r'<section aria-labelledby="todo">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def _events(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _formset(rows, **extra):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "12",
        **extra,
    }
    for index, (order, body, role) in enumerate(rows):
        data.update({f"form-{index}-order": order, f"form-{index}-body": body, f"form-{index}-role": role})
    return data


def test_a_whole_round_through_the_pages(
    client, ksl_officer, danderyd_clerk, mailoutbox, django_capture_on_commit_callbacks
):
    today = calendar.today()
    board_date = today - dt.timedelta(days=40)
    sn_date = calendar.next_working_day(today - dt.timedelta(days=30))
    ks_date = calendar.next_working_day(today - dt.timedelta(days=20))
    posted_on = ks_date + dt.timedelta(days=3)
    assert board_date < sn_date < ks_date < posted_on <= today
    danderyd = Organisation.objects.get(municipality_code="0162")
    ekero = Organisation.objects.get(municipality_code="0125")
    host = Organisation.objects.get(is_host=True)
    region = Organisation.objects.get(name="Region Stockholm")

    # KSL: a new agreement.
    client.force_login(ksl_officer)
    year = today.year + 5
    response = client.post(
        reverse("agreements:create"),
        {
            "request_key": str(uuid.uuid4()),
            "title": "Avtal om Vandring",
            "short_title": "Vandring",
            "slug": "vandring",
            "period_start": f"{year}-01-01",
            "period_end": f"{year + 2}-12-31",
            "host": host.pk,
            "annual_budget": "1000000",
            "basis_rule": "previous_year_end",
            "share_party_1": region.pk,
            "share_percent_1": "25",
            "share_party_2": host.pk,
            "share_percent_2": "25",
            "pool_percent": "50",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get(slug="vandring")

    # KSL: the recommendation draft with att-satser, to Danderyd and Ekerö, and an attachment.
    response = client.post(
        reverse("decisions:recommendation_create"),
        {
            "request_key": str(uuid.uuid4()),
            "title": "Rekommendation om Vandring",
            "slug": "vandring-rek",
            "board_decision_date": board_date.isoformat(),
            "registration_number": "KSL/26/99",
            "answer_deadline": (today + dt.timedelta(days=60)).isoformat(),
            "agreement": agreement.pk,
            "background": "Bakgrund till vandringen.",
            "decision_points": "att ansluta sig till avtalet\natt utse en kontaktperson",
            "recipients": [danderyd.pk, ekero.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    recommendation = Recommendation.objects.get(slug="vandring-rek")
    assert response["Location"] == reverse("decisions:recommendation", args=[recommendation.slug])
    upload = client.post(
        reverse("decisions:recommendation_attachment_add", args=[recommendation.slug]),
        {"title": "Avtalet", "file": SimpleUploadedFile("avtalet.pdf", PDF, content_type="application/pdf")},
    )
    assert upload.status_code == 302
    assert recommendation.attachments.count() == 1
    assert not recommendation.cases.exists()

    # KSL sends it, with the confirmation.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("decisions:recommendation_send", args=[recommendation.slug]), {"confirm": "1"}
        )
    assert response.status_code == 302
    cases = {case.organisation_id: case for case in recommendation.cases.all()}
    assert set(cases) == {danderyd.pk, ekero.pk}
    for case in cases.values():
        assert case.state == "received"
        assert case.steps.exists(), f"{case.organisation} got no decision chain"
    case = cases[danderyd.pk]
    assert _events(recommendation)[:1] == ["recommendation.created"]
    assert "recommendation.attachment_added" in _events(recommendation)
    assert _events(recommendation)[-1] == "recommendation.sent"
    danderyd_contacts = {
        c.email for c in ContactAssignment.objects.current(today).filter(organisation=danderyd) if c.email
    }
    assert danderyd_contacts, "the demo data gives Danderyd a contact person"
    to_danderyd = [m for m in mailoutbox if danderyd_contacts & set(m.to)]
    assert len(to_danderyd) == 1
    assert "Rekommendation om Vandring" in to_danderyd[0].subject + to_danderyd[0].body
    assert reverse("decisions:case", args=[case.pk]) in to_danderyd[0].body

    # Danderyd's clerk: the start page lists the new case under "Mina ärenden"; two GETs reach it.
    client.force_login(danderyd_clerk)
    gets = 0
    start = client.get("/")
    gets += 1
    assert start.status_code == 200
    todo = todo_section(start.content.decode())
    assert "Mina ärenden" in todo
    case_url = reverse("decisions:case", args=[case.pk])
    found = [href for href, text in links(todo) if href == case_url and "Rekommendation om Vandring" in text]
    assert found, "the new case is not linked from the start page"
    page = client.get(found[0])
    gets += 1
    assert page.status_code == 200 and "Rekommendation om Vandring" in page.content.decode()
    assert gets == 2

    # The chain: Socialnämnden prepares, Kommunstyrelsen decides (KS has delegation).
    bodies = {body.name: body for body in danderyd.bodies.all()}
    chain_url = reverse("decisions:case_chain", args=[case.pk])
    assert client.get(chain_url).status_code == 200
    rows = [("1", bodies["Socialnämnden"].pk, "prepares"), ("2", bodies["Kommunstyrelsen"].pk, "decides")]
    response = client.post(chain_url, _formset(rows, reason="Kommunstyrelsen har delegation."))
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    chain = [(s.body.name, s.role) for s in case.steps.select_related("body").order_by("order")]
    assert chain == [("Socialnämnden", "prepares"), ("Kommunstyrelsen", "decides")]
    steps = {s.body.name: s for s in case.steps.select_related("body")}

    def act(action, expected_state, **data):
        return client.post(
            reverse("decisions:case_action", args=[case.pk, action]),
            {"expected_state": expected_state, **data},
        )

    assert act("start_preparation", "received").status_code == 302

    # The memo (tjänsteutlåtande) through its form: a render is queued, a GeneratedDocument exists.
    from governance.documents.models import GeneratedDocument

    memo_url = reverse("decisions:memo_form", args=[case.pk])
    memo_page = client.get(memo_url)
    assert memo_page.status_code == 200
    initial = memo_page.context["form"].initial
    memo = {
        "request_key": str(initial["request_key"]),
        "body_id": bodies["Kommunstyrelsen"].pk,
        "date": today.isoformat(),
        "registration_number": "KS 2026/1",
        "title": "Anslutning till Vandring",
        "proposals": "Kommunstyrelsen ansluter sig till avtalet.",
        "summary": "KSL rekommenderar kommunerna att ansluta sig.",
        "background": "Vandring är ett länsgemensamt avtal.",
        "viewpoints": "Förvaltningen tillstyrker.",
        "basis": "KSL:s rekommendation",
        "dispatch": "KSL",
    }
    response = client.post(memo_url, memo)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert GeneratedDocument.objects.filter(subject_key=f"case:{case.pk}", kind="memo").count() == 1

    assert act("propose", "in_preparation").status_code == 302
    case.refresh_from_db()
    assert case.state == "proposed"

    # KS before SN: refused with a message naming the bodies; nothing stored.
    decision = {
        "meeting_date": ks_date.isoformat(),
        "paragraph": "KS § 12",
        "text": "Kommunstyrelsen ansluter sig till avtalet.",
        "outcome": "approve",
        "posted_on": posted_on.isoformat(),
    }
    before = AuditEvent.objects.count()
    response = act("decision", "proposed", step=steps["Kommunstyrelsen"].pk, **decision)
    assert response.status_code == 400
    assert "Kommunstyrelsen kan inte besluta innan Socialnämnden har beslutat" in response.content.decode()
    assert AuditEvent.objects.count() == before and not Decision.objects.filter(case=case).exists()

    # SN, then KS (with the anslag date).
    response = act(
        "decision",
        "proposed",
        step=steps["Socialnämnden"].pk,
        meeting_date=sn_date.isoformat(),
        paragraph="SN § 7",
        text="Socialnämnden tillstyrker.",
        outcome="approve",
        posted_on=(sn_date + dt.timedelta(days=2)).isoformat(),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    response = act("decision", case.state, step=steps["Kommunstyrelsen"].pk, **decision)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == "decided"

    # Signing before the final decision: refused in Swedish, nothing stored.
    sign = {"signatory_name": "Dana Danielsson", "signatory_title": "Kommunstyrelsens ordförande"}
    before = AuditEvent.objects.count()
    response = act(
        "sign",
        "decided",
        **sign,
        signed_on=(ks_date - dt.timedelta(days=1)).isoformat(),
        document=SimpleUploadedFile("signerat.pdf", PDF, content_type="application/pdf"),
    )
    assert response.status_code == 400
    assert "kan inte vara före beslutet att ingå avtalet" in response.content.decode()
    assert AuditEvent.objects.count() == before and not Signature.objects.filter(agreement=agreement).exists()
    response = act(
        "sign",
        "decided",
        **sign,
        signed_on=posted_on.isoformat(),
        document=SimpleUploadedFile("signerat.pdf", PDF, content_type="application/pdf"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == "signed"
    assert Signature.objects.filter(agreement=agreement, organisation=danderyd).count() == 1

    # KSL: the dashboard shows Danderyd's row with the laga-kraft date.
    client.force_login(ksl_officer)
    dashboard = client.get(reverse("decisions:dashboard", args=[recommendation.slug]))
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    final_on = calendar.appeal_period_end(posted_on) + dt.timedelta(days=1)
    row = re.search(rf'<tr[^>]*>\s*<th scope="row"><a href="{re.escape(case_url)}">(.*?)</tr>', html, re.S)
    assert row, "no dashboard row links Danderyd's case"
    assert "Danderyd" in row.group(1)
    assert f'<td class="final-on" data-label="Laga kraft">{final_on:%Y-%m-%d}</td>' in row.group(1)

    # The audit trail of Danderyd's case, in order.
    assert _events(case) == [
        "case.chain_changed",
        "case.preparation_started",
        "case.proposed",
        "case.intermediate_decision_recorded",
        "case.final_decision_recorded",
        "case.signed",
    ]


def _h3_links(todo: str) -> dict[str, list[str]]:
    """The hrefs of the "Att göra" section, grouped by the <h3> heading they follow."""
    groups: dict[str, list[str]] = {}
    for part in re.split(r"(?=<h3>)", todo):
        heading = re.match(r"<h3>(.*?)</h3>", part)
        if heading:
            groups[heading.group(1)] = [href for href, _text in links(part)]
    return groups


def _expected_todo(persona: str) -> dict[str, list[str]]:
    """What each demo login finds under "Att göra" today (the demo data of ``load_origo``)."""
    from governance.decisions.models import AdoptionCase, ConsultationRound
    from governance.meetings.models import Meeting

    current_round = Recommendation.objects.get(slug=f"origo-{calendar.today().year + 1}")
    consultation = ConsultationRound.objects.filter(deadline__gte=calendar.today()).get()
    awaiting_approval = Meeting.objects.get(state="minutes_drafted")
    upcoming = [
        reverse("meetings:meeting", args=[m.pk])
        for m in Meeting.objects.filter(state__in=["planned", "notice_sent"]).order_by("starts_at")
    ]

    def case(code):
        return reverse(
            "decisions:case",
            args=[
                AdoptionCase.objects.get(
                    recommendation=current_round, organisation__municipality_code=code
                ).pk
            ],
        )

    answer = reverse("decisions:consultation_answer", args=[consultation.slug])
    minutes = reverse("meetings:meeting", args=[awaiting_approval.pk])
    return {
        "ksl_officer": {
            "Rekommendationer med öppna ärenden": [reverse("decisions:dashboard", args=[current_round.slug])],
            "Remisser att sammanställa": [reverse("decisions:compilation", args=[consultation.slug])],
            "Protokoll att justera": [minutes],
        },
        "danderyd_clerk": {"Mina ärenden": [case("0162")], "Öppna remisser": [answer]},
        "ekero_clerk": {"Mina ärenden": [case("0125")], "Öppna remisser": [answer]},
        "chair": {"Protokoll att justera": [minutes], "Kommande möten": upcoming[:1]},
        "member": {"Protokoll att justera": [minutes]},
        "host_admin": {
            "Kommande möten": upcoming[:1],
            "Parter utan kontaktperson": [
                reverse("parties:detail", args=[Organisation.objects.get(municipality_code="0180").pk])
            ],
        },
    }[persona]


@pytest.mark.parametrize(
    "persona", ["ksl_officer", "danderyd_clerk", "ekero_clerk", "chair", "member", "host_admin"]
)
def test_every_demo_login_has_something_to_do_on_the_start_page(db, client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    todo = todo_section(client.get("/").content.decode())
    assert '<h2 id="todo">Att göra</h2>' in todo, f"{persona} has no Att göra section"
    work = re.compile(r"^/(anslutning/(arende/\d+/|remiss/[\w-]+/|[\w-]+/$)|organ/moten/\d+/$)")
    found = _h3_links(todo)
    assert any(work.match(href) for hrefs in found.values() for href in hrefs), (
        f"{persona}: no link into a case, consultation, meeting or dashboard"
    )
    for heading, hrefs in _expected_todo(persona).items():
        assert heading in found, f"{persona}: no {heading!r} under Att göra"
        for href in hrefs:
            assert href in found[heading], f"{persona}: {href} not under {heading!r} ({found[heading]})"

"""The generated cooperation agreement (avtal): its sections, parties, names of the day, costs and signatures,
read back from the .docx with python-docx."""

import datetime as dt
import io
import re
import uuid

import pytest
from docx import Document

from governance.agreements.models import Agreement
from governance.agreements.queries import cost_allocation
from governance.core.models import AuditEvent
from governance.decisions import agreement_paper
from governance.documents import rendering, services
from governance.parties.models import Organisation, OrganisationName
from governance.parties.queries import name_on
from governance.parties.services import registry_load

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
HEADINGS = [
    "1. Parter",
    "2. Bakgrund och syfte",
    "3. Huvudman och organisation",
    "4. Finansiering",
    "5. Uppföljning",
    "6. Avtalstid och förlängning",
    "7. Uppsägning",
    "8. Ändringar och tillägg",
    "9. Tvister",
    "10. Underskrifter",
    "Bilaga 1. Kostnadsfördelning",
]


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch):
    monkeypatch.setattr(rendering, "soffice_path", lambda: None)


def _render(user, agreement, year=None) -> Document:
    document = services.document_request(
        acting_user=user,
        kind="agreement",
        subject_key=f"agreement:{agreement.pk}",
        params={"year": year or agreement.period_start.year},
        request_key=uuid.uuid4(),
    )
    document = services.document_render(document_id=document.pk)
    assert document.status == "done", document.error
    with document.file.open("rb") as handle:
        return Document(io.BytesIO(handle.read()))


def _paragraphs(document) -> list[str]:
    return [p.text.strip() for p in document.paragraphs if p.text.strip()]


def _section(paragraphs: list[str], start: str, end: str) -> list[str]:
    return paragraphs[paragraphs.index(start) + 1 : paragraphs.index(end)]


def _party_list(document) -> list[str]:
    """The bullet items of section 1 (financing, host and cooperating parties), "(huvudman)" taken off."""
    items, inside = [], False
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if text == "1. Parter":
            inside = True
        elif text == "2. Bakgrund och syfte":
            break
        elif inside and paragraph.style.name == "List Bullet":
            items.append(text.removesuffix(" (huvudman)"))
    return items


def _signature_blocks(document) -> list[dict]:
    """Each signature block: the party it is for, and its captions in order."""
    blocks = []
    table = document.tables[1]
    for row in table.rows:
        for cell in row.cells:
            lines = [p.text.strip() for p in cell.paragraphs if p.text.strip()]
            if lines and lines[0].startswith("För "):
                blocks.append(
                    {
                        "party": lines[0].removeprefix("För "),
                        "captions": [t for t in lines[1:] if "_" not in t],
                    }
                )
    return blocks


def _amount(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.fixture
def origo():
    return Agreement.objects.get(slug="origo")


def test_the_2012_agreement_has_the_sections_of_a_cooperation_agreement_in_order(ksl_officer, origo):
    paragraphs = _paragraphs(_render(ksl_officer, origo))
    positions = []
    for heading in HEADINGS:
        found = [i for i, text in enumerate(paragraphs) if text.startswith(heading)]
        assert found, f"missing section {heading}"
        positions.append(found[0])
    assert positions == sorted(positions)
    text = "\n".join(paragraphs)
    assert origo.title in text
    assert f"Avtalet gäller {origo.title[len('Avtal för ') :]} (nedan verksamheten)." in text
    assert "Avtalet gäller från och med den 1 januari 2013 till och med den 31 december 2015." in text
    assert "Styrelsen för Kommunförbundet Stockholms Län beslutade den 15 juni 2012" in text
    assert f"Verksamhetens budget är 6{NBSP}000{NBSP}000{NBSP}kr (sex miljoner kronor) per år." in text
    assert "efter antalet invånare i varje kommun den 31 december 2011" in text
    assert "Stockholms stad är ordförande i styrgruppen" in text
    assert "sex representanter från kommunerna" in text
    assert "en representant från vardera av de 26 kommunerna" in text
    assert "sex månaders uppsägningstid" in text and "allmän domstol" in text


def test_only_the_agreements_parties_are_listed_with_their_names_of_2012(ksl_officer, origo):
    Organisation.objects.create(name="Exempelföreningen mot hedersvåld", kind="voluntary")  # not a party
    document = _render(ksl_officer, origo)
    listed = _party_list(document)
    members = origo.memberships.select_related("organisation")
    historic = {
        "Region Stockholm": "Stockholms läns landsting",
        "Polismyndigheten": "Polismyndigheten i Stockholms län",
    }
    expected = sorted(historic.get(m.organisation.name, m.organisation.name) for m in members)
    assert sorted(listed) == expected and len(listed) == len(set(listed)) == 30
    assert listed[:2] == ["Stockholms läns landsting", "Polismyndigheten i Stockholms län"]
    text = "\n".join(_paragraphs(document))
    assert "Exempelföreningen" not in text
    assert "Region Stockholm" not in text and "Polismyndigheten\n" not in text
    assert "en representant från Polismyndigheten i Stockholms län" in text
    table = "\n".join(cell.text for row in document.tables[2].rows for cell in row.cells)
    assert "Stockholms läns landsting" in table and "Region Stockholm" not in table


def test_a_current_agreement_names_the_parties_as_they_are_called_today(ksl_officer, origo):
    from governance.agreements.services import agreement_create

    cost_model = origo.cost_model
    current = agreement_create(
        acting_user=None,
        slug="origo-i-dag",
        title="Avtal om Origo resurscentrum mot hedersrelaterat förtryck och våld i Stockholms län",
        short_title="Origo",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2028, 12, 31),
        host=origo.host,
        annual_budget=cost_model.annual_budget,
        basis_rule="fixed_date",
        fixed_basis_date=dt.date(2019, 12, 31),
        fixed_shares=[(s.organisation, s.percent) for s in cost_model.shares.filter(kind="fixed")],
        pool_percent=cost_model.shares.get(kind="population_pool").percent,
        cooperating=[m.organisation for m in origo.memberships.filter(role="cooperating")],
    )
    document = _render(ksl_officer, current)
    listed = _party_list(document)
    assert listed[:2] == ["Region Stockholm", "Polismyndigheten"] and len(listed) == 30
    text = "\n".join(_paragraphs(document))
    assert "Stockholms läns landsting" not in text and "Polismyndigheten i Stockholms län" not in text
    assert [b["party"] for b in _signature_blocks(document)] == listed


def test_the_cost_appendix_adds_up_to_the_budget_and_names_the_split(ksl_officer):
    agreement = Agreement.objects.get(slug="origo-2016")
    document = _render(ksl_officer, agreement)
    rows = [[cell.text for cell in row.cells] for row in document.tables[2].rows]
    assert rows[0] == ["Part", "Andel", "Folkmängd", "Belopp per år"]
    lines, total = rows[1:-1], rows[-1]
    assert total[0] == "Summa" and _amount(total[3]) == 6_000_000
    assert sum(_amount(line[3]) for line in lines) == agreement.cost_model.annual_budget
    assert len(lines) == 28  # the region, the police and 26 municipalities
    # 2016: the police is Polismyndigheten (since 2015), the region still Stockholms läns landsting.
    assert [line[0] for line in lines[:2]] == ["Stockholms läns landsting", "Polismyndigheten"]
    assert ["Ekerö", "", f"25{NBSP}767", f"36{NBSP}960{NBSP}kr"] in lines
    text = "\n".join(_paragraphs(document))
    split = (
        f"Ekerö kommuns belopp (36{NBSP}960{NBSP}kr per år) fördelas lika mellan Socialnämnden "
        f"(18{NBSP}480{NBSP}kr) och Barn- och utbildningsnämnden (18{NBSP}480{NBSP}kr)."
    )
    assert text.count(split) == 2  # in section 4 and in the appendix
    assert (
        "Avtalet förlänger parternas samverkan enligt avtalet ”Avtal för länsgemensamt resurscentrum" in text
    )


def test_a_signature_block_for_each_party(ksl_officer, origo):
    document = _render(ksl_officer, origo)
    blocks = _signature_blocks(document)
    assert [b["party"] for b in blocks] == _party_list(document)
    assert all(b["captions"] == ["Ort och datum", "Underskrift", "Namnförtydligande"] for b in blocks)


def test_the_context_keeps_the_keys_of_the_earlier_template(origo):
    context = agreement_paper.agreement_context(origo, cost_allocation(agreement=origo, year=2013))
    sample = agreement_paper.sample_agreement_context()
    assert set(sample) == set(context)
    for key in ("organisation", "date_iso", "parties", "period_sentence", "host_sentence", "shares", "lines"):
        assert key in context
    assert context["date_iso"] == "2012-06-05"  # KSL's recommendation, the day the agreement was entered


def test_name_on_gives_the_name_of_the_day():
    region = Organisation.objects.get(kind="region")
    police = Organisation.objects.get(kind="police")
    assert name_on(region, dt.date(2012, 6, 15)) == "Stockholms läns landsting"
    assert name_on(region, dt.date(2018, 12, 31)) == "Stockholms läns landsting"
    assert name_on(region, dt.date(2019, 1, 1)) == "Region Stockholm"
    assert name_on(police, dt.date(2014, 12, 31)) == "Polismyndigheten i Stockholms län"
    assert name_on(police, dt.date(2015, 1, 1)) == "Polismyndigheten"
    danderyd = Organisation.objects.get(municipality_code="0162")
    assert name_on(danderyd, dt.date(2012, 1, 1)) == danderyd.name


def test_name_on_picks_the_name_valid_that_day_among_several():
    police = Organisation.objects.get(kind="police")
    OrganisationName.objects.create(
        organisation=police, name="Polisen i Stockholm (äldre)", valid_until=dt.date(1999, 12, 31)
    )
    assert name_on(police, dt.date(1999, 6, 1)) == "Polisen i Stockholm (äldre)"
    assert name_on(police, dt.date(2000, 1, 1)) == "Polismyndigheten i Stockholms län"
    prefetched = Organisation.objects.prefetch_related("historic_names").get(pk=police.pk)
    assert name_on(prefetched, dt.date(1999, 6, 1)) == "Polisen i Stockholm (äldre)"


def test_registry_load_records_a_former_name_once_with_an_audit_row():
    danderyd = Organisation.objects.get(municipality_code="0162")
    data = [
        {
            "name": danderyd.name,
            "short_name": danderyd.short_name,
            "kind": danderyd.kind,
            "municipality_code": danderyd.municipality_code,
            "registration_number_pattern": danderyd.registration_number_pattern,
            "names": [{"name": "Ett äldre namn (testdata)", "valid_until": "1970-12-31"}],
        }
    ]
    before = AuditEvent.objects.count()
    counts = registry_load(acting_user=None, organisations=data)
    assert counts["names_recorded"] == 1
    assert AuditEvent.objects.filter(action="organisation_name.recorded").count() >= 1
    assert registry_load(acting_user=None, organisations=data)["names_recorded"] == 0
    assert AuditEvent.objects.count() - before == 1


def test_an_odd_number_of_parties_leaves_the_last_right_block_empty():
    context = agreement_paper.sample_agreement_context()
    names = ["Exempel stad", "Exempel kommun", "Exempelby kommun"]
    context.update(parties=names, signature_rows=agreement_paper._signature_rows(names))
    template = rendering.builtin_template_path("agreement").read_bytes()
    document = Document(io.BytesIO(rendering.render_docx(template, context)))
    assert [b["party"] for b in _signature_blocks(document)] == names
    last = document.tables[1].rows[-1].cells[1]
    assert [p.text for p in last.paragraphs] == [""]  # the cell keeps one (empty) paragraph


def test_the_cost_page_offers_the_agreement_to_whom_may_generate_it(client, ksl_officer, danderyd_clerk):
    from django.urls import reverse

    url = reverse("agreements:costs", args=["origo"])
    client.force_login(ksl_officer)
    assert "Skapa avtalet med kostnadsbilaga" in client.get(url).text
    client.force_login(danderyd_clerk)
    assert "Skapa avtalet med kostnadsbilaga" not in client.get(url).text

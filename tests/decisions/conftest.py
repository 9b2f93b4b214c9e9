import datetime as dt

import pytest

from governance.agreements.models import Agreement
from governance.decisions.models import AdoptionCase
from governance.decisions.services import recommendation_create_and_send
from governance.parties.models import Organisation


def _agreement():
    """A new agreement (2026–2028) nobody has signed yet."""
    agreement, _created = Agreement.objects.get_or_create(
        slug="test-avtal",
        defaults={
            "title": "Testavtal",
            "short_title": "Test",
            "period_start": dt.date(2026, 1, 1),
            "period_end": dt.date(2028, 12, 31),
            "host": Organisation.objects.get(is_host=True),
        },
    )
    return agreement


@pytest.fixture
def fresh_recommendation(db):
    """A new recommendation on a new agreement to Danderyd, Ekerö and Stockholm, every case just received."""

    def make(
        slug="test-rek", recipients=("0162", "0125", "0180"), deadline=None, decided=dt.date(2025, 3, 1)
    ):
        return recommendation_create_and_send(
            acting_user=None,
            replay=True,  # past deadlines allowed, no mail: the cases are what these tests need
            slug=slug,
            title="Testrekommendation",
            board_decision_date=decided,
            registration_number="KSL/25/1",
            agreement=_agreement(),
            answer_deadline=deadline or dt.date(2025, 10, 31),
            recipients=list(Organisation.objects.filter(municipality_code__in=recipients)),
        )

    return make


@pytest.fixture
def danderyd_case(fresh_recommendation):
    recommendation = fresh_recommendation()
    return AdoptionCase.objects.get(recommendation=recommendation, organisation__municipality_code="0162")


@pytest.fixture(autouse=True)
def _no_pdf_unless_asked(request, monkeypatch):
    """PDF conversion costs a LibreOffice start per document: only tests marked ``pdf`` convert."""
    if "pdf" not in request.keywords:
        from governance.documents import rendering

        monkeypatch.setattr(rendering, "soffice_path", lambda: None)
        monkeypatch.setattr(rendering, "converter_url", lambda: "")  # nor a running converter (issue 15)


@pytest.fixture(autouse=True)
def queued_notifications(monkeypatch):
    """The notification tasks run their bodies at once (like a worker would), never through the broker;
    the list records what was queued."""
    from governance.decisions import tasks

    queued = []

    def inline(task):
        def delay(pk):
            queued.append((task.name, pk))
            return task.run(pk)

        return delay

    for task in (tasks.recommendation_notify, tasks.consultation_notify):
        monkeypatch.setattr(task, "delay", inline(task))
    return queued

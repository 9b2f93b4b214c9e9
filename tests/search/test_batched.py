"""The index under bulk changes: one refresh per object at the end of ``audit_followups_batched``, the same
entries as a refresh per audit row, and nothing when the change fails."""

import pytest
from django.db import transaction

from governance.core.services import audit_followups_batched
from governance.decisions.choices import CaseState
from governance.decisions.models import AdoptionCase
from governance.decisions.services import case_start_preparation
from governance.search import services
from governance.search.models import SearchEntry

pytestmark = pytest.mark.django_db


def _entry(case):
    return SearchEntry.objects.get(key=f"case:{case.pk}")


def test_batched_refresh_runs_once_per_object_at_the_end(monkeypatch):
    cases = list(AdoptionCase.objects.filter(state=CaseState.RECEIVED).order_by("pk")[:2])
    assert len(cases) == 2
    calls = []
    real = services.entries_refresh
    monkeypatch.setattr(services, "entries_refresh", lambda **kw: calls.append(kw) or real(**kw))
    with transaction.atomic(), audit_followups_batched():
        for case in cases:
            case_start_preparation(acting_user=None, case=case)
        assert calls == []  # nothing until the block ends
    keys = [(call["source"], call["object_id"]) for call in calls]
    assert sorted(keys) == sorted({("decisions.adoptioncase", case.pk) for case in cases})
    for case in cases:
        case.refresh_from_db()
        assert case.get_state_display() in _entry(case).body
    # the same entries a full rebuild gives: the rebuild finds nothing to change
    before = SearchEntry.objects.count()
    assert services.search_index_rebuild(acting_user=None) == before


def test_batched_work_is_dropped_when_the_change_fails():
    case = AdoptionCase.objects.filter(state=CaseState.RECEIVED).first()
    body = _entry(case).body
    with pytest.raises(RuntimeError), transaction.atomic(), audit_followups_batched():
        case_start_preparation(acting_user=None, case=case)
        raise RuntimeError("boom")
    case.refresh_from_db()
    assert case.state == CaseState.RECEIVED
    assert _entry(case).body == body


def test_without_a_batch_the_index_follows_each_row():
    case = AdoptionCase.objects.filter(state=CaseState.RECEIVED).first()
    with transaction.atomic():
        case_start_preparation(acting_user=None, case=case)
        case.refresh_from_db()
        assert case.get_state_display() in _entry(case).body

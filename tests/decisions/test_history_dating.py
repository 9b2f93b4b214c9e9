"""Demo history is loaded through the case services: demo flags at creation, dates through an audited service."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.core.models import AuditEvent
from governance.decisions.models import AdoptionCase
from governance.decisions.services.cases import case_history_date


def test_loaded_history_is_flagged_and_dated_with_an_audit_row(db):
    assert AdoptionCase.objects.filter(is_demo_data=True).exists()
    dated = AdoptionCase.objects.filter(
        pk__in=[
            int(pk)
            for pk in AuditEvent.objects.filter(action="case.history_dated").values_list(
                "object_id", flat=True
            )
        ]
    )
    assert dated.exists()
    for case in dated:
        assert case.last_moved_at < timezone.now() - dt.timedelta(days=1)


def test_history_dating_is_checked_and_audited(ksl_officer, outsider):
    case = AdoptionCase.objects.first()
    moved = timezone.make_aware(dt.datetime(2017, 3, 1, 12))
    with pytest.raises(PermissionDenied):
        case_history_date(acting_user=outsider, case=case, moved_at=moved)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="framtiden"):
        case_history_date(acting_user=ksl_officer, case=case, moved_at=timezone.now() + dt.timedelta(days=2))
    assert AuditEvent.objects.count() == before
    case_history_date(acting_user=ksl_officer, case=case, moved_at=moved)
    case.refresh_from_db()
    assert case.last_moved_at == moved
    event = AuditEvent.objects.latest("id")
    assert event.action == "case.history_dated" and event.object_id == str(case.pk)

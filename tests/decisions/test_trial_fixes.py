"""Findings of a new user's trial: a changed diarienummer reads as changed in the audit trail, the batch page
always has a way back, and a second batch of memo drafts skips the cases that already have one unless asked."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from governance.core.models import AuditEvent
from governance.decisions import services
from governance.decisions.models import AdoptionCase


def _registration_events(case):
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(AdoptionCase),
            object_id=str(case.pk),
            action__startswith="case.registration_number",
        ).order_by("id")
    )


# 3. Diarienummer set, then changed


def test_the_first_diarienummer_is_set_and_a_second_one_changes_it(client, danderyd_case, danderyd_clerk):
    services.case_registration_number_set(
        acting_user=danderyd_clerk, case=danderyd_case, registration_number="KS 2025/10"
    )
    services.case_registration_number_set(
        acting_user=danderyd_clerk, case=danderyd_case, registration_number="KS 2025/10"
    )  # unchanged: no row
    services.case_registration_number_set(
        acting_user=danderyd_clerk, case=danderyd_case, registration_number="KS 2025/11"
    )
    first, second = _registration_events(danderyd_case)
    assert first.action == "case.registration_number_recorded"
    assert first.payload == {"before": "", "after": "KS 2025/10"}
    assert second.action == "case.registration_number_changed"
    assert second.payload == {"before": "KS 2025/10", "after": "KS 2025/11"}
    assert second.actor_id == danderyd_clerk.pk
    danderyd_case.refresh_from_db()
    assert danderyd_case.registration_number == "KS 2025/11"

    client.force_login(danderyd_clerk)
    page = client.get(reverse("decisions:case", args=[danderyd_case.pk])).text
    assert "Diarienummer ändrades från KS 2025/10 till KS 2025/11" in page
    assert page.count("Diarienummer angavs") == 1  # the first setting stays as it was


def test_a_diarienummer_removed_reads_as_removed(client, danderyd_case, danderyd_clerk):
    for number in ("KS 2025/10", ""):
        services.case_registration_number_set(
            acting_user=danderyd_clerk, case=danderyd_case, registration_number=number
        )
    _first, removed = _registration_events(danderyd_case)
    assert removed.action == "case.registration_number_changed"
    assert removed.payload == {"before": "KS 2025/10", "after": ""}
    client.force_login(danderyd_clerk)
    assert (
        "Diarienummer KS 2025/10 togs bort"
        in client.get(reverse("decisions:case", args=[danderyd_case.pk])).text
    )


# 4. The batch page's way back


def _batch_post(client, slug, key, **data):
    return client.post(reverse("decisions:batch_create", args=[slug]), {"batch_key": str(key), **data})


def test_the_batch_page_leads_back_to_the_dashboard_while_it_runs(ksl_client):
    import uuid

    from governance.decisions.services import memo_batch_prepare
    from governance.documents.models import DocumentBatch, GeneratedDocument

    key = uuid.uuid4()
    assert _batch_post(ksl_client, "origo-2016", key).status_code == 302
    dashboard = reverse("decisions:dashboard", args=["origo-2016"])
    back = f'<a href="{dashboard}">Tillbaka till översikten</a>'
    page = ksl_client.get(reverse("documents:batch", args=[key])).text
    assert "Förbereds" in page and back in page  # before any version exists

    memo_batch_prepare(batch_id=DocumentBatch.objects.get(key=key).pk)
    assert GeneratedDocument.objects.filter(batch_key=key).exclude(status="done").exists()
    page = ksl_client.get(reverse("documents:batch", args=[key])).text
    assert 'hx-trigger="every 2s"' in page and back in page  # still running

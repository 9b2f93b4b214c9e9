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


# 5. A second batch of memo drafts


def _waiting(slug="origo-2016"):
    from governance.decisions.choices import WAITING_STATES

    return list(
        AdoptionCase.objects.filter(recommendation__slug=slug, state__in=WAITING_STATES).order_by("pk")
    )


def _memo_for(case):
    """A memo version for ``case``, as the municipality's own memo form makes one (the system here)."""
    import uuid

    from governance.decisions import memo_paper
    from governance.documents import services as document_services

    return document_services.document_request(
        acting_user=None,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=memo_paper.memo_defaults(case, None).__dict__,
        request_key=uuid.uuid4(),
    )


def _batch(client, **data):
    """Post the dashboard's form and run the batch's job; the batch and its versions by case."""
    import uuid

    from governance.decisions.services import memo_batch_prepare
    from governance.documents.models import DocumentBatch, GeneratedDocument

    key = uuid.uuid4()
    response = _batch_post(client, "origo-2016", key, **data)
    batch = DocumentBatch.objects.filter(key=key).first()
    if batch is not None:
        memo_batch_prepare(batch_id=batch.pk)
        batch.refresh_from_db()
    versions = {d.subject_id: d.version for d in GeneratedDocument.objects.filter(batch_key=key)}
    return response, batch, versions


def test_the_dashboard_says_how_many_have_a_memo(ksl_client):
    waiting = _waiting()
    dashboard = reverse("decisions:dashboard", args=["origo-2016"])
    text = ksl_client.get(dashboard).text
    assert f"Skapa utkast till tjänsteutlåtanden för de {len(waiting)} som inte beslutat" in text
    assert 'name="new_versions"' not in text  # nothing to make a new version of

    for case in waiting[:2]:
        _memo_for(case)
    text = ksl_client.get(dashboard).text
    assert f"2 av de {len(waiting)} som inte beslutat har redan ett tjänsteutlåtande." in text
    assert f"Utkast skapas för de {len(waiting) - 2} som saknar ett." in text
    assert f"Skapa utkast till tjänsteutlåtanden för de {len(waiting) - 2} som saknar ett" in text
    checkbox = '<input type="checkbox" name="new_versions" value="on" aria-describedby="batch-memos">'
    assert checkbox in text  # not ticked, not required
    assert "Skapa en ny version även för de 2 som redan har ett tjänsteutlåtande" in text


def test_a_batch_by_default_skips_the_cases_that_have_a_memo(ksl_client):
    from governance.core.models import AuditEvent

    waiting = _waiting()
    drafted = _memo_for(waiting[0])
    response, batch, versions = _batch(ksl_client)
    assert response.status_code == 302 and response["Location"] == reverse(
        "documents:batch", args=[batch.key]
    )
    assert set(versions) == {case.pk for case in waiting[1:]}  # not the case that has its memo
    assert all(version == 1 for version in versions.values())
    assert batch.options == {"new_versions": False} and batch.expected == len(waiting) - 1
    requested = AuditEvent.objects.filter(action="document_batch.requested").latest("id")
    assert requested.payload["expected"] == len(waiting) - 1
    assert requested.payload["options"] == {"new_versions": False}
    assert list(drafted.__class__.objects.filter(subject_key=f"case:{waiting[0].pk}")) == [drafted]

    # Every waiting case has a memo now: by default there is nothing to draft, and the page says why.
    response, batch, versions = _batch(ksl_client)
    assert batch is None and versions == {}
    assert response.status_code == 302
    page = ksl_client.get(response["Location"]).text
    assert "Alla ärenden som inte beslutats har redan ett tjänsteutlåtande." in page
    assert f"{len(waiting)} av de {len(waiting)} som inte beslutat har redan ett tjänsteutlåtande." in page
    assert 'name="new_versions" value="on" aria-describedby="batch-memos" required' in page


def test_new_versions_for_the_cases_with_a_memo_only_when_asked(ksl_client):
    waiting = _waiting()
    _memo_for(waiting[0])
    response, batch, versions = _batch(ksl_client, new_versions="on")
    assert response.status_code == 302
    assert set(versions) == {case.pk for case in waiting}
    assert versions[waiting[0].pk] == 2 and all(versions[case.pk] == 1 for case in waiting[1:])
    assert batch.options == {"new_versions": True} and batch.expected == len(waiting)


def test_a_double_click_is_still_one_batch(ksl_client):
    import uuid

    from governance.documents.models import DocumentBatch

    key = uuid.uuid4()
    for _click in range(2):
        response = _batch_post(ksl_client, "origo-2016", key, new_versions="on")
        assert response["Location"] == reverse("documents:batch", args=[key])
    assert DocumentBatch.objects.filter(key=key).count() == 1

"""The admin shows a municipality's confidential case data only to whom the pages show it (issue 12, item 6).

The host administrator is staff with model-level view permissions on every model, but no object permission
on Danderyd: the case pages answer 404, so the admin must show no case, decision, decision step, reminder,
signature, consultation answer or generated memo of Danderyd either. A superuser reads everything (the
permission helpers give a superuser every municipality), Danderyd's own clerk is not staff at all.
"""

import uuid

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from governance.agreements.models import Signature
from governance.decisions import memo_paper
from governance.decisions.models import (
    AdoptionCase,
    ConsultationAnswer,
    ConsultationResponse,
    Decision,
    DecisionStep,
)
from governance.documents import services as document_services
from governance.documents.models import GeneratedDocument

DANDERYD = "0162"


@pytest.fixture
def memo(db, danderyd_clerk):
    case = AdoptionCase.objects.select_related("organisation", "recommendation__agreement").get(
        recommendation__slug="origo-2012", organisation__municipality_code=DANDERYD
    )
    params = memo_paper.memo_defaults(case, danderyd_clerk).__dict__
    params["background"] = "Konfidentiell bakgrund för Danderyd"
    return document_services.document_request(
        acting_user=danderyd_clerk,
        kind="memo",
        subject_key=f"case:{case.pk}",
        params=params,
        request_key=uuid.uuid4(),
    )


def _danderyd_rows(memo):
    rows = {
        AdoptionCase: AdoptionCase.objects.filter(organisation__municipality_code=DANDERYD),
        Decision: Decision.objects.filter(case__organisation__municipality_code=DANDERYD),
        DecisionStep: DecisionStep.objects.filter(case__organisation__municipality_code=DANDERYD),
        Signature: Signature.objects.filter(organisation__municipality_code=DANDERYD),
        ConsultationResponse: ConsultationResponse.objects.filter(organisation__municipality_code=DANDERYD),
        ConsultationAnswer: ConsultationAnswer.objects.filter(
            response__organisation__municipality_code=DANDERYD
        ),
        GeneratedDocument: GeneratedDocument.objects.filter(pk=memo.pk),
    }
    for model, queryset in rows.items():
        assert queryset.exists(), f"the data set has no {model.__name__} of Danderyd to hide"
    return rows


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_host_admin_reads_no_confidential_row_of_danderyd_in_the_admin(client, host_admin, memo):
    client.force_login(host_admin)
    leaks = []
    for model, queryset in _danderyd_rows(memo).items():
        model_admin = admin.site._registry[model]
        meta = model._meta
        visible = model_admin.get_queryset(_request(host_admin)).filter(pk__in=queryset.values("pk"))
        if visible.exists():
            leaks.append(f"{meta.label}: {visible.count()} rows in the admin's queryset")
        changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200
        if changelist.context["cl"].result_count:
            shown = set(changelist.context["cl"].result_list.values_list("pk", flat=True))
            if shown & set(queryset.values_list("pk", flat=True)):
                leaks.append(f"{meta.label}: listed on the changelist")
        obj = queryset.first()
        if model_admin.has_view_permission(_request(host_admin), obj):
            leaks.append(f"{meta.label}: view permission on {obj.pk}")
        for view in ("change", "history"):
            response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk]))
            if response.status_code == 200:
                leaks.append(f"{meta.label} {view} page: 200")
    assert leaks == []


def test_host_admin_memo_text_is_not_on_any_admin_page(client, host_admin, memo):
    client.force_login(host_admin)
    for url in (
        reverse("admin:documents_generateddocument_changelist"),
        reverse("admin:documents_generateddocument_change", args=[memo.pk]),
    ):
        response = client.get(url, follow=True)
        assert "Konfidentiell bakgrund" not in response.text


def test_superuser_reads_every_municipality_in_the_admin(client, memo):
    root = get_user_model().objects.create_superuser("root", "root@example.se", "x")
    client.force_login(root)
    for model, queryset in _danderyd_rows(memo).items():
        model_admin = admin.site._registry[model]
        meta = model._meta
        assert set(queryset.values_list("pk", flat=True)) <= set(
            model_admin.get_queryset(_request(root)).values_list("pk", flat=True)
        ), meta.label
        obj = queryset.first()
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
        assert response.status_code == 200, meta.label
    assert (
        "Konfidentiell bakgrund"
        in client.get(reverse("admin:documents_generateddocument_change", args=[memo.pk])).text
    )


def test_the_admin_never_shows_a_calendar_feeds_key(client, django_user_model):
    from django.urls import reverse

    from governance.meetings.models import CalendarToken

    user = django_user_model.objects.get(username="ledamot")
    token = CalendarToken.objects.create(user=user, token="k" * 40)
    admin_user = django_user_model.objects.create_superuser("rot", "rot@example.org", "x")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:meetings_calendartoken_changelist")).text
    detail = client.get(reverse("admin:meetings_calendartoken_change", args=[token.pk])).text
    assert "k" * 40 not in listing and "k" * 40 not in detail


def test_the_audit_log_in_the_admin_hides_the_events_of_cases_its_reader_may_not_see(client, host_admin):
    """Trial finding: the host admin read every municipality's case events (decision body, date, §, outcome,
    withdrawal reasons) in the admin's audit log while the case pages answered 404."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from governance.core.models import AuditEvent
    from governance.decisions.models import AdoptionCase

    case = AdoptionCase.objects.get(recommendation__slug="origo-2012", organisation__municipality_code="0162")
    case_type = ContentType.objects.get_for_model(AdoptionCase)
    event = AuditEvent.objects.filter(content_type=case_type, object_id=str(case.pk)).first()
    assert event is not None
    client.force_login(host_admin)
    listing = client.get(reverse("admin:core_auditevent_changelist") + f"?q={case.organisation.name}")
    assert listing.status_code == 200
    assert not [e for e in listing.context["cl"].result_list if e.content_type_id == case_type.pk]
    detail = client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert detail.status_code in (302, 403, 404)
    # The events of the host admin's own kind of rows (parties, agreements) stay readable.
    assert AuditEvent.objects.exclude(content_type=case_type).exists()
    # (The audit log counts no full result, issue 16: the unsearched list is counted instead.)
    assert client.get(reverse("admin:core_auditevent_changelist")).context["cl"].result_count > 0


def _memo_for(user, case):
    params = memo_paper.memo_defaults(case, user).__dict__
    return document_services.document_request(
        acting_user=user, kind="memo", subject_key=f"case:{case.pk}", params=params, request_key=uuid.uuid4()
    )


def test_the_audit_log_reads_the_documents_subjects_at_once(
    client, host_admin, ksl_officer, memo, django_assert_max_num_queries
):
    """Issue 16: the audit log's scope asks who may read each document; the subjects and their organisations
    are read with the documents, and the grants once, so more documents of more municipalities cost nothing
    more (it was 18 and grew by two per municipality)."""
    url = reverse("admin:core_auditevent_changelist")
    client.force_login(host_admin)
    client.get(url)

    def count():
        with django_assert_max_num_queries(15) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    cases = AdoptionCase.objects.filter(recommendation__slug="origo-2012").exclude(
        organisation__municipality_code=DANDERYD
    )[:3]
    for case in cases:
        _memo_for(ksl_officer, case)
    assert GeneratedDocument.objects.count() >= 4
    assert count() == one

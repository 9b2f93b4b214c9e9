"""The floors the pages are measured against: plain Django views, one query each, the same rows as the page.

They go through the same middleware (session, login, CSRF, CSP) as the real page and render a Django template
with the cached loader, so the ratio is what the page costs beyond fetching and printing its rows.
"""

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.shortcuts import render

from governance.core.models import AuditEvent
from governance.decisions.models import AdoptionCase


def hello(request):
    return HttpResponse("Hej världen", content_type="text/plain; charset=utf-8")


@login_required
def bare_dashboard(request, slug):
    """The dashboard's rows: each municipality's case of the recommendation, its state and dates."""
    rows = (
        AdoptionCase.objects.filter(recommendation__slug=slug)
        .order_by("organisation__name")
        .values_list("pk", "organisation__name", "organisation__municipality_code", "state", "last_moved_at")
    )
    return render(request, "bench/table.html", {"title": slug, "rows": rows})


@login_required
def bare_case(request, pk):
    """The case page's rows: its events (the audit rows about the case), newest first."""
    content_type = ContentType.objects.get_for_model(AdoptionCase)  # cached after the first request
    rows = (
        AuditEvent.objects.filter(content_type=content_type, object_id=str(pk))
        .order_by("-id")
        .values_list("id", "occurred_at", "action", "actor_name", "source_state", "target_state")[:200]
    )
    return render(request, "bench/table.html", {"title": f"Ärende {pk}", "rows": rows})

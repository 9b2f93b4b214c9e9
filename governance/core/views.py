"""The start page and health check."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import queries


@require_GET
def home(request):
    return render(request, "core/home.html", queries.start_page(request.user))


@require_GET
def health(request):
    """Liveness for load balancers: answers 200 when the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

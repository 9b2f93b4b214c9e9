"""The start page."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import queries


@require_GET
def home(request):
    return render(request, "home/home.html", queries.start_page(request.user))

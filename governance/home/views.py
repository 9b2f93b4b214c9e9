"""The start page."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from governance.core.caching import cached_page

from . import queries


@require_safe
@cached_page
def home(request):
    return render(request, "home/home.html", queries.start_page(request.user))

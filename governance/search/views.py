"""The search page: one field for cases, decisions, meetings, documents and the diarium."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import permissions, queries
from .choices import PAGE_SIZE
from .forms import SearchForm


@require_safe
@login_required
def results(request):
    permissions.check_search(request.user)
    form = SearchForm(request.GET or None)
    context = {"form": form, "page": None, "text": ""}
    if request.GET and not form.is_valid():
        return render(request, "search/results.html", context, status=400)
    text = form.cleaned_data.get("q", "") if request.GET else ""
    if text.strip():
        page = Paginator(queries.search(request.user, text), PAGE_SIZE).get_page(request.GET.get("sida"))
        context.update(page=page, text=text)
    return render(request, "search/results.html", context)

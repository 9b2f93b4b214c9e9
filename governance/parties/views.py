"""Party registry pages."""

from django.http import Http404
from django.shortcuts import render

from . import queries
from .models import Organisation


def organisation_list(request):
    return render(request, "parties/organisation_list.html", {"organisations": queries.organisation_list()})


def organisation_detail(request, pk: int):
    try:
        organisation = queries.organisation_detail(pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "parties/organisation_detail.html", {"organisation": organisation})

"""A URLconf for tests/core/test_error_pages.py: the site's own URLs plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from governance.urls import urlpatterns as site_urlpatterns


def _denied(request):
    raise PermissionDenied("Bara KSL:s handläggare får se kostnadsmodellen.")


def _denied_without_reason(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("bad input")


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test/nekad/", _denied),
    path("test/nekad-utan-skal/", _denied_without_reason),
    path("test/felaktig/", _suspicious),
    path("test/trasig/", _broken),
    *site_urlpatterns,
]

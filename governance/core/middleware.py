"""A form's address opened directly, or reloaded after a form error, must not end on a blank page.

A GET on a POST-only address answers 405 with an empty body; instead the user is sent back to the page the
form was on (the Referer, when it is one of our own pages), or else to the page one step up: every POST action
lives below the page it belongs to (``/anslutning/arende/58/decision/`` under ``/anslutning/arende/58/``,
``/organ/moten/2/flytta/`` under ``/organ/moten/2/``). Any other 405 gets the Swedish page.
"""

from urllib.parse import urlsplit

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve

from .caching import request_generations_close, request_generations_open
from .permissions import request_permission_cache_close, request_permission_cache_open


class RequestCachesMiddleware:
    """What is kept only while a request is served, none outside it: the data generations read with its session
    (``core.sessions``, for the kept pages and the cost allocation, ``core.caching``) and one object-permission
    checker per user (``core.permissions.RequestCachedObjectPermissionBackend``). Before anything reads the
    session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        generations = request_generations_open()
        permissions = request_permission_cache_open(reads_only=request.method in ("GET", "HEAD"))
        try:
            return self.get_response(request)
        finally:
            request_permission_cache_close(permissions)
            request_generations_close(generations)


class MethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        if request.method in ("GET", "HEAD"):
            referer = _own_page(request)
            if referer:
                return HttpResponseRedirect(referer)
            parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
            if parent != request.path:
                try:
                    resolve(parent)
                except Resolver404:
                    pass
                else:
                    return HttpResponseRedirect(parent)
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page


def _own_page(request) -> str | None:
    """The Referer's path if it is a page of this site other than the address asked for."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc and parts.netloc != request.get_host():
        return None
    if not parts.path or parts.path == request.path:
        return None
    try:
        resolve(parts.path)
    except Resolver404:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")

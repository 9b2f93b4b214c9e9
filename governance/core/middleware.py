"""A form's address opened directly, or reloaded after a form error, must not end on a blank page.

Every POST action lives one step below the page it belongs to (``/anslutning/arende/58/decision/`` under
``/anslutning/arende/58/``, ``/organ/moten/2/flytta/`` under ``/organ/moten/2/``). A GET there answers 405
with an empty body; instead the user is sent to that page. Any other 405 gets the Swedish page.
"""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve


class MethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content:
            return response
        if request.method in ("GET", "HEAD"):
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

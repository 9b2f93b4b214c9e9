"""The OParl endpoints: public, read-only JSON; no login, no session, no form.

Every answer is JSON, errors too (``{"code": …, "message": …}`` with a Swedish message): an unknown or
non-public object is 404, a malformed filter or page 400, any method but GET/HEAD 405.
"""

import datetime as dt
import json
import math
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import objects, queries

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")

#: The object kinds: the queryset of the public rows and the builder of one object.
KINDS = {
    "organization": (queries.organizations, objects.organization),
    "person": (queries.persons, objects.person),
    "membership": (queries.memberships, objects.membership),
    "meeting": (queries.meetings, objects.meeting),
    "agendaitem": (queries.agenda_items, objects.agenda_item),
    "file": (queries.files, objects.file),
    "paper": (queries.papers, objects.paper),
    "party": (queries.parties, objects.party),
}


class BadRequest(Exception):
    """A malformed query parameter; the message is Swedish and goes back to the client."""


def _json(data, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    # Anyone may read the public part, from any web page too (OParl recommends CORS).
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, code: str, message: str) -> HttpResponse:
    return _json({"code": code, "message": message}, status=status)


def require_GET(view):
    """GET and HEAD only; anything else is a JSON 405 (the read-only interface has nothing to post to)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "method_not_allowed", _("Gränssnittet går bara att läsa (GET)."))
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    # Nothing here writes, so a POST needs no CSRF token to be told so (a JSON 405, not the HTML 403).
    wrapper.csrf_exempt = True
    return wrapper


def _not_found() -> HttpResponse:
    return _error(404, "not_found", _("Objektet finns inte eller är inte offentligt."))


def not_found(request, rest: str = ""):
    """Any other address below /oparl/v1/: OParl's JSON 404, not the site's HTML page."""
    return _not_found()


@require_GET
def system(request):
    return _json(objects.system(host=queries.host()))


@require_GET
def body_list(request):
    try:
        page, size = _paging(request)
    except BadRequest as exc:
        return _error(400, "bad_request", str(exc))
    data = [_body()] if page == 1 else []
    return _json(_page(request, data, total=1, page=page, size=size))


@require_GET
def body(request, key: str):
    if key != objects.BODY_KEY:
        return _not_found()
    return _json(_body())


def _body() -> dict:
    stamps = [(o.oparl_created, o.oparl_modified) for o in queries.organizations()]
    created = min((c for c, _m in stamps if c), default=None)
    modified = max((m for _c, m in stamps if m), default=None)
    return objects.body(host=queries.host(), created=created, modified=modified)


@require_GET
def object_detail(request, pk: int, kind: str):
    queryset, build = KINDS[kind]
    row = queryset().filter(pk=pk).first()
    if row is None:
        return _not_found()
    return _json(build(row))


@require_GET
def object_list(request, key: str, kind: str):
    if key != objects.BODY_KEY:
        return _not_found()
    if kind == "organization":
        # The cooperation bodies, then the parties their members represent: both are OParl Organizations.
        return _list(
            request, (queries.organizations(), objects.organization), (queries.parties(), objects.party)
        )
    queryset, build = KINDS[kind]
    return _list(request, (queryset(), build))


@require_GET
def organization_meetings(request, pk: int):
    if not queries.organizations().filter(pk=pk).exists():
        return _not_found()
    return _list(request, (queries.meetings().filter(body_id=pk), objects.meeting))


def _list(request, *sources) -> HttpResponse:
    """One list page over one or more ``(queryset, build)`` sources, one after the other, each in id order."""
    try:
        page, size = _paging(request)
        filters = _filters(request)
    except BadRequest as exc:
        return _error(400, "bad_request", str(exc))
    filtered = [(queries.since_until(queryset, filters), build) for queryset, build in sources]
    counts = [queryset.count() for queryset, _build in filtered]
    total = sum(counts)
    if page > 1 and (page - 1) * size >= total:
        return _error(404, "page_not_found", _("Sidan %(page)s finns inte i listan.") % {"page": page})
    start, end, data = (page - 1) * size, page * size, []
    for (queryset, build), count in zip(filtered, counts, strict=True):
        if start < count and end > 0:
            data += [build(row) for row in queryset[max(start, 0) : min(end, count)]]
        start, end = start - count, end - count
    return _json(_page(request, data, total=total, page=page, size=size))


def _paging(request) -> tuple[int, int]:
    page = _positive(request.GET.get("page", "1"), "page")
    size = _positive(request.GET.get("elementsPerPage", str(DEFAULT_PAGE_SIZE)), "elementsPerPage")
    return page, min(size, MAX_PAGE_SIZE)


def _positive(value: str, name: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 6 or int(value) < 1:
        raise BadRequest(_("%(name)s ska vara ett positivt heltal.") % {"name": name})
    return int(value)


def _filters(request) -> dict[str, dt.datetime]:
    filters = {}
    for name in FILTERS:
        value = request.GET.get(name)
        if value is None:
            continue
        parsed = None
        if len(value) <= 40:
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
        if parsed is not None and not 1900 <= parsed.year <= 2200:
            parsed = None  # outside what the data can hold (and what the database's dates can take)
        if parsed is None:
            raise BadRequest(
                _("%(name)s ska vara en fullständig tidpunkt, t.ex. 2026-01-01T00:00:00+01:00.")
                % {"name": name}
            )
        filters[name] = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    return filters


def _page(request, data: list, *, total: int, page: int, size: int) -> dict:
    """OParl's list page: ``data``, ``pagination`` and ``links`` (``next`` on every page but the last)."""
    pages = max(1, math.ceil(total / size))
    kept = {name: request.GET[name] for name in FILTERS if name in request.GET}
    if "elementsPerPage" in request.GET:
        kept["elementsPerPage"] = size

    def link(number: int) -> str:
        query = urlencode({**kept, "page": number} if number > 1 else kept)
        return settings.SITE_URL.rstrip("/") + request.path + (f"?{query}" if query else "")

    links = {"first": link(1), "self": link(page), "last": link(pages)}
    if page > 1:
        links["prev"] = link(page - 1)
    if page < pages:
        links["next"] = link(page + 1)
    return {
        "data": data,
        "pagination": {
            "totalElements": total,
            "elementsPerPage": size,
            "currentPage": page,
            "totalPages": pages,
        },
        "links": links,
    }

"""Whole pages kept per user until the data changes (issues 15 and 16, docs/adr/0013-page-cache.md).

**The data generation.** ``DataGeneration`` (one row) counts committed changes. Every database connection gets
an execute wrapper (``connection_created``, see ``CoreConfig.ready``) that notices an INSERT, UPDATE or DELETE
that changed a row of any table except bookkeeping ones (sessions, login attempts, the generation itself).
Inside a transaction it counts the generation up once, after the commit (``on_commit``); outside one, at once.
A rolled-back transaction, or a savepoint rolled back, counts nothing. Every write is seen, whoever makes it:
services, the admin, bulk updates, a worker, another web process.

**Kept pages.** A view decorated with ``cached_page`` is kept, compressed, under the user, the address with
its query, the language, today's date, the release and the generation it was rendered at. The next GET of the
same page by the same user is answered from the cache (two queries: the session with the generation, the user) as long as
nothing has changed. Only what is the same for every showing is kept:

- every form's CSRF token is stored as a placeholder and each answer gets a fresh masked token, as a render
  would;
- the one-time keys of a page's forms (``fresh_uuid``: a batch key, a request key) are placeholders, and each
  answer gets new ones, so two people never send the same key;
- a page with messages to show, an htmx request, an answer other than a 200 HTML page, a request whose own
  transaction holds uncommitted changes and a page that wrote while rendering are never kept.

Ordering makes it safe: the generation is read before the page's data, and counted up only after a commit, so
a page kept under a generation never shows less than was committed when that generation was current. The
counter after a commit can be lost only if the process dies between the commit and the count; the kept pages
then expire after ``PAGE_CACHE_SECONDS`` (10 minutes).
"""

import contextvars
import functools
import hashlib
import logging
import re
import secrets
import time
import uuid
import zlib
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connections, transaction
from django.db.models import F
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import cc_delim_re, patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

#: Tables whose writes do not change what any page shows.
BOOKKEEPING_TABLES = frozenset(
    {
        "django_session",
        "core_datageneration",
        "axes_accessattempt",
        "axes_accesslog",
        "axes_accessfailurelog",
        "axes_accessattemptexpiration",
    }
)
_WRITE = re.compile(r'(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)', re.IGNORECASE)
#: The longest query string a kept page's key takes (every distinct one is an entry of its own).
MAX_KEPT_QUERY = 200
#: A login's ``update_last_login``: no page shows it.
_LAST_LOGIN = re.compile(r'UPDATE "auth_user" SET "last_login" = %s WHERE')
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]+"')
_CSRF_PLACEHOLDER = b'name="csrfmiddlewaretoken" value="__csrf_token__"'
#: Placeholder one-time keys: ``fresh_uuid`` while a kept page is rendered. Nothing else has this prefix.
_UUID_PREFIX = "00000000-0000-4000-8000-"
_UUID_PLACEHOLDER = re.compile(rb"00000000-0000-4000-8000-[0-9]{12}")


# ---------------------------------------------------------------------------------------------------------
# The generation


#: The generations: ``ALL`` counts every committed change (kept pages); ``COSTS`` only changes to the tables
#: a cost allocation reads (agreements, cost models, shares, splits, parties, bodies, population), so the
#: allocation stays kept while documents, decisions and meetings change around it (a batch of memos).
ALL, COSTS = 1, 2
_COST_TABLE_PREFIXES = ("agreements_", "parties_")


_generation_table_seen = False  # once a count has succeeded in this process


class _Bump:
    """The ``on_commit`` callback of a transaction that changed data: counts up the generations it touched."""

    def __init__(self, alias: str):
        self.alias = alias
        self.scopes = {ALL}

    def __call__(self):
        generation_bump(using=self.alias, scopes=self.scopes)


def generation_bump(*, using: str = "default", scopes=(ALL,)) -> None:
    """Count generations up by one, in their own statement (after a commit, or for an autocommitted write).
    Quiet while the table does not exist yet (``migrate`` before core's migration 0007)."""
    global _generation_table_seen
    from .models import DataGeneration

    known = _request_generations.get()
    if known:
        known.clear()  # this request changed data: what it read at its start is old now
    try:
        changed = DataGeneration.objects.using(using).filter(pk__in=scopes).update(value=F("value") + 1)
        if changed < len(scopes):  # a database emptied by a test's flush
            for scope in scopes:
                DataGeneration.objects.using(using).get_or_create(pk=scope, defaults={"value": 1})
    except DatabaseError as exc:
        # Before core's migration 0007 (every write of ``migrate`` itself) the table is missing: quiet. After
        # that a count that fails (a lock timeout on SQLite) leaves kept pages stale until the next counted
        # change or PAGE_CACHE_SECONDS: say so.
        (logger.warning if _generation_table_seen else logger.debug)("data generation not counted: %s", exc)
    else:
        _generation_table_seen = True


def generation_jump(*, using: str = "default") -> None:
    """Move every generation on by a random 2**40 or so (after a restore put older values back)."""
    from .models import DataGeneration

    DataGeneration.objects.using(using).update(value=F("value") + secrets.randbits(40) + 1)


#: Within a request: the generations read with the session at its start (``core.sessions``), so neither a
#: kept page nor the cost allocation reads them again. Forgotten when this request's own change commits.
_request_generations: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "request_generations", default=None
)


def request_generations_open():
    return _request_generations.set({})


def request_generations_close(token) -> None:
    _request_generations.reset(token)


def generations_read_with_session(values: dict[int, int | None]) -> None:
    known = _request_generations.get()
    if known is not None:  # the first read wins: a later one could be newer than data already read
        for scope, value in values.items():
            if value is not None:
                known.setdefault(scope, value)


def generation_known(scope: int = ALL) -> int | None:
    """The generation read with this request's session, without a query; None outside a request, before the
    session is read, or after this request's own change committed."""
    known = _request_generations.get()
    return known.get(scope) if known else None


def generation_current(*, using: str = "default", scope: int = ALL) -> int | None:
    """The committed generation, or None where there is none yet (then nothing is kept). In a request, the
    one read with the session, before anything else (``core.sessions``)."""
    from .models import DataGeneration

    known = _request_generations.get()
    if known and scope in known and using == "default":
        return known[scope]
    return DataGeneration.objects.using(using).filter(pk=scope).values_list("value", flat=True).first()


def is_generation_bump(callback) -> bool:
    """Whether an ``on_commit`` callback is the generations' count (tests count the jobs a change queues)."""
    return isinstance(callback, _Bump)


def _pending_bump(connection) -> _Bump | None:
    return next((func for _sids, func, _robust in connection.run_on_commit if isinstance(func, _Bump)), None)


def writes_pending(connection) -> bool:
    """Whether this connection's open transaction has changed data it has not committed."""
    return connection.in_atomic_block and _pending_bump(connection) is not None


def write_watcher(execute, sql, params, many, context):
    """The execute wrapper: after a statement that changed rows of a table pages show, count the generations
    up when the change is committed."""
    result = execute(sql, params, many, context)
    head = sql[:6].upper() if isinstance(sql, str) else ""
    if head not in ("INSERT", "UPDATE", "DELETE"):
        return result
    match = _WRITE.match(sql)
    table = match.group(1).lower() if match else ""
    if table in BOOKKEEPING_TABLES or _LAST_LOGIN.match(sql):
        return result
    # An UPDATE or DELETE that matched no row changed nothing. An INSERT always counts: SQLite reports 0 rows
    # for ``INSERT … RETURNING`` until the rows are fetched, after this wrapper (review finding).
    if head != "INSERT" and getattr(context.get("cursor"), "rowcount", -1) == 0:
        return result
    scopes = {ALL, COSTS} if not table or table.startswith(_COST_TABLE_PREFIXES) else {ALL}
    connection = context["connection"]
    if connection.in_atomic_block:
        bump = _pending_bump(connection)
        if bump is None:
            bump = _Bump(connection.alias)
            transaction.on_commit(bump, using=connection.alias, robust=True)
        bump.scopes |= scopes
    else:
        generation_bump(using=connection.alias, scopes=scopes)
    return result


def watch_writes(sender, connection, **kwargs):
    """``connection_created``: every new connection, in every process, watches its writes."""
    if write_watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(write_watcher)


# ---------------------------------------------------------------------------------------------------------
# One-time keys


_recording: contextvars.ContextVar = contextvars.ContextVar("page_cache_recording", default=None)
_valid_until: contextvars.ContextVar = contextvars.ContextVar("page_cache_valid_until", default=None)


def page_valid_until(moment) -> None:
    """While a page is kept: what it shows changes by itself at ``moment`` (a meeting starts, and attendance
    may be recorded), so it is kept at most until then."""
    until = _valid_until.get()
    if until is not None and (until[0] is None or moment < until[0]):
        until[0] = moment


def fresh_uuid() -> uuid.UUID:
    """A new one-time key for a form (a batch key, a request key). While a kept page is rendered, a placeholder
    that every answer of the page replaces with a key of its own."""
    counter = _recording.get()
    if counter is None:
        return uuid.uuid4()
    counter[0] += 1
    return uuid.UUID(f"{_UUID_PREFIX}{counter[0]:012d}")


def _fresh_keys(content: bytes) -> bytes:
    """Each placeholder key replaced by a new random one; the same placeholder, the same key."""
    keys: dict[bytes, bytes] = {}
    return _UUID_PLACEHOLDER.sub(lambda m: keys.setdefault(m.group(0), str(uuid.uuid4()).encode()), content)


# ---------------------------------------------------------------------------------------------------------
# Kept pages


@functools.cache
def release() -> str:
    """What this process's code renders, and from which database: sizes and times of the code, templates and
    translations. A new release never answers with a page the previous one kept (in a shared cache)."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    database = settings.DATABASES["default"]  # two installations sharing one Redis never share pages
    digest.update(f"{database.get('HOST')}:{database.get('PORT')}:{database.get('NAME')};".encode())
    for folder, pattern in (("governance", "**/*.py"), ("templates", "**/*.html"), ("governance", "**/*.mo")):
        for path in sorted((base / folder).glob(pattern)):
            stat = path.stat()
            digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _page_key(request, generation: int) -> str:
    from .calendar import today

    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"page:{release()}:{generation}:{request.user.pk}:{get_language()}:{today().isoformat()}:{address}"


def _keepable_request(request) -> bool:
    if getattr(settings, "PAGE_CACHE_SECONDS", 0) <= 0:
        return False
    if request.method != "GET" or not request.user.is_authenticated or request.headers.get("HX-Request"):
        return False
    if len(request.META.get("QUERY_STRING", "")) > MAX_KEPT_QUERY:
        return False  # the pages' own filters are short: a long query string is not worth a cache entry
    storage = getattr(request, "_messages", None)
    if storage is not None and len(storage):
        return False  # the page shows them once
    return not writes_pending(connections["default"])


def _keepable_response(request, response, generation: int) -> bool:
    storage = getattr(request, "_messages", None)
    return (
        generation_current() == generation  # the page did not change data while it rendered
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not (storage is not None and storage.used)
        and not writes_pending(connections["default"])
    )


def cached_page(view):
    """Keep the page this view renders for a GET, per user, until any data changes (see the module)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _keepable_request(request):
            return view(request, *args, **kwargs)
        # Read with the session (``_keepable_request`` asked for the user): before the page's data.
        generation = generation_current()
        if generation is None:
            return view(request, *args, **kwargs)
        cache = caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]
        key = _page_key(request, generation)
        kept = _kept_get(cache, key)
        if kept is not None:
            content_type, compressed, has_keys, vary, _expires = kept
            content = zlib.decompress(compressed)
            answer = HttpResponse(_answer(request, content, has_keys), content_type=content_type)
            if vary:
                patch_vary_headers(answer, vary)
            return answer
        token, until = _recording.set([0]), _valid_until.set([None])
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            valid_until = _valid_until.get()[0]
        finally:
            _recording.reset(token)
            _valid_until.reset(until)
        seconds = settings.PAGE_CACHE_SECONDS
        if valid_until is not None:
            seconds = min(seconds, int((valid_until - timezone.now()).total_seconds()))
        if seconds > 0 and _keepable_response(request, response, generation):
            stored = _CSRF_INPUT.sub(_CSRF_PLACEHOLDER, response.content)
            has_keys = bool(_UUID_PLACEHOLDER.search(stored))
            cache.set(
                key,
                (
                    response["Content-Type"],
                    zlib.compress(stored, 1),
                    has_keys,
                    cc_delim_re.split(response["Vary"]) if response.has_header("Vary") else (),
                    time.time() + seconds,
                ),
                seconds,
            )
        if not response.streaming:
            response.content = _fresh_keys(response.content)
        return response

    return wrapper


class ProcessCopies(dict):
    """Copies kept in this process, at most ``maximum`` (the oldest dropped first). Each value is a tuple whose
    last field is its end (``time.time()``); a key names everything the value depends on (a data generation
    among it), so a copy is right until its end. Used for pages kept in a shared cache (``_near``) and for the
    signed-in user and their permissions (``core.permissions``)."""

    _every: list["ProcessCopies"] = []

    def __init__(self, maximum: int):
        super().__init__()
        self.maximum = maximum
        ProcessCopies._every.append(self)

    def fresh(self, key):
        value = self.get(key)
        if value is None or value[-1] > time.time():
            return value
        self.pop(key, None)  # another thread may have dropped it already
        return None

    def keep(self, key, value) -> None:
        while len(self) >= self.maximum:
            self.pop(next(iter(self), None), None)  # the oldest first
        self[key] = value


def process_copies_clear() -> None:
    """Forget every copy this process keeps (tests: a flushed database counts generations anew)."""
    for copies in ProcessCopies._every:
        copies.clear()


#: This process's copies of pages kept in a shared cache (Redis), in front of it: each showing saves a round trip
#: to the cache. At most 256 pages (~40 kB each, compressed).
_near = ProcessCopies(256)


def _kept_get(cache, key: str):
    kept = _near.fresh(key)
    if kept is None:
        kept = cache.get(key)
        if kept is not None and not isinstance(cache, LocMemCache) and kept[-1] > time.time():
            _near.keep(key, kept)
    return kept


def _answer(request, content: bytes, has_keys: bool) -> bytes:
    """A kept page for this request: a fresh CSRF token (masked anew, as a render does) and fresh keys."""
    if _CSRF_PLACEHOLDER in content:
        token = get_token(request).encode()
        content = content.replace(_CSRF_PLACEHOLDER, b'name="csrfmiddlewaretoken" value="' + token + b'"')
    return _fresh_keys(content) if has_keys else content


# ---------------------------------------------------------------------------------------------------------
# htmx fragments


def htmx_partial(request) -> bool:
    """Whether to answer with the fragment an htmx swap asked for. Not for a history restore (Back after a
    swap that pushed its address, with nothing in htmx's own history cache): that needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def vary_on_htmx(response):
    """The same address answers a fragment or the whole page: browsers and proxies must keep them apart
    (without it, Back after a filter showed the bare cost table)."""
    patch_vary_headers(response, ("HX-Request",))
    return response

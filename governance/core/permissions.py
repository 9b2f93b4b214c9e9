"""Grant mechanics shared by the apps' ``permissions.py`` modules (which hold the rules themselves)."""

import functools
import time
from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import BigIntegerField, Q, Value
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.exceptions import WrongAppError
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_content_type, get_group_obj_perms_model, get_user_obj_perms_model

from .caching import ProcessCopies


def object_grants_sync(
    user, *, app_label: str, perm_model, codenames: set[str], wanted: set[tuple[str, int]], model
):
    """Make ``user``'s direct-FK object permissions with ``codenames`` on ``model`` equal ``wanted``.

    ``wanted`` holds ``(codename, object id)`` pairs. Returns how many were granted and revoked.
    """
    current = set(
        perm_model.objects.filter(user=user, permission__codename__in=codenames).values_list(
            "permission__codename", "content_object_id"
        )
    )
    objects = model.objects.in_bulk({object_id for _codename, object_id in wanted | current})
    for codename, object_id in wanted - current:
        assign_perm(f"{app_label}.{codename}", user, objects[object_id])
    for codename, object_id in current - wanted:
        remove_perm(f"{app_label}.{codename}", user, objects[object_id])
    # Django caches permissions on the user object; drop the caches so checks see the change at once.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    request_permission_cache_forget(user)
    return {"granted": len(wanted - current), "revoked": len(current - wanted)}


# What a user may do, read once per request. Guardian's backend makes a new checker (two queries) for every
# ``has_perm(perm, obj)``, so a page that asks five questions about one organisation ran ten queries, and one
# that asks about twenty organisations forty. Here all of a user's object permissions on the models with
# direct-FK tables (organisations, bodies) and their model permissions are read in one query
# (``_permissions_read``) and kept, so every check and the "which ids may this user read" helpers share it;
# models with generic tables go through one guardian checker per object. The cache
# lives only while a request is served (``core.middleware.RequestCachesMiddleware``): outside a
# request (services in commands, tasks, tests) every check reads the database as before.
# ``object_grants_sync`` drops what is cached for a user when it changes their grants.
_request_checkers: ContextVar[dict | None] = ContextVar("request_permission_checkers", default=None)


class RequestCachedObjectPermissionBackend(ObjectPermissionBackend):
    """guardian's ``ObjectPermissionBackend``, reusing what it read per user within a request."""

    def has_perm(self, user_obj, perm, obj=None):
        checkers = _request_checkers.get()
        if checkers is None or obj is None:
            return super().has_perm(user_obj, perm, obj)
        support, user_obj = check_support(user_obj, obj)
        if not support:
            return False
        if "." in perm:
            app_label = perm.split(".", 1)[0]
            if app_label != obj._meta.app_label and app_label != get_content_type(obj).app_label:
                raise WrongAppError(f"Behörigheten {perm} hör inte till {obj._meta.label}.")
        if user_obj.is_superuser:
            return user_obj.is_active
        if _has_direct_tables(type(obj)):
            codenames = object_grants(user_obj, type(obj)).get(obj.pk, frozenset())
        else:
            mine = checkers.setdefault(user_obj.pk, {})
            key = ("object", obj._meta.label, obj.pk)
            if key not in mine:
                mine[key] = frozenset(ObjectPermissionChecker(user_obj).get_perms(obj))
            codenames = mine[key]
        return user_obj.is_active and perm.split(".", 1)[-1] in codenames


@functools.cache
def _has_direct_tables(model) -> bool:
    user_model, group_model = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
    return not (user_model.objects.is_generic() or group_model.objects.is_generic())


def object_grants(user, model) -> dict[int, frozenset[str]]:
    """Every object permission ``user`` holds on rows of ``model`` (one with guardian's direct-FK tables),
    directly or through a group, as ``{object id: codenames}``.

    Within a request it is read once, with the user's model permissions and their grants on every other such
    model (``_permissions_read``: one query), and kept: the apps' "which organisations / bodies may this user
    read" and every ``has_perm(perm, obj)`` share it, so a page that asks about many objects, about two
    models and about model permissions reads them once (issue 16). Outside a request, one query each time."""
    if user is None or user.pk is None or not user.is_authenticated:
        return {}
    if _request_checkers.get() is None:
        return _grants_read(user, [model]).get(model._meta.label_lower, {})
    _model_perms, grants = request_cached(user, "permissions", lambda: _permissions_read(user))
    return grants.get(model._meta.label_lower, {})


@functools.cache
def _direct_grant_models() -> tuple:
    """Every model with guardian's direct-FK object permission tables (organisations, bodies)."""
    from django.apps import apps

    return tuple(model for model in apps.get_models() if _has_direct_tables(model))


def _grant_rows(user, models) -> list:
    """Querysets of ``(model label, app label, codename, object id)``: ``user``'s grants on ``models``."""
    parts = []
    for model in models:
        label = Value(model._meta.label_lower)
        for perm_model, who in (
            (get_user_obj_perms_model(model), {"user": user}),
            (get_group_obj_perms_model(model), {"group__user": user}),
        ):
            parts.append(
                perm_model.objects.filter(**who)
                .order_by()
                .values_list(label, Value(""), "permission__codename", "content_object_id")
            )
    return parts


def _collect(rows) -> tuple[set[str], dict[str, dict[int, frozenset[str]]]]:
    model_perms: set[str] = set()
    grants: dict[str, dict[int, set[str]]] = {}
    for label, app_label, codename, object_id in rows:
        if label == "":
            model_perms.add(f"{app_label}.{codename}")
        else:
            grants.setdefault(label, {}).setdefault(object_id, set()).add(codename)
    return model_perms, {
        label: {object_id: frozenset(held) for object_id, held in by_id.items()}
        for label, by_id in grants.items()
    }


def _grants_read(user, models) -> dict[str, dict[int, frozenset[str]]]:
    first, *rest = _grant_rows(user, models)
    return _collect(first.union(*rest, all=True))[1]


def _model_permissions(user):
    """``(model label "", app label, codename, None)`` for the model permissions ``ModelBackend`` gives ``user``
    (own and through groups; every one for a superuser)."""
    permissions = Permission.objects.all()
    if not user.is_superuser:
        permissions = permissions.filter(Q(user=user) | Q(group__user=user))
    return permissions.order_by().values_list(
        Value(""), "content_type__app_label", "codename", Value(None, output_field=BigIntegerField())
    )


def _permissions_read(user) -> tuple[set[str], dict[str, dict[int, frozenset[str]]]]:
    """The user's model permissions (for an active user) and their object grants on every direct-FK model, in
    one query, or kept from an earlier request while no data has changed (``_kept_for``). Fills
    ``ModelBackend``'s cache on the user too, so ``has_perm`` reads nothing more."""

    def read():
        parts = _grant_rows(user, _direct_grant_models())
        if user.is_active:
            parts.insert(0, _model_permissions(user))
        first, *rest = parts
        return _collect(first.union(*rest, all=True))

    # What is read depends on the object's own flags too (an unsaved change to them must not be kept for the
    # user), so they are part of the key.
    kept_perms, kept_grants = _kept_for(_permissions_kept, (user.pk, user.is_active, user.is_superuser), read)
    # copies: what a request adds to its user's sets stays with that request
    model_perms, grants = set(kept_perms), {label: dict(by_id) for label, by_id in kept_grants.items()}
    if user.is_active and not hasattr(user, "_perm_cache"):
        user._perm_cache = model_perms
    return model_perms, grants


def object_ids_with(user, model, codenames: set[str]) -> set[int]:
    """Ids of the rows of ``model`` on which ``user`` holds any of ``codenames`` as an object permission
    (``object_grants``: no global permission, and a superuser only what is granted to them), like guardian's
    ``get_objects_for_user(..., any_perm=True, accept_global_perms=False, with_superuser=False)``."""
    return {object_id for object_id, held in object_grants(user, model).items() if held & codenames}


class OneQueryModelBackend(ModelBackend):
    """Django's ``ModelBackend`` loading a user's own and group permissions in one query instead of two
    (every page asks at least one model permission; within a request, with the object grants:
    ``object_grants``), and the signed-in user with the rows that extend the
    account one to one (the apps' person record, the calendar key), which the menu asks on every page."""

    def get_user(self, user_id):
        """The signed-in user and its one-to-one rows: from this process's copy while no data has changed since
        it was read (``_kept_for``), else in one query."""
        model = self._user_model()
        extensions = [rel for rel in model._meta.related_objects if rel.one_to_one]

        def read():
            try:
                user = model._default_manager.select_related(*(rel.name for rel in extensions)).get(
                    pk=user_id
                )
            except model.DoesNotExist:
                return None
            return _user_rows(user, extensions)

        rows = _kept_for(_signed_in, (user_id,), read)
        if rows is None:
            return None
        user = _user_from_rows(model, extensions, rows)
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache") and _request_checkers.get() is not None and user_obj.pk:
            # In a request: with the object grants, in one query (``object_grants``).
            user_obj._perm_cache = request_cached(
                user_obj, "permissions", lambda: _permissions_read(user_obj)
            )[0]
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = _collect(_model_permissions(user_obj))[0]
        return user_obj._perm_cache


def request_cached(user, key: str, compute):
    """``compute()``, once per user and ``key`` while a request is served (the apps' "which organisations
    may this user read" and the like); outside a request, computed every time."""
    checkers = _request_checkers.get()
    if checkers is None or user is None or user.pk is None:
        return compute()
    mine = checkers.setdefault(user.pk, {})
    if key not in mine:
        mine[key] = compute()
    return mine[key]


def request_permission_cache_open(*, reads_only: bool = False):
    """Start a request's cache (``core.middleware.RequestCachesMiddleware``); returns the tokens for
    ``request_permission_cache_close``. ``reads_only``: a GET or HEAD, which may use the user and permissions
    kept in this process (``_kept_for``); a request that may write always reads them from the database."""
    return _request_checkers.set({}), _request_reads_only.set(reads_only)


def request_permission_cache_close(tokens) -> None:
    checkers, reads_only = tokens
    _request_reads_only.reset(reads_only)
    _request_checkers.reset(checkers)


_request_reads_only: ContextVar[bool] = ContextVar("request_reads_only", default=False)


def request_permission_cache_forget(user) -> None:
    """Drop what is cached for ``user`` in the current request (after their grants changed)."""
    checkers = _request_checkers.get()
    if checkers is not None and user is not None:
        checkers.pop(user.pk, None)


# ---------------------------------------------------------------------------------------------------------
# The signed-in user, kept per process while no data changes


#: Every signed-in request loads its user and (on most pages) their permissions. While no committed change has
#: happened since they were read (the generation read with the session, ``core.caching``), they are what a
#: query would return: a password change, a deactivation, a new name, a new group or object permission each
#: count a generation, so the next request reads again. At most ``PAGE_CACHE_SECONDS`` (a count lost to a crash
#: ends with it, as for a kept page) and 2 000 entries each.
_signed_in = ProcessCopies(2000)  # the user's and its one-to-one rows' column values
_permissions_kept = ProcessCopies(2000)  # the user's model permissions and object grants


def _kept_for(copies: ProcessCopies, key: tuple, read):
    """``read()``, kept in ``copies`` under ``key`` and the request's data generation where it may be kept
    (``_generation_to_keep``); else read every time."""
    from django.conf import settings

    generation = _generation_to_keep()  # before reading: never kept under a newer generation than its own
    if generation is None:
        return read()
    kept = copies.fresh((*key, generation))
    if kept is None:
        kept = (read(), time.time() + settings.PAGE_CACHE_SECONDS)
        copies.keep((*key, generation), kept)
    return kept[0]


def _generation_to_keep() -> int | None:
    """The request's data generation if what is read may be kept under it: only in a GET or HEAD request (a
    request that may write checks the user and permissions as the database has them, so a change the
    generation missed — a count lost to a crash, a deactivation typed into psql — never lets anyone write), never
    while this connection holds uncommitted changes (a test's transaction, a service's atomic block) nor with kept
    pages switched off. Read before what is kept is read, so it is never kept under a newer generation than its
    own."""
    from django.conf import settings
    from django.db import connections

    from .caching import generation_known

    if not _request_reads_only.get() or getattr(settings, "PAGE_CACHE_SECONDS", 0) <= 0:
        return None
    if connections["default"].in_atomic_block:
        return None  # an open transaction's reads may be its own writes
    return generation_known()


def _user_rows(user, extensions) -> tuple:
    """The column values of ``user`` and of each one-to-one row (None where it has none)."""

    def values(instance) -> tuple:
        return tuple(getattr(instance, field.attname) for field in instance._meta.concrete_fields)

    cached = [rel.get_cached_value(user, default=None) for rel in extensions]
    return values(user), tuple(None if related is None else values(related) for related in cached)


def _user_from_rows(model, extensions, rows):
    """New instances from kept column values, linked both ways as ``select_related`` links them: every
    request gets its own objects (what a request caches on its user stays with it)."""
    user_values, related_values = rows
    user = model.from_db("default", None, user_values)
    for rel, values in zip(extensions, related_values, strict=True):
        if values is None:
            rel.set_cached_value(user, None)
            continue
        related = rel.related_model.from_db("default", None, values)
        rel.set_cached_value(user, related)
        rel.remote_field.set_cached_value(related, user)
    return user

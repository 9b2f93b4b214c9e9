"""Grant mechanics shared by the apps' ``permissions.py`` modules (which hold the rules themselves)."""

from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from guardian.backends import ObjectPermissionBackend, check_support
from guardian.core import ObjectPermissionChecker
from guardian.exceptions import WrongAppError
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_content_type, get_group_obj_perms_model, get_user_obj_perms_model


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


# One guardian ObjectPermissionChecker per user and request. Guardian's backend makes a new checker (two
# queries) for every ``has_perm(perm, obj)``, so a page that asks five questions about one organisation ran
# ten queries; a checker loads all of a user's permissions on an object at once and keeps them. The cache
# lives only while a request is served (``core.middleware.RequestPermissionCacheMiddleware``): outside a
# request (services in commands, tasks, tests) every check reads the database as before.
# ``object_grants_sync`` drops what is cached for a user when it changes their grants.
_request_checkers: ContextVar[dict | None] = ContextVar("request_permission_checkers", default=None)


class RequestCachedObjectPermissionBackend(ObjectPermissionBackend):
    """guardian's ``ObjectPermissionBackend``, reusing one checker per user within a request."""

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
        mine = checkers.setdefault(user_obj.pk, {})
        key = ("object", obj._meta.label, obj.pk)
        if key not in mine:
            mine[key] = _object_codenames(user_obj, obj)
        return user_obj.is_active and perm.split(".", 1)[-1] in mine[key]


def _object_codenames(user, obj) -> frozenset[str]:
    """The codenames ``user`` holds on ``obj``, directly or through a group, in one query (guardian's checker
    takes two). Models without direct-FK permission tables go through guardian's checker."""
    user_model, group_model = get_user_obj_perms_model(obj), get_group_obj_perms_model(obj)
    if user_model.objects.is_generic() or group_model.objects.is_generic():
        return frozenset(ObjectPermissionChecker(user).get_perms(obj))
    user_rel = user_model.permission.field.related_query_name()
    group_rel = group_model.permission.field.related_query_name()
    return frozenset(
        Permission.objects.filter(content_type=get_content_type(obj))
        .filter(
            Q(**{f"{user_rel}__user": user, f"{user_rel}__content_object": obj})
            | Q(**{f"{group_rel}__group__user": user, f"{group_rel}__content_object": obj})
        )
        .values_list("codename", flat=True)
        .distinct()
    )


class OneQueryModelBackend(ModelBackend):
    """Django's ``ModelBackend`` loading a user's own and group permissions in one query instead of two
    (every page asks at least one model permission), and the signed-in user with the rows that extend the
    account one to one (the apps' person record, the calendar key), which the menu asks on every page."""

    def get_user(self, user_id):
        model = self._user_model()
        extensions = [rel.name for rel in model._meta.related_objects if rel.one_to_one]
        try:
            user = model._default_manager.select_related(*extensions).get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename")
            }
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


def request_permission_cache_open():
    """Start a request's cache (``core.middleware.RequestPermissionCacheMiddleware``); returns the token
    for ``request_permission_cache_close``."""
    return _request_checkers.set({})


def request_permission_cache_close(token) -> None:
    _request_checkers.reset(token)


def request_permission_cache_forget(user) -> None:
    """Drop what is cached for ``user`` in the current request (after their grants changed)."""
    checkers = _request_checkers.get()
    if checkers is not None and user is not None:
        checkers.pop(user.pk, None)

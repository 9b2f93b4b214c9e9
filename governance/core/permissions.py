"""Grant mechanics shared by the apps' ``permissions.py`` modules (which hold the rules themselves)."""

from guardian.shortcuts import assign_perm, remove_perm


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
    return {"granted": len(wanted - current), "revoked": len(current - wanted)}

"""Pages of the cooperation bodies."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import permissions, queries
from .models import CooperationBody


@require_GET
@login_required
def body_list(request):
    return render(request, "meetings/body_list.html", {"bodies": queries.body_list(request.user)})


@require_GET
@login_required
def body_detail(request, slug: str):
    try:
        body = queries.body_detail(slug)
    except CooperationBody.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_view_body(request.user, body):
        raise PermissionDenied(_("Sidan är till för ledamöterna i %(body)s.") % {"body": body})
    current, earlier = queries.split_current(body.memberships.all())
    return render(
        request,
        "meetings/body_detail.html",
        {
            "body": body,
            "current": current,
            "earlier": earlier,
            "can_manage": permissions.can_manage_body(request.user, body),
        },
    )

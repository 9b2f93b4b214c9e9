"""The page where a logged-in user creates, lists and revokes their own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..forms import TokenCreateForm
from ..models import ApiToken


def _page(request, *, form=None, secret=None, status=200):
    return render(
        request,
        "api/tokens.html",
        {
            "form": form or TokenCreateForm(),
            "tokens": list(ApiToken.objects.filter(user=request.user).order_by("-created_at")[:100]),
            "secret": secret,
            "schema_url": reverse("api:schema"),
            "docs_url": reverse("api:docs"),
            "cancel_url": reverse("home"),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def token_list(request):
    if request.method != "POST":
        return _page(request)
    form = TokenCreateForm(request.POST)
    if form.is_valid():
        try:
            _token, secret = services.api_token_create(
                acting_user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            # The secret is shown in this answer only; it is not stored, so a reload cannot show it again.
            response = _page(request, secret=secret, status=201)
            response["Cache-Control"] = "no-store"
            return response
    return _page(request, form=form, status=400)


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:  # another user's token: not for this user to know of
        raise Http404
    services.api_token_revoke(acting_user=request.user, token=token)
    messages.success(request, _("Nyckeln ”%(name)s” är återkallad.") % {"name": token.name})
    return redirect("api_tokens:list")

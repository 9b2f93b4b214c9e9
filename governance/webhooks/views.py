"""Webhook pages: a user's endpoints, registering one, its secret and its delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import permissions, queries, services
from .forms import EndpointForm


def webhooks_view(view):
    """Login required (302), then a person of the cooperation's parties (else 403)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        permissions.check_use_webhooks(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _endpoint_or_404(user, pk: int):
    endpoint = queries.endpoint_for(pk)
    if endpoint is None:
        raise Http404
    permissions.check_manage_endpoint_or_404(user, endpoint)
    return endpoint


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@require_http_methods(["GET", "HEAD", "POST"])
@webhooks_view
def webhook_list(request):
    """The user's endpoints, and the form that registers a new one."""
    form = EndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoint = services.endpoint_register(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request, _("Webhooken är registrerad. Spara hemligheten: den signerar varje leverans.")
                )
                return redirect("webhooks:endpoint", pk=endpoint.pk)
        status = 400
    return render(
        request,
        "webhooks/webhook_list.html",
        {"endpoints": queries.endpoints_of(request.user), "form": form},
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@webhooks_view
def endpoint_detail(request, pk: int):
    """One endpoint: its secret, the change form and the delivery log with "Försök igen" for failed ones."""
    endpoint = _endpoint_or_404(request.user, pk)
    form = EndpointForm(
        request.POST or None, initial={"name": endpoint.name, "url": endpoint.url, "events": endpoint.events}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.endpoint_update(acting_user=request.user, endpoint=endpoint, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Webhooken är ändrad."))
                return redirect("webhooks:endpoint", pk=endpoint.pk)
        status = 400
    return _endpoint_page(request, endpoint, form=form, status=status)


def _endpoint_page(request, endpoint, *, form=None, status=200):
    if form is None:
        form = EndpointForm(initial={"name": endpoint.name, "url": endpoint.url, "events": endpoint.events})
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "deliveries": queries.delivery_log(endpoint)},
        status=status,
    )


@require_POST
@webhooks_view
def endpoint_deactivate(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    services.endpoint_deactivate(acting_user=request.user, endpoint=endpoint)
    messages.success(request, _("Webhooken är avaktiverad: inga nya leveranser skickas."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@require_POST
@webhooks_view
def endpoint_activate(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    services.endpoint_activate(acting_user=request.user, endpoint=endpoint)
    messages.success(request, _("Webhooken är aktiv igen."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@require_POST
@webhooks_view
def endpoint_secret_rotate(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    services.endpoint_secret_rotate(acting_user=request.user, endpoint=endpoint)
    messages.success(request, _("Webhooken har en ny hemlighet. Den gamla gäller inte längre."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)


@require_POST
@webhooks_view
def endpoint_delete(request, pk: int):
    """Needs the confirmation box: an empty POST deletes nothing (400)."""
    endpoint = _endpoint_or_404(request.user, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Kryssa i rutan för att bekräfta att webhooken och dess logg tas bort."))
        return _endpoint_page(request, endpoint, status=400)
    services.endpoint_delete(acting_user=request.user, endpoint=endpoint)
    messages.success(request, _("Webhooken är borttagen."))
    return redirect("webhooks:list")


@require_POST
@webhooks_view
def delivery_retry(request, pk: int):
    """ "Försök igen" for one failed delivery, named by the form's ``delivery``; a missing or malformed id is
    a 400 and changes nothing."""
    endpoint = _endpoint_or_404(request.user, pk)
    raw = request.POST.get("delivery", "")
    found = (
        queries.delivery_for(endpoint, int(raw))
        if raw.isascii() and raw.isdigit() and len(raw) < 12
        else None
    )
    if found is None:
        messages.error(request, _("Välj en leverans att försöka igen."))
        return _endpoint_page(request, endpoint, status=400)
    try:
        services.delivery_retry(acting_user=request.user, delivery=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _endpoint_page(request, endpoint, status=400)
    messages.success(request, _("Leveransen försöks igen."))
    return redirect("webhooks:endpoint", pk=endpoint.pk)

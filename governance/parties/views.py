"""Party registry pages: for people of the cooperation's parties (see permissions.can_view_registry)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from governance.core import calendar

from . import permissions, queries, services
from .forms import ContactForm
from .models import Organisation


def registry_view(view):
    """Login required (302), then a person of the cooperation (else 403)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_view_registry(request.user):
            raise PermissionDenied(_("Sidan är till för personer hos samverkansparterna."))
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _organisation_or_404(pk: int) -> Organisation:
    try:
        return queries.organisation_detail(pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


@require_safe
@registry_view
def organisation_list(request):
    return render(request, "parties/organisation_list.html", {"organisations": queries.organisation_list()})


@require_safe
@registry_view
def organisation_detail(request, pk: int):
    organisation = _organisation_or_404(pk)
    return render(
        request,
        "parties/organisation_detail.html",
        {
            "organisation": organisation,
            "can_manage_contacts": permissions.can_manage_contacts(request.user, organisation),
            "registration_example": organisation.format_registration_number(
                year=calendar.today().year, number=123
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@registry_view
def contact_add(request, pk: int):
    organisation = _organisation_or_404(pk)
    if not permissions.can_manage_contacts(request.user, organisation):
        raise PermissionDenied(_("Du får inte ändra kontaktbanken för %(org)s.") % {"org": organisation})
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contact_person_add(
                    acting_user=request.user, organisation=organisation, **form.cleaned_data
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Kontaktuppgiften är sparad."))
                return redirect("parties:detail", pk=organisation.pk)
        status = 400
    return render(
        request, "parties/contact_form.html", {"organisation": organisation, "form": form}, status=status
    )

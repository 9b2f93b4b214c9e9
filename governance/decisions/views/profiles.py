"""An organisation's document profile ("Dokumentprofil"): how its memos look; its clerks edit, KSL reads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from governance.parties.models import Organisation

from .. import memo_paper, permissions, services
from ..forms import DocumentProfileForm
from ..services.profiles import FIELDS


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def document_profile(request, organisation_id: int):
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    permissions.check_view_usual_chain_or_404(request.user, organisation)
    can_edit = permissions.can_edit_document_profile(request.user, organisation)
    profile = memo_paper.document_profile_for(organisation)
    form = DocumentProfileForm(
        request.POST or None,
        profile=profile,
        initial={name: getattr(profile, name) for name in FIELDS if name != "sections"},
    )
    errors: list[str] = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Bara organisationens egna handläggare ändrar dess dokumentprofil."))
        if form.is_valid():
            try:
                services.document_profile_save(
                    acting_user=request.user, organisation=organisation, **form.values()
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _("Dokumentprofilen sparad. Nästa tjänsteutlåtande följer den."))
                return redirect("decisions:document_profile", organisation_id=organisation.pk)
    context = {
        "organisation": organisation,
        "profile": profile,
        "stored": profile.pk is not None,
        "form": form,
        "can_edit": can_edit,
        "errors": errors,
        "tokens": memo_paper.TOKENS.items(),
    }
    return render(
        request, "decisions/document_profile.html", context, status=400 if request.method == "POST" else 200
    )

"""The diarium's pages: the register with search, filters and exports; an entry; its file; its secrecy mark."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from governance.core.exports import csv_text, download_response, xlsx_bytes

from . import permissions, queries, services
from .forms import RegisterFilterForm, SecrecyForm
from .models import DiaryEntry

PAGE_SIZE = 50
#: An export holds at most this many rows; narrow the filter for more.
EXPORT_LIMIT = 10000


def register_view(view):
    """Login required (302), then a person of the parties (else 403)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        permissions.check_view_register(request.user)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _filtered(request):
    form = RegisterFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    data = form.cleaned_data if request.GET else {}
    filters = queries.RegisterFilter(
        text=data.get("q") or "",
        series=data.get("series") or "",
        year=data.get("year"),
        direction=data.get("direction") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    return form, queries.register_entries(filters)


@require_safe
@register_view
def register(request):
    form, entries = _filtered(request)
    context = {
        "form": form,
        "series_choices": queries.series_choices(),
        "year_choices": queries.year_choices(),
        "querystring": request.GET.urlencode(),
    }
    if entries is None:
        return render(request, "diary/register.html", {**context, "rows": [], "page": None}, status=400)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("sida"))
    params = request.GET.copy()
    params.pop("sida", None)
    context.update(
        page=page, rows=queries.visible_rows(request.user, page.object_list), querystring=params.urlencode()
    )
    return render(request, "diary/register.html", context)


@require_safe
@register_view
def register_export(request, fmt: str):
    form, entries = _filtered(request)
    if entries is None:
        return render(request, "diary/register.html", {"form": form, "rows": [], "page": None}, status=400)
    header, rows = queries.export_rows(request.user, entries[:EXPORT_LIMIT])
    if fmt == "xlsx":
        content = xlsx_bytes(sheet_title="Diarium", header=header, rows=rows, title=_("Diarium"))
        return download_response(content, filename="diarium.xlsx")
    return download_response(csv_text(header, rows), filename="diarium.csv")


def _entry_or_404(pk: int) -> DiaryEntry:
    try:
        return queries.entry_detail(pk)
    except DiaryEntry.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "HEAD", "POST"])
@register_view
def entry_detail(request, pk: int):
    entry = _entry_or_404(pk)
    readable = permissions.can_read_entry(request.user, entry)
    downloadable = permissions.can_download_entry(request.user, entry)
    may_mark = permissions.can_mark_secrecy(request.user, entry)
    form = None
    status = 200
    if request.method == "POST":
        if not may_mark:
            raise PermissionDenied(_("Endast registratorer får ändra sekretessmarkeringen."))
        form = SecrecyForm(request.POST)
        if form.is_valid():
            try:
                services.diary_entry_secrecy_set(
                    acting_user=request.user,
                    entry=entry,
                    secrecy=form.cleaned_data["secrecy"],
                    public_title=form.cleaned_data["public_title"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Sekretessmarkeringen är sparad."))
                return redirect("diary:entry", pk=entry.pk)
        status = 400
    elif may_mark:
        form = SecrecyForm(initial={"secrecy": entry.secrecy, "public_title": entry.public_title})
    return render(
        request,
        "diary/entry_detail.html",
        {
            "entry": entry,
            "readable": readable,
            "downloadable": downloadable,
            "form": form,
            "title": entry.title if readable else entry.public_title,
        },
        status=status,
    )


@require_safe
@register_view
def entry_file(request, pk: int):
    """The registered file, to those the owning app's page would show the document (else 403)."""
    entry = _entry_or_404(pk)
    if not entry.file_name:
        raise Http404
    if not permissions.can_download_entry(request.user, entry):
        if entry.is_secret:
            raise PermissionDenied(_("Handlingen omfattas av sekretess (%(osl)s).") % {"osl": entry.secrecy})
        raise PermissionDenied(_("Handlingen är bara tillgänglig för dem som får läsa ärendet eller mötet."))
    if not default_storage.exists(entry.file_name):
        raise Http404
    return FileResponse(
        default_storage.open(entry.file_name, "rb"), as_attachment=True, filename=entry.file_label
    )

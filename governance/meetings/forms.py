"""Forms of the meeting pages: they validate input and nothing else."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.core.forms import HiddenFieldErrorsMixin, ModelChoiceField, RequestKeyMixin

from .choices import AttendanceStatus, ItemKind, MembershipRole, Rsvp


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=_("Börjar"), initial=dt.time(13), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=_("Slutar"), initial=dt.time(15), widget=forms.TimeInput(attrs={"type": "time"})
    )
    place = forms.CharField(label=_("Plats"), max_length=200, required=False)
    video_link = forms.URLField(
        label=_("Länk till videomöte"), required=False, assume_scheme="https", max_length=200
    )  # Meeting.video_link holds 200 characters
    # A meeting closer than the body's notice time: the chair confirms the warning and states why.
    short_notice_reason = forms.CharField(
        label=_("Skäl till kort varsel"), max_length=300, required=False, widget=forms.TextInput()
    )
    short_notice_confirmed = forms.BooleanField(
        label=_("Jag bekräftar att mötet hålls med kort varsel, som ett extra möte"), required=False
    )

    SHORT_NOTICE_FIELDS = ("short_notice_reason", "short_notice_confirmed")
    #: The service's error keys -> this form's fields (``ValidationError({"ends_at": ...})`` from planning).
    SERVICE_FIELDS = {"starts_at": "date", "ends_at": "end", "short_notice_reason": "short_notice_reason"}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("Mötet måste sluta efter att det börjar."))
        return data

    def add_service_errors(self, exc) -> None:
        """Attach a service's ``ValidationError`` to this form: keyed errors to their fields, others to the
        form as a whole (the page's error summary names the field)."""
        if hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                name = self.SERVICE_FIELDS.get(key)
                for message in errors:
                    self.add_error(name if name in self.fields else None, message)
        else:
            for message in exc.messages:
                self.add_error(None, message)

    def time_fields(self):
        return [
            self[name]
            for name, field in self.fields.items()
            if name not in self.SHORT_NOTICE_FIELDS and not field.widget.is_hidden
        ]

    def short_notice_fields(self):
        return [self[name] for name in self.SHORT_NOTICE_FIELDS]


class MeetingCreateForm(RequestKeyMixin, MeetingForm):
    """A new meeting: the form carries a request key, so a double click on "Planera mötet" plans it once."""


class RescheduleForm(MeetingForm):
    """Postpone to a new time in one step: the new date and times, and why the meeting moves."""

    reason = forms.CharField(label=_("Skäl till flytten"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("place", "video_link"):
            del self.fields[name]


class ApprovalRecordForm(forms.Form):
    """The chair or secretary records the justering of a member without a login."""

    membership = forms.TypedChoiceField(label=_("Ledamot"), coerce=int)
    note = forms.CharField(
        label=_("Anteckning (t.ex. justerat på papper, datum)"), max_length=300, widget=forms.TextInput()
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [(m.pk, m.person.full_name) for m in members]


class PlanYearForm(forms.Form):
    """A year of meetings. Prefixed: it shares the body page with the new-meeting form (one id per field)."""

    prefix = "plan"
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    place = forms.CharField(label=_("Plats"), max_length=200, required=False)


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=300)
    kind = forms.ChoiceField(label=_("Typ"), choices=ItemKind.choices)
    presenter = forms.CharField(label=_("Föredragande"), max_length=200, required=False)
    minutes_allotted = forms.IntegerField(label=_("Minuter"), min_value=1, max_value=480, required=False)
    description = forms.CharField(
        label=_("Beskrivning"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 2})
    )
    paper = forms.FileField(label=_("Handling (PDF, Word, Excel eller ODT, högst 10 MB)"), required=False)

    def clean_paper(self):
        paper = self.cleaned_data.get("paper")
        if paper and paper.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("Handlingen är större än 10 MB."))
        if paper and not paper.name.lower().endswith((".pdf", ".docx", ".doc", ".xlsx", ".odt")):
            raise forms.ValidationError(_("Handlingen ska vara PDF, Word, Excel eller ODT."))
        return paper


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(label=_("Ditt svar"), choices=Rsvp.choices, widget=forms.RadioSelect)


class AttendanceForm(forms.Form):
    """One status (and stand-in) field per called member."""

    def __init__(self, *args, members, attendances, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        voting = [(m.pk, m.person.full_name) for m in members if m.role != "deputy"]
        for m in members:
            current = attendances.get(m.pk)
            self.fields[f"status_{m.pk}"] = forms.ChoiceField(
                label=f"{m.person.full_name} ({m.get_role_display().lower()})",
                choices=[("", "–"), *AttendanceStatus.choices],
                required=False,
                initial=current.status if current else "",
            )
            if m.role == "deputy":
                self.fields[f"for_{m.pk}"] = forms.TypedChoiceField(
                    label=_("ersätter"),
                    choices=[("", "–"), *voting],
                    coerce=int,
                    required=False,
                    empty_value=None,
                    initial=current.stands_in_for_id if current else None,
                )

    def statuses(self) -> dict[int, tuple[str, int | None]]:
        result = {}
        for m in self.members:
            status = self.cleaned_data.get(f"status_{m.pk}")
            if status:
                result[m.pk] = (status, self.cleaned_data.get(f"for_{m.pk}"))
        return result


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Beslut eller anteckning"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=20_000,
    )
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=ItemKind.choices,
        required=False,
        help_text=_(
            "Ett beslutsärende kan inte justeras med bara ”Antecknades.”: skriv beslutet eller välj Information."
        ),
    )
    dispatch = forms.CharField(
        label=_("Expedieras till (en mottagare per rad)"),
        max_length=40 * 201,  # the service's 40 recipients of at most 200 characters
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Tomt: organisationerna som ledamöterna företräder."),
    )
    is_open = forms.BooleanField(label=_("Öppen fråga (följer med till nästa möte)"), required=False)
    conflicts = forms.TypedMultipleChoiceField(
        label=_("Jäv"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conflicts"].choices = [(m.pk, m.person.full_name) for m in members]


class CheckersForm(forms.Form):
    checkers = forms.TypedMultipleChoiceField(
        label=_("Justerare (två)"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    approval_place = forms.CharField(label=_("Justeringens plats"), max_length=200, required=False)
    approval_date = forms.DateField(
        label=_("Justeringens dag"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checkers"].choices = [(m.pk, m.person.full_name) for m in members if m.role != "chair"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Skäl"), max_length=300)


class MembershipForm(forms.Form):
    """Seat a person for a term: planning the next term's rotation is a term that begins later."""

    person = ModelChoiceField(label=_("Person"), queryset=None, empty_label=_("– välj –"))
    role = forms.ChoiceField(label=_("Roll"), choices=MembershipRole.choices)
    valid_from = forms.DateField(label=_("Mandatperiod från"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label=_("till"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from governance.parties.models import Person

        self.fields["person"].queryset = Person.objects.select_related("organisation").order_by(
            "organisation__name", "last_name"
        )
        self.fields["person"].label_from_instance = lambda p: f"{p.full_name}, {p.organisation.display_name}"


class EndMembershipForm(HiddenFieldErrorsMixin, forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    valid_to = forms.DateField(label=_("Sista dag"), widget=forms.DateInput(attrs={"type": "date"}))

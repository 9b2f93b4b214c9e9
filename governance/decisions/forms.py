"""Forms of the case pages: they validate input and nothing else. Each carries the state the user saw,
so a stale page gets a conflict instead of a silent overwrite."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.core import calendar
from governance.core.forms import (
    ExpectedStateField,
    HiddenFieldErrorsMixin,
    ModelChoiceField,
    ModelMultipleChoiceField,
    RequestKeyMixin,
)

from .choices import (
    CaseState,
    DecisionOutcome,
    MemoSection,
    MemoTitle,
    PointStyle,
    Position,
    ResponseDecider,
    StepRole,
)
from .models.profiles import MAX_LINES_TEXT

# A ceiling on what a request may carry where the service checks the real limit (and says so in its own
# words): ten times the service's limit, so that text a little too long still gets the service's message.
CEILING_COMMENT = 3000  # the services: 300
CEILING_PARAGRAPH = 400  # decision_checks.MAX_PARAGRAPH_CHARS: 40
CEILING_DECISION_TEXT = 100_000  # decision_checks.MAX_DECISION_TEXT_CHARS: 10 000


class CaseActionForm(HiddenFieldErrorsMixin, forms.Form):
    expected_state = ExpectedStateField(choices=CaseState.choices)
    comment = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=CEILING_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(CaseActionForm):
    comment = forms.CharField(
        label=_("Skäl"), max_length=CEILING_COMMENT, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(CaseActionForm):
    step = ModelChoiceField(label=_("Organ"), queryset=None, empty_label=None)
    meeting_date = forms.DateField(
        label=_("Sammanträdesdatum"), widget=forms.DateInput(attrs={"type": "date"})
    )
    # Lengths and forms of § and text are checked by the service, which lists every problem at once.
    paragraph = forms.CharField(
        label=_("Paragraf"),
        max_length=CEILING_PARAGRAPH,
        help_text=_("T.ex. ”§ 103”, ”KS § 45” eller ”Utl. 2012:109 RVII”; högst 40 tecken."),
    )
    text = forms.CharField(
        label=_("Beslutstext"),
        max_length=CEILING_DECISION_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Högst 10 000 tecken."),
    )
    outcome = forms.ChoiceField(label=_("Utfall"), choices=DecisionOutcome.choices)
    posted_on = forms.DateField(
        label=_("Protokollet anslaget"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Dagen då justeringen anslogs på anslagstavlan. Kan anges senare."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        field.queryset = case.steps.select_related("body")  # what validation accepts
        # The select's options from the steps the case page has already read (no query per render).
        steps = sorted(case.steps.all(), key=lambda step: (step.order, step.pk))
        field.choices = ([("", field.empty_label)] if field.empty_label is not None else []) + [
            (step.pk, field.label_from_instance(step)) for step in steps
        ]
        next_step = getattr(case, "next_step", None)  # set by queries.case_detail
        if next_step is not None and not self.is_bound:
            self.initial.setdefault("step", next_step.pk)
        self.fields.pop("comment")


class SignForm(CaseActionForm):
    signatory_name = forms.CharField(label=_("Undertecknat av"), max_length=200)
    signatory_title = forms.CharField(label=_("Titel"), max_length=200, required=False)
    signed_on = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    document = forms.FileField(
        label=_("Undertecknat avtal (PDF, högst 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf"}),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("comment")


class ReopenForm(CaseActionForm):
    """Reopen a case recorded in error; the reason (at most 300 characters) is checked by the service."""

    comment = forms.CharField(
        label=_("Skäl"),
        max_length=CEILING_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Varför ärendet öppnas igen, högst 300 tecken. Det felaktiga beslutet makuleras."),
    )


class PostingForm(forms.Form):
    """The anslag date of one of the case's decisions."""

    decision = ModelChoiceField(label=_("Beslut"), queryset=None, widget=forms.HiddenInput)
    posted_on = forms.DateField(
        label=_("Protokollet anslaget"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = case.decisions.filter(voided_at__isnull=True)


class ChainStepForm(forms.Form):
    """One row of a decision chain: body, role, order (blank rows are skipped)."""

    order = forms.IntegerField(label=_("Ordning"), min_value=1, max_value=99, required=False)
    body = ModelChoiceField(label=_("Organ"), queryset=None, required=False, empty_label=_("– välj –"))
    role = forms.ChoiceField(label=_("Roll"), choices=[("", "–"), *StepRole.choices], required=False)

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies

    def clean(self):
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        if data.get("body") and not data.get("role"):
            self.add_error("role", _("Välj en roll för %(body)s.") % {"body": data["body"].name})
        if data.get("role") and not data.get("body"):
            self.add_error("body", _("Välj ett organ."))
        return data


class BaseChainFormSet(forms.BaseFormSet):
    def steps(self) -> list:
        """The filled-in rows, in the order given (ties keep the page's order), as (body, role)."""
        rows = [
            (form.cleaned_data.get("order") or index + 100, index, form.cleaned_data)
            for index, form in enumerate(self.forms)
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("body")
            and form.cleaned_data.get("role")
        ]
        return [(data["body"], data["role"]) for _o, _i, data in sorted(rows, key=lambda r: (r[0], r[1]))]


ChainFormSet = forms.formset_factory(
    ChainStepForm, formset=BaseChainFormSet, extra=2, can_delete=True, max_num=12, validate_max=True
)


class ChainReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till ändringen"),
        required=False,
        max_length=CEILING_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Krävs när förslaget redan är framlagt eller beslut finns; högst 300 tecken."),
    )


class DashboardFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("Läge"), required=False, choices=[("", _("Alla")), *CaseState.choices])
    overdue = forms.BooleanField(label=_("Endast försenade"), required=False)


class BatchCreateForm(forms.Form):
    """KSL's "Skapa utkast" on the dashboard: the batch key (a double click is one batch) and whether the
    cases that already have a memo get a new version too (off unless ticked)."""

    batch_key = forms.UUIDField(required=False)
    new_versions = forms.BooleanField(required=False)


class MemoForm(RequestKeyMixin, forms.Form):
    """The tjänsteutlåtande's fields, prefilled from the case; the clerk may edit every one."""

    body_id = forms.TypedChoiceField(label=_("Organ"), coerce=int)
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}))
    registration_number = forms.CharField(label=_("Diarienummer"), max_length=60, required=False)
    department = forms.CharField(label=_("Förvaltning"), max_length=200, required=False)
    handler_name = forms.CharField(label=_("Handläggare"), max_length=200, required=False)
    handler_title = forms.CharField(label=_("Handläggarens titel"), max_length=200, required=False)
    handler_phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)
    handler_email = forms.EmailField(label=_("E-post"), required=False)
    title = forms.CharField(label=_("Rubrik"), max_length=300)
    proposals = forms.CharField(
        max_length=4000,
        label=_("Förslag till beslut"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "En rad per mening, skriven som om den vore beslutad. Rader som börjar med ”1.” eller ”1)” blir "
            "numrerade att-satser."
        ),
    )
    presenter = forms.CharField(
        label=_("Föredragande"),
        max_length=300,
        required=False,
        help_text=_("Skrivs efter förslaget till beslut när dokumentprofilen har en föredragande."),
    )
    summary = forms.CharField(
        max_length=10000, label=_("Sammanfattning"), widget=forms.Textarea(attrs={"rows": 4})
    )
    background = forms.CharField(
        max_length=30000,
        label=_("Ärendet"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tom rad mellan stycken."),
    )
    viewpoints = forms.CharField(
        max_length=10000,
        label=_("Förvaltningens synpunkter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    basis = forms.CharField(
        max_length=2000,
        label=_("Beslutsunderlag"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ett underlag per rad."),
    )
    attachments = forms.CharField(
        max_length=2000,
        label=_("Bilagor"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("En bilaga per rad; numreras i dokumentet."),
    )
    dispatch = forms.CharField(
        max_length=2000,
        label=_("Beslutet expedieras till"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signatories = forms.CharField(
        max_length=600,
        label=_("Underskrifter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("”Namn, Titel”, en per rad."),
    )

    #: The form's fields for the parts of the memo a document profile places, names or leaves out.
    SECTION_FIELDS = {
        MemoSection.PROPOSALS: "proposals",
        MemoSection.PRESENTER: "presenter",
        MemoSection.SUMMARY: "summary",
        MemoSection.BASIS: "basis",
        MemoSection.BACKGROUND: "background",
        MemoSection.VIEWPOINTS: "viewpoints",
        MemoSection.ATTACHMENTS: "attachments",
        MemoSection.DISPATCH: "dispatch",
    }

    def __init__(self, *args, case, profile=None, department="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body_id"].choices = [
            (body.pk, body.name) for body in case.organisation.bodies.exclude(kind="administration")
        ]
        if profile is None:
            return
        # Labelled as the organisation's headings; a part its profile leaves out is said to be left out.
        from .memo_paper import section_heading

        headings = dict(profile.section_list)
        for key, name in self.SECTION_FIELDS.items():
            field = self.fields[name]
            if key not in headings:
                field.required = False
                field.help_text = _("Skrivs inte ut: delen finns inte i kommunens dokumentprofil.")
            elif headings[key]:
                field.label = section_heading(headings[key], department).rstrip(":")


# KSL's recommendations and consultations, and the municipality's answer. Limits repeat the services'.


def _municipalities():
    from governance.parties.choices import OrganisationKind
    from governance.parties.models import Organisation

    return Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY).order_by("municipality_code")


class RecommendationForm(RequestKeyMixin, forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=300)
    slug = forms.SlugField(
        label=_("Kortnamn"),
        max_length=60,
        required=False,
        help_text=_("Lämna tomt för att skapa av rubriken."),
    )
    board_decision_date = forms.DateField(
        label=_("KSL-styrelsens beslut"), widget=forms.DateInput(attrs={"type": "date"})
    )
    issued_on = forms.DateField(
        label=_("Rekommendationens datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Om KSL:s skrivelse har ett annat datum än styrelsens beslut."),
    )
    registration_number = forms.CharField(label=_("KSL:s diarienummer"), max_length=60, required=False)
    answer_deadline = forms.DateField(
        label=_("Besked senast"), widget=forms.DateInput(attrs={"type": "date"})
    )
    agreement = ModelChoiceField(label=_("Avtal"), queryset=None, empty_label=_("– välj –"))
    consultation = ModelChoiceField(
        label=_("Remiss"), queryset=None, required=False, empty_label=_("– ingen –")
    )
    background = forms.CharField(
        label=_("Bakgrund"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    decision_points = forms.CharField(
        label=_("Att-satser"),
        max_length=21_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("De beslut kommunerna rekommenderas att fatta, en per rad (högst 20 rader)."),
    )
    recipients = ModelMultipleChoiceField(
        label=_("Mottagare"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        from governance.agreements.models import Agreement

        from .models import ConsultationRound

        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = Agreement.objects.order_by("-period_start")
        self.fields["consultation"].queryset = ConsultationRound.objects.order_by("-sent_on")
        self.fields["recipients"].queryset = _municipalities()
        self.fields["recipients"].label_from_instance = lambda org: org.display_name
        if not self.is_bound and "recipients" not in self.initial:  # default: all 26 municipalities
            self.initial["recipients"] = list(self.fields["recipients"].queryset.values_list("pk", flat=True))
        if editing:  # an edit writes the same values however often it is sent
            self.fields.pop("slug")
            self.fields.pop("request_key")

    def clean_board_decision_date(self):
        value = self.cleaned_data["board_decision_date"]
        if value is not None and value > calendar.today():
            raise forms.ValidationError(_("Datumet kan inte ligga i framtiden."))
        return value


class RecommendationAttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("Rubrik"), max_length=200, help_text=_("T.ex. ”Avtalet” eller ”Protokoll”.")
    )
    file = forms.FileField(
        label=_("Fil (PDF, Word eller Excel, högst 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )


class ConsultationForm(RequestKeyMixin, forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=300)
    slug = forms.SlugField(
        label=_("Kortnamn"),
        max_length=60,
        required=False,
        help_text=_("Lämna tomt för att skapa av rubriken."),
    )
    registration_number = forms.CharField(label=_("Diarienummer"), max_length=60, required=False)
    sent_on = forms.DateField(
        label=_("Skickad"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Lämna tomt för i dag. Kan inte ligga i framtiden: e-posten går ut när du skickar."),
    )
    deadline = forms.DateField(label=_("Svar senast"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("Beskrivning"), max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    questions = forms.CharField(
        label=_("Frågor"),
        max_length=62_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("En fråga per rad (högst 30 frågor, 2 000 tecken var). De numreras 1, 2, 3 …"),
    )
    timetable_question = forms.IntegerField(
        label=_("Fråga som gäller tidplanen (nummer)"), required=False, min_value=1, max_value=30
    )
    recipients = ModelMultipleChoiceField(
        label=_("Mottagare"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = _municipalities()
        self.fields["recipients"].label_from_instance = lambda org: org.display_name
        if not self.is_bound and "recipients" not in self.initial:
            self.initial["recipients"] = list(self.fields["recipients"].queryset.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        sent_on = cleaned.get("sent_on")
        if sent_on is not None and sent_on > calendar.today():
            self.add_error(
                "sent_on", _("Dagen kan inte ligga i framtiden: remissen skickas och e-postas i dag.")
            )
        flagged = cleaned.get("timetable_question")
        if flagged is not None and "questions" in cleaned:
            count = len(self._lines())
            if flagged > count:
                self.add_error(
                    "timetable_question",
                    _("Det finns bara %(n)s frågor; ange ett nummer mellan 1 och %(n)s.") % {"n": count},
                )
        return cleaned

    def _lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("questions", "").splitlines() if line.strip()]

    def question_list(self) -> list[tuple[str, bool]]:
        flagged = self.cleaned_data.get("timetable_question")
        return [(text, number == flagged) for number, text in enumerate(self._lines(), start=1)]


class ConsultationAnswerForm(forms.Form):
    """A municipality's remissvar: position, one answer per question, and who decided it."""

    position = forms.ChoiceField(
        label=_("Ställningstagande"),
        choices=[
            ("", _("– välj –")),
            *((value, label) for value, label in Position.choices if value != Position.NO_ANSWER),
        ],
        error_messages={"required": _("Välj kommunens ställningstagande.")},
    )
    timetable_realistic = forms.NullBooleanField(label=_("Är tidplanen realistisk?"), required=False)
    decided_by = forms.ChoiceField(
        label=_("Beslutat av"), choices=ResponseDecider.choices, widget=forms.RadioSelect
    )
    adopted_by = ModelChoiceField(label=_("Organ"), queryset=None, required=False, empty_label=_("– välj –"))
    decision_date = forms.DateField(
        label=_("Beslutsdatum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    decision_reference = forms.CharField(
        label=_("Paragraf"), max_length=40, required=False, help_text=_("T.ex. ”§ 45”.")
    )
    summary = forms.CharField(
        label=_("Sammanfattning"), max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    registration_number = forms.CharField(
        label=_("Kommunens diarienummer"), max_length=60, required=False, help_text=_("Inte KSL:s.")
    )
    signed_by_name = forms.CharField(label=_("Undertecknas av"), max_length=200, required=False)
    signed_by_title = forms.CharField(label=_("Titel"), max_length=200, required=False)

    def __init__(self, *args, organisation, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.fields["adopted_by"].queryset = organisation.bodies.exclude(kind="administration").order_by(
            "name"
        )
        for question in self.questions:
            self.fields[f"answer_{question.number}"] = forms.CharField(
                label=f"{question.number}. {question.text}",
                max_length=10_000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decided_by") == ResponseDecider.BODY:
            if not cleaned.get("adopted_by"):
                self.add_error("adopted_by", _("Ange vilket organ som beslutade svaret."))
            if not cleaned.get("decision_date"):
                self.add_error("decision_date", _("Ange datum för organets beslut."))
            if not cleaned.get("decision_reference", "").strip():
                self.add_error("decision_reference", _("Ange beslutets paragraf (§)."))
        return cleaned

    def answers(self) -> dict[int, str]:
        return {q.number: self.cleaned_data.get(f"answer_{q.number}", "") for q in self.questions}


class AssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("KSL:s bedömning"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 8})
    )


class DocumentProfileForm(forms.Form):
    """An organisation's document profile: how its memos look. The parts are ordered by number; a part
    without a number is left out."""

    memo_title = forms.ChoiceField(label=_("Dokumentets namn"), choices=MemoTitle.choices)
    department = forms.CharField(
        label=_("Förvaltning"),
        max_length=200,
        required=False,
        help_text=_("Används när organet inte har en beredande förvaltning."),
    )
    point_style = forms.ChoiceField(label=_("Numrering av att-satser"), choices=PointStyle.choices)
    decision_subheading = forms.BooleanField(
        label=_("Underrubrik med organets beslut (”Kommunstyrelsens beslut”)"), required=False
    )
    extra_points = forms.CharField(
        label=_("Egna att-satser"),
        max_length=MAX_LINES_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Läggs efter KSL:s att-satser, en per rad, t.ex. ”att kostnaden ryms i socialnämndens budget”."
        ),
    )
    own_points = forms.CharField(
        label=_("Att-satser för egen del"),
        max_length=MAX_LINES_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("När kommunstyrelsen föreslår fullmäktige: det den beslutar för egen del, en per rad."),
    )
    presenter = forms.CharField(label=_("Föredragande"), max_length=300, required=False)
    basis_lines = forms.CharField(
        label=_("Beslutsunderlag"),
        max_length=MAX_LINES_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachment_lines = forms.CharField(
        label=_("Bilagor"),
        max_length=MAX_LINES_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    dispatch_lines = forms.CharField(
        label=_("Expedieras till"),
        max_length=MAX_LINES_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    signatories = forms.CharField(
        label=_("Underskrifter"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("”Namn, Titel”, en per rad, högst tre. Tomt: handläggaren skriver under."),
    )
    signature_place = forms.CharField(label=_("Ort före underskrift"), max_length=100, required=False)
    signature_intro = forms.CharField(label=_("Rad före underskrift"), max_length=200, required=False)
    amounts_in_words = forms.BooleanField(label=_("Skriv belopp även med ord"), required=False)

    def __init__(self, *args, profile, **kwargs):
        super().__init__(*args, **kwargs)
        placed = {key: (i, heading) for i, (key, heading) in enumerate(profile.section_list, start=1)}
        self.section_rows = []
        for key, label in MemoSection.choices:
            order, heading = placed.get(key, (None, ""))
            self.fields[f"order_{key}"] = forms.IntegerField(
                label=_("Ordning: %(part)s") % {"part": label}, min_value=1, max_value=20, required=False
            )
            self.fields[f"heading_{key}"] = forms.CharField(
                label=_("Rubrik: %(part)s") % {"part": label}, max_length=120, required=False
            )
            self.initial.setdefault(f"order_{key}", order)
            self.initial.setdefault(f"heading_{key}", heading)
            self.section_rows.append((label, self[f"order_{key}"], self[f"heading_{key}"]))

    def clean(self):
        data = super().clean()
        orders = [data.get(f"order_{key}") for key in MemoSection.values if data.get(f"order_{key}")]
        if len(orders) != len(set(orders)):
            raise forms.ValidationError(
                _("Delar och rubriker: två delar har samma nummer. Ge varje del sitt eget.")
            )
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        placed = sorted(
            (data[f"order_{key}"], i, key) for i, key in enumerate(MemoSection.values) if data[f"order_{key}"]
        )
        values = {name: data[name] for name in self.fields if not name.startswith(("order_", "heading_"))}
        values["sections"] = [[key, data[f"heading_{key}"]] for _order, _i, key in placed]
        return values


class RegistrationNumberForm(forms.Form):
    """The municipality's own diarienummer of a case (empty clears it)."""

    registration_number = forms.CharField(
        label=_("Kommunens diarienummer"), max_length=60, required=False, help_text=_("T.ex. ”KS 2026/123”.")
    )

"""What the API shows of each resource: read-only representations (writes go through the apps' services)."""

from django.core import validators
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.agreements.models import Agreement
from governance.decisions.models import (
    AdoptionCase,
    ConsultationAnswer,
    ConsultationResponse,
    ConsultationRound,
    Decision,
    DecisionStep,
    Recommendation,
)
from governance.decisions.views.cases import ACTION_FORMS
from governance.documents.models import GeneratedDocument
from governance.meetings.models import AgendaItem, CooperationBody, Meeting, Membership, MinutesVersion
from governance.parties.models import Body, Organisation, PopulationFigure
from governance.webhooks.choices import WebhookEvent
from governance.webhooks.models import WebhookDelivery, WebhookEndpoint

#: DRF's own field messages in Swedish, by error code. (DRF's Swedish catalogue is not loaded: it would also
#: replace Django's form messages site-wide, see ``governance.api.apps``.) The placeholders are DRF's.
SWEDISH_FIELD_ERRORS = {
    "required": _("Fältet måste fyllas i."),
    "null": _("Fältet får inte vara tomt."),
    "blank": _("Fältet får inte vara tomt."),
    "invalid": _("Ogiltigt värde."),
    "max_length": _("Högst {max_length} tecken."),
    "min_length": _("Minst {min_length} tecken."),
    "invalid_choice": _("Ogiltigt val: ”{input}”."),
    "not_a_list": _("Ange en lista (inte {input_type})."),
    "empty": _("Listan får inte vara tom."),
    "max_string_length": _("Värdet är för långt."),
    "max_value": _("Högst {max_value}."),
    "min_value": _("Minst {min_value}."),
}
_LIST_LENGTH_ERRORS = {
    "min_length": _("Ange minst {min_length}."),
    "max_length": _("Ange högst {max_length}."),
}


_LIMIT_CODES = {
    validators.MaxLengthValidator: "max_length",
    validators.MinLengthValidator: "min_length",
    validators.MaxValueValidator: "max_value",
    validators.MinValueValidator: "min_value",
}


class SwedishErrors:
    """A write serializer whose fields (and list items) answer bad input in Swedish."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for inner in (field, getattr(field, "child", None)):
                if inner is None:
                    continue
                for code, message in SWEDISH_FIELD_ERRORS.items():
                    if code in inner.error_messages:
                        inner.error_messages[code] = message
                if isinstance(inner, serializers.ListField):
                    inner.error_messages.update(_LIST_LENGTH_ERRORS)
                # DRF formats the length and value limits into validators when the field is made.
                for validator in inner.validators:
                    code = _LIMIT_CODES.get(type(validator))
                    if code in inner.error_messages:
                        validator.message = str(inner.error_messages[code]).format(
                            **{code: validator.limit_value}
                        )


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "municipality_code", "is_host"]


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "organisation", "name", "kind"]


class PopulationFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = PopulationFigure
        fields = ["id", "organisation", "reference_date", "population", "source"]


class AgreementSerializer(serializers.ModelSerializer):
    host = serializers.PrimaryKeyRelatedField(read_only=True)
    previous = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Agreement
        fields = ["id", "slug", "title", "short_title", "period_start", "period_end", "host", "previous"]


class BodyAmountSerializer(serializers.Serializer):
    body_name = serializers.CharField()
    amount = serializers.IntegerField()


class AllocationLineSerializer(serializers.Serializer):
    organisation_id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    is_municipality = serializers.BooleanField()
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True, coerce_to_string=True)
    population = serializers.IntegerField(allow_null=True)
    amount = serializers.IntegerField(help_text=_("Belopp i hela kronor i detta scenario."))
    full_amount = serializers.IntegerField(help_text=_("Belopp om alla kommuner ansluter."))
    joins = serializers.BooleanField()
    splits = BodyAmountSerializer(many=True)


class AllocationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    basis_date = serializers.DateField(help_text=_("Folkmängd per detta datum."))
    budget = serializers.IntegerField()
    pool_amount = serializers.IntegerField()
    mode = serializers.CharField()
    excluded_codes = serializers.ListField(child=serializers.CharField())
    pool_population = serializers.IntegerField()
    notes = serializers.ListField(child=serializers.CharField())
    lines = AllocationLineSerializer(many=True)


class RecommendationSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    consultation = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    is_sent = serializers.BooleanField(read_only=True)

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "slug",
            "title",
            "board_decision_date",
            "issued_on",
            "registration_number",
            "agreement",
            "consultation",
            "answer_deadline",
            "is_sent",
            "sent_at",
        ]


class RecommendationDetailSerializer(RecommendationSerializer):
    recipients = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(RecommendationSerializer.Meta):
        fields = [*RecommendationSerializer.Meta.fields, "background", "decision_points", "recipients"]


class ConsultationRoundSerializer(serializers.ModelSerializer):
    sender = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ConsultationRound
        fields = [
            "id",
            "slug",
            "title",
            "sender",
            "registration_number",
            "sent_on",
            "deadline",
            "description",
        ]


class ConsultationAnswerSerializer(serializers.ModelSerializer):
    question_number = serializers.IntegerField(source="question.number", read_only=True)

    class Meta:
        model = ConsultationAnswer
        fields = ["question_number", "text"]


class ConsultationResponseSerializer(serializers.ModelSerializer):
    consultation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    answers = ConsultationAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = ConsultationResponse
        fields = [
            "id",
            "consultation",
            "organisation",
            "position",
            "timetable_realistic",
            "decided_by",
            "decision_date",
            "decision_reference",
            "answered_on",
            "summary",
            "answers",
        ]


class AdoptionCaseSerializer(serializers.ModelSerializer):
    recommendation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = AdoptionCase
        fields = [
            "id",
            "recommendation",
            "organisation",
            "state",
            "registration_number",
            "deadline",
            "last_moved_at",
        ]


class DecisionStepSerializer(serializers.ModelSerializer):
    body_name = serializers.CharField(source="body.name", read_only=True)

    class Meta:
        model = DecisionStep
        fields = ["id", "order", "body", "body_name", "role"]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "step",
            "meeting_date",
            "paragraph",
            "text",
            "outcome",
            "posted_on",
            "recorded_by_name",
            "recorded_at",
            "voided_at",
            "void_reason",
        ]


class HistoryEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    actor_name = serializers.CharField()
    action = serializers.CharField()
    label = serializers.CharField()
    source_state = serializers.CharField()
    target_state = serializers.CharField()
    comment = serializers.CharField()


class GeneratedDocumentSerializer(serializers.ModelSerializer):
    has_docx = serializers.SerializerMethodField()
    has_pdf = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedDocument
        fields = [
            "id",
            "kind",
            "version",
            "status",
            "created_by_name",
            "created_at",
            "finished_at",
            "has_docx",
            "has_pdf",
        ]

    def get_has_docx(self, document) -> bool:
        return bool(document.file)

    def get_has_pdf(self, document) -> bool:
        return bool(document.pdf)


class AdoptionCaseDetailSerializer(AdoptionCaseSerializer):
    steps = DecisionStepSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    history = HistoryEventSerializer(many=True, read_only=True)
    documents = GeneratedDocumentSerializer(source="document_list", many=True, read_only=True)

    class Meta(AdoptionCaseSerializer.Meta):
        fields = [*AdoptionCaseSerializer.Meta.fields, "steps", "decisions", "history", "documents"]


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text=_("Åtgärden att skicka till POST."))
    label = serializers.CharField()
    transitions = serializers.ListField(child=serializers.CharField())


class CaseTransitionsSerializer(serializers.Serializer):
    state = serializers.CharField()
    available = TransitionSerializer(many=True)


class CaseTransitionRequestSerializer(serializers.Serializer):
    """The fields of the page's form for the action (``decisions.forms``); which are needed depends on it."""

    action = serializers.ChoiceField(choices=list(ACTION_FORMS))
    expected_state = serializers.CharField(max_length=30, help_text=_("Läget du såg; annars 409."))
    comment = serializers.CharField(max_length=2000, required=False)
    step = serializers.IntegerField(required=False)
    meeting_date = serializers.DateField(required=False)
    paragraph = serializers.CharField(max_length=40, required=False)
    text = serializers.CharField(max_length=10000, required=False)
    outcome = serializers.CharField(max_length=30, required=False)
    posted_on = serializers.DateField(required=False)
    signatory_name = serializers.CharField(max_length=200, required=False)
    signatory_title = serializers.CharField(max_length=200, required=False)
    signed_on = serializers.DateField(required=False)
    document = serializers.FileField(required=False)


class CooperationBodySerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = CooperationBody
        fields = ["id", "slug", "name", "kind", "agreement", "convener", "meetings_per_year"]


class MembershipSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person_name = serializers.CharField(source="person.__str__", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "body", "person", "person_name", "organisation", "role", "valid_from", "valid_to"]


class MeetingSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "starts_at",
            "ends_at",
            "place",
            "state",
            "notice_sent_at",
            "is_extra",
            "minutes_version",
        ]


class AgendaItemSerializer(serializers.ModelSerializer):
    has_paper = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "position",
            "paragraph",
            "title",
            "kind",
            "presenter",
            "description",
            "outcome",
            "has_paper",
        ]

    def get_has_paper(self, item) -> bool:
        return bool(item.paper)


class MinutesVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MinutesVersion
        fields = ["id", "meeting", "version", "reason", "created_at", "approved_at"]


# --- webhooks (writes go through governance.webhooks.services) ---------------------------------------------


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "events", "active", "created_at"]


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    """An endpoint as its owner sees it once registered: with the secret that signs the deliveries."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointWriteSerializer(SwedishErrors, serializers.Serializer):
    """What a system sends to register an endpoint; the webhooks service checks the address (https, no
    private addresses) and the events."""

    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=10
    )


class WebhookEndpointChangeSerializer(WebhookEndpointWriteSerializer):
    active = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event",
            "state",
            "attempts",
            "next_attempt_at",
            "last_status",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
        ]

"""Read-only resources, each with exactly the permission of its page (the owning app's ``permissions.py``)."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.agreements.choices import ScenarioMode
from governance.agreements.forms import scenario_allocation
from governance.decisions import permissions as decision_permissions
from governance.decisions import queries as decision_queries
from governance.decisions.models import ConsultationRound
from governance.documents import permissions as document_permissions
from governance.documents import rendering
from governance.documents.choices import DocumentStatus
from governance.documents.models import GeneratedDocument
from governance.meetings import permissions as meeting_permissions
from governance.parties import permissions as party_permissions

from .. import filters, queries, serializers


class PeopleOfParties(drf_permissions.BasePermission):
    """As ``parties.views.registry_view``: a person of the cooperation (401 without login, else 403)."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if not party_permissions.can_view_registry(request.user):
            raise PermissionDenied(_("Sidan är till för personer hos samverkansparterna."))
        return True


class RegistryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [drf_permissions.IsAuthenticated, PeopleOfParties]


class OrganisationViewSet(RegistryViewSet):
    """Organisations (kommuner, regionen, polisen, KSL, …): for the people of the parties."""

    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter

    def get_queryset(self):
        return queries.organisations()


class BodyViewSet(RegistryViewSet):
    """The organisations' own bodies (nämnder, kommunstyrelse, fullmäktige)."""

    serializer_class = serializers.BodySerializer
    filterset_class = filters.BodyFilter

    def get_queryset(self):
        return queries.bodies()


class PopulationViewSet(RegistryViewSet):
    """Population figures (SCB) that the cost allocation rests on."""

    serializer_class = serializers.PopulationFigureSerializer
    filterset_class = filters.PopulationFilter

    def get_queryset(self):
        return queries.population_figures()


class AgreementViewSet(RegistryViewSet):
    """Agreements (avtal), by slug."""

    serializer_class = serializers.AgreementSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return queries.agreements()


class AllocationView(APIView):
    """The cost allocation of an agreement for a year: the same parameters and checks as the cost page."""

    permission_classes = [drf_permissions.IsAuthenticated, PeopleOfParties]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description=_("Kostnadsår (standard: som sidan).")),
            OpenApiParameter(
                "basis", OpenApiTypes.DATE, description=_("Folkmängd per (standard: avtalets regel).")
            ),
            OpenApiParameter(
                "exclude", OpenApiTypes.STR, many=True, description=_("Kommunkoder som inte ansluter.")
            ),
            OpenApiParameter("mode", OpenApiTypes.STR, enum=list(ScenarioMode.values)),
        ],
        responses=serializers.AllocationSerializer,
    )
    def get(self, request, slug):
        agreement = queries.agreements().filter(slug=slug).select_related("host", "cost_model").first()
        if agreement is None:
            raise Http404
        form, allocation = scenario_allocation(agreement, request._request.GET)
        if allocation is None:
            from django.core.exceptions import ValidationError

            raise ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()} or _("Fel.")
            )
        return Response(serializers.AllocationSerializer(allocation).data)


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    """Recommendations. The list is public (as its page); one recommendation as ``can_read_recommendation``."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_permissions(self):
        if not self.detail:  # the list route, whatever the method (a POST is then 405 to all)
            return [drf_permissions.AllowAny()]
        return [drf_permissions.IsAuthenticated()]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.RecommendationDetailSerializer
        return serializers.RecommendationSerializer

    def get_queryset(self):
        return queries.recommendations(self.request.user)

    def get_object(self):
        from governance.decisions.models import Recommendation

        recommendation = (
            Recommendation.objects.select_related("agreement", "consultation")
            .prefetch_related("recipients")
            .filter(slug=self.kwargs["slug"])
            .first()
        )
        if recommendation is None:
            raise Http404
        decision_permissions.check_read_recommendation(self.request.user, recommendation)
        return recommendation


class ConsultationViewSet(RegistryViewSet):
    """Consultation rounds (remisser) and, below each, the answers (as the compilation page)."""

    serializer_class = serializers.ConsultationRoundSerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return queries.consultations()


class ConsultationResponseList(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, PeopleOfParties]

    @extend_schema(responses=serializers.ConsultationResponseSerializer(many=True))
    def get(self, request, slug):
        consultation = ConsultationRound.objects.filter(slug=slug).first()
        if consultation is None:
            raise Http404
        paginator = self.pagination_class() if self.pagination_class else None
        rows = queries.consultation_responses(consultation)
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            serializers.ConsultationResponseSerializer(page, many=True).data
        )

    @property
    def pagination_class(self):
        from ..pagination import ApiPagination

        return ApiPagination


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Adoption cases (anslutningsärenden): its municipality's people and KSL; for others a case does not
    exist (404). One case comes with its decision chain, decisions, history and generated documents."""

    filterset_class = filters.CaseFilter

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.AdoptionCaseDetailSerializer
        return serializers.AdoptionCaseSerializer

    def get_queryset(self):
        return queries.cases(self.request.user)

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        return decision_queries.case_detail(self.request.user, pk)


class CooperationBodyViewSet(viewsets.ReadOnlyModelViewSet):
    """The cooperation's bodies (styrgrupp, referensforum): each sees the bodies they belong to."""

    serializer_class = serializers.CooperationBodySerializer
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return queries.cooperation_bodies(self.request.user)

    def get_object(self):
        from governance.meetings.models import CooperationBody

        body = CooperationBody.objects.select_related("agreement").filter(slug=self.kwargs["slug"]).first()
        if body is None:
            raise Http404
        if not meeting_permissions.can_view_body(self.request.user, body):
            raise PermissionDenied(_("Sidan är till för ledamöterna i %(body)s.") % {"body": body})
        return body


class MembershipViewSet(viewsets.ReadOnlyModelViewSet):
    """Memberships of the bodies the caller may see."""

    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter

    def get_queryset(self):
        return queries.memberships(self.request.user)


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Meetings of the bodies the caller may see; another body's meeting is 403, as its page."""

    serializer_class = serializers.MeetingSerializer
    filterset_class = filters.MeetingFilter

    def get_queryset(self):
        return queries.meetings(self.request.user)

    def get_object(self):
        from governance.meetings.models import Meeting

        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        meeting = Meeting.objects.select_related("body").filter(pk=pk).first()
        if meeting is None:
            raise Http404
        if not meeting_permissions.can_view_body(self.request.user, meeting.body):
            raise PermissionDenied(_("Mötet är till för ledamöterna i %(body)s.") % {"body": meeting.body})
        return meeting


class AgendaItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Agenda items (ärenden på föredragningslistan) of the meetings the caller may see."""

    serializer_class = serializers.AgendaItemSerializer
    filterset_class = filters.AgendaItemFilter

    def get_queryset(self):
        return queries.agenda_items(self.request.user)


class MinutesViewSet(viewsets.ReadOnlyModelViewSet):
    """Minutes versions: members read all of their bodies'; published, approved ones are public."""

    serializer_class = serializers.MinutesVersionSerializer
    permission_classes = [drf_permissions.AllowAny]

    def get_queryset(self):
        return queries.minutes_versions(self.request.user)


class DocumentView(APIView):
    """A generated document's metadata: for whom may read its subject (else 404, like the subject)."""

    @extend_schema(responses=serializers.GeneratedDocumentSerializer)
    def get(self, request, pk: int):
        return Response(serializers.GeneratedDocumentSerializer(_document_or_404(request.user, pk)).data)


def _document_or_404(user, pk: int) -> GeneratedDocument:
    document = GeneratedDocument.objects.filter(pk=pk).first()
    if document is None:
        raise Http404
    document_permissions.check_view_document_or_404(user, document)
    return document


class AnyContent(BaseContentNegotiation):
    """A file download answers with the file whatever the client accepts (errors stay JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentDownloadView(APIView):
    """The file of a finished document, with the same permission as the page's download."""

    content_negotiation_class = AnyContent

    @extend_schema(
        responses={
            (200, rendering.DOCX_TYPE): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        }
    )
    def get(self, request, pk: int, fmt: str):
        document = _document_or_404(request.user, pk)
        field = document.file if fmt == "docx" else document.pdf
        if document.status != DocumentStatus.DONE or not field:
            raise Http404
        content_type = rendering.DOCX_TYPE if fmt == "docx" else "application/pdf"
        return FileResponse(
            field.open("rb"),
            as_attachment=True,
            filename=f"{document.filename}.{fmt}",
            content_type=content_type,
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([drf_permissions.AllowAny])
def not_found(request):
    raise Http404

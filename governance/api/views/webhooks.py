"""Webhooks through the API: a system registers its own endpoints, changes them, reads the delivery log and
retries a failed delivery. Every write is one of the webhooks app's services (the same as its pages), so the
rules, the validation (https, no private addresses), the audit rows and the 404 for another user's endpoint
are the pages' own.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework import permissions as drf_permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.webhooks import permissions as webhook_permissions
from governance.webhooks import queries as webhook_queries
from governance.webhooks import services as webhook_services
from governance.webhooks.models import WebhookDelivery

from .. import serializers


class MayUseWebhooks(drf_permissions.BasePermission):
    """People of the cooperation's parties (401 without credentials, else 403), as the webhook pages."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        webhook_permissions.check_use_webhooks(request.user)
        return True


def _endpoint_or_404(user, pk):
    endpoint = webhook_queries.endpoint_for(int(pk))
    if endpoint is None:
        raise Http404
    webhook_permissions.check_manage_endpoint_or_404(user, endpoint)
    return endpoint


def _validated(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class WebhookListView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, MayUseWebhooks]

    @extend_schema(responses=serializers.WebhookEndpointSerializer(many=True))
    def get(self, request):
        """The caller's own endpoints (never another user's)."""
        return Response(
            serializers.WebhookEndpointSerializer(webhook_queries.endpoints_of(request.user), many=True).data
        )

    @extend_schema(
        request=serializers.WebhookEndpointWriteSerializer,
        responses={201: serializers.WebhookEndpointSecretSerializer},
    )
    def post(self, request):
        """Register an endpoint: the answer carries the secret that signs every delivery."""
        data = _validated(serializers.WebhookEndpointWriteSerializer, request)
        endpoint = webhook_services.endpoint_register(acting_user=request.user, **data)
        return Response(
            serializers.WebhookEndpointSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookDetailView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, MayUseWebhooks]

    @extend_schema(responses=serializers.WebhookEndpointSecretSerializer)
    def get(self, request, pk):
        """One of the caller's endpoints, with its secret (as its page shows it to the owner)."""
        endpoint = _endpoint_or_404(request.user, pk)
        return Response(serializers.WebhookEndpointSecretSerializer(endpoint).data)

    @extend_schema(
        request=serializers.WebhookEndpointChangeSerializer,
        responses=serializers.WebhookEndpointSerializer,
    )
    def patch(self, request, pk):
        """Change the name, address or events, or switch the endpoint off and on (``active``)."""
        endpoint = _endpoint_or_404(request.user, pk)
        data = _validated(serializers.WebhookEndpointChangeSerializer, request, partial=True)
        active = data.pop("active", None)
        if data:
            endpoint = webhook_services.endpoint_update(
                acting_user=request.user,
                endpoint=endpoint,
                name=data.get("name", endpoint.name),
                url=data.get("url", endpoint.url),
                events=data.get("events", endpoint.events),
            )
        if active is True:
            endpoint = webhook_services.endpoint_activate(acting_user=request.user, endpoint=endpoint)
        elif active is False:
            endpoint = webhook_services.endpoint_deactivate(acting_user=request.user, endpoint=endpoint)
        return Response(serializers.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: OpenApiResponse(description="Borttagen.")})
    def delete(self, request, pk):
        """Delete the endpoint and its delivery log (the audit trail keeps what it was)."""
        endpoint = _endpoint_or_404(request.user, pk)
        webhook_services.endpoint_delete(acting_user=request.user, endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, MayUseWebhooks]

    @extend_schema(request=None, responses=serializers.WebhookEndpointSecretSerializer)
    def post(self, request, pk):
        """A new secret: deliveries from now on are signed with it, the old one stops working at once."""
        endpoint = _endpoint_or_404(request.user, pk)
        endpoint = webhook_services.endpoint_secret_rotate(acting_user=request.user, endpoint=endpoint)
        return Response(serializers.WebhookEndpointSecretSerializer(endpoint).data)


class WebhookDeliveryListView(generics.ListAPIView):
    """The endpoint's delivery log, newest first: state, attempts, the last answer or error."""

    permission_classes = [drf_permissions.IsAuthenticated, MayUseWebhooks]
    serializer_class = serializers.WebhookDeliverySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks without a request's pk
            return WebhookDelivery.objects.none()
        endpoint = _endpoint_or_404(self.request.user, self.kwargs["pk"])
        return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-id")


class WebhookDeliveryRetryView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, MayUseWebhooks]

    @extend_schema(request=None, responses=serializers.WebhookDeliverySerializer)
    def post(self, request, pk, delivery_pk):
        """Send a failed delivery again ("Försök igen"): pending with a fresh set of attempts."""
        endpoint = _endpoint_or_404(request.user, pk)
        delivery = webhook_queries.delivery_for(endpoint, int(delivery_pk))
        if delivery is None:
            raise Http404
        delivery = webhook_services.delivery_retry(acting_user=request.user, delivery=delivery)
        return Response(serializers.WebhookDeliverySerializer(delivery).data)

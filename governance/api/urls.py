"""``/api/v1/`` (namespace ``api``) and the token page ``/api-nycklar/`` (namespace ``api_tokens``)."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from .views import cases, docs, meetings, resources, tokens, webhooks

app_name = "api"

router = SimpleRouter()
router.register("organisations", resources.OrganisationViewSet, basename="organisation")
router.register("bodies", resources.BodyViewSet, basename="body")
router.register("population", resources.PopulationViewSet, basename="population")
router.register("agreements", resources.AgreementViewSet, basename="agreement")
router.register("recommendations", resources.RecommendationViewSet, basename="recommendation")
router.register("consultations", resources.ConsultationViewSet, basename="consultation")
router.register("cases", resources.CaseViewSet, basename="case")
router.register("cooperation-bodies", resources.CooperationBodyViewSet, basename="cooperation-body")
router.register("memberships", resources.MembershipViewSet, basename="membership")
router.register("meetings", resources.MeetingViewSet, basename="meeting")
router.register("agenda-items", resources.AgendaItemViewSet, basename="agenda-item")
router.register("minutes", resources.MinutesViewSet, basename="minutes")

urlpatterns = [
    path("schema/", docs.ApiSchemaView.as_view(), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(), name="docs"),
    path("agreements/<slug:slug>/costs/", resources.AllocationView.as_view(), name="agreement-costs"),
    path(
        "consultations/<slug:slug>/responses/",
        resources.ConsultationResponseList.as_view(),
        name="consultation-responses",
    ),
    path("cases/<int:pk>/transitions/", cases.CaseTransitionsView.as_view(), name="case-transitions"),
    path(
        "meetings/<int:pk>/transitions/",
        meetings.MeetingTransitionsView.as_view(),
        name="meeting-transitions",
    ),
    path("documents/<int:pk>/", resources.DocumentView.as_view(), name="document-detail"),
    path(
        "documents/<int:pk>/docx/",
        resources.DocumentDownloadView.as_view(),
        {"fmt": "docx"},
        name="document-docx",
    ),
    path(
        "documents/<int:pk>/pdf/",
        resources.DocumentDownloadView.as_view(),
        {"fmt": "pdf"},
        name="document-pdf",
    ),
    path("webhooks/", webhooks.WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", webhooks.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/secret/", webhooks.WebhookSecretView.as_view(), name="webhook-secret"),
    path(
        "webhooks/<int:pk>/deliveries/", webhooks.WebhookDeliveryListView.as_view(), name="webhook-deliveries"
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/retry/",
        webhooks.WebhookDeliveryRetryView.as_view(),
        name="webhook-delivery-retry",
    ),
    path("", include(router.urls)),
    # Anything else below /api/v1/ is a 404 in the API's error format, not the site's HTML page.
    re_path(r"^.*$", resources.not_found, name="not-found"),
]

token_urlpatterns = (
    [
        path("", tokens.token_list, name="list"),
        path("<int:pk>/aterkalla/", tokens.token_revoke, name="revoke"),
    ],
    "api_tokens",
)

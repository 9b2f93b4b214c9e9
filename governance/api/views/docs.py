"""The readable API documentation (Swagger UI from drf-spectacular-sidecar's local copy) under the strict CSP:
no inline script (the init script is its own URL, ``SpectacularSwaggerSplitView``) and no inline style; and the
OpenAPI schema it reads."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class ApiSchemaView(SpectacularAPIView):
    """The schema is public (every operation, whoever asks), so it is generated as an anonymous caller: the
    generator asks each view for its queryset only for the model, and a signed-in caller's querysets would
    look up their visible bodies and organisations once per view (issue 15)."""

    def _get_schema_response(self, request):
        user = request.user
        request.user = AnonymousUser()
        try:
            return super()._get_schema_response(request)
        finally:
            request.user = user


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"

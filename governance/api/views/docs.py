"""The readable API documentation (Swagger UI from drf-spectacular-sidecar's local copy) under the strict CSP:
no inline script (the init script is its own URL, ``SpectacularSwaggerSplitView``) and no inline style."""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api:schema"

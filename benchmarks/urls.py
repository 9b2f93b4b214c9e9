"""The product's URLs plus the bench's floors under ``/bench/`` (only with ``benchmarks.settings``)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/hello/", views.hello, name="bench_hello"),
    path("bench/tavla/<slug:slug>/", views.bare_dashboard, name="bench_dashboard"),
    path("bench/arende/<int:pk>/", views.bare_case, name="bench_case"),
    path("", include("governance.urls")),
]

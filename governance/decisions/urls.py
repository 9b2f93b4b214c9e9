from django.urls import path

from .views import cases as views
from .views import documents as document_views

app_name = "decisions"

urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("remiss/<slug:slug>/", views.consultation_compilation, name="compilation"),
    path("arende/<int:pk>/", views.case_detail, name="case"),
    path("arende/<int:pk>/underskrift.pdf", views.signature_download, name="signature"),
    path("arende/<int:pk>/tjansteutlatande/", document_views.memo_form, name="memo_form"),
    path("arende/<int:pk>/<str:action>/", views.case_action, name="case_action"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/matris.csv", views.matrix_download, {"fmt": "csv"}, name="matrix_csv"),
    path("<slug:slug>/utkast/", document_views.batch_create, name="batch_create"),
    path("<slug:slug>/matris.xlsx", views.matrix_download, {"fmt": "xlsx"}, name="matrix_xlsx"),
]

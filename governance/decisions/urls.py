from django.urls import path

from .views import cases as views
from .views import chains as chain_views
from .views import documents as document_views

app_name = "decisions"

urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("remiss/<slug:slug>/", views.consultation_compilation, name="compilation"),
    path("arende/<int:pk>/", views.case_detail, name="case"),
    path("arende/<int:pk>/underskrift.pdf", views.signature_download, name="signature"),
    path("arende/<int:pk>/tjansteutlatande/", document_views.memo_form, name="memo_form"),
    # Issue 10, the clerk's case work: decision chains and anslag dates (before the generic action pattern).
    path("arende/<int:pk>/beslutskedja/", chain_views.case_chain, name="case_chain"),
    path("arende/<int:pk>/anslagsdatum/", views.decision_posting, name="decision_posting"),
    path("beslutsgang/<int:organisation_id>/", chain_views.usual_chain, name="usual_chain"),
    path("arende/<int:pk>/<str:action>/", views.case_action, name="case_action"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/matris.csv", views.matrix_download, {"fmt": "csv"}, name="matrix_csv"),
    path("<slug:slug>/utkast/", document_views.batch_create, name="batch_create"),
    path("<slug:slug>/matris.xlsx", views.matrix_download, {"fmt": "xlsx"}, name="matrix_xlsx"),
]

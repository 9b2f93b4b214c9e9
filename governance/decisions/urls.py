from django.urls import path

from .views import cases as views
from .views import chains as chain_views
from .views import consultations as consultation_views
from .views import documents as document_views
from .views import ksl as ksl_views
from .views import profiles as profile_views

app_name = "decisions"

urlpatterns = [
    path("", views.recommendation_list, name="list"),
    path("ny/", ksl_views.recommendation_create, name="recommendation_create"),
    path("rekommendation/<slug:slug>/", ksl_views.recommendation_detail, name="recommendation"),
    path("rekommendation/<slug:slug>/andra/", ksl_views.recommendation_edit, name="recommendation_edit"),
    path(
        "rekommendation/<slug:slug>/bilaga/",
        ksl_views.recommendation_attachment_add,
        name="recommendation_attachment_add",
    ),
    path(
        "rekommendation/<slug:slug>/bilaga/<int:pk>/",
        ksl_views.recommendation_attachment,
        name="recommendation_attachment",
    ),
    path(
        "rekommendation/<slug:slug>/bilaga/<int:pk>/ta-bort/",
        ksl_views.recommendation_attachment_remove,
        name="recommendation_attachment_remove",
    ),
    path("rekommendation/<slug:slug>/skicka/", ksl_views.recommendation_send, name="recommendation_send"),
    path("remiss/ny/", consultation_views.consultation_create, name="consultation_create"),
    path("remiss/<slug:slug>/svar/", consultation_views.consultation_answer, name="consultation_answer"),
    path("remiss/<slug:slug>/bedomning/", consultation_views.consultation_assess, name="consultation_assess"),
    path("remiss/<slug:slug>/", views.consultation_compilation, name="compilation"),
    path("arende/<int:pk>/", views.case_detail, name="case"),
    path("arende/<int:pk>/underskrift.pdf", views.signature_download, name="signature"),
    path("arende/<int:pk>/arkivpaket.zip", views.case_archive_download, name="case_archive"),
    path("arende/<int:pk>/tjansteutlatande/", document_views.memo_form, name="memo_form"),
    # Issue 10, the clerk's case work: decision chains and anslag dates (before the generic action pattern).
    path("arende/<int:pk>/beslutskedja/", chain_views.case_chain, name="case_chain"),
    path("arende/<int:pk>/anslagsdatum/", views.decision_posting, name="decision_posting"),
    path("arende/<int:pk>/diarienummer/", views.case_registration, name="case_registration"),
    path("beslutsgang/<int:organisation_id>/", chain_views.usual_chain, name="usual_chain"),
    path("dokumentprofil/<int:organisation_id>/", profile_views.document_profile, name="document_profile"),
    path("arende/<int:pk>/<str:action>/", views.case_action, name="case_action"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/matris.csv", views.matrix_download, {"fmt": "csv"}, name="matrix_csv"),
    path("<slug:slug>/utkast/", document_views.batch_create, name="batch_create"),
    path("<slug:slug>/matris.xlsx", views.matrix_download, {"fmt": "xlsx"}, name="matrix_xlsx"),
]

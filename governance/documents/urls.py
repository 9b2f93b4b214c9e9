"""Mounted at ``anslutning/dokument/`` (the paths the documents had under decisions)."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("ny/", views.document_create, name="document_create"),
    path("mallar/", views.template_list, name="templates"),
    path("mallar/<str:kind>/standard.docx", views.template_builtin, name="template_builtin"),
    path("mallar/<str:kind>/aterstall/", views.template_restore, name="template_restore"),
    path("utkast/<uuid:key>/", views.batch_progress, name="batch"),
    path("<int:pk>/", views.document_detail, name="document"),
    path("<int:pk>/docx/", views.document_download, {"fmt": "docx"}, name="document_docx"),
    path("<int:pk>/pdf/", views.document_download, {"fmt": "pdf"}, name="document_pdf"),
]

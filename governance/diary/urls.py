from django.urls import path

from . import views

app_name = "diary"

urlpatterns = [
    path("", views.register, name="register"),
    path("diarium.csv", views.register_export, {"fmt": "csv"}, name="export_csv"),
    path("diarium.xlsx", views.register_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("handling/<int:pk>/", views.entry_detail, name="entry"),
    path("handling/<int:pk>/fil/", views.entry_file, name="entry_file"),
]

from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("nytt/", views.agreement_create, name="create"),
    path("<slug:slug>/kostnader/", views.cost_page, name="costs"),
    path("<slug:slug>/kostnader.csv", views.cost_download, {"fmt": "csv"}, name="costs_csv"),
    path("<slug:slug>/kostnader.xlsx", views.cost_download, {"fmt": "xlsx"}, name="costs_xlsx"),
    path("<slug:slug>/kostnadsmodell/", views.cost_model_edit, name="cost_model_edit"),
    path("<slug:slug>/kostnader/fordelning/<int:pk>/", views.cost_split_edit, name="cost_split_edit"),
]

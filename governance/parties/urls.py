from django.urls import path

from . import views

app_name = "parties"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/kontakter/ny/", views.contact_add, name="contact_add"),
]

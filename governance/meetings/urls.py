from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.body_list, name="body_list"),
    path("<slug:slug>/", views.body_detail, name="body_detail"),
]

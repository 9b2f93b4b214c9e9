from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("<int:pk>/", views.endpoint_detail, name="endpoint"),
    path("<int:pk>/avaktivera/", views.endpoint_deactivate, name="endpoint_deactivate"),
    path("<int:pk>/aktivera/", views.endpoint_activate, name="endpoint_activate"),
    path("<int:pk>/ny-hemlighet/", views.endpoint_secret_rotate, name="endpoint_secret"),
    path("<int:pk>/ta-bort/", views.endpoint_delete, name="endpoint_delete"),
    path("<int:pk>/forsok-igen/", views.delivery_retry, name="delivery_retry"),
]

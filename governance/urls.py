from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from governance.api.urls import token_urlpatterns as api_token_urlpatterns
from governance.core import views as core_views
from governance.core.forms import AdminLoginForm, LoginForm
from governance.home import views as home_views

admin.site.site_header = _("Origo samverkan – administration")
admin.site.site_title = _("Origo samverkan – administration")
admin.site.index_title = _("Register och inställningar")
admin.site.login_form = AdminLoginForm  # the username's length is checked before django-axes sees it

urlpatterns = [
    path("", home_views.home, name="home"),
    path("halsa/", core_views.health, name="health"),
    path("logga-in/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("parter/", include("governance.parties.urls")),
    path("avtal/", include("governance.agreements.urls")),
    path("diarium/", include("governance.diary.urls")),
    path("sok/", include("governance.search.urls")),
    path("organ/", include("governance.meetings.urls")),
    path("anslutning/dokument/", include("governance.documents.urls")),
    path("anslutning/", include("governance.decisions.urls")),
    path("webhooks/", include("governance.webhooks.urls")),
    path("oparl/v1/", include("governance.oparl.urls")),
    path("api/v1/", include("governance.api.urls")),
    path("api-nycklar/", include(api_token_urlpatterns)),
    path("admin/", admin.site.urls),
]

# Uploaded and generated files are never served from a public /media/ URL: views check permissions first.

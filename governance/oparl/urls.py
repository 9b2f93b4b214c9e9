"""The read-only OParl 1.1 interface of the public part, under /oparl/v1/ (docs/oparl.md)."""

from django.urls import path, re_path

from . import views

app_name = "oparl"

urlpatterns = [
    path("", views.system, name="system"),
    path("body/", views.body_list, name="body_list"),
    path("body/<slug:key>/", views.body, name="body"),
    path(
        "body/<slug:key>/organization/", views.object_list, {"kind": "organization"}, name="organization_list"
    ),
    path("body/<slug:key>/person/", views.object_list, {"kind": "person"}, name="person_list"),
    path("body/<slug:key>/membership/", views.object_list, {"kind": "membership"}, name="membership_list"),
    path("body/<slug:key>/meeting/", views.object_list, {"kind": "meeting"}, name="meeting_list"),
    path("body/<slug:key>/agendaItem/", views.object_list, {"kind": "agendaitem"}, name="agendaitem_list"),
    path("body/<slug:key>/paper/", views.object_list, {"kind": "paper"}, name="paper_list"),
    path("body/<slug:key>/file/", views.object_list, {"kind": "file"}, name="file_list"),
    path("organization/<int:pk>/", views.object_detail, {"kind": "organization"}, name="organization"),
    path("organization/party-<int:pk>/", views.object_detail, {"kind": "party"}, name="party"),
    path("organization/<int:pk>/meeting/", views.organization_meetings, name="organization_meetings"),
    path("person/<int:pk>/", views.object_detail, {"kind": "person"}, name="person"),
    path("membership/<int:pk>/", views.object_detail, {"kind": "membership"}, name="membership"),
    path("meeting/<int:pk>/", views.object_detail, {"kind": "meeting"}, name="meeting"),
    path("agendaItem/<int:pk>/", views.object_detail, {"kind": "agendaitem"}, name="agendaitem"),
    path("paper/<int:pk>/", views.object_detail, {"kind": "paper"}, name="paper"),
    path("file/<int:pk>/", views.object_detail, {"kind": "file"}, name="file"),
    # Anything else below /oparl/v1/ is a JSON 404 (declared last).
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]

from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.body_list, name="body_list"),
    path("protokoll/", views.published_minutes, name="published_minutes"),
    path("kalender/", views.calendar_links, name="calendar_links"),
    path("kalender/<str:token>/mina.ics", views.calendar_feed, name="calendar_mine"),
    path("kalender/<str:token>/<slug:slug>.ics", views.calendar_feed, name="calendar_body"),
    path("uppfoljning/<int:pk>/", views.followup_report, name="followup"),
    path("moten/<int:pk>/", views.meeting_detail, name="meeting"),
    path("moten/<int:pk>/kallelse.docx", views.notice_download, name="notice_docx"),
    path(
        "moten/<int:pk>/protokoll/v<int:version>.docx",
        views.minutes_download,
        {"fmt": "docx"},
        name="minutes_docx",
    ),
    path(
        "moten/<int:pk>/protokoll/v<int:version>.pdf",
        views.minutes_download,
        {"fmt": "pdf"},
        name="minutes_pdf",
    ),
    path("moten/<int:pk>/utdrag/<int:paragraph>.docx", views.extract_download, name="extract"),
    path("moten/<int:pk>/<str:action>/", views.meeting_action, name="meeting_action"),
    path("handling/<int:pk>/", views.paper_download, name="paper"),
    path("<slug:slug>/", views.body_detail, name="body_detail"),
    path("<slug:slug>/<str:action>/", views.body_action, name="body_action"),
]

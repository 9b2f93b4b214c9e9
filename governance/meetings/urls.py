from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.body_list, name="body_list"),
    path("protokoll/", views.published_minutes, name="published_minutes"),
    path("kalender/", views.calendar_links, name="calendar_links"),
    path("kalender/ny-nyckel/", views.calendar_token_rotate, name="calendar_token_rotate"),
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
    path("moten/<int:pk>/svar/", views.meeting_rsvp, name="meeting_rsvp"),
    path("moten/<int:pk>/kallelse/", views.meeting_notice, name="meeting_notice"),
    path("moten/<int:pk>/arende/", views.meeting_item_add, name="meeting_item_add"),
    path("moten/<int:pk>/underlag/", views.meeting_paper_add, name="meeting_paper_add"),
    path("moten/<int:pk>/uppfoljning/", views.meeting_followup, name="meeting_followup"),
    path("moten/<int:pk>/hamta-oppna-fragor/", views.meeting_carry, name="meeting_carry"),
    path("moten/<int:pk>/flytta/", views.meeting_move, name="meeting_move"),
    path("moten/<int:pk>/ta-bort-arende/", views.meeting_item_remove, name="meeting_item_remove"),
    path("moten/<int:pk>/narvaro/", views.meeting_attendance, name="meeting_attendance"),
    path("moten/<int:pk>/beslut/", views.meeting_outcome, name="meeting_outcome"),
    path("moten/<int:pk>/genomfort/", views.meeting_hold, name="meeting_hold"),
    path("moten/<int:pk>/protokoll/", views.meeting_minutes, name="meeting_minutes"),
    path("moten/<int:pk>/justera/", views.meeting_approve, name="meeting_approve"),
    path(
        "moten/<int:pk>/justering-for-ledamot/",
        views.meeting_approval_record,
        name="meeting_approval_record",
    ),
    path("moten/<int:pk>/publicera/", views.meeting_publish, name="meeting_publish"),
    path("moten/<int:pk>/rattelse/", views.meeting_correct, name="meeting_correct"),
    path("moten/<int:pk>/stall-in/", views.meeting_cancel, name="meeting_cancel"),
    path("moten/<int:pk>/skjut-upp/", views.meeting_postpone, name="meeting_postpone"),
    path("moten/<int:pk>/ny-tid/", views.meeting_replan, name="meeting_replan"),
    path("moten/<int:pk>/flytta-mote/", views.meeting_reschedule, name="meeting_reschedule"),
    path("handling/<int:pk>/", views.paper_download, name="paper"),
    path("<slug:slug>/arkivpaket/<int:year>.zip", views.minutes_archive_download, name="minutes_archive"),
    path("<slug:slug>/", views.body_detail, name="body_detail"),
    path("<slug:slug>/<str:action>/", views.body_action, name="body_action"),
]

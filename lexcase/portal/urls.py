from __future__ import annotations

from django.urls import path

from lexcase.portal import views

app_name = "portal"
urlpatterns = [
    # Client contacts
    path("", views.home, name="home"),
    path("matters/<int:pk>/", views.matter_detail, name="matter"),
    path("matters/<int:pk>/messages/", views.message_send, name="message_send"),
    path("matters/<int:pk>/upload/", views.upload, name="upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("reports/<int:pk>/", views.report_view, name="report"),
    path("bills/", views.bills, name="bills"),
    path("bills/<int:pk>/", views.bill_detail, name="bill"),
    path("notifications/", views.preferences, name="preferences"),
    # The one-time invitation link
    path("invite/<str:token>/", views.accept, name="accept"),
    # Staff: who has a portal login
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("contacts/<int:pk>/matters/", views.contact_grant, name="contact_grant"),
    path(
        "contacts/<int:pk>/matters/<int:matter_pk>/revoke/",
        views.contact_revoke,
        name="contact_revoke",
    ),
    path(
        "contacts/<int:pk>/matters/<int:matter_pk>/bills/",
        views.contact_bills,
        name="contact_bills",
    ),
    path("contacts/<int:pk>/reinvite/", views.contact_reinvite, name="contact_reinvite"),
    path("contacts/<int:pk>/toggle-active/", views.contact_toggle, name="contact_toggle"),
    # Staff: answer in the portal thread; what the client sees of a matter's dates
    path("matters/<int:pk>/reply/", views.reply, name="reply"),
    path(
        "deadlines/<int:pk>/client-visible/",
        views.deadline_visibility,
        name="deadline_visibility",
    ),
    path("hearings/<int:pk>/client-visible/", views.hearing_visibility, name="hearing_visibility"),
]

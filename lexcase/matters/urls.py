from __future__ import annotations

from django.urls import path

from lexcase.matters import archive_views, import_views, retention_views, views

app_name = "matters"
urlpatterns = [
    path("", views.matter_list, name="list"),
    path("export/", views.matter_export, name="export"),
    path("new/", views.matter_create, name="create"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template/", import_views.import_template, name="import_template"),
    path("archive-room/", archive_views.archive_room, name="archive_room"),
    path("archive-room/settings/", archive_views.archive_settings, name="archive_settings"),
    path("<int:pk>/edit/", views.matter_edit, name="edit"),
    path("<int:pk>/open/", views.matter_open, name="open"),
    path("<int:pk>/close/", archive_views.matter_close, name="close"),
    path("<int:pk>/reopen/", views.matter_reopen, name="reopen"),
    path("<int:pk>/archive/", archive_views.matter_archive, name="archive"),
    path("<int:pk>/archive/loans/", archive_views.loan_lend, name="loan_lend"),
    path(
        "<int:pk>/archive/loans/<int:loan_id>/return/",
        archive_views.loan_return,
        name="loan_return",
    ),
    path("<int:pk>/legal-hold/", retention_views.legal_hold, name="legal_hold"),
    path("<int:pk>/stage/", views.matter_stage, name="stage"),
    path("<int:pk>/members/", views.matter_member_add, name="member_add"),
    path(
        "<int:pk>/members/<int:user_id>/remove/",
        views.matter_member_remove,
        name="member_remove",
    ),
    path("<int:pk>/walls/", views.matter_wall_add, name="wall_add"),
    path("<int:pk>/case-numbers/", views.matter_case_number_add, name="case_number_add"),
    path("<int:pk>/parties/", views.matter_party_add, name="party_add"),
]

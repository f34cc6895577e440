from __future__ import annotations

from django.urls import path

from lexcase.accounts import views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/toggle-active/", views.user_toggle_active, name="user_toggle"),
    path("users/<int:pk>/end-sessions/", views.user_end_sessions, name="user_end_sessions"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path(
        "users/<int:pk>/second-factor/reset/",
        views.user_second_factor_reset,
        name="user_second_factor_reset",
    ),
    path("tokens/", views.token_list, name="tokens"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/teams/", views.team_create, name="team_create"),
    path("organisation/teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("organisation/practice-areas/", views.practice_area_create, name="practice_area_create"),
    path(
        "organisation/practice-areas/<int:pk>/",
        views.practice_area_edit,
        name="practice_area_edit",
    ),
    path("firm/", views.firm_profile_edit, name="firm"),
    path("firm/logo/", views.firm_logo, name="firm_logo"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

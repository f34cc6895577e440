from __future__ import annotations

from django.urls import path

from lexcase.matters import consent_views
from lexcase.matters import party_views as views

# The party directory's pages read parties through the gate, so they live beside it; they
# keep their `parties:` names.
app_name = "parties"
urlpatterns = [
    path("", views.party_list, name="list"),
    path("export/", views.party_export, name="export"),
    path("new/", views.party_create, name="create"),
    path("<int:pk>/", views.party_detail, name="detail"),
    path("<int:pk>/edit/", views.party_edit, name="edit"),
    path("<int:pk>/identifiers/", views.party_identifiers_show, name="identifiers_show"),
    path("<int:pk>/relations/", views.party_relation_add, name="relation_add"),
    path("<int:pk>/consents/", consent_views.party_consents, name="consents"),
]

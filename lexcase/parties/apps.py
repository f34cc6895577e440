from __future__ import annotations

from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "lexcase.parties"
    label = "parties"

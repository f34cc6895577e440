from __future__ import annotations

from django.apps import AppConfig


class MattersConfig(AppConfig):
    name = "lexcase.matters"
    label = "matters"

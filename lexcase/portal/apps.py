from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lexcase.portal"
    label = "portal"
    verbose_name = "Portal"

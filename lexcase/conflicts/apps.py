from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConflictsConfig(AppConfig):
    name = "lexcase.conflicts"
    label = "conflicts"
    verbose_name = _("Conflict checks")

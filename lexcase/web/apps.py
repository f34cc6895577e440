from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The composition layer: pages and jobs that put several apps together."""

    name = "lexcase.web"
    label = "web"

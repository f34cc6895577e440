from __future__ import annotations

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "lexcase.search"
    label = "lexcase_search"
    verbose_name = "Search"

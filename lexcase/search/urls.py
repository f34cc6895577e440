from __future__ import annotations

app_name = "search"
urlpatterns: list = []

from __future__ import annotations

app_name = "todos"
urlpatterns: list = []

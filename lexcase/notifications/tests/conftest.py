from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks_and_local_robots(settings: Any) -> None:
    # Tasks run when the transaction commits; the stub server on 127.0.0.1 stands in for
    # the chat platforms (never the network).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LEXCASE_ROBOT_EXTRA_HOSTS = ["127.0.0.1"]

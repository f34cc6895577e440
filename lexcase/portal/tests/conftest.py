from __future__ import annotations

import pytest
from django.core import mail

from lexcase.portal.tests.factories import PortalWorld, build_world


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    storages = dict(settings.STORAGES)
    storages["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "documents"},
    }
    settings.STORAGES = storages


@pytest.fixture
def world(firm) -> PortalWorld:
    built = build_world(firm)
    # The world shares documents with its clients, whose contacts are e-mailed about them;
    # tests count the mail their own actions send.
    mail.outbox.clear()
    return built

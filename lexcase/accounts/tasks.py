"""Background entry points (django.tasks); the work is in services."""

from __future__ import annotations

from django.tasks import task
from django.utils import translation

from lexcase.accounts import services


@task()
def password_reset_mail_task(email: str, base_url: str, language: str) -> int:
    with translation.override(language):
        return services.password_reset_mail(email=email, base_url=base_url)

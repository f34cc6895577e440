from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lexcase.accounts.models import User
from lexcase.accounts.services import api_token_create


class Command(BaseCommand):
    help = "API tokens: `token create USERNAME [--name N]` prints only the new token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create"])
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {opts['username']!r}")
        _token, raw = api_token_create(user=user, name=opts["name"])
        self.stdout.write(raw)

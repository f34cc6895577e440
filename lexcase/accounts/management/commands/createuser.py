from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction

from lexcase.accounts.models import Role, Team
from lexcase.accounts.services import user_create


def _team(name: str) -> Team:
    """The team of that name, created if new; a name no team can have is refused."""
    field = Team._meta.get_field("name")
    try:
        field.clean(name.strip(), None)
        ProhibitNullCharactersValidator()(name)
    except ValidationError as exc:
        raise ValidationError({"team": exc.messages}) from None
    team, _created = Team.objects.get_or_create(name=name.strip())
    return team


class Command(BaseCommand):
    help = "Create a firm user: createuser USERNAME --role ROLE [--password P] [--team T]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password")
        parser.add_argument("--team")
        parser.add_argument("--name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        password = opts["password"]
        if password is None and opts.get("interactive", True) and self.stdin_is_tty():
            password = getpass.getpass("Password: ")
        try:
            # One transaction: a refused user leaves no new team behind.
            with transaction.atomic():
                team = _team(opts["team"]) if opts["team"] else None
                user = user_create(
                    username=opts["username"],
                    role=opts["role"],
                    password=password,
                    name=opts["name"],
                    email=opts["email"],
                    team=team,
                )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            ) from None
        self.stdout.write(f"created user {user.username} ({user.role})")

    @staticmethod
    def stdin_is_tty() -> bool:

        return sys.stdin is not None and sys.stdin.isatty()

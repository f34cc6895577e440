from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lexcase.matters.models import Matter
from lexcase.reviews.demo import demo_reviews
from lexcase.web.demo import DEMO_PASSWORD, demo_generate


class Command(BaseCommand):
    help = "Load a realistic demo firm: demo [--matters N] [--seed S] [--if-empty]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--matters", type=int, default=200)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when matters already exist"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["if_empty"] and Matter.objects.exists():
            self.stdout.write("demo: the database already has matters; nothing loaded")
            return
        if opts["matters"] < 0:
            self.stderr.write("--matters must be >= 0")
            raise SystemExit(2)
        started = time.monotonic()
        result = demo_generate(matters=opts["matters"], seed=opts["seed"])
        result.update(demo_reviews(seed=opts["seed"]))
        self.stdout.write(
            f"demo firm loaded: {result['matters']} matters, {result['users']} users, "
            f"{result['reviews']} reviews, {result['surveys']} client surveys "
            f"in {time.monotonic() - started:.1f}s; every demo login's password is "
            f"{DEMO_PASSWORD!r}"
        )

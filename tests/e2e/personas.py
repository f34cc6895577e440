"""What browser tests share besides fixtures: the demo users' password."""

from __future__ import annotations

PASSWORD = "lexcase-demo"

"""The confidentiality gate as notifications need it, installed by `matters`.

Notifications sit below `matters` (every app, `matters` included, notifies), so they cannot
import the gate. `MattersConfig.ready()` installs it here instead; until it is installed
every matter counts as hidden, so a misconfigured process pushes nothing about a matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from lexcase.accounts.models import AnyUser


@dataclass(frozen=True)
class MatterGate:
    # (user) -> the matters the user may see
    visible_to: Callable[[Any], QuerySet[Any]]
    # (*, user, matter_id) -> may the user see this matter
    is_visible: Callable[..., bool]


_gate: MatterGate | None = None


def gate_install(gate: MatterGate) -> None:
    global _gate
    _gate = gate


def matter_is_visible(*, user: AnyUser, matter_id: int) -> bool:
    return _gate is not None and _gate.is_visible(user=user, matter_id=matter_id)


def matters_visible_to(user: AnyUser) -> QuerySet[Any] | None:
    """None when no gate is installed: the caller then shows no matter's notification."""
    return None if _gate is None else _gate.visible_to(user)

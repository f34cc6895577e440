"""The confidentiality gate as notifications need it, installed by `matters`.

Notifications sit below `matters` (every app, `matters` included, notifies), so they cannot
import the gate. `MattersConfig.ready()` installs it here instead; until it is installed
every matter counts as hidden, so a misconfigured process pushes nothing about a matter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    # (*, matter_ids, user_ids) -> those of the matters with an ethical wall on any of the users
    walled_for: Callable[..., set[int]]


_gate: MatterGate | None = None


def gate_install(gate: MatterGate) -> None:
    global _gate
    _gate = gate


def matter_is_visible(*, user: AnyUser, matter_id: int) -> bool:
    return _gate is not None and _gate.is_visible(user=user, matter_id=matter_id)


def matters_visible_to(user: AnyUser) -> QuerySet[Any] | None:
    """None when no gate is installed: the caller then shows no matter's notification."""
    return None if _gate is None else _gate.visible_to(user)


def matters_walled_for(*, matter_ids: Iterable[int], user_ids: Iterable[int]) -> set[int] | None:
    """Those of `matter_ids` that any of `user_ids` is walled off; None when no gate is
    installed (the caller then posts no matter at all)."""
    if _gate is None:
        return None
    return _gate.walled_for(matter_ids=set(matter_ids), user_ids=set(user_ids))

"""How tasks follow a matter's lifecycle (connected in `TodosConfig.ready()`); each runs in
the transaction of the matter's change, so the tasks commit or roll back with it."""

from __future__ import annotations

from typing import Any

from lexcase.matters.events import (
    matter_opened,
    matter_priority_changed,
    matter_stage_changed,
    scrub_on_anonymised,
)
from lexcase.todos.services import (
    checklist_instantiate,
    matter_tasks_on_open,
    matter_tasks_on_priority,
    tasks_anonymise,
)


def opened(*, matter: Any, actor: Any, **_: Any) -> None:
    # The priority SLA task and the opening checklist (docs/product.md).
    matter_tasks_on_open(actor=actor, matter=matter)


def stage_changed(*, matter: Any, actor: Any, stage: str, **_: Any) -> None:
    checklist_instantiate(actor=actor, matter=matter, stage=stage)


def priority_changed(*, matter: Any, actor: Any, **_: Any) -> None:
    matter_tasks_on_priority(actor=actor, matter=matter)


def connect() -> None:
    scrub_on_anonymised(tasks_anonymise, uid="todos.party_anonymised")
    matter_opened.connect(opened, dispatch_uid="todos.opened")
    matter_stage_changed.connect(stage_changed, dispatch_uid="todos.stage_changed")
    matter_priority_changed.connect(priority_changed, dispatch_uid="todos.priority_changed")

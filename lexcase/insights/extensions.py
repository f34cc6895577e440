"""Sections other apps add to the dashboards, without insights importing them.

Insights is a feature app, independent of the other features (contract `features` in
pyproject.toml): it cannot read reviews or billing itself. The composition layer (`web`)
registers a *source* for them in its `AppConfig.ready()`: a function
`fn(ctx: SectionContext) -> list[Section]` that reads its app through that app's selectors,
restricted to `ctx.scope` (the gate's matters, filtered, as a `MatterSet`: the app's
selector tests its rows with `scope.rows()`). A source must cost a fixed number of queries,
whatever the firm's size. Without a registered source the dashboard simply has
no such section (no `ImportError` handling anywhere).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lexcase.insights.selectors import InsightFilters, Section
    from lexcase.matters.selectors import MatterSet


@dataclass(frozen=True)
class SectionContext:
    user: Any
    kind: str  # selectors.FIRM or selectors.PERSONAL
    scope: MatterSet  # what every figure counts: the gate, then the filters
    filters: InsightFilters
    now: datetime
    today: date


SectionSource = Callable[[SectionContext], "list[Section]"]

_SOURCES: list[tuple[int, SectionSource]] = []


def dashboard_source_register(fn: SectionSource, *, order: int = 100) -> None:
    """Add `fn`'s sections to every dashboard (page, Excel export, KPI API), after the
    built-in ones, in `order`. Registering the same function twice is a no-op."""
    if any(existing is fn for _order, existing in _SOURCES):
        return
    _SOURCES.append((order, fn))
    _SOURCES.sort(key=lambda pair: pair[0])


def dashboard_sources() -> list[SectionSource]:
    return [fn for _order, fn in _SOURCES]

"""诉讼时效 (limitation) with interruption and suspension (民法典 Arts. 188, 194, 195).

Pure: a start date, a rule and a list of events in, the current expiry and the reasons out.

- Interruption (中断, Art. 195: a demand, the obligor's acknowledgement, suit or arbitration
  …) restarts the full period from the event, provided the period had not run out.
- Suspension (中止, Art. 194) counts only when its obstacle arises within the last six months
  of the period; the period then expires six months after the obstacle ends, whatever was
  left. While the obstacle lasts there is no expiry date.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from lexcase.calendar.calculator import CalendarData, compute
from lexcase.calendar.rules_data import Rule

EventKind = Literal["interruption", "suspension_start", "suspension_end"]


@dataclass(frozen=True)
class Event:
    kind: EventKind
    day: date
    note: str = ""


@dataclass(frozen=True)
class LimitationState:
    expiry: date | None  # None while suspended
    suspended: bool
    provisional: bool
    explanation: list[str] = field(default_factory=list)


def _months_after(d: date, months: int) -> date:

    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(d.day, stdlib_calendar.monthrange(year, month)[1]))


def limitation_state(
    *, rule: Rule, start: date, events: list[Event], cal: CalendarData, lang: str = "zh"
) -> LimitationState:
    zh = lang != "en"
    result = compute(rule, start, cal, lang=lang)
    expiry: date | None = result.due_date
    provisional = result.provisional
    steps = [
        (
            f"时效自{start.isoformat()}起算，届满日{result.due_date.isoformat()}（{result.citation}）。"
        )
        if zh
        else f"The period runs from {start.isoformat()} and ends on {result.due_date.isoformat()} "
        f"({result.citation})."
    ]
    suspended_since: date | None = None
    for event in sorted(events, key=lambda e: (e.day, e.kind)):
        if event.kind == "interruption":
            if suspended_since is None and expiry is not None and event.day > expiry:
                steps.append(
                    f"{event.day.isoformat()}的中断事由发生在时效届满之后，不产生中断效力。"
                    if zh
                    else f"The interruption on {event.day.isoformat()} came after expiry and "
                    "has no effect."
                )
                continue
            restarted = compute(rule, event.day, cal, lang=lang)
            expiry, suspended_since = restarted.due_date, None
            provisional = restarted.provisional
            steps.append(
                f"{event.day.isoformat()}时效中断（民法典第一百九十五条），重新起算，届满日{expiry.isoformat()}。"
                if zh
                else f"Interrupted on {event.day.isoformat()} (Civil Code Art. 195): the full "
                f"period restarts and ends on {expiry.isoformat()}."
            )
        elif event.kind == "suspension_start":
            if expiry is None or suspended_since is not None:
                continue
            window_opens = _months_after(expiry, -6)
            if window_opens <= event.day <= expiry:
                suspended_since = event.day
                expiry = None
                steps.append(
                    f"{event.day.isoformat()}在时效期间最后六个月内发生障碍，时效中止（民法典第一百九十四条）。"
                    if zh
                    else f"Obstacle on {event.day.isoformat()} within the last six months: the "
                    "period is suspended (Civil Code Art. 194)."
                )
            else:
                steps.append(
                    f"{event.day.isoformat()}的障碍不在时效期间最后六个月内，不发生中止。"
                    if zh
                    else f"The obstacle on {event.day.isoformat()} is not within the last six "
                    "months and does not suspend the period."
                )
        elif event.kind == "suspension_end" and suspended_since is not None:
            expiry = _months_after(event.day, 6)
            suspended_since = None
            steps.append(
                f"障碍于{event.day.isoformat()}消除，时效期间自此满六个月届满，即{expiry.isoformat()}。"
                if zh
                else f"The obstacle ended on {event.day.isoformat()}: the period expires six "
                f"months later, on {expiry.isoformat()}."
            )
    if suspended_since is not None:
        steps.append(
            "时效中止中，障碍消除后六个月届满。" if zh else "Suspended until the obstacle ends."
        )
    return LimitationState(
        expiry=expiry,
        suspended=suspended_since is not None,
        provisional=provisional,
        explanation=steps,
    )

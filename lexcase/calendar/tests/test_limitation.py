from __future__ import annotations

from datetime import date

from lexcase.calendar.calculator import MemoryCalendar
from lexcase.calendar.limitation import Event, limitation_state
from lexcase.calendar.rules_data import RULES

# Only weekends are rest days here, and every year is published: the arithmetic is the point.
CAL = MemoryCalendar(entries={}, published_years=set(range(2000, 2040)))
GENERAL = RULES["limitation.general"]


def test_plain_three_years():
    state = limitation_state(rule=GENERAL, start=date(2023, 3, 1), events=[], cal=CAL)
    assert (state.expiry, state.suspended) == (date(2026, 3, 2), False)  # 3/1/2026 is a Sunday


def test_interruption_restarts_full_period():
    state = limitation_state(
        rule=GENERAL,
        start=date(2023, 3, 1),
        events=[Event("interruption", date(2025, 6, 10))],
        cal=CAL,
    )
    assert state.expiry == date(2028, 6, 12)  # 2028-06-10 is a Saturday
    assert "第一百九十五条" in state.explanation[-1]


def test_interruption_after_expiry_has_no_effect():
    state = limitation_state(
        rule=GENERAL,
        start=date(2020, 1, 6),
        events=[Event("interruption", date(2024, 1, 1))],
        cal=CAL,
    )
    assert state.expiry == date(2023, 1, 6)


def test_suspension_only_in_last_six_months():
    early = limitation_state(
        rule=GENERAL,
        start=date(2023, 3, 1),
        events=[Event("suspension_start", date(2024, 1, 1))],
        cal=CAL,
    )
    assert (early.expiry, early.suspended) == (date(2026, 3, 2), False)
    late = limitation_state(
        rule=GENERAL,
        start=date(2023, 3, 1),
        events=[Event("suspension_start", date(2025, 12, 1))],
        cal=CAL,
    )
    assert (late.expiry, late.suspended) == (None, True)


def test_suspension_ends_six_months_after_obstacle():
    state = limitation_state(
        rule=GENERAL,
        start=date(2023, 3, 1),
        events=[
            Event("suspension_start", date(2025, 12, 1)),
            Event("suspension_end", date(2026, 5, 20)),
        ],
        cal=CAL,
    )
    assert (state.expiry, state.suspended) == (date(2026, 11, 20), False)


def test_english_explanation():
    state = limitation_state(rule=GENERAL, start=date(2023, 3, 1), events=[], cal=CAL, lang="en")
    assert state.explanation[0].startswith("The period runs from 2023-03-01")

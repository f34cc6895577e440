"""The deadline calculator: rule + trigger date + holiday data -> due date, with reasons.

Pure Python (no Django, no database) so it can be property-tested and benchmarked. The web
layer adapts its holiday table to ``CalendarData`` (``MemoryCalendar`` is enough) and stores
the inputs (rule id, trigger date, ``RULESET_VERSION``) to recompute when a year's holiday
notice is entered.

Counting rules (docs/domain.md §1.1, §2.4):

* The trigger day is never counted (民诉法 Art. 85, 民法典 Art. 201, 刑诉法 Art. 105).
* ``calendar_days``: the last day is trigger + n. ``months``/``years``: the corresponding
  day of the end month, or that month's last day if it has no such day (民法典 Art. 202).
  ``working_days``: the n-th working day after the trigger (行政复议法 Art. 88).
* Rest days inside the period are not deducted; only the last day moves, forward to the first
  working day, and only when ``rule.rolls_over`` (not for criminal custody).
* A rest day is an explicit ``rest`` entry (holiday or 调休 weekday off); a weekend with an
  explicit ``work`` entry (调休上班) is a working day; otherwise Saturday/Sunday are rest days.

Years without a published State Council notice: only weekends are treated as rest days, no
guessed holidays (not even the fixed-date ones such as 10/1-10/3). This computes *our* action
deadlines at the earliest plausible date (docs/domain.md §2.4 item 3) and marks them provisional.
Strictly, a weekend could still become a 调休上班 day, so when such a result was moved over a
weekend the explanation also names the unmoved last day as the earliest possible date.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Literal, Protocol

from lexcase.calendar.rules_data import RULESET_VERSION, UNITS, Rule

__all__ = [
    "CalendarData",
    "DayKind",
    "MemoryCalendar",
    "Result",
    "compute",
    "is_rest_day",
    "memory_calendar_from_chinesecalendar",
    "naive_due_date",
    "validate_rule",
]

DayKind = Literal["rest", "work"]
Lang = Literal["zh", "en"]

_ONE_DAY = timedelta(days=1)
_WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# English labels for the Chinese holiday names stored in the holiday table (both the
# chinesecalendar enum spellings and the ones used by the seeding migration).
_HOLIDAY_NAMES_EN = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明": "Tomb-sweeping Day",
    "清明节": "Tomb-sweeping Day",
    "劳动节": "Labour Day",
    "端午": "Dragon Boat Festival",
    "端午节": "Dragon Boat Festival",
    "中秋": "Mid-autumn Festival",
    "中秋节": "Mid-autumn Festival",
    "国庆节": "National Day",
    "抗战胜利70周年纪念日": "Anti-Fascist War Victory 70th Anniversary",
}
# chinesecalendar stores English names; the seeding migration uses the same Chinese names.
_CHINESECALENDAR_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CalendarData(Protocol):
    """Holiday data as the calculator needs it. Implementations: ``MemoryCalendar``, or an
    adapter over the ``HolidayDay``/``HolidayYear`` tables."""

    def day_kind(self, d: date) -> DayKind | None:
        """``"rest"`` (holiday or 调休 weekday off), ``"work"`` (调休上班 weekend) or ``None``
        when the date has no entry (then Sat/Sun are rest days, Mon-Fri working days)."""
        ...

    def year_published(self, year: int) -> bool:
        """Whether the State Council notice for ``year`` has been entered."""
        ...

    def day_name(self, d: date) -> str | None:
        """The holiday name for an entry, in Chinese (e.g. 国庆节), used in explanations."""
        ...


class MemoryCalendar:
    """An in-memory ``CalendarData``; build one per request or cache it by data version."""

    def __init__(
        self,
        entries: Mapping[date, str],
        published_years: set[int] | frozenset[int],
        names: Mapping[date, str] | None = None,
    ) -> None:
        bad = {d: k for d, k in entries.items() if k not in ("rest", "work")}
        if bad:
            raise ValueError(f"entry kinds must be 'rest' or 'work': {bad}")
        # Copies, so a caller mutating its dicts cannot change a cached calendar.
        self._entries: dict[date, str] = dict(entries)
        self._published: frozenset[int] = frozenset(published_years)
        self._names: dict[date, str] = dict(names or {})

    @property
    def entries(self) -> Mapping[date, str]:
        return MappingProxyType(self._entries)

    @property
    def names(self) -> Mapping[date, str]:
        return MappingProxyType(self._names)

    @property
    def published_years(self) -> frozenset[int]:
        return self._published

    def day_kind(self, d: date) -> DayKind | None:
        kind = self._entries.get(d)
        if kind == "rest":
            return "rest"
        if kind == "work":
            return "work"
        return None

    def year_published(self, year: int) -> bool:
        return year in self._published

    def day_name(self, d: date) -> str | None:
        return self._names.get(d)

    def __repr__(self) -> str:
        years = sorted(self._published)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return f"<MemoryCalendar {len(self._entries)} entries, published {span}>"


def memory_calendar_from_chinesecalendar() -> MemoryCalendar:
    """The chinesecalendar package data (2004-2026 in 1.11) as a ``MemoryCalendar``.

    Entries are the exceptions to the weekend rule only: rest weekdays (holidays and 调休 days
    off) and working weekends. Names cover every holiday date, weekends included, so the
    explanation can say "2025-10-04为休息日（国庆节）". Published years are those the package
    has data for, so a new package release extends them automatically.
    """
    # Imported lazily: only seeding and tests need the package, not the request path.
    from chinese_calendar import constants

    entries: dict[date, str] = {}
    names: dict[date, str] = {}
    for day, name in constants.holidays.items():
        names[day] = _CHINESECALENDAR_NAMES_ZH.get(name, name)
        if day.weekday() < 5:
            entries[day] = "rest"
    for day, name in constants.workdays.items():
        names[day] = _CHINESECALENDAR_NAMES_ZH.get(name, name)
        entries[day] = "work"
    known = [d.year for d in constants.holidays]
    published = set(range(min(known), max(known) + 1))
    return MemoryCalendar(entries=entries, published_years=published, names=names)


def is_rest_day(cal: CalendarData, d: date) -> bool:
    """An explicit entry wins; otherwise Saturday and Sunday are rest days. The same rule
    holds for unpublished years, which therefore get weekends only (see module docstring)."""
    kind = cal.day_kind(d)
    if kind is not None:
        return kind == "rest"
    return d.weekday() >= 5


@dataclass(frozen=True, slots=True)
class Result:
    """A computed deadline. ``raw_end`` is the last day before any holiday move; ``rolled``
    says whether it moved. ``unpublished_years`` are the years whose holiday notice would
    change the result once entered (non-empty iff ``provisional``)."""

    rule_id: str
    trigger_date: date
    raw_end: date
    due_date: date
    provisional: bool
    rolled: bool
    citation: str
    explanation: list[str]
    unpublished_years: tuple[int, ...] = ()
    ruleset_version: str = RULESET_VERSION
    law_version: str = ""


def validate_rule(rule: Rule) -> None:
    """Raise ``ValueError`` for a rule the calculator cannot count."""
    if rule.unit not in UNITS:
        raise ValueError(f"unknown unit {rule.unit!r} in rule {rule.id!r}")
    if isinstance(rule.period, bool) or not isinstance(rule.period, int):
        raise ValueError(f"period must be an int in rule {rule.id!r}: {rule.period!r}")
    if rule.period < 0:
        raise ValueError(f"negative period in rule {rule.id!r}: {rule.period}")


def _require_date(value: object, what: str) -> date:
    # datetime is a subclass of date; a datetime here means someone derived a civil date from
    # a timestamp (possibly UTC), which docs/domain.md §2.4 item 5 forbids, so refuse it.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a datetime.date (not datetime), got {type(value)!r}")
    return value


def _add_months(d: date, months: int) -> tuple[date, bool]:
    """The corresponding day ``months`` later, clamped to month end; True if clamped."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    if d.day > last:
        return date(year, month + 1, last), True
    return date(year, month + 1, d.day), False


def _nth_working_day(cal: CalendarData, trigger: date, n: int) -> tuple[date, list[date]]:
    """The n-th working day after ``trigger`` and every day looked at on the way."""
    d = trigger
    seen: list[date] = []
    count = 0
    while count < n:
        d += _ONE_DAY
        seen.append(d)
        if not is_rest_day(cal, d):
            count += 1
    return d, seen


def _roll(cal: CalendarData, d: date) -> tuple[date, list[date]]:
    """The first working day on or after ``d`` and the days looked at."""
    seen = [d]
    while is_rest_day(cal, d):
        d += _ONE_DAY
        seen.append(d)
    return d, seen


def naive_due_date(rule: Rule, trigger: date, cal: CalendarData) -> date:
    """Reference implementation that walks one day at a time, for tests and benchmarks.

    Deliberately shares nothing with ``compute`` except ``is_rest_day`` (the definition of a
    rest day): months are found by walking to the end month and stopping on the trigger's
    day number or on the month's last day, whichever comes first.
    """
    validate_rule(rule)
    d = trigger
    if rule.unit == "calendar_days":
        for _ in range(rule.period):
            d += _ONE_DAY
    elif rule.unit == "working_days":
        counted = 0
        while counted < rule.period:
            d += _ONE_DAY
            if not is_rest_day(cal, d):
                counted += 1
    else:
        months = rule.period * (12 if rule.unit == "years" else 1)
        target = trigger.year * 12 + trigger.month - 1 + months
        while True:
            in_target_month = d.year * 12 + d.month - 1 == target
            month_ends_today = (d + _ONE_DAY).month != d.month
            if in_target_month and (d.day == trigger.day or month_ends_today):
                break
            d += _ONE_DAY
    if rule.rolls_over:
        while is_rest_day(cal, d):
            d += _ONE_DAY
    return d


def _period_text(rule: Rule, lang: Lang) -> str:
    n = rule.period
    if lang == "zh":
        return {
            "calendar_days": f"{n}日",
            "working_days": f"{n}个工作日",
            "months": f"{n}个月",
            "years": f"{n}年",
        }[rule.unit]
    noun = {
        "calendar_days": "day",
        "working_days": "working day",
        "months": "month",
        "years": "year",
    }[rule.unit]
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _describe_day(cal: CalendarData, d: date, lang: Lang) -> str:
    """Why ``d`` is a rest day, e.g. 法定休假日（国庆节） or Sunday (weekly rest day)."""
    name = cal.day_name(d)
    explicit = cal.day_kind(d) == "rest"
    if lang == "zh":
        if explicit:
            return f"法定休假日（{name}）" if name else "法定休假日"
        label = f"{_WEEKDAYS_ZH[d.weekday()]}（休息日{'，' + name if name else ''}）"
        return label
    name_en = _HOLIDAY_NAMES_EN.get(name, name) if name else None
    if explicit:
        return f"a statutory rest day ({name_en})" if name_en else "a statutory rest day"
    suffix = f", {name_en}" if name_en else ""
    return f"a {_WEEKDAYS_EN[d.weekday()]} (weekly rest day{suffix})"


def _explain(
    rule: Rule,
    trigger: date,
    raw_end: date,
    due: date,
    clamped: bool,
    unpublished: tuple[int, ...],
    cal: CalendarData,
    lang: Lang,
) -> list[str]:
    period = _period_text(rule, lang)
    zh = lang == "zh"
    lines: list[str] = []
    if zh:
        lines.append(f"依据：{rule.citation_zh}（{rule.name_zh}，{period}）。")
        lines.append(f"起算：{rule.trigger_zh}（{trigger}）不计入，期间自次日起算。")
    else:
        lines.append(f"Basis: {rule.citation_en} ({rule.name_en}, {period}).")
        lines.append(
            f"Start: {rule.trigger_en} ({trigger}) is not counted; "
            "the period runs from the next day."
        )

    if rule.unit == "working_days":
        lines.append(
            f"按工作日计算（不含法定休假日和休息日），第{rule.period}个工作日为{raw_end}。"
            if zh
            else f"Counting working days only (rest days excluded), "
            f"working day {rule.period} is {raw_end}."
        )
    elif clamped:
        lines.append(
            f"{period}期间届满之月没有对应日，以该月最后一日{raw_end}为期间的最后一日"
            "（民法典第二百零二条）。"
            if zh
            else f"The period ({period}) ends in a month without the corresponding day, so it "
            f"ends on that month's last day, {raw_end} (Civil Code Art. 202)."
        )
    else:
        lines.append(
            f"{period}期间的最后一日为{raw_end}；期间内的节假日不予扣除。"
            if zh
            else f"The last day of the period ({period}) is {raw_end}; "
            "holidays within the period are not deducted."
        )

    if not rule.rolls_over:
        lines.append(
            f"本期间最后一日遇节假日不顺延（如在押期间），届满日即为{raw_end}。"
            if zh
            else f"This period is not extended for holidays (e.g. custody); "
            f"the deadline stays {raw_end}."
        )
    elif due != raw_end:
        what = _describe_day(cal, raw_end, lang)
        lines.append(
            f"{raw_end}为{what}，顺延至其后第一个工作日{due}。"
            if zh
            else f"{raw_end} is {what}; the deadline moves to the next working day, {due}."
        )
    elif raw_end.weekday() >= 5:
        # Only reachable through an explicit work entry: a 调休上班 weekend is a working day.
        name = cal.day_name(raw_end)
        if zh:
            label = f"（{name}调休）" if name else ""
            lines.append(
                f"{raw_end}虽为{_WEEKDAYS_ZH[raw_end.weekday()]}，但系调休上班日{label}，不顺延。"
            )
        else:
            lines.append(
                f"{raw_end} is a {_WEEKDAYS_EN[raw_end.weekday()]} but an adjusted working day "
                "(调休上班); no extension."
            )
    else:
        lines.append(
            f"{raw_end}为工作日，无需顺延。"
            if zh
            else f"{raw_end} is a working day; no extension needed."
        )

    for year in unpublished:
        if zh:
            how = (
                "本结果仅将周末视为休息日。"
                if rule.unit == "working_days"
                else "本结果仅按周末顺延。"
            )
            lines.append(f"{year}年放假安排尚未公布，届满日可能变动；{how}")
        else:
            how = (
                "only weekends were treated as rest days."
                if rule.unit == "working_days"
                else "only weekends were applied."
            )
            lines.append(
                f"The {year} holiday schedule has not been published, so the deadline may "
                f"change; {how}"
            )
    if due != raw_end and raw_end.year in unpublished and cal.day_kind(raw_end) is None:
        # Weekends-only is not a strict lower bound: the weekend may become 调休上班.
        lines.append(
            f"如该周末被调整为上班日，届满日最早可能为{raw_end}。"
            if zh
            else f"If that weekend becomes an adjusted working day, the deadline could be as "
            f"early as {raw_end}."
        )

    lines.append(f"届满日：{due}。" if zh else f"Deadline: {due}.")
    return lines


def compute(rule: Rule, trigger: date, cal: CalendarData, *, lang: str = "zh") -> Result:
    """The due date for ``rule`` triggered on ``trigger``, with a step-by-step explanation.

    Raises ``ValueError`` for a rule with an unknown unit or a negative period, or an unknown
    ``lang`` ("zh" or "en"); ``TypeError`` if ``trigger`` is not a plain ``datetime.date``.
    """
    validate_rule(rule)
    trigger = _require_date(trigger, "trigger")
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    language: Lang = "zh" if lang == "zh" else "en"

    examined: list[date] = []
    clamped = False
    if rule.unit == "calendar_days":
        raw_end = trigger + timedelta(days=rule.period)
    elif rule.unit == "working_days":
        raw_end, counted = _nth_working_day(cal, trigger, rule.period)
        examined.extend(counted)
    else:
        months = rule.period * (12 if rule.unit == "years" else 1)
        raw_end, clamped = _add_months(trigger, months)

    if rule.rolls_over:
        due, rolled_over = _roll(cal, raw_end)
        examined.extend(rolled_over)
    else:
        # Not moved, so holiday data cannot change it: nothing examined, never provisional.
        due = raw_end

    unpublished = tuple(sorted({d.year for d in examined if not cal.year_published(d.year)}))
    return Result(
        rule_id=rule.id,
        trigger_date=trigger,
        raw_end=raw_end,
        due_date=due,
        provisional=bool(unpublished),
        rolled=due != raw_end,
        citation=rule.citation_zh if language == "zh" else rule.citation_en,
        explanation=_explain(rule, trigger, raw_end, due, clamped, unpublished, cal, language),
        unpublished_years=unpublished,
        law_version=rule.law_version,
    )

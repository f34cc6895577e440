"""Where the apps above the gate join a matter's page and the agenda.

The registries are owned here, beside the gate, so that `matters` (its archive reminders
and page) and every feature app can add to them without importing each other. A feature
app registers real functions in its `AppConfig.ready()`:

- **Matter page sections**: `(request, matter) -> dict | None`; the dict holds a
  `template` and that template's context (reached as `section.<key>`). Called only after
  the gate has let the user see the matter, so a section may read the matter's rows
  directly but must still check its own action permissions. `order` places it on the page.
- **Agenda sources**: `(*, user, start: date | None, end: date, mine_only: bool) ->
  list[AgendaItem]`, the user's open items due between start and end inclusive (start
  None: everything open due on or before end). Rows on a matter come through the gate
  (`visible_through`). The agenda (`calendar.selectors.agenda_items`) reads them all.
- **Open guards**: `(matter) -> None`, raising `ValidationError` when an intake may not
  open yet (the conflict check's approval).
- **Forms on demand**: `matter_form_register(name, MatterForm(...))`; the matter page shows
  a closed <details> with a link to `matters:form` (`/matters/<pk>/forms/<name>/`, served by
  `web.views.matter_form`), htmx loads the form in place when it opens and without
  JavaScript the link opens it on a page of its own; rendering every form with the page
  cost as much as the rest of the page (issue 15 item 3). A submission that fails shows the
  same form again, bound, with its errors (`matters.actions.matter_form_again`).
- **Reads shared by the page's sections**: `matter_page_read(matter, key, read)` runs
  `read()` once per matter while the matter page is built and rendered
  (`matter_page_reads()`), so the calendar and the portal card read the deadlines once, the
  documents card and the communication form the documents once, and so on; outside the page
  (a section re-rendered after a POST) it simply reads. `matter_page_peek` returns what the
  page already read, without reading. Keys are `"<app>.<what>"`, owned by that app's
  selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Protocol

from django.utils.functional import Promise

from lexcase.accounts.http import AuthedRequest
from lexcase.matters.models import Matter

MatterSection = Callable[[AuthedRequest, Matter], "dict[str, Any] | None"]
AgendaSource = Callable[..., "list[AgendaItem]"]

OpenGuard = Callable[[Matter], None]

_OPEN_GUARDS: list[OpenGuard] = []
_FORMS: dict[str, MatterForm] = {}
_SECTIONS: list[tuple[int, MatterSection]] = []
_AGENDA_SOURCES: list[tuple[int, AgendaSource]] = []


def matter_section_register(section: MatterSection, *, order: int) -> None:
    if all(s is not section for _o, s in _SECTIONS):
        _SECTIONS.append((order, section))
        _SECTIONS.sort(key=lambda entry: entry[0])


@dataclass(frozen=True)
class MatterForm:
    """A form of the matter page rendered on demand: its heading (the <details> summary),
    its submit label, the URL name it posts to (with the matter's pk), who may have it (the
    condition the page shows it under; the action checks again), how it is built, and
    more context for `matters/matter_form.html` (e.g. what the closing checklist reads).
    `in_place`: htmx posts the form and its action answers as `matters.actions` does (a
    failed submission: the bound form alone, status 422; success: `HX-Redirect`); False for
    an action that answers with a page (closing, a report's PDF)."""

    title: Any
    submit: Any
    action: str
    allowed: Callable[[AuthedRequest, Matter], bool]
    build: Callable[[AuthedRequest, Matter], Any]
    primary: bool = False
    css: str = "form-inline"
    context: Callable[[AuthedRequest, Matter], dict[str, Any]] | None = None
    in_place: bool = True


def matter_form_register(name: str, form: MatterForm) -> None:
    _FORMS[name] = form


def matter_form_for_action(view_name: str) -> MatterForm | None:
    """The registered form that posts to `view_name` (a URL name), if any."""
    return next((form for form in _FORMS.values() if form.action == view_name), None)


def matter_form_get(name: str) -> MatterForm | None:
    return _FORMS.get(name)


def matter_form_names() -> list[str]:
    """Every registered form's name (the access table holds a row for each)."""
    return sorted(_FORMS)


# (matter pk, key) -> rows, while one matter page is built (a ContextVar: one per thread
# of a threaded worker, and nothing kept between requests).
_PAGE_READS: ContextVar[dict[tuple[int, str], Any] | None] = ContextVar(
    "matter_page_reads", default=None
)


@contextmanager
def matter_page_reads() -> Iterator[None]:
    token = _PAGE_READS.set({})
    try:
        yield
    finally:
        _PAGE_READS.reset(token)


def matter_page_read[T](matter: Matter, key: str, read: Callable[[], T]) -> T:
    """`read()` (rows already evaluated, e.g. a list) once per page for this matter."""
    reads = _PAGE_READS.get()
    if reads is None:
        return read()
    if (matter.pk, key) not in reads:
        reads[(matter.pk, key)] = read()
    return reads[(matter.pk, key)]


def matter_page_peek(matter: Matter, key: str) -> Any | None:
    """What the page already read under `key` for this matter, or None."""
    reads = _PAGE_READS.get()
    return None if reads is None else reads.get((matter.pk, key))


def matter_sections(request: AuthedRequest, matter: Matter) -> list[dict[str, Any]]:
    sections = []
    for _order, section in _SECTIONS:
        shown = section(request, matter)
        if shown is not None:
            sections.append(shown)
    return sections


class PartyQuery(Protocol):
    """A party named on an intake or a consultation, before it is found or created."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def id_number(self) -> str: ...
    @property
    def credit_code(self) -> str: ...


def matter_open_guard_register(guard: OpenGuard) -> None:
    if guard not in _OPEN_GUARDS:
        _OPEN_GUARDS.append(guard)


def matter_open_guards() -> list[OpenGuard]:
    return list(_OPEN_GUARDS)


def agenda_source_register(source: AgendaSource, *, order: int) -> None:
    if all(s is not source for _o, s in _AGENDA_SOURCES):
        _AGENDA_SOURCES.append((order, source))
        _AGENDA_SOURCES.sort(key=lambda entry: entry[0])


def agenda_sources() -> list[AgendaSource]:
    return [source for _order, source in _AGENDA_SOURCES]


HARD_KINDS = frozenset({"deadline", "hearing"})


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # "deadline" | "hearing" | whatever an agenda source adds ("task", ...)
    day: date
    at: time | None
    title: str
    matter: Matter | None  # None for personal items (a task without a matter)
    priority: str
    provisional: bool = False
    obj: Any = None
    url: str = ""  # where the item itself lives, when not on the matter's page
    # What the agenda's tag calls the item, in the reader's language: each source names its
    # own kind (gettext_lazy), so the agenda knows no other app's vocabulary.
    label: str | Promise = ""
    feed_prefix: str = ""  # before the summary in the ICS feed (e.g. 【任务】)

    @property
    def link(self) -> str:
        return self.url or (f"/matters/{self.matter.pk}/" if self.matter else "")

    @property
    def uid(self) -> str:
        """Stable across feed refreshes: calendar apps update the event instead of adding."""
        pk = getattr(self.obj, "pk", None)
        if pk is None:
            pk = f"{self.matter.pk if self.matter else 0}-{self.day.isoformat()}"
        return f"{self.kind}-{pk}"

    @property
    def summary(self) -> str:
        return f"{self.title} · {self.matter.number}" if self.matter else self.title

    @property
    def hard(self) -> bool:
        """A date the law or the court sets (a deadline, a hearing): missing it cannot be
        undone, unlike a reminder (tasks, client updates, reviews, archiving, file loans)."""
        return self.kind in HARD_KINDS

    @property
    def sort_key(self) -> tuple:
        # Within a day, hard dates come before reminders, then by priority.
        return (self.day, not self.hard, self.priority, self.at or time.max, self.title)


# -- The matter list's text index --------------------------------------------------------
# `matters_filter` (the list's q=) reads a text index before its substring conditions, so
# it does not scan every matter, party and 案号. The index lives above the gate
# (`lexcase.search` registers `search.selectors.matter_text_candidates`); the gate keeps
# the list, its conditions and its keyset order, and asks only for candidates.
#
# `fn(raw, normalized)`: `raw` is the stripped term, `normalized` its `normalize_name`. It
# returns matter ids for `pk__in` (a one-column queryset or `RawSQL`) holding at least
# every matter whose number, title or 案号 contains `raw` or one of whose parties'
# normalised names contains `normalized` — more is harmless, the list's conditions decide —
# or None when the index cannot promise that for this term; the list then scans (LIKE).
MatterTextIndex = Callable[[str, str], Any]

_TEXT_INDEX: list[MatterTextIndex] = []


def matter_text_index_register(fn: MatterTextIndex) -> None:
    """Make `fn` the matter list's text index (one at a time; the last registered wins)."""
    _TEXT_INDEX[:] = [fn]


def matter_text_index() -> MatterTextIndex | None:
    return _TEXT_INDEX[0] if _TEXT_INDEX else None


# -- The party directory's name grams ----------------------------------------------------
# `parties_search` starts a name search from the parties holding the term's rarest
# character grams. The grams are the conflict index's (`lexcase.conflicts` registers
# `conflicts.selectors.NAME_GRAMS`); the gate keeps the search, its conditions and its
# keyset order. Without a registered index the search walks the name index (slower, the
# same rows).
@dataclass(frozen=True)
class PartyNameGrams:
    # counts(grams, cap): how many parties hold each gram, each capped at cap + 1, in one
    # query (an index range per gram).
    counts: Callable[[list[str], int], list[int]]
    # parties(grams): a one-column queryset of the `party_id`s holding every one of the
    # grams (the first, the rarest, read as an index range; the others probed), for `pk__in`.
    parties: Callable[[list[str]], Any]


_NAME_GRAMS: list[PartyNameGrams] = []


def party_name_grams_register(index: PartyNameGrams) -> None:
    """Make `index` the directory's name grams (one at a time; the last registered wins)."""
    _NAME_GRAMS[:] = [index]


def party_name_grams() -> PartyNameGrams | None:
    return _NAME_GRAMS[0] if _NAME_GRAMS else None

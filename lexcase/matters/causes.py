"""The 案由 picker's data: every cause in tree order with its depth, the path of names above
it and what a lawyer may type to find it (the name, the names above it, its pinyin and
pinyin initials: 买卖 or mmht finds 买卖合同纠纷)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lexcase.matters.models import CaseCause


@dataclass(frozen=True)
class CauseOption:
    pk: int
    name: str
    kind: str
    depth: int  # 1 = directly under its part / chapter
    root: str  # the part (民事), chapter (刑法分则) or 行政行为 it sits in
    search: str


@lru_cache(maxsize=4096)
def pinyin_forms(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a name, lower case: 买卖合同纠纷 -> mmhtjf,
    maimaihetongjiufen."""
    # pypinyin's dictionaries are large: loaded on the first filter, not at start-up.
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    return "".join(s[0] for s in syllables if s), "".join(syllables)


def _walk(
    children: dict[int | None, list[CaseCause]],
    node: CaseCause,
    depth: int,
    path: tuple[str, ...],
    out: list[CauseOption],
) -> None:
    for child in children.get(node.pk, []):
        initials, full = pinyin_forms(child.name)
        out.append(
            CauseOption(
                pk=child.pk,
                name=child.name,
                kind=child.kind,
                depth=depth,
                root=path[0],
                search=" ".join((*path, child.name, initials, full)).lower(),
            )
        )
        _walk(children, child, depth + 1, (*path, child.name), out)


def cause_tree() -> list[tuple[CaseCause, list[CauseOption]]]:
    """Roots (parts, chapters) in order, each with its selectable causes depth-first."""
    order = {"civil": 0, "criminal": 1, "administrative": 2}
    rows = sorted(CaseCause.objects.all(), key=lambda c: (order.get(c.kind, 9), c.version, c.code))
    children: dict[int | None, list[CaseCause]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    tree = []
    for root in children.get(None, []):
        options: list[CauseOption] = []
        _walk(children, root, 1, (root.name,), options)
        if options:
            tree.append((root, options))
    return tree

"""Integrity tests for the 民事案件案由 reference data."""

from __future__ import annotations

import pytest

from lexcase.matters.causes_data import (
    CAUSE_VERSIONS,
    CAUSES_2020,
    CAUSES_BY_VERSION,
    UNSHIPPED_CAUSE_VERSIONS,
    CauseRow,
)

_ALL_VERSIONS = sorted(CAUSES_BY_VERSION.items())


def test_cause_versions_match_shipped_data() -> None:
    assert sorted(CAUSE_VERSIONS) == sorted(CAUSES_BY_VERSION)


def test_unshipped_versions_have_no_data() -> None:
    assert not set(UNSHIPPED_CAUSE_VERSIONS) & set(CAUSES_BY_VERSION)


@pytest.mark.parametrize(("version", "rows"), _ALL_VERSIONS)
def test_causes_parents_exist(version: str, rows: list[CauseRow]) -> None:
    codes = {code for code, _name, _parent in rows}
    missing = [(code, parent) for code, _name, parent in rows if parent and parent not in codes]
    assert missing == []


@pytest.mark.parametrize(("version", "rows"), _ALL_VERSIONS)
def test_causes_parents_listed_before_children(version: str, rows: list[CauseRow]) -> None:
    # A loader can then insert rows in order without deferring foreign keys.
    seen: set[str] = set()
    late = []
    for code, _name, parent in rows:
        if parent is not None and parent not in seen:
            late.append(code)
        seen.add(code)
    assert late == []


@pytest.mark.parametrize(("version", "rows"), _ALL_VERSIONS)
def test_causes_codes_unique(version: str, rows: list[CauseRow]) -> None:
    codes = [code for code, _name, _parent in rows]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(("version", "rows"), _ALL_VERSIONS)
def test_causes_names_unique(version: str, rows: list[CauseRow]) -> None:
    names = [name for _code, name, _parent in rows]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert duplicates == []


@pytest.mark.parametrize(("version", "rows"), _ALL_VERSIONS)
def test_causes_codes_nest_under_parent(version: str, rows: list[CauseRow]) -> None:
    wrong = [code for code, _name, parent in rows if parent and not code.startswith(f"{parent}.")]
    assert wrong == []


@pytest.mark.parametrize(("version", "rows"), _ALL_VERSIONS)
def test_causes_names_clean(version: str, rows: list[CauseRow]) -> None:
    assert [name for _code, name, _parent in rows if not name or name != name.strip()] == []


def test_causes_2020_has_eleven_parts() -> None:
    parts = [(code, name) for code, name, parent in CAUSES_2020 if parent is None]
    assert parts == [
        ("P01", "人格权纠纷"),
        ("P02", "婚姻家庭、继承纠纷"),
        ("P03", "物权纠纷"),
        ("P04", "合同、准合同纠纷"),
        ("P05", "知识产权与竞争纠纷"),
        ("P06", "劳动争议、人事争议"),
        ("P07", "海事海商纠纷"),
        ("P08", "与公司、证券、保险、票据等有关的民事纠纷"),
        ("P09", "侵权责任纠纷"),
        ("P10", "非讼程序案件案由"),
        ("P11", "特殊诉讼程序案件案由"),
    ]


def test_causes_2020_has_common_causes() -> None:
    names = {name for _code, name, _parent in CAUSES_2020}
    expected = {
        "离婚纠纷",
        "民间借贷纠纷",
        "买卖合同纠纷",
        "房屋租赁合同纠纷",
        "建设工程施工合同纠纷",
        "劳动合同纠纷",
        "机动车交通事故责任纠纷",
        "股权转让纠纷",
        "侵害商标权纠纷",
        "案外人执行异议之诉",
    }
    assert expected - names == set()
    assert len(CAUSES_2020) - 11 >= 60

"""The 案由 picker in a browser (issue 16 item 16): type a word or pinyin initials and only
the matching causes of the matter's type remain, under their part."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def causes(transactional_db: None) -> None:
    """The reference data of the migrations (a browser test's flush removes it)."""
    from lexcase.matters.causes_data import CAUSES_BY_VERSION
    from lexcase.matters.causes_other_data import (
        ADMINISTRATIVE_CAUSES,
        CRIMINAL_CHARGES,
        OTHER_CAUSE_VERSIONS,
    )
    from lexcase.matters.models import CaseCause

    if CaseCause.objects.exists():
        return
    data = {"crim2021": CRIMINAL_CHARGES, "admin2020": ADMINISTRATIVE_CAUSES}
    versions = [(v, "civil", rows) for v, rows in CAUSES_BY_VERSION.items()]
    versions += [(v, kind, data[v]) for v, (kind, _s) in OTHER_CAUSE_VERSIONS.items()]
    for version, kind, rows in versions:
        by_code: dict[str, Any] = {}
        for code, name, parent in rows:
            by_code[code] = CaseCause.objects.create(
                version=version, kind=kind, code=code, name=name, parent=by_code.get(parent)
            )


def visible(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#id_cause optgroup:not([hidden]) option:not([hidden])",
        "els => els.map(e => e.textContent.trim())",
    )


def test_typing_pinyin_initials_or_a_word_filters_the_causes(
    page: Any, live_server: Any, users: dict[str, Any], login: Any, causes: None, screenshot: Any
) -> None:
    login(page, "lawyer")
    page.goto(live_server.url + "/matters/new/")
    page.select_option("#id_matter_type", "civil")
    page.fill("#id_cause_filter", "mmht")
    shown = visible(page)
    assert "买卖合同纠纷" in shown
    assert all("合同" in name for name in shown), shown
    assert "合同诈骗罪" not in shown
    page.fill("#id_cause_filter", "买卖")
    assert "买卖合同纠纷" in visible(page)
    assert "房屋买卖合同纠纷" in visible(page) or len(visible(page)) >= 1
    screenshot(page, "cause-picker-civil.png")
    page.select_option("#id_matter_type", "criminal")
    page.fill("#id_cause_filter", "诈骗")
    shown = visible(page)
    assert "合同诈骗罪" in shown and "买卖合同纠纷" not in shown
    page.select_option("#id_cause", label="合同诈骗罪")
    page.select_option("#id_matter_type", "administrative")
    page.fill("#id_cause_filter", "fk")
    assert "罚款" in visible(page)
    screenshot(page, "cause-picker-administrative.png")
    page.csp.assert_clean()

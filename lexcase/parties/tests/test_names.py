"""Tests for party name normalisation keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from lexcase.parties.names import _t2s, core_name, name_keys, normalize_name, trade_name

# Mixes CJK (incl. traditional forms), Latin, full-width forms, brackets, dots and spaces so
# that generated text exercises every normalisation step, not just random code points.
name_alphabet = st.sampled_from(
    list(
        "華為技術臺灣發展國際华为技术有限公司责任集团股份合伙企业分店北京深圳市科技"
        "abcXYZＡＢｃ１２()（）〔〕【】［］｛｝[]{}〖〗·•・‧･.　 \t\u200bİßﬁé"
    )
)
name_like_text = st.text(alphabet=name_alphabet, max_size=30)


# --- normalize_name ------------------------------------------------------------------------


def test_normalize_name_traditional_equals_simplified() -> None:
    assert normalize_name("華為技術有限公司") == normalize_name("华为技术有限公司")


def test_normalize_name_traditional_converted_to_simplified() -> None:
    assert normalize_name("華為技術有限公司") == "华为技术有限公司"


def test_normalize_name_fullwidth_latin_and_parentheses_folded() -> None:
    assert normalize_name("ＡＢＣ（北京）") == "abc(北京)"


def test_normalize_name_lenticular_brackets_become_parentheses() -> None:
    assert normalize_name("【北京】华泰科技有限公司") == "(北京)华泰科技有限公司"


@pytest.mark.parametrize(
    "name",
    [
        "〔北京〕华泰",
        "［北京］华泰",
        "｛北京｝华泰",
        "[北京]华泰",
        "{北京}华泰",
        "〖北京〗华泰",
        "〘北京〙华泰",
        "〚北京〛华泰",
        "⦅北京⦆华泰",
    ],
)
def test_normalize_name_bracket_variants_become_parentheses(name: str) -> None:
    assert normalize_name(name) == "(北京)华泰"


def test_normalize_name_title_marks_kept() -> None:
    assert normalize_name("《法律》杂志社") == "《法律》杂志社"


def test_normalize_name_ideographic_space_removed() -> None:
    assert normalize_name("张\u3000三") == "张三"


def test_normalize_name_all_whitespace_removed() -> None:
    assert normalize_name(" 华泰\t科技\n有限\u00a0公司\u2003") == "华泰科技有限公司"


def test_normalize_name_zero_width_space_removed() -> None:
    assert normalize_name("华泰\u200b科技") == "华泰科技"


@pytest.mark.parametrize("dot", ["·", "•", "・", "‧", "･"])
def test_normalize_name_interpuncts_unified(dot: str) -> None:
    assert normalize_name(f"约翰{dot}史密斯") == "约翰·史密斯"


def test_normalize_name_ascii_period_kept() -> None:
    assert normalize_name("J.Smith") == "j.smith"


def test_normalize_name_latin_lowercased() -> None:
    assert normalize_name("Baker McKenzie LLP") == "bakermckenziellp"


def test_normalize_name_empty_stays_empty() -> None:
    assert normalize_name("") == ""


@given(st.text())
def test_normalize_name_idempotent_for_any_text(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@given(name_like_text)
def test_normalize_name_idempotent_for_name_like_text(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


@settings(max_examples=50)
@given(name_like_text)
def test_normalize_name_result_has_no_whitespace(text: str) -> None:
    assert not any(ch.isspace() for ch in normalize_name(text))


# --- core_name -----------------------------------------------------------------------------


def test_core_name_limited_and_limited_liability_share_core() -> None:
    assert core_name("北京华泰科技有限责任公司") == core_name("北京华泰科技有限公司")


def test_core_name_limited_liability_suffix_removed() -> None:
    assert core_name("北京华泰科技有限责任公司") == "北京华泰科技"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("华泰集团股份有限公司", "华泰"),
        ("华泰集团有限公司", "华泰"),
        ("华泰股份有限公司", "华泰"),
        ("华泰股份公司", "华泰"),
        ("华泰律师事务所特殊普通合伙企业", "华泰律师事务所"),
        ("华泰普通合伙企业", "华泰"),
        ("华泰有限合伙企业", "华泰"),
        ("华泰合伙企业", "华泰"),
        ("华泰个人独资企业", "华泰"),
        ("华泰公司北京分公司", "华泰公司北京"),
        ("华泰分店", "华泰"),
        ("华泰集团", "华泰"),
        ("华泰公司", "华泰"),
    ],
)
def test_core_name_org_suffix_removed(name: str, expected: str) -> None:
    assert core_name(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "中国平安保险(集团)股份有限公司",
        "中国平安保险（中国）股份有限公司",
        "中国平安保险【集团】股份有限公司",
    ],
)
def test_core_name_bracketed_tags_dropped(name: str) -> None:
    assert core_name(name) == "中国平安保险"


def test_core_name_partnership_tag_dropped() -> None:
    assert core_name("华泰律师事务所（特殊普通合伙）") == "华泰律师事务所"


def test_core_name_nested_groups_dropped() -> None:
    assert core_name("华泰(北京(朝阳))科技有限公司") == "华泰科技"


def test_core_name_traditional_matches_simplified() -> None:
    assert core_name("華為技術有限公司") == core_name("华为技术有限公司") == "华为技术"


def test_core_name_bare_suffix_kept() -> None:
    assert core_name("集团") == "集团"


def test_core_name_only_tag_keeps_content() -> None:
    assert core_name("(集团)") == "集团"


def test_core_name_empty_stays_empty() -> None:
    assert core_name("") == ""


@given(st.text())
def test_core_name_idempotent_for_any_text(text: str) -> None:
    once = core_name(text)
    assert core_name(once) == once


@given(name_like_text)
def test_core_name_idempotent_for_name_like_text(text: str) -> None:
    once = core_name(text)
    assert core_name(once) == once


# --- trade_name ----------------------------------------------------------------------------


def test_trade_name_region_and_industry_removed() -> None:
    assert trade_name("深圳市大疆创新科技有限公司") == "大疆创新"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("北京华泰科技有限责任公司", "华泰"),
        ("上海华泰信息技术有限公司", "华泰"),
        ("广东省华泰贸易有限公司", "华泰"),
        ("浙江省杭州市阿里巴巴网络科技有限公司", "阿里巴巴"),
        ("杭州阿里巴巴网络科技有限公司", "阿里巴巴"),
        ("新疆维吾尔自治区天山实业有限公司", "天山"),
        ("内蒙古自治区伊利实业集团股份有限公司", "伊利"),
        ("香港特别行政区华泰投资有限公司", "华泰"),
        ("腾讯科技(深圳)有限公司", "腾讯"),
        ("華為技術有限公司", "华为"),
    ],
)
def test_trade_name_examples(name: str, expected: str) -> None:
    assert trade_name(name) == expected


def test_trade_name_without_region_or_industry_equals_core() -> None:
    assert trade_name("大疆创新有限公司") == "大疆创新"


def test_trade_name_too_short_falls_back_to_core() -> None:
    assert trade_name("北京科技有限公司") == "北京科技"


def test_trade_name_single_char_left_falls_back_to_core() -> None:
    assert trade_name("北京华科技有限公司") == "北京华科技"


def test_trade_name_empty_stays_empty() -> None:
    assert trade_name("") == ""


@given(name_like_text)
def test_trade_name_nonempty_for_nonempty_core(text: str) -> None:
    if core_name(text):
        assert trade_name(text) != ""


# --- name_keys -----------------------------------------------------------------------------


def test_name_keys_person_all_keys_normalized() -> None:
    assert name_keys("張　三", kind="person") == {
        "normalized": "张三",
        "core": "张三",
        "trade": "张三",
    }


def test_name_keys_person_suffix_like_name_not_stripped() -> None:
    keys = name_keys("王公司", kind="person")
    assert keys == {"normalized": "王公司", "core": "王公司", "trade": "王公司"}


def test_name_keys_organization_keys() -> None:
    assert name_keys("深圳市大疆创新科技有限公司", kind="organization") == {
        "normalized": "深圳市大疆创新科技有限公司",
        "core": "深圳市大疆创新科技",
        "trade": "大疆创新",
    }


def _opencc_t2s():
    # The library itself, as the shortcut's reference.
    return OpenCC("t2s").convert


def _every_key() -> list[str]:
    converter = OpenCC("t2s")
    return [key for chain in converter._dict_chain_data for _l, _s, table in chain for key in table]


def test_t2s_shortcut_converts_as_opencc_every_key_and_names() -> None:
    """The traditional-to-simplified step skips OpenCC for a text holding none of its keys
    (most names): the result is OpenCC's for every key of its dictionaries, alone and inside
    a simplified name, and for names with and without traditional characters."""
    reference, ours = _opencc_t2s(), _t2s()
    texts = [
        "",
        "王淑",
        "苏州市汇腾网络科技有限公司",
        "Kevin Rossi",
        "華為技術（深圳）有限公司",
        "張偉明",
    ]
    texts += ["有序经营", "沈默是金", "北京沈船重工有限公司"]  # phrase keys of plain characters
    for key in _every_key():
        texts += [key, f"北京{key}科技有限公司"]
    assert [t for t in texts if ours(t) != reference(t)] == []


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=12))
@settings(max_examples=300, deadline=None)
def test_t2s_shortcut_equals_opencc_for_any_han_text(text: str) -> None:
    assert _t2s()(text) == _opencc_t2s()(text)

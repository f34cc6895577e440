"""Party name normalisation for conflict-of-interest matching.

Three keys of decreasing strictness are derived from a name:

* ``normalize_name`` folds width, brackets, whitespace, middle dots, traditional characters
  and Latin case, so 華為技術（深圳）有限公司 and 华为技术(深圳)有限公司 compare equal.
* ``core_name`` also drops bracketed tags and the organisational-form suffix, so a
  有限公司 and a 有限责任公司 of the same name share a key.
* ``trade_name`` also drops a leading region and a trailing industry word, leaving the
  distinctive trade name (字号) that conflict checks care about most.

Pure Python, no Django. Every function is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "clean_display_name",
    "core_name",
    "name_keys",
    "normalize_name",
    "strip_format_characters",
    "trade_name",
]

# Applied after NFKC, which already folds full-width （）［］｛｝ and the vertical presentation
# forms. Angle and corner brackets (《》〈〉「」『』) are left alone: in Chinese they are
# title marks and quotes, not brackets.
_OPENERS = "[{〔【〖〘〚⁅❨❪❲❴⟦⟬⟮⦃⦅⦗⸨"
_CLOSERS = "]}〕】〗〙〛⁆❩❫❳❵⟧⟭⟯⦄⦆⦘⸩"
# Interpuncts separate the parts of transliterated foreign names (约翰·史密斯) and are typed
# with several code points; U+FF65 (half-width) already becomes U+30FB under NFKC. ASCII "."
# is kept as is: telling "J.Smith" from "Co.Ltd" is not worth the guesswork here.
_DOTS = "•・‧"
_TRANSLATION = str.maketrans(
    {
        **dict.fromkeys(_OPENERS, "("),
        **dict.fromkeys(_CLOSERS, ")"),
        **dict.fromkeys(_DOTS, "·"),
    }
)


def _is_format_character(char: str) -> bool:
    # Unicode category Cf: invisible characters that survive NFKC and are not
    # str.isspace(): zero-width spaces and joiners, bidi controls (U+202A–U+202E,
    # U+2066–U+2069, which can also make a name display reversed), the soft hyphen, BOM.
    # They break equality without changing what a reader sees, so no name keeps them.
    return unicodedata.category(char) == "Cf"


def strip_format_characters(text: str) -> str:
    """`text` without Unicode format characters (category Cf)."""
    if text.isascii():
        return text
    return "".join(ch for ch in text if not _is_format_character(ch))


def clean_display_name(name: str) -> str:
    """A name as it is stored and shown: no format characters (an U+202E override would make
    it display reversed), inner whitespace runs collapsed to one space, trimmed."""
    return " ".join(strip_format_characters(name or "").split())


# Tried longest first so that 股份有限公司 is removed whole rather than leaving 股份.
_ORG_SUFFIXES = (
    "集团股份有限公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "特殊普通合伙企业",
    "普通合伙企业",
    "有限合伙企业",
    "合伙企业",
    "个人独资企业",
    "分公司",
    "分店",
    "集团",
    "公司",
)
_ORG_SUFFIXES_LONGEST_FIRST = tuple(sorted(_ORG_SUFFIXES, key=len, reverse=True))

_PROVINCES = (
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    # Full names of the autonomous regions, which carry the ethnic group's name.
    "广西壮族",
    "宁夏回族",
    "新疆维吾尔",
)
_CITIES = (
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "厦门",
    "青岛",
    "宁波",
    "大连",
    "沈阳",
    "长沙",
    "郑州",
    "济南",
    "福州",
    "合肥",
    "昆明",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "南昌",
    "南宁",
    "贵阳",
    "兰州",
    "海口",
    "呼和浩特",
    "乌鲁木齐",
    "拉萨",
    "银川",
    "西宁",
    "无锡",
    "佛山",
    "东莞",
    "珠海",
    "温州",
    "常州",
    "南通",
    "泉州",
    "烟台",
    "徐州",
)
_REGION_SUFFIXES = ("特别行政区", "自治区", "省", "市")

_INDUSTRY_WORDS = (
    "房地产开发",
    "供应链管理",
    "信息技术",
    "信息科技",
    "网络科技",
    "智能科技",
    "生物科技",
    "教育科技",
    "环保科技",
    "文化传播",
    "餐饮管理",
    "企业管理",
    "投资管理",
    "资产管理",
    "物业管理",
    "电子商务",
    "国际贸易",
    "建筑工程",
    "装饰工程",
    "人力资源",
    "科技",
    "技术",
    "贸易",
    "商贸",
    "投资",
    "控股",
    "实业",
    "发展",
    "咨询",
    "管理",
    "建设",
    "工程",
    "电子",
    "传媒",
    "医药",
    "物流",
    "软件",
    "置业",
)


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# A province may be followed by a city (浙江省杭州市…), hence the optional second group.
_REGION_PREFIX = re.compile(
    rf"^(?:(?:{_alternation(_PROVINCES)})(?:{_alternation(_REGION_SUFFIXES)})?)?"
    rf"(?:(?:{_alternation(_CITIES)})市?)?"
)
_INDUSTRY_SUFFIX = re.compile(rf"(?:{_alternation(_INDUSTRY_WORDS)})$")
_INNERMOST_GROUP = re.compile(r"\([^()]*\)")

# Several steps (NFKC, t2s phrase conversion, lower-casing) can expose new work for one
# another; re-running until nothing changes makes the result a fixed point, i.e. idempotent.
_MAX_PASSES = 8
_MIN_TRADE_NAME_LENGTH = 2


@cache
def _t2s() -> Callable[[str], str]:
    # Loading the OpenCC dictionaries takes a noticeable fraction of a second: do it once,
    # and only when a name is first normalised.
    from opencc import OpenCC

    converter = OpenCC("t2s")
    convert: Callable[[str], str] = converter.convert
    keys = _dictionary_keys(converter)
    if keys is None:
        return convert
    characters, phrases = keys

    def t2s(text: str) -> str:
        # The pure-Python converter walks a parse tree per call (≈ 50 µs a name, several
        # calls a name); a text holding no key of its dictionaries comes back unchanged, and
        # most names (every name already in simplified characters) hold none.
        if characters.isdisjoint(text) and not any(p in text for p in phrases):
            return text
        return convert(text)

    return t2s


def _dictionary_keys(converter: object) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """What a text must contain for the converter to change it: one of `characters` (the
    one-character keys of its dictionaries), or one of `phrases` (the longer keys holding
    none of them; every other key holds one). None when the converter's tables are not
    laid out as opencc-python-reimplemented 0.1.7 lays them out (then no shortcut)."""
    try:
        tables = [
            table
            for chain in converter._dict_chain_data  # type: ignore[attr-defined]
            for _longest, _shortest, table in chain
        ]
        keys = [key for table in tables for key in table]
    except (AttributeError, TypeError, ValueError):
        return None
    if not keys or not all(isinstance(key, str) and key for key in keys):
        return None
    characters = frozenset(key for key in keys if len(key) == 1)
    phrases = tuple(sorted(key for key in keys if len(key) > 1 and characters.isdisjoint(key)))
    return characters, phrases


def _fixed_point(step: Callable[[str], str], value: str) -> str:
    for _ in range(_MAX_PASSES):
        result = step(value)
        if result == value:
            break
        value = result
    return value


def _normalize_once(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).translate(_TRANSLATION)
    text = "".join(ch for ch in text if not ch.isspace() and not _is_format_character(ch))
    if text:
        text = _t2s()(text)
    return text.lower()


def normalize_name(name: str) -> str:
    """Return the canonical form of a person or organisation name.

    NFKC, every bracket variant as ASCII "(" ")", no whitespace at all (incl. U+3000) and no
    format characters (category Cf: bidi controls, zero-width characters, soft hyphen),
    interpuncts (· • ・ ‧) as "·", traditional characters as simplified (OpenCC t2s), and
    lower case.
    """
    return _fixed_point(_normalize_once, name)


def _drop_groups(text: str) -> str:
    while True:
        stripped = _INNERMOST_GROUP.sub("", text)
        if stripped == text:
            break
        text = stripped
    # Unbalanced leftovers are typing noise, not meaning.
    return text.replace("(", "").replace(")", "")


def _strip_org_suffixes(text: str) -> str:
    # Repeated so that stacked forms (…公司分公司) all go; a bare suffix such as 集团 is kept
    # rather than reduced to nothing.
    changed = True
    while changed:
        changed = False
        for suffix in _ORG_SUFFIXES_LONGEST_FIRST:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
                break
    return text


def without_org_suffix(text: str) -> str:
    """`text` without its trailing organisational-form suffixes (有限公司, 股份有限公司,
    分公司, …), as `core_name` drops them; a bare suffix is kept."""
    return _strip_org_suffixes(text)


def _core_once(name: str) -> str:
    normalized = normalize_name(name)
    core = _strip_org_suffixes(_drop_groups(normalized))
    if core:
        return core
    # A name that is nothing but a bracketed tag keeps its content rather than vanishing.
    return _strip_org_suffixes(normalized.replace("(", "").replace(")", ""))


def core_name(name: str) -> str:
    """Return the name without bracketed tags and without its organisational-form suffix.

    北京华泰科技有限责任公司 and 北京华泰科技有限公司 both give 北京华泰科技.
    """
    return _fixed_point(_core_once, name)


def trade_name(name: str) -> str:
    """Return the core name without a leading region and a trailing industry word.

    深圳市大疆创新科技有限公司 gives 大疆创新. If that would leave fewer than 2 characters
    the core name is returned instead, so the key is never empty for a non-empty name and
    never degenerates into a generic word shared by unrelated firms.
    """
    core = core_name(name)
    trade = _REGION_PREFIX.sub("", core, count=1)
    trade = _INDUSTRY_SUFFIX.sub("", trade, count=1)
    if len(trade) < _MIN_TRADE_NAME_LENGTH:
        return core
    return trade


def name_keys(name: str, *, kind: str) -> dict[str, str]:
    """Return the matching keys for a party name.

    For ``kind == "person"`` all three keys are the normalised name, because suffix and
    region stripping only make sense for organisations; any other kind is an organisation.
    """
    normalized = normalize_name(name)
    if kind == "person":
        return {"normalized": normalized, "core": normalized, "trade": normalized}
    return {"normalized": normalized, "core": core_name(name), "trade": trade_name(name)}

"""The labelled test set: a small stored world and queries with the match each must produce.

Every stored party is the opposing party on a live matter of the firm, so a query with the
role ``client`` shows what verdict each match class may carry: ``absolute`` only when the
match is conclusive (identifier, exact organisation name, alias, same legal form), at most
``review`` otherwise. Classes cover every variant the engine promises to find (docs/domain.md §6,
docs/quality.md T13); ``NEGATIVES`` must never yield an absolute verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lexcase.parties.identifiers import credit_code_check_char, id_number_check_char


def _id(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _uscc(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


ID_LI = _id("11010519800101123")
ID_LI_OTHER = _id("31010419850505456")
ID_CHEN = _id("44030519900303222")
ID_NOBODY = _id("51010719751212333")
USCC_YUNQI = _uscc("91330100MA2ABCDE1")
USCC_OTHER = _uscc("91110105MA01XYW00")


@dataclass(frozen=True)
class Stored:
    key: str
    name: str
    kind: str = "organization"
    id_number: str = ""
    credit_code: str = ""
    passport: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relation:
    source: str
    target: str
    kind: str


@dataclass(frozen=True)
class Relative:
    key: str
    name: str
    relation: str = "spouse"
    id_number: str = ""


@dataclass(frozen=True)
class Case:
    """A query and the stored owner it must find, with the way it must be found."""

    cls: str
    name: str
    kind: str
    expect: str  # key of the Stored party or Relative that must be among the candidates
    matched_on: str
    verdict: str  # the verdict for that owner when the query is a proposed client
    id_number: str = ""
    credit_code: str = ""
    passport: str = ""
    note: str = field(default="", compare=False)


STORED = [
    Stored("li", "李建华", "person", id_number=ID_LI),
    Stored("yunqi", "杭州云栖数据有限公司", credit_code=USCC_YUNQI),
    Stored("smith", "John Smith", "person", passport="E12345678"),
    Stored("mingyuan", "上海明远咨询有限公司"),
    Stored("ouyang", "欧阳娜娜", "person"),
    Stored("abc", "ＡＢＣ国际贸易有限公司"),
    Stored("sima", "司马 相如", "person"),
    Stored("huawei", "华为技术有限公司"),
    Stored("tencent", "腾讯科技（深圳）有限公司"),
    Stored("apple", "Apple Inc."),
    Stored("bytedance", "北京字节跳动科技有限公司"),
    Stored("pingan", "平安银行股份有限公司"),
    Stored("dji", "深圳市大疆创新科技有限公司"),
    Stored("ant", "蚂蚁科技集团股份有限公司", aliases=("浙江蚂蚁小微金融服务集团股份有限公司",)),
    Stored("zhou", "周树人", "person", aliases=("鲁迅",)),
    Stored("wangxm", "王晓明", "person"),
    Stored("shan", "单田芳", "person"),
    Stored("ren", "任正飞", "person"),
    Stored("hwholding", "华为投资控股有限公司"),
    Stored("zhang", "张德江", "person", id_number=ID_LI_OTHER),
]

RELATIONS = [
    Relation("ren", "huawei", "legal_rep"),
    Relation("hwholding", "huawei", "parent"),
]

RELATIVES = [
    Relative("chen", "陈静", "spouse"),
    Relative("chen_id", "赵雅芝", "child", id_number=ID_CHEN),
    Relative("cousin", "钱多多", "other"),
]

CASES = [
    # identifier: the name may differ entirely; the identifier decides.
    Case("identifier", "李剑华", "person", "li", "id", "absolute", id_number=ID_LI),
    Case(
        "identifier", "云栖数据", "organization", "yunqi", "id", "absolute", credit_code=USCC_YUNQI
    ),
    Case("identifier", "J. Smith", "person", "smith", "id", "absolute", passport="e1234 5678"),
    Case("identifier", "李剑华", "person", "li", "id", "absolute", id_number=ID_LI.lower()),
    # exact
    Case("exact", "上海明远咨询有限公司", "organization", "mingyuan", "name", "absolute"),
    Case("exact", "欧阳娜娜", "person", "ouyang", "name", "review"),
    Case("exact", "华为技术有限公司", "organization", "huawei", "name", "absolute"),
    # normalised spellings of the same name
    Case("normalised", "ABC国际贸易有限公司", "organization", "abc", "name", "absolute"),
    Case("normalised", "abc国际贸易有限公司", "organization", "abc", "name", "absolute"),
    Case("normalised", "司马相如", "person", "sima", "name", "review"),
    Case("normalised", "司马\u3000相如 ", "person", "sima", "name", "review"),
    Case("normalised", "華為技術有限公司", "organization", "huawei", "name", "absolute"),
    Case("normalised", "腾讯科技(深圳)有限公司", "organization", "tencent", "name", "absolute"),
    Case("normalised", "腾讯科技【深圳】有限公司", "organization", "tencent", "name", "absolute"),
    Case("normalised", "腾讯科技〔深圳〕有限公司", "organization", "tencent", "name", "absolute"),
    Case("normalised", "APPLE INC.", "organization", "apple", "name", "absolute"),
    Case("normalised", "上海明远咨询 有限公司", "organization", "mingyuan", "name", "absolute"),
    # core name: equivalent legal forms are the same name (公司法 Art. 7)
    Case(
        "core", "北京字节跳动科技有限责任公司", "organization", "bytedance", "core_name", "absolute"
    ),
    Case("core", "平安银行股份公司", "organization", "pingan", "core_name", "absolute"),
    Case("core", "上海明远咨询公司", "organization", "mingyuan", "core_name", "review"),
    # trade name (字号)
    Case("trade", "大疆创新", "organization", "dji", "trade", "review"),
    Case("trade", "北京大疆创新科技有限公司", "organization", "dji", "trade", "review"),
    Case("trade", "云栖数据", "organization", "yunqi", "trade", "review"),
    # alias / former name
    Case(
        "alias",
        "浙江蚂蚁小微金融服务集团股份有限公司",
        "organization",
        "ant",
        "alias",
        "absolute",
    ),
    Case("alias", "鲁迅", "person", "zhou", "alias", "review"),
    # substrings of 1 and 2 characters: must be found (no silent zero), only for review
    Case("substring_1", "疆", "person", "dji", "substring", "review"),
    Case("substring_1", "娜", "person", "ouyang", "substring", "review"),
    Case("substring_1", "鲁", "person", "zhou", "substring", "review"),
    Case("substring_2", "字节", "organization", "bytedance", "substring", "review"),
    Case("substring_2", "娜娜", "person", "ouyang", "substring", "review"),
    Case("substring_2", "大疆", "organization", "dji", "substring", "review"),
    Case("substring_2", "田芳", "person", "shan", "substring", "review"),
    Case("substring_3", "云栖数", "organization", "yunqi", "substring", "review"),
    Case("substring_3", "跳动科技", "organization", "bytedance", "substring", "review"),
    Case("trade", "字节跳动", "organization", "bytedance", "trade", "review"),
    # 1-edit typos: in the trade name (deletion neighbourhoods) ...
    Case("typo", "北京字节眺动科技有限公司", "organization", "bytedance", "typo", "review"),
    Case("typo", "杭州云西数据有限公司", "organization", "yunqi", "typo", "review"),
    Case("typo", "单田芬", "person", "shan", "typo", "review"),
    # ... or outside it (industry word): the stored trade name inside the checked name
    Case("typo", "深圳市大疆创新科枝有限公司", "organization", "dji", "trade", "review"),
    Case("typo", "上海明远咨洵有限公司", "organization", "mingyuan", "trade", "review"),
    # pinyin homophones, including the heteronym surname 单 (shan)
    Case("pinyin", "王小明", "person", "wangxm", "pinyin", "review"),
    Case("pinyin", "善天方", "person", "shan", "pinyin", "review"),
    Case("pinyin", "汪晓鸣", "person", "wangxm", "pinyin", "review"),
    # related parties, one hop from a direct hit
    Case("related", "华为技术有限公司", "organization", "ren", "related", "consent_required"),
    Case("related", "华为技术有限公司", "organization", "hwholding", "related", "consent_required"),
    # relatives of the firm's staff
    Case("staff_relative", "陈静", "person", "chen", "name", "info"),
    Case("staff_relative", "赵雅之", "person", "chen_id", "id", "info", id_number=ID_CHEN),
    Case("staff_relative", "陈晶", "person", "chen", "pinyin", "info"),
]

# Queries (as proposed clients) that must not be judged absolute against any stored party.
NEGATIVES = [
    Case("negative", "王晓明", "person", "wangxm", "name", "review", note="name-only person"),
    Case(
        "negative",
        "张德江",
        "person",
        "zhang",
        "name",
        "info",
        id_number=ID_NOBODY,
        note="same name, different ID",
    ),
    Case(
        "negative",
        "腾讯科技（北京）有限公司",
        "organization",
        "tencent",
        "core_name",
        "review",
        note="different bracketed tag: maybe a sister company",
    ),
    Case("negative", "大疆创新", "organization", "dji", "trade", "review", note="trade only"),
    Case("negative", "疆", "person", "dji", "substring", "review", note="one character"),
    Case(
        "negative",
        "北京字节眺动科技有限公司",
        "organization",
        "bytedance",
        "typo",
        "review",
        note="typo",
    ),
    Case("negative", "王小明", "person", "wangxm", "pinyin", "review", note="homophone"),
    Case(
        "negative",
        "杭州云栖数据有限公司",
        "organization",
        "yunqi",
        "name",
        "review",
        credit_code=USCC_OTHER,
        note="same organisation name, different credit code",
    ),
    Case("negative", "任正非", "person", "ren", "pinyin", "review", note="homophone"),
]

"""The 风险代理 cap at every band boundary, the banned matters, the refused clauses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lexcase.billing.contingency import (
    BAN_CITATION,
    CAP_CITATION,
    CIVIL_BAN_CITATION,
    NATIONAL_BANS,
    Ban,
    banned_by,
    contingency_cap,
    contingency_check,
    contingency_total,
    restrictive_clauses,
)


@pytest.mark.parametrize(
    ("basis", "cap"),
    [
        ("0.01", "0.00"),  # 0.0018
        ("0.03", "0.01"),  # 0.0054
        ("500000", "90000.00"),
        ("999999.99", "180000.00"),  # 179,999.9982, half up
        ("1000000", "180000.00"),  # exactly ¥1M: all at 18%
        ("1000000.03", "180000.00"),  # + 0.0045
        ("1000000.04", "180000.01"),  # + 0.006
        ("3000000", "480000.00"),  # the brief's example
        ("5000000", "780000.00"),
        ("7000000", "1020000.00"),
        ("10000000", "1380000.00"),
        ("20000000", "2280000.00"),
        ("50000000", "4980000.00"),
        ("50000001", "4980000.06"),
        ("100000000", "7980000.00"),
    ],
)
def test_cap_at_every_band_boundary_and_between(basis, cap):
    assert contingency_cap(basis).cap == Decimal(cap)


def test_the_superseded_30_percent_cap_is_never_used():
    # 3M × 30% = 900,000 under the 2006 rule; the tiered cap is 480,000.
    assert contingency_cap("3000000").cap == Decimal("480000.00")
    assert contingency_cap("100000").cap == Decimal("18000.00")


def test_steps_in_chinese():
    assert contingency_cap("3000000").steps == [
        "不超过 ¥1,000,000.00 的部分：¥1,000,000.00 × 18% = ¥180,000.00",
        "¥1,000,000.00 至 ¥5,000,000.00 的部分：¥2,000,000.00 × 15% = ¥300,000.00",
        "收费上限（各部分合计，四舍五入到分）：¥480,000.00",
    ]


def test_steps_in_english_above_the_last_boundary_and_with_exact_parts():
    assert contingency_cap("60000000.01", lang="en").steps == [
        "Part up to ¥1,000,000.00: ¥1,000,000.00 × 18% = ¥180,000.00",
        "Part from ¥1,000,000.00 to ¥5,000,000.00: ¥4,000,000.00 × 15% = ¥600,000.00",
        "Part from ¥5,000,000.00 to ¥10,000,000.00: ¥5,000,000.00 × 12% = ¥600,000.00",
        "Part from ¥10,000,000.00 to ¥50,000,000.00: ¥40,000,000.00 × 9% = ¥3,600,000.00",
        "Part above ¥50,000,000.00: ¥10,000,000.01 × 6% = ¥600,000.0006",
        "Cap (sum of the parts, rounded half-up to the fen): ¥5,580,000.00",
    ]


@pytest.mark.parametrize("bad", ["0", "-1", "1.001", "abc"])
def test_bad_basis_is_refused(bad):
    with pytest.raises(ValueError):
        contingency_cap(bad)


def test_allowed_check_returns_cap_reason_and_steps():
    result = contingency_check("3000000", "civil", cause="买卖合同纠纷")
    assert result["allowed"] is True
    assert result["cap"] == Decimal("480000.00")
    assert result["citation"] == CAP_CITATION
    assert result["reason"] == (
        "可以实行风险代理收费；全部收费（含固定部分）合计不得超过 ¥480,000.00。"
    )
    assert len(result["steps"]) == 3


@pytest.mark.parametrize(
    ("matter_type", "group", "label", "citation"),
    [
        ("criminal", False, "刑事诉讼案件", BAN_CITATION),
        ("administrative", False, "行政诉讼案件", BAN_CITATION),
        ("state_compensation", False, "国家赔偿案件", BAN_CITATION),
        ("civil", True, "群体性诉讼案件", BAN_CITATION),
    ],
)
def test_banned_matter_types(matter_type, group, label, citation):
    result = contingency_check("3000000", matter_type, group_litigation=group)
    assert result == {
        "allowed": False,
        "cap": None,
        "reason": f"{label}不得实行风险代理收费。",
        "citation": citation,
        "steps": [],
    }


@pytest.mark.parametrize(
    ("cause", "label"),
    [
        ("P02", "婚姻、继承案件"),
        ("离婚纠纷", "婚姻、继承案件"),  # a child of P02, by name
        ("P02.02.02", "婚姻、继承案件"),  # 遗嘱继承纠纷
        ("转继承纠纷", "婚姻、继承案件"),  # a grandchild
        ("抚养费纠纷", "请求给付抚养费"),  # the most specific entry wins
        ("P02.01.10", "请求给付扶养费"),
        ("赡养纠纷", "请求给付赡养费"),
        ("社会保险纠纷", "请求给予社会保险待遇"),
        ("养老保险待遇纠纷", "请求给予社会保险待遇"),
        ("工伤保险待遇纠纷", "请求给付工伤赔偿"),
        ("追索劳动报酬纠纷", "请求支付劳动报酬"),
        ("P06.01.01.03", "请求支付劳动报酬"),
    ],
)
def test_banned_causes_by_code_or_name_including_descendants(cause, label):
    result = contingency_check("3000000", "civil", cause=cause)
    assert result["allowed"] is False
    assert result["reason"] == f"{label}不得实行风险代理收费。"
    assert result["citation"] == CIVIL_BAN_CITATION
    assert result["cap"] is None


@pytest.mark.parametrize(
    "cause",
    ["劳动合同纠纷", "劳动争议", "经济补偿金纠纷", "确认劳动关系纠纷", "买卖合同纠纷", "P06"],
)
def test_labour_and_contract_claims_that_are_not_listed_are_allowed(cause):
    # Bans apply per claim, not per 案由 family (domain §3.4).
    assert contingency_check("100000", "labor_arbitration", cause=cause)["allowed"] is True


def test_english_reason():
    result = contingency_check("1", "criminal", lang="en")
    assert result["reason"] == "Contingency fees are not allowed for criminal cases."


def test_unknown_cause_is_an_error():
    with pytest.raises(ValueError, match="unknown cause"):
        contingency_check("100000", "civil", cause="不存在的纠纷")


def test_a_firm_edited_list_replaces_the_national_one():
    firm_list = [b for b in NATIONAL_BANS if b.key != "P02"] + [
        Ban("cause", "P04.01", "合同纠纷（本所规定）", "contracts (firm rule)", "本所收费制度第3条")
    ]
    assert banned_by(matter_type="civil", cause="离婚纠纷", bans=firm_list) is None
    ban = banned_by(matter_type="civil", cause="买卖合同纠纷", bans=firm_list)
    assert ban is not None and ban.citation == "本所收费制度第3条"


def test_total_of_fixed_and_contingent_parts_rounded_once():
    assert contingency_total(
        basis=Decimal("3000000"),
        rate_percent=Decimal("12.5"),
        fixed=Decimal("50000"),
        success_fee=Decimal("20000"),
    ) == Decimal("445000.00")
    assert contingency_total(basis=Decimal("0.03"), rate_percent=Decimal("15")) == Decimal("0.00")
    assert contingency_total(basis=None, fixed=Decimal("1")) == Decimal("1.00")


@pytest.mark.parametrize(
    ("text", "hits"),
    [
        ("委托人不得撤诉。", ["不得撤诉"]),
        ("未经乙方同意，甲方不得与对方和解。", ["未经乙方同意，甲方不得与对方和解"]),
        ("委托人无权自行调解", ["无权自行调解"]),
        ("委托人撤诉的，视为胜诉，仍应按约定支付风险代理费。", ["撤诉的，视为胜诉"]),
        ("如甲方与对方和解，仍应按诉讼请求金额支付律师费", ["和解，仍应按诉讼请求金额支付"]),
        ("甲方擅自调解结案的，应向乙方支付违约金五万元", ["调解结案的，应向乙方支付违约金"]),
        ("委托人上诉的，按标的额全额支付代理费", ["上诉的，按标的额全额支付"]),
    ],
)
def test_restrictive_clauses_are_found(text, hits):
    assert [hit for hit in restrictive_clauses(text) if hit] != []
    assert any(h in hit or hit in h for hit in restrictive_clauses(text) for h in hits)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "委托人有权自行决定上诉、撤诉、调解或和解。",
        "乙方律师不得阻碍委托人和解，亦不得干涉委托人撤诉。",
        "风险代理费按实际回款金额的15%计收。",
        "案件调解结案的，按调解书确定的实际给付金额计算风险代理费。",
    ],
)
def test_ordinary_terms_pass(text):
    assert restrictive_clauses(text) == []

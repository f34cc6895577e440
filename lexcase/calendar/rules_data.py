"""The deadline rule library (期间规则库) as versioned, Django-free data.

Each ``Rule`` says how long a procedural period or limitation period is, what starts it and
which statute article sets it. The calculator (``lexcase.calendar.calculator``) turns a rule
and a trigger date into a due date; the web layer stores ``rule.id`` + ``RULESET_VERSION`` +
``rule.law_version`` with every computed deadline so it can be explained and recomputed.

Sources: docs/domain.md §1.3/§1.4 (article texts checked against the LawRefBook/Laws snapshot,
marked [V] there). Article numbers are those of the law version named in ``law_version``;
they change with amendments (民诉法 2021 Art. 212 is 2023 Art. 216), so never reuse a rule
id for a different version: add a new rule and bump ``RULESET_VERSION``.

``article`` is a string of Arabic digits (``"171"``) so it serialises unchanged into APIs;
``citation_zh`` renders it as 第一百七十一条.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

__all__ = [
    "LAWS",
    "RULES",
    "RULESET_VERSION",
    "SERVED_KINDS",
    "STARTS_ON",
    "UNITS",
    "Law",
    "Rule",
    "ServedKind",
    "Unit",
    "chinese_numeral",
    "rules_for_served_kind",
]

RULESET_VERSION = "2026.2"

Unit = Literal["calendar_days", "working_days", "months", "years"]
UNITS: tuple[str, ...] = get_args(Unit)

ServedKind = Literal[
    "judgment",
    "ruling",
    "complaint_copy",
    "award",
    "decision",
    "payment_order",
    "reconsideration_decision",
    "appeal_copy",
    "administrative_act",
    "preservation_deposit",
    "preservation_movable",
    "preservation_property",
    "other",
]
SERVED_KINDS: tuple[str, ...] = get_args(ServedKind)

# What starts a rule's period when a served document proposes it:
# - "service": the day the document was served (received);
# - "effective": the day the document took legal effect. A first-instance judgment takes
#   effect only when the appeal period lapses without an appeal (or when the second-instance
#   judgment is served), so such rules are proposed only once that date is known: when a
#   final document is served, or when the lawyer records that no appeal was filed.
StartsOn = Literal["service", "effective"]
STARTS_ON: tuple[str, ...] = get_args(StartsOn)


@dataclass(frozen=True, slots=True)
class Law:
    """One version of a statute, for citations. ``version_zh`` is empty for a text that has
    never been amended (劳动争议调解仲裁法 2007) or is cited without a version (民法典)."""

    name_zh: str
    name_en: str
    version_zh: str
    version_en: str


# Keyed by (Rule.law, Rule.law_version): a new version of a law is a new entry, so rules
# citing the old version keep rendering the citation they were computed under.
LAWS: dict[tuple[str, str], Law] = {
    ("民事诉讼法", "2023"): Law(
        "中华人民共和国民事诉讼法",
        "Civil Procedure Law of the PRC",
        "2023年修正",
        "2023 amendment",
    ),
    ("刑事诉讼法", "2018"): Law(
        "中华人民共和国刑事诉讼法",
        "Criminal Procedure Law of the PRC",
        "2018年修正",
        "2018 amendment",
    ),
    ("行政诉讼法", "2017"): Law(
        "中华人民共和国行政诉讼法",
        "Administrative Litigation Law of the PRC",
        "2017年修正",
        "2017 amendment",
    ),
    ("行政复议法", "2023"): Law(
        "中华人民共和国行政复议法",
        "Administrative Reconsideration Law of the PRC",
        "2023年修订",
        "2023 revision",
    ),
    ("劳动争议调解仲裁法", "2007"): Law(
        "中华人民共和国劳动争议调解仲裁法",
        "Labour Dispute Mediation and Arbitration Law of the PRC",
        "",
        "",
    ),
    ("仲裁法", "2017"): Law(
        "中华人民共和国仲裁法",
        "Arbitration Law of the PRC",
        "2017年修正",
        "2017 amendment",
    ),
    ("仲裁法", "2025"): Law(
        "中华人民共和国仲裁法",
        "Arbitration Law of the PRC",
        "2025年修订",
        "2025 revision",
    ),
    ("民诉法解释", "2022"): Law(
        "最高人民法院关于适用《中华人民共和国民事诉讼法》的解释",
        "SPC Interpretation on the Application of the Civil Procedure Law",
        "2022年修正",
        "2022 amendment",
    ),
    ("民法典", "2020"): Law("中华人民共和国民法典", "Civil Code of the PRC", "", ""),
}

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """171 -> 一百七十一, 105 -> 一百零五, 15 -> 十五 (article numbers, 1..9999)."""
    if not 0 < n < 10000:
        raise ValueError(f"article number out of range: {n}")
    parts: list[str] = []
    started = False
    zero_pending = False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            # One 零 stands for any run of inner zeros; trailing zeros are silent.
            zero_pending = started
            continue
        if zero_pending:
            parts.append("零")
            zero_pending = False
        parts.append(_DIGITS[digit] + name)
        started = True
    text = "".join(parts)
    # Conventional form is 十五, not 一十五, but 一百一十 keeps its 一.
    return text[1:] if 10 <= n < 20 else text


@dataclass(frozen=True, slots=True)
class Rule:
    """A statutory period. ``period`` counts ``unit``s after the trigger day (which itself is
    never counted). ``rolls_over``: whether a last day on a rest day moves to the next working
    day (False for e.g. criminal custody, 刑诉法 Art. 105)."""

    id: str
    name_zh: str
    name_en: str
    law: str
    law_version: str
    article: str
    period: int
    unit: Unit
    trigger_zh: str
    trigger_en: str
    rolls_over: bool
    not_applicable_zh: str
    served_kinds: tuple[str, ...]
    notes_zh: str = ""
    # See ``StartsOn``.
    starts_on: StartsOn = "service"
    # A challenge period (appeal, objection to a payment order, suit against a non-final
    # labour award) applies only to a document that is not final; when it lapses unused, the
    # document takes effect. ``final_only`` rules apply only to a document final when served.
    challenge: bool = False
    final_only: bool = False
    # The rule governs triggers on or after ``applies_from`` and before ``applies_until``
    # (a law revised on a date: the old and the new period are separate rules).
    applies_from: date | None = None
    applies_until: date | None = None
    # Propose a reminder this many days before the due date (e.g. renewal of a freeze).
    remind_before_days: int = 0

    def applies_to(self, trigger: date) -> bool:
        if self.applies_from is not None and trigger < self.applies_from:
            return False
        return self.applies_until is None or trigger < self.applies_until

    @property
    def family(self) -> str:
        """The id prefix: civil, criminal, admin, labor, arbitration or limitation."""
        return self.id.split(".", 1)[0]

    @property
    def law_text(self) -> Law | None:
        return LAWS.get((self.law, self.law_version))

    @property
    def citation_zh(self) -> str:
        law = self.law_text
        article = f"第{chinese_numeral(int(self.article))}条" if self.article.isdigit() else ""
        if law is None:
            # A rule built ad hoc (e.g. a court-set period) may cite a law not in LAWS.
            return f"《{self.law}》{article}"
        version = f"（{law.version_zh}）" if law.version_zh else ""
        return f"《{law.name_zh}》{version}{article}"

    @property
    def citation_en(self) -> str:
        law = self.law_text
        name = law.name_en if law else self.law
        version = f" ({law.version_en})" if law and law.version_en else ""
        article = f", Art. {self.article}" if self.article else ""
        return f"{name}{version}{article}"


_NOT_APPEALABLE_CIVIL = (
    "小额诉讼案件一审终审（第一百六十五条）、特别程序案件一审终审（第一百八十五条）、"
    "最高人民法院的一审判决和裁定（第一百五十八条）不得上诉；"
    "在中华人民共和国领域内没有住所的当事人适用30日"
    "（第二百八十六条，见 civil.appeal.no_domicile）。"
)
_TRIGGER_NOT_SERVICE = "起算日不是送达日：录入时请填写实际的起算事实发生之日。"

_RULES: tuple[Rule, ...] = (
    # ----- Civil procedure: 民事诉讼法 (2023 amendment, in force 2024-01-01) -----
    Rule(
        id="civil.answer",
        name_zh="民事答辩期",
        name_en="Defence (answer) in a civil case",
        law="民事诉讼法",
        law_version="2023",
        article="128",
        period=15,
        unit="calendar_days",
        trigger_zh="收到起诉状副本之日",
        trigger_en="the day the complaint copy is received",
        rolls_over=True,
        not_applicable_zh="被告在中华人民共和国领域内没有住所的，答辩期为30日（第二百八十五条）。",
        served_kinds=("complaint_copy",),
        notes_zh="管辖权异议应在答辩期内提出（第一百三十条）。不提交答辩状不影响审理。",
    ),
    Rule(
        id="civil.answer.no_domicile",
        name_zh="民事答辩期（在中华人民共和国领域内没有住所的被告）",
        name_en="Defence in a civil case, defendant without domicile in the PRC",
        law="民事诉讼法",
        law_version="2023",
        article="285",
        period=30,
        unit="calendar_days",
        trigger_zh="收到起诉状副本之日",
        trigger_en="the day the complaint copy is received",
        rolls_over=True,
        not_applicable_zh="被告在中华人民共和国领域内有住所的，适用15日（第一百二十八条）。",
        served_kinds=("complaint_copy",),
        notes_zh="被告申请延期的，是否准许由人民法院决定。",
    ),
    Rule(
        id="civil.appeal.judgment",
        name_zh="民事判决上诉期",
        name_en="Appeal against a civil judgment",
        law="民事诉讼法",
        law_version="2023",
        article="171",
        period=15,
        unit="calendar_days",
        trigger_zh="判决书送达之日",
        trigger_en="the day the judgment is served",
        rolls_over=True,
        not_applicable_zh=_NOT_APPEALABLE_CIVIL,
        served_kinds=("judgment",),
        notes_zh="各方当事人送达日期不同的，各自从本人收到之日起算（民诉解释第二百四十四条）。",
        challenge=True,
    ),
    Rule(
        id="civil.appeal.ruling",
        name_zh="民事裁定上诉期",
        name_en="Appeal against a civil ruling",
        law="民事诉讼法",
        law_version="2023",
        article="171",
        period=10,
        unit="calendar_days",
        trigger_zh="裁定书送达之日",
        trigger_en="the day the ruling is served",
        rolls_over=True,
        not_applicable_zh=(
            "仅不予受理、对管辖权有异议、驳回起诉的裁定可以上诉，其他裁定不得上诉；"
            + _NOT_APPEALABLE_CIVIL
        ),
        served_kinds=("ruling",),
        challenge=True,
    ),
    Rule(
        id="civil.appeal.no_domicile",
        name_zh="民事上诉期（在中华人民共和国领域内没有住所的当事人）",
        name_en="Appeal in a civil case, party without domicile in the PRC",
        law="民事诉讼法",
        law_version="2023",
        article="286",
        period=30,
        unit="calendar_days",
        trigger_zh="判决书、裁定书送达之日",
        trigger_en="the day the judgment or ruling is served",
        rolls_over=True,
        not_applicable_zh=(
            "涉外案件中在中华人民共和国领域内有住所的当事人仍适用15日/10日（民诉解释第五百三十六条）。"
        ),
        served_kinds=("judgment", "ruling"),
        notes_zh="被上诉人答辩期亦为30日。",
        challenge=True,
    ),
    Rule(
        id="civil.appeal_answer",
        name_zh="民事被上诉人答辩期",
        name_en="Appellee's answer in a civil appeal",
        law="民事诉讼法",
        law_version="2023",
        article="174",
        period=15,
        unit="calendar_days",
        trigger_zh="收到上诉状副本之日",
        trigger_en="the day the appeal copy is received",
        rolls_over=True,
        not_applicable_zh="在中华人民共和国领域内没有住所的被上诉人适用30日（第二百八十六条）。",
        served_kinds=("appeal_copy",),
    ),
    Rule(
        id="civil.retrial",
        name_zh="申请再审期限",
        name_en="Application for retrial",
        law="民事诉讼法",
        law_version="2023",
        article="216",
        period=6,
        unit="months",
        trigger_zh="判决、裁定发生法律效力之日",
        trigger_en="the day the judgment or ruling takes effect",
        rolls_over=True,
        not_applicable_zh=(
            "依第二百一十一条第（一）（三）（十二）（十三）项申请的，自知道或者应当知道之日起六个月；"
            "调解书再审适用民诉解释第三百八十二条。"
        ),
        served_kinds=("judgment", "ruling"),
        notes_zh=(
            "不变期间（民诉解释第一百二十七条），不适用中止、中断、延长；届满日遇节假日顺延属于计算规则，"
            "实务多数仍适用，但存在分歧，请提醒承办律师。一审判决、裁定在上诉期届满无人上诉时生效，"
            "二审判决、裁定自送达之日起生效：本期间只在生效日期确定后提出。"
        ),
        starts_on="effective",
    ),
    Rule(
        id="civil.enforcement",
        name_zh="申请执行期间",
        name_en="Application for enforcement",
        law="民事诉讼法",
        law_version="2023",
        article="250",
        period=2,
        unit="years",
        trigger_zh="法律文书规定履行期间的最后一日（分期履行的为最后一期；未规定的为生效之日）",
        trigger_en=(
            "the last day of the performance period (last instalment; "
            "or the effective date if no period is set)"
        ),
        rolls_over=True,
        not_applicable_zh="",
        served_kinds=("judgment", "award", "payment_order"),
        notes_zh=(
            "中止、中断适用法律有关诉讼时效中止、中断的规定。按生效之日起算；"
            "文书规定了履行期间的，应自履行期间最后一日起算，请对照文书修改到期日。"
        ),
        starts_on="effective",
    ),
    Rule(
        id="civil.payment_order_objection",
        name_zh="支付令异议期",
        name_en="Objection to a payment order",
        law="民事诉讼法",
        law_version="2023",
        article="227",
        period=15,
        unit="calendar_days",
        trigger_zh="收到支付令之日",
        trigger_en="the day the payment order is received",
        rolls_over=True,
        not_applicable_zh="",
        served_kinds=("payment_order",),
        notes_zh="债务人应在此期间内清偿债务或者提出书面异议。",
        challenge=True,
    ),
    Rule(
        id="civil.enforcement_objection.review",
        name_zh="执行行为异议裁定复议期",
        name_en="Review (复议) of a ruling on an objection to an enforcement act",
        law="民事诉讼法",
        law_version="2023",
        article="236",
        period=10,
        unit="calendar_days",
        trigger_zh="执行异议裁定送达之日",
        trigger_en="the day the ruling on the objection is served",
        rolls_over=True,
        not_applicable_zh="",
        served_kinds=("ruling",),
        notes_zh="向上一级人民法院申请复议。",
    ),
    Rule(
        id="civil.third_party_objection.suit",
        name_zh="案外人执行异议之诉起诉期",
        name_en="Suit after a ruling on a third party's enforcement objection",
        law="民事诉讼法",
        law_version="2023",
        article="238",
        period=15,
        unit="calendar_days",
        trigger_zh="执行异议裁定送达之日",
        trigger_en="the day the ruling on the objection is served",
        rolls_over=True,
        not_applicable_zh="认为原判决、裁定错误的，依照审判监督程序办理，不适用本期间。",
        served_kinds=("ruling",),
    ),
    # ----- Preservation and enforcement measures: 民诉法解释 (2022) Art. 485 -----
    Rule(
        id="civil.preservation.deposit",
        name_zh="冻结银行存款期限届满",
        name_en="Freeze of bank deposits expires",
        law="民诉法解释",
        law_version="2022",
        article="485",
        period=1,
        unit="years",
        trigger_zh="冻结银行存款之日",
        trigger_en="the day the bank deposits were frozen",
        rolls_over=False,
        not_applicable_zh="",
        served_kinds=("preservation_deposit",),
        notes_zh=(
            "届满前须申请续行冻结，否则冻结自动解除；按日历年计算，不按365日。"
            "请以实际冻结之日（而非裁定送达之日）录入。"
        ),
        remind_before_days=30,
    ),
    Rule(
        id="civil.preservation.movable",
        name_zh="查封、扣押动产期限届满",
        name_en="Seizure of movable property expires",
        law="民诉法解释",
        law_version="2022",
        article="485",
        period=2,
        unit="years",
        trigger_zh="查封、扣押动产之日",
        trigger_en="the day the movable property was sealed or seized",
        rolls_over=False,
        not_applicable_zh="",
        served_kinds=("preservation_movable",),
        notes_zh="届满前须申请续行查封、扣押；请以实际查封、扣押之日录入。",
        remind_before_days=30,
    ),
    Rule(
        id="civil.preservation.property",
        name_zh="查封不动产、冻结其他财产权期限届满",
        name_en="Seizure of real property or freeze of other property rights expires",
        law="民诉法解释",
        law_version="2022",
        article="485",
        period=3,
        unit="years",
        trigger_zh="查封不动产、冻结其他财产权之日",
        trigger_en="the day the real property was sealed or the property right frozen",
        rolls_over=False,
        not_applicable_zh="",
        served_kinds=("preservation_property",),
        notes_zh="届满前须申请续行查封、冻结；请以实际查封、冻结之日录入。",
        remind_before_days=30,
    ),
    # ----- Criminal procedure: 刑事诉讼法 (2018 amendment) -----
    Rule(
        id="criminal.appeal.judgment",
        name_zh="刑事判决上诉、抗诉期",
        name_en="Appeal or protest against a criminal judgment",
        law="刑事诉讼法",
        law_version="2018",
        article="230",
        period=10,
        unit="calendar_days",
        trigger_zh="接到判决书之日",
        trigger_en="the day the judgment is received",
        rolls_over=True,
        not_applicable_zh="最高人民法院的一审判决不得上诉。",
        served_kinds=("judgment",),
        notes_zh="上诉期间遇节假日顺延（刑诉法第一百零五条）；仅在押期间不顺延。",
        challenge=True,
    ),
    Rule(
        id="criminal.appeal.ruling",
        name_zh="刑事裁定上诉、抗诉期",
        name_en="Appeal or protest against a criminal ruling",
        law="刑事诉讼法",
        law_version="2018",
        article="230",
        period=5,
        unit="calendar_days",
        trigger_zh="接到裁定书之日",
        trigger_en="the day the ruling is received",
        rolls_over=True,
        not_applicable_zh="最高人民法院的一审裁定不得上诉。",
        served_kinds=("ruling",),
        challenge=True,
    ),
    Rule(
        id="criminal.victim_protest_request",
        name_zh="被害人请求抗诉期",
        name_en="Victim's request to the procuratorate to protest",
        law="刑事诉讼法",
        law_version="2018",
        article="229",
        period=5,
        unit="calendar_days",
        trigger_zh="收到判决书之日",
        trigger_en="the day the judgment is received",
        rolls_over=True,
        not_applicable_zh="仅适用于被害人及其法定代理人。",
        served_kinds=("judgment",),
        notes_zh="人民检察院应在收到请求后五日内作出是否抗诉的决定。",
        challenge=True,
    ),
    # ----- Administrative litigation: 行政诉讼法 (2017 amendment) -----
    Rule(
        id="admin.appeal.judgment",
        name_zh="行政判决上诉期",
        name_en="Appeal against an administrative judgment",
        law="行政诉讼法",
        law_version="2017",
        article="85",
        period=15,
        unit="calendar_days",
        trigger_zh="判决书送达之日",
        trigger_en="the day the judgment is served",
        rolls_over=True,
        not_applicable_zh="最高人民法院的一审判决不得上诉。",
        served_kinds=("judgment",),
        challenge=True,
    ),
    Rule(
        id="admin.appeal.ruling",
        name_zh="行政裁定上诉期",
        name_en="Appeal against an administrative ruling",
        law="行政诉讼法",
        law_version="2017",
        article="85",
        period=10,
        unit="calendar_days",
        trigger_zh="裁定书送达之日",
        trigger_en="the day the ruling is served",
        rolls_over=True,
        not_applicable_zh="不可上诉的裁定及最高人民法院的一审裁定不适用。",
        served_kinds=("ruling",),
        challenge=True,
    ),
    Rule(
        id="admin.suit",
        name_zh="行政诉讼起诉期限",
        name_en="Administrative suit (direct)",
        law="行政诉讼法",
        law_version="2017",
        article="46",
        period=6,
        unit="months",
        trigger_zh="知道或者应当知道作出行政行为之日",
        trigger_en="the day the party knew or should have known of the administrative act",
        rolls_over=True,
        not_applicable_zh="法律另有规定的除外；经复议的，适用第四十五条（15日）。",
        served_kinds=("administrative_act",),
        notes_zh=(
            "最长保护期限：不动产20年、其他5年，自行政行为作出之日起（第四十六条第二款）；"
            "未告知起诉期限的，最长1年（行诉解释第六十四条）。"
        ),
    ),
    Rule(
        id="admin.suit_after_reconsideration",
        name_zh="复议后起诉期限",
        name_en="Administrative suit after a reconsideration decision",
        law="行政诉讼法",
        law_version="2017",
        article="45",
        period=15,
        unit="calendar_days",
        trigger_zh="收到复议决定书之日",
        trigger_en="the day the reconsideration decision is received",
        rolls_over=True,
        not_applicable_zh="法律另有规定的除外。",
        served_kinds=("reconsideration_decision",),
        notes_zh="复议机关逾期不作决定的，自复议期满之日起15日内起诉。",
    ),
    Rule(
        id="admin.answer",
        name_zh="行政诉讼被告答辩及举证期限",
        name_en="Defendant agency's answer and evidence in an administrative suit",
        law="行政诉讼法",
        law_version="2017",
        article="67",
        period=15,
        unit="calendar_days",
        trigger_zh="收到起诉状副本之日",
        trigger_en="the day the complaint copy is received",
        rolls_over=True,
        not_applicable_zh="仅适用于作为被告的行政机关。",
        served_kinds=("complaint_copy",),
    ),
    # ----- Administrative reconsideration: 行政复议法 (2023 revision) -----
    Rule(
        id="admin.reconsideration",
        name_zh="申请行政复议期限",
        name_en="Application for administrative reconsideration",
        law="行政复议法",
        law_version="2023",
        article="20",
        period=60,
        unit="calendar_days",
        trigger_zh="知道或者应当知道该行政行为之日",
        trigger_en="the day the party knew or should have known of the administrative act",
        rolls_over=True,
        not_applicable_zh="法律规定的申请期限超过60日的除外。",
        served_kinds=("administrative_act",),
        notes_zh=(
            "未告知申请权利、复议机关和期限的，最长1年（第二十条）；"
            "最长20年/5年（第二十一条）。本期间为60日（自然日），非工作日。"
        ),
    ),
    Rule(
        id="admin.reconsideration_acceptance",
        name_zh="复议机关受理审查期限",
        name_en="Reconsideration body's acceptance review",
        law="行政复议法",
        law_version="2023",
        article="30",
        period=5,
        unit="working_days",
        trigger_zh="收到行政复议申请之日",
        trigger_en="the day the application for reconsideration is received",
        rolls_over=True,
        not_applicable_zh="",
        served_kinds=(),
        notes_zh="复议机关的期限，用于跟踪；按工作日计算，不含法定休假日（第八十八条）。",
    ),
    # ----- Labour disputes: 劳动争议调解仲裁法 (2007, never amended) -----
    Rule(
        id="labor.arbitration_limitation",
        name_zh="劳动争议仲裁时效",
        name_en="Limitation for labour arbitration",
        law="劳动争议调解仲裁法",
        law_version="2007",
        article="27",
        period=1,
        unit="years",
        trigger_zh="知道或者应当知道其权利被侵害之日",
        trigger_en="the day the party knew or should have known of the infringement",
        rolls_over=True,
        not_applicable_zh=(
            "劳动关系存续期间因拖欠劳动报酬发生争议的，不受此限；劳动关系终止的，自终止之日起一年。"
        ),
        served_kinds=(),
        notes_zh="可中断、中止（第二十七条第二、三款）。" + _TRIGGER_NOT_SERVICE,
    ),
    Rule(
        id="labor.answer",
        name_zh="劳动仲裁答辩期",
        name_en="Respondent's answer in labour arbitration",
        law="劳动争议调解仲裁法",
        law_version="2007",
        article="30",
        period=10,
        unit="calendar_days",
        trigger_zh="收到仲裁申请书副本之日",
        trigger_en="the day the copy of the arbitration application is received",
        rolls_over=True,
        not_applicable_zh="",
        served_kinds=("complaint_copy",),
        notes_zh="逾期未提交答辩书的，不影响仲裁程序的进行。",
    ),
    Rule(
        id="labor.suit_after_award",
        name_zh="不服劳动仲裁裁决起诉期",
        name_en="Suit against a (non-final) labour arbitration award",
        law="劳动争议调解仲裁法",
        law_version="2007",
        article="50",
        period=15,
        unit="calendar_days",
        trigger_zh="收到仲裁裁决书之日",
        trigger_en="the day the award is received",
        rolls_over=True,
        not_applicable_zh="终局裁决不适用：劳动者起诉适用第四十八条，用人单位申请撤销适用第四十九条。",
        served_kinds=("award",),
        challenge=True,
    ),
    Rule(
        id="labor.worker_suit_after_final_award",
        name_zh="劳动者不服终局裁决起诉期",
        name_en="Worker's suit against a final labour award",
        law="劳动争议调解仲裁法",
        law_version="2007",
        article="48",
        period=15,
        unit="calendar_days",
        trigger_zh="收到仲裁裁决书之日",
        trigger_en="the day the award is received",
        rolls_over=True,
        not_applicable_zh="仅适用于劳动者；用人单位只能依第四十九条申请撤销。",
        served_kinds=("award",),
        final_only=True,
    ),
    Rule(
        id="labor.set_aside_final_award",
        name_zh="用人单位申请撤销终局裁决期",
        name_en="Employer's application to set aside a final labour award",
        law="劳动争议调解仲裁法",
        law_version="2007",
        article="49",
        period=30,
        unit="calendar_days",
        trigger_zh="收到仲裁裁决书之日",
        trigger_en="the day the award is received",
        rolls_over=True,
        not_applicable_zh="仅适用于第四十七条规定的终局裁决，向仲裁委员会所在地的中级人民法院申请。",
        served_kinds=("award",),
        final_only=True,
    ),
    # ----- Commercial arbitration: 仲裁法 (2017 amendment) -----
    Rule(
        id="arbitration.set_aside",
        name_zh="申请撤销仲裁裁决期限",
        name_en="Application to set aside an arbitral award",
        law="仲裁法",
        law_version="2017",
        article="59",
        period=6,
        unit="months",
        trigger_zh="收到裁决书之日",
        trigger_en="the day the award is received",
        rolls_over=True,
        not_applicable_zh="2026-03-01以后收到的裁决适用2025年修订的仲裁法（3个月）。",
        served_kinds=("award",),
        applies_until=date(2026, 3, 1),
    ),
    Rule(
        id="arbitration.set_aside.2025",
        name_zh="申请撤销仲裁裁决期限",
        name_en="Application to set aside an arbitral award",
        law="仲裁法",
        law_version="2025",
        article="72",
        period=3,
        unit="months",
        trigger_zh="收到裁决书之日",
        trigger_en="the day the award is received",
        rolls_over=True,
        not_applicable_zh="2026-03-01以前收到的裁决适用修订前的仲裁法第五十九条（6个月）。",
        served_kinds=("award",),
        notes_zh=(
            "2025年9月12日修订、2026年3月1日起施行；撤销期限由六个月缩短为三个月（新法第七十二条）。"
            "条文号与期间据律师事务所解读文章核对[S]，尚未与官方公布文本逐字核对。"
        ),
        applies_from=date(2026, 3, 1),
    ),
    # ----- Limitation: 民法典 -----
    Rule(
        id="limitation.general",
        name_zh="普通诉讼时效",
        name_en="General limitation period",
        law="民法典",
        law_version="2020",
        article="188",
        period=3,
        unit="years",
        trigger_zh="知道或者应当知道权利受到损害以及义务人之日",
        trigger_en="the day the claimant knew or should have known of the harm and the obligor",
        rolls_over=True,
        not_applicable_zh="法律另有规定的除外；第一百九十六条所列请求权不适用诉讼时效。",
        served_kinds=(),
        notes_zh=(
            "最长20年（自权利受到损害之日起）。可中止（第一百九十四条）、中断（第一百九十五条）。"
            + _TRIGGER_NOT_SERVICE
        ),
    ),
    Rule(
        id="limitation.international_sale",
        name_zh="国际货物买卖和技术进出口合同诉讼时效",
        name_en="Limitation for international sale of goods and technology import/export",
        law="民法典",
        law_version="2020",
        article="594",
        period=4,
        unit="years",
        trigger_zh="知道或者应当知道其权利受到损害之日",
        trigger_en="the day the party knew or should have known of the harm",
        rolls_over=True,
        not_applicable_zh="仅适用于国际货物买卖合同和技术进出口合同争议。",
        served_kinds=(),
        notes_zh=_TRIGGER_NOT_SERVICE,
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rules_for_served_kind(kind: str, families: tuple[str, ...] | None = None) -> list[Rule]:
    """Rules a served document of ``kind`` proposes, optionally limited to rule families
    (``("civil",)``), in library order."""
    return [
        rule
        for rule in RULES.values()
        if kind in rule.served_kinds and (families is None or rule.family in families)
    ]

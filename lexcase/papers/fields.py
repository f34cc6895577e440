"""The merge fields a document template may use: the one allow-list (`FIELDS`), documented to
template authors on the templates page, and the values of a matter (`merge_context`).

Values are plain strings in dicts and lists, never model objects: the sandboxed template sees
only what this module hands it. Texts merged into papers are Chinese whatever the UI
language, as the papers are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from lexcase.accounts.selectors import firm_profile
from lexcase.billing.models import AgreementKind, FeeAgreement
from lexcase.billing.money import capital, percent
from lexcase.billing.selectors.shared import matter_agreements, matter_current_agreement
from lexcase.documents.models import Category
from lexcase.documents.selectors import matter_documents
from lexcase.matters.models import Matter, MemberRole, PartyRole
from lexcase.matters.selectors import matter_case_numbers, matter_members, matter_parties
from lexcase.papers.dossier import document_page_count
from lexcase.papers.models import Generation
from lexcase.parties.identifiers import mask_identifier
from lexcase.parties.models import Party


@dataclass(frozen=True)
class Field:
    path: str  # "matter.number"; items of a list as "opposing_parties[].name"
    label: str  # what the field holds (Chinese: the authors are the firm's staff)
    example: str = ""


# Items of the list fields (`{% for p in opposing_parties %}{{ p.name }}{% endfor %}`).
PARTY_ITEM = ("name", "kind", "id_number", "address", "phone", "standing")
LAWYER_ITEM = ("name", "role", "email")
INSTALMENT_ITEM = ("seq", "due_on", "amount", "amount_capital", "description")
EVIDENCE_ITEM = ("seq", "title", "date", "pages", "notes")

_ITEM_LABELS = {
    "name": "名称或姓名",
    "kind": "类型",
    "id_number": "身份证号码或统一社会信用代码",
    "address": "住所",
    "phone": "电话",
    "standing": "诉讼地位",
    "role": "角色",
    "email": "电子邮箱",
    "seq": "期数",
    "due_on": "付款日期",
    "amount": "金额（小写）",
    "amount_capital": "金额（大写）",
    "description": "说明",
    "title": "名称",
    "date": "日期",
    "pages": "页数（已知时）",
    "notes": "证明目的或备注",
}

FIELDS: tuple[Field, ...] = (
    Field("matter.number", "本所案件编号", "2026-民-0001"),
    Field("matter.title", "案件名称"),
    Field("matter.cause", "案由", "买卖合同纠纷"),
    Field("matter.court", "法院或仲裁机构"),
    Field("matter.case_number", "法院案号（最新）", "（2026）京0105民初12345号"),
    Field("matter.type", "案件类型"),
    Field("matter.stage", "阶段"),
    Field("matter.amount", "标的额（小写）", "1,234,567.00"),
    Field("matter.amount_capital", "标的额（大写）", "壹佰贰拾叁万肆仟伍佰陆拾柒元整"),
    Field("client.name", "委托人名称或姓名"),
    Field("client.kind", "委托人类型（自然人/单位）"),
    Field("client.id_number", "委托人身份证号码或统一社会信用代码"),
    Field("client.address", "委托人住所"),
    Field("client.phone", "委托人电话"),
    Field("client.standing", "委托人诉讼地位", "原告"),
    Field("clients", "全部委托人（列表）"),
    *(Field(f"clients[].{k}", f"委托人的{_ITEM_LABELS[k]}") for k in PARTY_ITEM),
    Field("opposing_parties", "对方当事人（列表）"),
    *(Field(f"opposing_parties[].{k}", f"对方当事人的{_ITEM_LABELS[k]}") for k in PARTY_ITEM),
    Field("opposing_names", "对方当事人名称，顿号分隔"),
    Field("firm.name", "律师事务所名称"),
    Field("firm.address", "律师事务所地址"),
    Field("firm.phone", "律师事务所电话"),
    Field("firm.licence_number", "律师事务所执业许可证号"),
    Field("partner.name", "负责合伙人"),
    Field("lead.name", "主办律师"),
    Field("lawyers", "承办律师（列表）"),
    *(Field(f"lawyers[].{k}", f"律师的{_ITEM_LABELS[k]}") for k in LAWYER_ITEM),
    Field("lawyer_names", "承办律师姓名，顿号分隔"),
    Field("fee.kind", "收费方式", "固定收费"),
    Field("fee.amount", "律师费金额（小写）", "12,345.67"),
    Field("fee.amount_capital", "律师费金额（大写）", "壹万贰仟叁佰肆拾伍元陆角柒分"),
    Field("fee.rate", "风险代理比例", "15%"),
    Field("fee.text", "收费条款全文"),
    Field("fee.terms", "特别约定"),
    Field("fee.instalments", "分期付款（列表）"),
    *(Field(f"fee.instalments[].{k}", f"分期的{_ITEM_LABELS[k]}") for k in INSTALMENT_ITEM),
    Field("evidence", "证据（列表：本案“证据”类文件，按日期排序）"),
    *(Field(f"evidence[].{k}", f"证据的{_ITEM_LABELS[k]}") for k in EVIDENCE_ITEM),
    Field("today.cn", "今日（中文大写）", "二〇二六年十二月六日"),
    Field("today.date", "今日", "2026年12月6日"),
)

FIELD_PATHS = frozenset(f.path for f in FIELDS)
# Paths that hold a list (iterable in `{% for %}`, usable with `length` / `join`).
LIST_PATHS = frozenset(p for p in FIELD_PATHS if any(q.startswith(p + "[].") for q in FIELD_PATHS))

_CN_DIGITS = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1..31 as 一 … 十 … 二十一 … 三十一 (months and days)."""
    tens, ones = divmod(n, 10)
    text = "" if tens == 0 else ("" if tens == 1 else _CN_DIGITS[tens]) + "十"
    return text + (_CN_DIGITS[ones] if ones else "")


def date_cn(day: date) -> str:
    """二〇二六年十二月六日: the year digit by digit, month and day in words."""
    year = "".join(_CN_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_cn_number(day.month)}月{_cn_number(day.day)}日"


def date_numeric(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _figures(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _capital(value: Decimal | None) -> str:
    return "" if value is None else capital(value)


def _party(party: Party, standing: str = "", *, masked: bool = False) -> dict[str, str]:
    # An ID number is shown in full only in the paper (its generation is audited) and on the
    # party page after `party_identifiers_show` (audited); a credit code is registry data.
    id_number = mask_identifier(party.id_number) if masked and party.id_number else party.id_number
    return {
        "name": party.name,
        "kind": "自然人" if party.kind == "person" else "单位",
        "id_number": id_number or party.credit_code or "",
        "address": party.address,
        "phone": party.phone,
        "standing": standing,
    }


def _yuan_terms(label: str, amount: Decimal) -> str:
    return f"{label}人民币{_figures(amount)}元（大写：{capital(amount)}）"


def fee_text(agreement: FeeAgreement | None) -> str:
    """The fee terms as one sentence of the contract."""
    if agreement is None:
        return ""
    parts: list[str] = []
    kind = agreement.kind
    if kind == AgreementKind.LEGAL_AID:
        return "本案为法律援助或免费代理，受托人不向委托人收取律师服务费。"
    if kind == AgreementKind.HOURLY:
        if agreement.hourly_rate is not None:
            parts.append("律师服务费按小时计收，" + _yuan_terms("每小时", agreement.hourly_rate))
        if agreement.fee_cap is not None:
            parts.append(_yuan_terms("总额以", agreement.fee_cap) + "为上限")
    elif kind == AgreementKind.RETAINER:
        if agreement.fixed_amount is not None:
            parts.append("常年法律顾问费" + _yuan_terms("每期", agreement.fixed_amount))
        if agreement.retainer_start and agreement.retainer_end:
            parts.append(
                f"顾问期限自{date_numeric(agreement.retainer_start)}"
                f"至{date_numeric(agreement.retainer_end)}"
            )
    else:
        if agreement.fixed_amount is not None:
            label = "基础律师服务费" if kind != AgreementKind.FIXED else "律师服务费"
            parts.append(_yuan_terms(label + "为", agreement.fixed_amount))
        if kind in (AgreementKind.CONTINGENCY, AgreementKind.MIXED):
            basis = agreement.get_contingency_basis_display() if agreement.contingency_basis else ""
            basis = {"dispute": "标的额", "recovered": "实际回收或减免金额"}.get(
                agreement.contingency_basis, basis
            )
            if agreement.contingency_rate is not None:
                parts.append(
                    f"风险代理费按{basis or '约定基数'}的"
                    f"{percent(agreement.contingency_rate / 100)}收取"
                )
            if agreement.contingency_amount is not None:
                parts.append(_yuan_terms("风险代理费为", agreement.contingency_amount))
    return "；".join(parts) + ("。" if parts else "")


def _fee(agreement: FeeAgreement | None) -> dict[str, Any]:
    if agreement is None:
        return {k: "" for k in ("kind", "amount", "amount_capital", "rate", "text", "terms")} | {
            "instalments": []
        }
    amount = agreement.fixed_amount
    if amount is None and agreement.kind == AgreementKind.HOURLY:
        amount = agreement.hourly_rate
    if amount is None:
        amount = agreement.contingency_amount
    kinds = {
        "hourly": "计时收费",
        "fixed": "固定收费",
        "contingency": "风险代理收费",
        "mixed": "固定收费加风险代理",
        "retainer": "常年法律顾问费",
        "legal_aid": "法律援助",
    }
    return {
        "kind": kinds.get(agreement.kind, agreement.kind),
        "amount": _figures(amount),
        "amount_capital": _capital(amount),
        "rate": percent(agreement.contingency_rate / 100)
        if agreement.contingency_rate is not None
        else "",
        "text": fee_text(agreement),
        "terms": agreement.terms,
        "instalments": [
            {
                "seq": str(i.seq),
                "due_on": date_numeric(i.due_on),
                "amount": _figures(i.amount),
                "amount_capital": capital(i.amount),
                "description": i.description,
            }
            for i in agreement.instalments.order_by("seq")
        ],
    }


def fee_agreement_for(matter: Matter) -> FeeAgreement | None:
    """The approved agreement in force, else the newest draft or pending one (a contract is
    often drafted before the terms are approved)."""
    return matter_current_agreement(matter=matter) or matter_agreements(matter=matter).first()


def evidence_items(*, matter: Matter) -> list[dict[str, str]]:
    """The matter's evidence documents in order (by date, then as filed) with their page
    counts where known: a PDF's pages, one for an image, blank for other files. Papers
    generated here (an earlier 证据目录) are not evidence."""
    generated = set(
        Generation.objects.filter(matter=matter, document__isnull=False).values_list(
            "document_id", flat=True
        )
    )
    documents = [
        d
        for d in matter_documents(matter=matter)
        if d.category == Category.EVIDENCE and d.pk not in generated
    ]
    documents.sort(key=lambda d: (d.on_date or date.max, d.created_at, d.pk))
    return [
        {
            "seq": str(seq),
            "title": d.title,
            "date": date_numeric(d.on_date) if d.on_date else "",
            "pages": str(pages) if (pages := document_page_count(d)) else "",
            "notes": d.notes,
        }
        for seq, d in enumerate(documents, start=1)
    ]


def merge_context(
    *,
    matter: Matter,
    today: date | None = None,
    fields: list[str] | None = None,
    masked: bool = False,
) -> dict[str, Any]:
    """Every field of `FIELDS` for `matter` (which has passed the gate). The evidence list
    reads the stored files for their page counts, so it is filled only when `fields` (the
    template's) asks for it, or when no field list is given. `masked`: parties' ID numbers
    masked, as every page shows them (the preview before generating)."""
    today = today or timezone.localdate()
    links = list(matter_parties(matter=matter))
    clients = [
        _party(link.party, link.standing, masked=masked)
        for link in links
        if link.role == PartyRole.CLIENT
    ]
    opposing = [
        _party(link.party, link.standing, masked=masked)
        for link in links
        if link.role == PartyRole.OPPOSING
    ]
    members = list(matter_members(matter=matter).filter(user__is_active=True))
    by_role: dict[str, list[Any]] = {}
    for member in members:
        by_role.setdefault(member.role, []).append(member.user)
    lawyers = [
        {
            "name": m.user.display_name,
            "role": str(m.get_role_display()),
            "email": m.user.email,
        }
        for m in members
        if m.role in (MemberRole.LEAD, MemberRole.MEMBER)
    ]
    lead = (by_role.get(MemberRole.LEAD) or [None])[0]
    partner = (by_role.get(MemberRole.RESPONSIBLE_PARTNER) or [None])[0]
    case_number = matter_case_numbers(matter=matter).order_by("-created_at", "-id").first()
    firm = firm_profile()
    empty_party = dict.fromkeys(PARTY_ITEM, "")
    return {
        "matter": {
            "number": matter.number,
            "title": matter.title,
            "cause": matter.cause.name if matter.cause else "",
            "court": matter.court,
            "case_number": case_number.number if case_number else "",
            "type": str(matter.get_matter_type_display()),
            "stage": str(matter.get_stage_display()) if matter.stage else "",
            "amount": _figures(matter.amount),
            "amount_capital": _capital(matter.amount),
        },
        "client": clients[0] if clients else empty_party,
        "clients": clients,
        "opposing_parties": opposing,
        "opposing_names": "、".join(p["name"] for p in opposing),
        "firm": {
            "name": firm.display_name,
            "address": firm.address,
            "phone": firm.phone,
            "licence_number": firm.licence_number,
        },
        "partner": {"name": partner.display_name if partner else ""},
        "lead": {"name": lead.display_name if lead else ""},
        "lawyers": lawyers,
        "lawyer_names": "、".join(lawyer["name"] for lawyer in lawyers),
        "fee": _fee(fee_agreement_for(matter)),
        "evidence": evidence_items(matter=matter) if fields is None or "evidence" in fields else [],
        "today": {"cn": date_cn(today), "date": date_numeric(today)},
    }


def flatten(context: dict[str, Any], paths: list[str]) -> list[tuple[str, str]]:
    """(path, value) of the leaf paths a template uses, for the preview; a list's items
    joined with "、"."""
    out: list[tuple[str, str]] = []
    for path in paths:
        if path in LIST_PATHS:
            continue
        head, _sep, item = path.partition("[].")
        value: Any = context
        for key in head.split("."):
            value = value.get(key, "") if isinstance(value, dict) else ""
        if item:
            value = "、".join(str(v.get(item, "")) for v in value if isinstance(v, dict))
        out.append((path, str(value)))
    return out

"""The built-in starter set, written in code with python-docx (nothing downloaded): 委托代理合同,
授权委托书 (一般授权 and 特别授权), 律师事务所函 (所函), 诉讼风险告知书, 证据目录 (a table row
per evidence document), 风险代理合同 with its prominent risk notice, 律师函 and a 民事起诉状
skeleton (every party with full particulars; claims left to the lawyer). An administrator
replaces one by uploading a template under the same key; the built-in text is then no longer
used. python-docx is imported when a starter is built."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from lexcase.documents.models import Category


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    category: str
    build: Callable[[Any], None]


def _doc() -> Any:
    # python-docx loads when a paper is built, not at startup.
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return document


def _title(document: Any, text: str) -> None:
    # python-docx loads when a paper is built, not at startup.
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(18)


def _lines(document: Any, *lines: str) -> None:
    for line in lines:
        document.add_paragraph(line)


def _right(document: Any, *lines: str) -> None:
    # python-docx loads when a paper is built, not at startup.
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for line in lines:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _engagement_contract(d: Any) -> None:
    _title(d, "委托代理合同")
    _lines(
        d,
        "合同编号：{{ matter.number }}",
        "委托人（甲方）：{{ client.name }}",
        "身份证号码/统一社会信用代码：{{ client.id_number }}",
        "住所：{{ client.address }}",
        "受托人（乙方）：{{ firm.name }}",
        "住所：{{ firm.address }}",
        "甲方因{{ matter.cause }}一案（对方当事人：{{ opposing_names }}；"
        "{% if matter.court %}受理机构：{{ matter.court }}；{% endif %}"
        "{% if matter.case_number %}案号：{{ matter.case_number }}；{% endif %}"
        "案件名称：{{ matter.title }}），委托乙方代理。经双方协商，订立本合同。",
        "第一条 委托事项：乙方接受甲方委托，指派{{ lawyer_names }}律师担任甲方的代理人，"
        "负责合伙人为{{ partner.name }}。",
        "第二条 律师服务费：{{ fee.text }}",
        "律师服务费金额：人民币{{ fee.amount }}元（大写：{{ fee.amount_capital }}）。",
        "{% if fee.terms %}特别约定：{{ fee.terms }}{% endif %}",
        "第三条 律师服务费由乙方统一收取并向甲方出具发票，承办律师不得私自向甲方收取任何费用。",
        "第四条 诉讼费、鉴定费、公证费等费用由甲方另行负担，不属于律师服务费。",
        "第五条 甲方应如实陈述案情，提供真实的证据材料；乙方律师应勤勉尽责，依法维护甲方权益，"
        "并对甲方的商业秘密和个人隐私保密。",
        "第六条 本合同自双方签字盖章之日起生效，至本案本审级代理事务完结时终止。",
        "",
        "甲方（签字/盖章）：            乙方（盖章）：{{ firm.name }}",
        "日期：{{ today.date }}            日期：{{ today.date }}",
    )


def _power_of_attorney(d: Any) -> None:
    _title(d, "授权委托书")
    _lines(
        d,
        "委托人：{{ client.name }}",
        "身份证号码/统一社会信用代码：{{ client.id_number }}",
        "住所：{{ client.address }}",
        "受委托人：{% for l in lawyers %}{{ l.name }}{% if not loop.last %}、{% endif %}"
        "{% endfor %}，{{ firm.name }}律师",
        "联系地址：{{ firm.address }}  电话：{{ firm.phone }}",
        "现委托上列受委托人在{{ client.name }}与{{ opposing_names }}{{ matter.cause }}一案中，"
        "作为{{ client.name }}的诉讼代理人。",
        "{% if matter.court %}受理机构：{{ matter.court }}{% endif %}"
        "{% if matter.case_number %}  案号：{{ matter.case_number }}{% endif %}",
        "代理权限为：一般授权（代为起诉、应诉，提交、签收法律文书，参加庭审，进行辩论）。"
        "如需特别授权（代为承认、放弃、变更诉讼请求，进行和解，提起反诉或者上诉），请在此注明：______。",
        "",
    )
    _right(d, "委托人（签字/盖章）：__________", "{{ today.cn }}")


def _firm_letter(d: Any) -> None:
    _title(d, "{{ firm.name }}\n函")
    _lines(
        d,
        "编号：{{ matter.number }}",
        "{% if matter.court %}{{ matter.court }}{% else %}__________{% endif %}：",
        "本所接受{{ client.name }}的委托，指派{{ lawyer_names }}律师担任其与"
        "{{ opposing_names }}{{ matter.cause }}一案"
        "{% if matter.case_number %}（案号：{{ matter.case_number }}）{% endif %}的代理人，"
        "特此函告。",
        "附：授权委托书一份",
        "",
    )
    _right(
        d,
        "{{ firm.name }}（盖章）",
        "地址：{{ firm.address }}",
        "电话：{{ firm.phone }}",
        "{{ today.cn }}",
    )


def _risk_notice(d: Any) -> None:
    _title(d, "诉讼风险告知书")
    _lines(
        d,
        "{{ client.name }}：",
        "根据《律师执业行为规范》，本所在接受您委托代理{{ matter.title }}（{{ matter.cause }}）"
        "前，特告知以下风险：",
        "一、起诉、上诉不符合法定条件，或超过诉讼时效、举证期限的，可能承担不利后果。",
        "二、当事人对自己的主张负有举证责任，证据不足或逾期举证的，可能承担败诉的风险。",
        "三、对方当事人没有可供执行的财产或者下落不明的，胜诉判决可能无法执行。",
        "四、律师的分析意见是依据现有事实和法律作出的专业判断，不构成对案件结果的承诺。",
        "五、委托人应如实陈述案件事实，因隐瞒事实造成的不利后果由委托人承担。",
        "承办律师：{{ lawyer_names }}    {{ firm.name }}",
        "",
        "委托人已阅读并理解上述风险。",
    )
    _right(d, "委托人（签字/盖章）：__________", "{{ today.cn }}")


def _power_of_attorney_special(d: Any) -> None:
    _title(d, "授权委托书（特别授权）")
    _lines(
        d,
        "委托人：{{ client.name }}",
        "身份证号码/统一社会信用代码：{{ client.id_number }}",
        "住所：{{ client.address }}",
        "受委托人：{{ lawyer_names }}，{{ firm.name }}律师",
        "联系地址：{{ firm.address }}  电话：{{ firm.phone }}",
        "现委托上列受委托人在{{ client.name }}与{{ opposing_names }}{{ matter.cause }}一案中，"
        "作为{{ client.name }}的诉讼代理人。",
        "代理权限为特别授权：代为起诉或应诉，代为承认、放弃、变更诉讼请求，进行和解、调解，"
        "提起反诉或者上诉，代为申请执行，代为签收法律文书。",
        "",
    )
    _right(d, "委托人（签字/盖章）：__________", "{{ today.cn }}")


def _contingency_contract(d: Any) -> None:
    # python-docx loads when a paper is built, not at startup.
    from docx.shared import Pt

    _title(d, "风险代理合同")
    notice = d.add_paragraph().add_run(
        "风险提示：风险代理是指委托人与律师事务所约定，根据案件办理结果收取律师服务费的收费方式。"
        "案件结果存在不确定性，委托人可能在未获得预期结果时仍须支付基础费用；"
        "约定的风险代理费以法律规定的上限为限。委托人已充分理解上述风险。"
    )
    notice.bold = True
    notice.font.size = Pt(14)
    _lines(
        d,
        "委托人（甲方）：{{ client.name }}",
        "身份证号码/统一社会信用代码：{{ client.id_number }}",
        "受托人（乙方）：{{ firm.name }}",
        "案件：{{ matter.title }}（{{ matter.cause }}），标的额人民币{{ matter.amount }}元"
        "（大写：{{ matter.amount_capital }}）。",
        "收费方式：{{ fee.kind }}。{{ fee.text }}",
        "{% if fee.rate %}风险代理比例：{{ fee.rate }}。{% endif %}",
        "{% if fee.terms %}特别约定：{{ fee.terms }}{% endif %}",
        "律师服务费由乙方统一收取并出具发票。",
        "",
        "甲方（签字/盖章）：            乙方（盖章）：{{ firm.name }}",
        "日期：{{ today.date }}",
    )


def _lawyer_letter(d: Any) -> None:
    _title(d, "律师函")
    _lines(
        d,
        "编号：{{ matter.number }}",
        "致：{{ opposing_names }}",
        "{{ firm.name }}接受{{ client.name }}的委托，指派{{ lawyer_names }}律师，"
        "就{{ matter.cause }}事宜，向贵方致函如下：",
        "一、事实：______",
        "二、要求：______",
        "请贵方于收到本函之日起____日内与本所律师联系。",
        "",
    )
    _right(d, "{{ firm.name }}（盖章）", "经办律师：{{ lawyer_names }}", "{{ today.cn }}")


def _complaint(d: Any) -> None:
    _title(d, "民事起诉状")
    _lines(
        d,
        "{% for c in clients %}原告：{{ c.name }}，{{ c.kind }}，"
        "身份证号码/统一社会信用代码：{{ c.id_number }}，住所：{{ c.address }}。"
        "{% endfor %}",
        "委托诉讼代理人：{{ lawyer_names }}，{{ firm.name }}律师。",
        "{% for p in opposing_parties %}被告：{{ p.name }}，{{ p.kind }}，"
        "身份证号码/统一社会信用代码：{{ p.id_number }}，住所：{{ p.address }}。"
        "{% endfor %}",
        "案由：{{ matter.cause }}",
        "诉讼请求：",
        "1. ______",
        "2. 本案诉讼费用由被告承担。",
        "事实与理由：",
        "______",
        "此致",
        "{{ matter.court }}",
        "",
    )
    _right(d, "具状人：{{ client.name }}", "{{ today.cn }}")


def _evidence_list(d: Any) -> None:
    _title(d, "证据目录")
    _lines(
        d,
        "案件：{{ matter.title }}"
        "{% if matter.case_number %}（{{ matter.case_number }}）{% endif %}",
        "提交人：{{ client.name }}（{{ client.standing }}）",
    )
    table = d.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("序号", "证据名称", "日期", "页数", "证明目的"), strict=True
    ):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for e in evidence %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ e.seq }}", "{{ e.title }}", "{{ e.date }}", "{{ e.pages }}", "{{ e.notes }}"),
        strict=True,
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    _lines(d, "")
    _right(d, "提交人（签字/盖章）：__________", "代理律师：{{ lawyer_names }}", "{{ today.cn }}")


STARTERS: dict[str, Starter] = {
    s.key: s
    for s in (
        Starter("engagement_contract", "委托代理合同", Category.CONTRACT, _engagement_contract),
        Starter("power_of_attorney", "授权委托书", Category.ENGAGEMENT, _power_of_attorney),
        Starter("firm_letter", "律师事务所函", Category.CORRESPONDENCE, _firm_letter),
        Starter("risk_notice", "诉讼风险告知书", Category.ENGAGEMENT, _risk_notice),
        Starter("evidence_list", "证据目录", Category.EVIDENCE, _evidence_list),
        Starter(
            "power_of_attorney_special",
            "授权委托书（特别授权）",
            Category.ENGAGEMENT,
            _power_of_attorney_special,
        ),
        Starter("contingency_contract", "风险代理合同", Category.CONTRACT, _contingency_contract),
        Starter("lawyer_letter", "律师函", Category.CORRESPONDENCE, _lawyer_letter),
        Starter("complaint", "民事起诉状", Category.PLEADING, _complaint),
    )
}


@cache
def starter_content(key: str) -> bytes:
    """The DOCX bytes of a built-in template (built once per process)."""
    document = _doc()
    STARTERS[key].build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()

"""Suggested category from a file name and its text: a transparent keyword scorer.

Each category has weighted keywords. A keyword in the file name counts three times its
weight (people name files deliberately), a keyword in the first part of the text once.
The highest score wins; no keyword at all means "other". The reasons are returned so the
upload form can say why it suggests what it suggests. Accuracy is measured on the
labelled sample in tests/data/classify_sample.json (test_classify.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from lexcase.documents.models import Category

# Order matters for ties: the more specific category first.
KEYWORDS: dict[str, dict[str, int]] = {
    Category.COURT: {
        "判决书": 5,
        "裁定书": 5,
        "调解书": 4,
        "传票": 5,
        "受理通知书": 5,
        "应诉通知书": 5,
        "举证通知书": 5,
        "开庭": 2,
        "人民法院": 3,
        "仲裁委员会": 2,
        "裁决书": 5,
        "缴费通知": 3,
        "执行通知书": 5,
        "送达回证": 4,
        "本院认为": 4,
        "判决如下": 4,
        "裁定如下": 4,
        "judgment": 3,
        "summons": 3,
        "ruling": 2,
        "award": 2,
    },
    Category.PLEADING: {
        "起诉状": 5,
        "答辩状": 5,
        "上诉状": 5,
        "反诉状": 5,
        "仲裁申请书": 5,
        "代理词": 4,
        "申请书": 2,
        "诉讼请求": 3,
        "事实与理由": 3,
        "答辩人": 3,
        "原告": 1,
        "被告": 1,
        "此致": 1,
        "complaint": 3,
        "statement of defence": 3,
        "defence": 2,
        "petition": 2,
        "pleading": 3,
    },
    Category.EVIDENCE: {
        "证据": 4,
        "证据目录": 5,
        "证据清单": 5,
        "质证": 3,
        "发票": 3,
        "收据": 3,
        "转账": 3,
        "银行流水": 4,
        "聊天记录": 4,
        "截图": 3,
        "送货单": 3,
        "对账单": 3,
        "照片": 2,
        "鉴定意见": 4,
        "公证书": 3,
        "evidence": 3,
        "exhibit": 3,
        "invoice": 2,
        "receipt": 2,
        "statement": 1,
    },
    Category.ENGAGEMENT: {
        "委托代理合同": 6,
        "委托合同": 5,
        "授权委托书": 6,
        "委托书": 4,
        "所函": 4,
        "律师事务所函": 4,
        "风险告知书": 5,
        "收费": 2,
        "律师费": 3,
        "营业执照": 3,
        "身份证": 3,
        "法定代表人身份证明": 5,
        "engagement": 4,
        "power of attorney": 5,
        "retainer": 4,
    },
    Category.CORRESPONDENCE: {
        "律师函": 5,
        "函": 1,
        "通知函": 4,
        "催告函": 4,
        "回函": 4,
        "邮件": 3,
        "来信": 3,
        "致": 1,
        "敬启": 2,
        "此复": 3,
        "letter": 3,
        "email": 3,
        "e-mail": 3,
        "dear": 2,
        "re:": 2,
    },
    Category.CONTRACT: {
        "合同": 3,
        "协议": 3,
        "协议书": 4,
        "甲方": 3,
        "乙方": 3,
        "违约责任": 4,
        "补充协议": 4,
        "章程": 2,
        "条款": 1,
        "contract": 3,
        "agreement": 3,
        "party a": 2,
        "party b": 2,
    },
}

NAME_WEIGHT = 3
TEXT_CHARS = 3000


@dataclass(frozen=True)
class Suggestion:
    category: str
    score: int
    reasons: tuple[str, ...]  # the keywords that matched, strongest first


def _hits(haystack: str, keywords: dict[str, int], weight: int) -> list[tuple[int, str]]:
    return [(w * weight, k) for k, w in keywords.items() if k in haystack]


def suggest_category(*, file_name: str = "", text: str = "") -> Suggestion:
    name = (file_name or "").lower()
    body = (text or "")[:TEXT_CHARS].lower()
    best = Suggestion(Category.OTHER.value, 0, ())
    for category, keywords in KEYWORDS.items():
        hits = _hits(name, keywords, NAME_WEIGHT) + _hits(body, keywords, 1)
        score = sum(w for w, _k in hits)
        if score > best.score:
            reasons = tuple(k for _w, k in sorted(hits, reverse=True))
            best = Suggestion(str(category), score, reasons)
    return best

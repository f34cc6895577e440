"""Court SMS and 电子送达 notices: rules over the pasted text (no scraping, no network).

`parse_court_message` finds the court, the 案号 (checked by the gate's parser, canonical
form), the kind of document (开庭传票, 举证通知书, 判决书 …), the first date named (a hearing,
a deadline or the service date, with a time of day if one follows) and the platform link.
Anything not found is left blank: a lawyer matches or completes it by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from lexcase.matters.case_numbers import CaseNumberError, court_name_for, parse_case_number

# (kind, label, keywords): the first kind with a keyword in the text wins, so the more
# specific documents come before the words they contain (开庭传票 before 开庭).
KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("summons", "开庭传票", ("传票",)),
    ("evidence_notice", "举证通知书", ("举证通知",)),
    ("response_notice", "应诉通知书", ("应诉通知",)),
    ("acceptance_notice", "受理通知书", ("受理通知", "立案通知", "已立案", "予以立案")),
    ("fee_notice", "交费通知", ("交纳诉讼费", "缴纳诉讼费", "交费通知", "缴费通知", "预交")),
    ("judgment", "判决书", ("判决书",)),
    ("ruling", "裁定书", ("裁定书",)),
    ("mediation", "调解书", ("调解书",)),
    ("complaint_copy", "起诉状副本", ("起诉状副本", "起诉状", "上诉状副本", "上诉状")),
    ("enforcement_notice", "执行通知书", ("执行通知", "报告财产令")),
    ("hearing_notice", "开庭通知", ("开庭", "出庭通知", "询问", "听证")),
)
KIND_LABELS = {kind: label for kind, label, _words in KINDS} | {"other": "其他"}

_CASE_NUMBER = re.compile(r"[(（〔\[【]\s*\d{4}\s*[)）〕\]】][^\s，,。；;：:、（）()]{2,24}?号")
_BRACKETED_COURT = re.compile(r"[【\[]([\u4e00-\u9fff]{2,30}?(?:法院|仲裁委员会|法庭))[】\]]")
_COURT = re.compile(r"[\u4e00-\u9fff]{2,30}?(?:人民法院|仲裁委员会|人民法庭)")
# Words an SMS puts before the court's name ("您好，本案由…", "尊敬的当事人…").
_LEADING = (
    "尊敬的",
    "您好",
    "你好",
    "当事人",
    "您的案件",
    "您",
    "本案",
    "现",
    "已由",
    "由",
    "经",
    "收到",
    "关于",
    "在",
)
_FULL_DATE = re.compile(r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_SHORT_DATE = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_TIME = re.compile(
    r"^\s*(?:(上午|下午|晚上)\s*)?(\d{1,2})\s*(?:[:：]\s*(\d{2})|时\s*(?:(\d{1,2})\s*分|半)?|点\s*(?:(\d{1,2})\s*分|半)?)"
)
_LINK = re.compile(r"https?://[^\s，。；;、）)】\u4e00-\u9fff]+")


@dataclass(frozen=True)
class ParsedMessage:
    court: str = ""
    case_number: str = ""
    kind: str = "other"
    event_date: date | None = None
    event_time: str = ""  # "09:30"
    link: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _normalise(text: str) -> str:
    # Full-width digits, colons and brackets fold; line breaks inside a message become spaces.
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _case_number(text: str) -> tuple[str, str]:
    """(canonical 案号, court code) of the first valid 案号 in the text."""
    for match in _CASE_NUMBER.finditer(text):
        try:
            number = parse_case_number(match.group(0))
        except CaseNumberError:
            continue
        return number.canonical, number.court
    return "", ""


def _strip_leading(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for word in _LEADING:
            if name.startswith(word) and len(name) - len(word) >= 4:
                name, changed = name[len(word) :], True
    return name


def _court(text: str, court_code: str) -> str:
    bracketed = _BRACKETED_COURT.search(text)
    if bracketed:
        return bracketed.group(1)
    found = _COURT.search(text)
    if found:
        return _strip_leading(found.group(0))
    return court_name_for(court_code) or "" if court_code else ""


def _time(rest: str) -> str:
    match = _TIME.match(rest)
    if not match:
        return ""
    half, hour_s, colon_min, shi_min, dian_min = match.groups()
    hour = int(hour_s)
    minute_s = colon_min or shi_min or dian_min
    minute = int(minute_s) if minute_s else (30 if "半" in match.group(0) else 0)
    if half in ("下午", "晚上") and hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return ""
    return f"{hour:02d}:{minute:02d}"


def _date(text: str, received: date) -> tuple[date | None, str]:
    """The first date of the text (a month-day without year is taken in the received year,
    or the next if it would be long past) and the time of day right after it."""
    found: list[tuple[int, date, int]] = []
    for m in _FULL_DATE.finditer(text):
        try:
            found.append((m.start(), date(int(m[1]), int(m[2]), int(m[3])), m.end()))
        except ValueError:
            continue
    for m in _SHORT_DATE.finditer(text):
        if any(start <= m.start() < end for start, _d, end in found):
            continue
        try:
            day = date(received.year, int(m[1]), int(m[2]))
        except ValueError:
            continue
        if (received - day).days > 180:
            day = day.replace(year=received.year + 1)
        found.append((m.start(), day, m.end()))
    if not found:
        return None, ""
    _start, day, end = min(found)
    return day, _time(text[end:])


def parse_court_message(text: str, *, received: date) -> ParsedMessage:
    clean = _normalise(text)
    case_number, court_code = _case_number(clean)
    link = _LINK.search(clean)
    without_link = _LINK.sub(" ", clean)
    kind = next((k for k, _label, words in KINDS if any(w in without_link for w in words)), "other")
    # Dates inside the 案号 or the link are not dates of the message.
    dated = _CASE_NUMBER.sub(" ", without_link)
    event_date, event_time = _date(dated, received)
    return ParsedMessage(
        court=_court(without_link, court_code),
        case_number=case_number,
        kind=kind,
        event_date=event_date,
        event_time=event_time,
        link=link.group(0) if link else "",
    )


def split_messages(pasted: str) -> list[str]:
    """Several messages pasted at once: separated by blank lines, or each starting with a
    【court】 tag on a new line."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", pasted.strip()) if b.strip()]
    out: list[str] = []
    for block in blocks:
        parts = re.split(r"\n(?=\s*【)", block)
        out.extend(p.strip() for p in parts if p.strip())
    return out

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lexcase.audit.models import AuditEvent
from lexcase.matters.models import CourtCaseNumber, EthicalWall
from lexcase.papers import intake
from lexcase.papers.court_sms import parse_court_message, split_messages
from lexcase.papers.models import CourtMessage
from lexcase.papers.tests.helpers import demo_matter
from lexcase.testing import client_for

RECEIVED = date(2026, 12, 6)

# Ten messages of different courts and kinds, written for these tests in the shapes courts
# send (SMS with a 【court】 tag, 电子送达 platform notices, arbitration commissions).
SAMPLES = [
    (
        "【北京市朝阳区人民法院】张三丰，您好！您与上海某某贸易有限公司买卖合同纠纷一案"
        "（2026）京0105民初12345号，定于2026年12月18日上午9时30分在第三法庭开庭，开庭传票"
        "已送达，请登录 https://zxfw.court.gov.cn/zxfw/#/pagesAjkj/app/wssd/index?qdbh=A1 查看。",
        (
            "北京市朝阳区人民法院",
            "（2026）京0105民初12345号",
            "summons",
            date(2026, 12, 18),
            "09:30",
        ),
    ),
    (
        "上海市浦东新区人民法院通知：(2026)沪0115民初8765号案件，举证期限至2026年12月30日，"
        "请查收举证通知书 http://sd.example.org/x?id=1",
        (
            "上海市浦东新区人民法院",
            "（2026）沪0115民初8765号",
            "evidence_notice",
            date(2026, 12, 30),
            "",
        ),
    ),
    (
        "尊敬的当事人：您在广东省深圳市中级人民法院的（2025）粤03民终4321号案件判决书已于"
        "12月1日电子送达，请点击https://sfpt.example.cn/sd/3 下载。",
        ("广东省深圳市中级人民法院", "（2025）粤03民终4321号", "judgment", date(2026, 12, 1), ""),
    ),
    (
        "【浙江省杭州市西湖区人民法院】王五：（2026）浙0106民初2001号案件已立案，"
        "请于2026年12月13日前交纳诉讼费，逾期按撤诉处理。",
        (
            "浙江省杭州市西湖区人民法院",
            "（2026）浙0106民初2001号",
            "acceptance_notice",
            date(2026, 12, 13),
            "",
        ),
    ),
    (
        "【江苏省南京市中级人民法院】（2026）苏01民终777号民事裁定书已通过电子送达平台送达，"
        "送达日期2026-12-04，查看地址：https://ssfw.example.gov.cn/d/777",
        ("江苏省南京市中级人民法院", "（2026）苏01民终777号", "ruling", date(2026, 12, 4), ""),
    ),
    (
        "北京知识产权法院：（2026）京73民初1500号案件应诉通知书、起诉状副本已送达，"
        "请于2026年12月21日前提交答辩状。",
        ("北京知识产权法院", "（2026）京73民初1500号", "response_notice", date(2026, 12, 21), ""),
    ),
    (
        "【北京市海淀区人民法院】您的（2026）京0108民初9999号案件民事调解书已生成，"
        "请于12月10日下午2点半到本院领取。",
        (
            "北京市海淀区人民法院",
            "（2026）京0108民初9999号",
            "mediation",
            date(2026, 12, 10),
            "14:30",
        ),
    ),
    (
        "【广州市天河区人民法院】(2026)粤0106执1234号执行通知书、报告财产令已送达，"
        "请于2026年12月15日前申报财产。",
        (
            "广州市天河区人民法院",
            "（2026）粤0106执1234号",
            "enforcement_notice",
            date(2026, 12, 15),
            "",
        ),
    ),
    (
        "【四川省成都市武侯区人民法院】（2026）川0107民初3210号案件定于2027年1月8日"
        "14:00在第五法庭开庭审理，请准时出庭。",
        (
            "四川省成都市武侯区人民法院",
            "（2026）川0107民初3210号",
            "hearing_notice",
            date(2027, 1, 8),
            "14:00",
        ),
    ),
    (
        "【上海市第一中级人民法院】（2026）沪01刑终55号案件刑事判决书已于2026年12月2日送达"
        "辩护人，详情见 https://example.court.sh.cn/wssd?code=XYZ",
        ("上海市第一中级人民法院", "（2026）沪01刑终55号", "judgment", date(2026, 12, 2), ""),
    ),
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "expected"), SAMPLES, ids=[s[1][2] + str(i) for i, s in enumerate(SAMPLES)]
)
def test_ten_court_messages_are_read(text, expected):
    parsed = parse_court_message(text, received=RECEIVED)
    assert (
        parsed.court,
        parsed.case_number,
        parsed.kind,
        parsed.event_date,
        parsed.event_time,
    ) == expected


def test_links_are_read_and_messages_split():
    parsed = parse_court_message(SAMPLES[0][0], received=RECEIVED)
    assert parsed.link == "https://zxfw.court.gov.cn/zxfw/#/pagesAjkj/app/wssd/index?qdbh=A1"
    pasted = SAMPLES[0][0] + "\n\n" + SAMPLES[1][0] + "\n" + SAMPLES[3][0]
    assert split_messages(pasted) == [SAMPLES[0][0], SAMPLES[1][0], SAMPLES[3][0]]


@pytest.mark.django_db
def test_matched_by_case_number_then_by_party_name_and_a_manual_match_stays(firm):
    matter = demo_matter(firm)  # has （2026）京0105民初12345号, client 张三丰
    by_number, by_party, unknown = intake.court_messages_intake(
        actor=firm.lead,
        text="\n\n".join(
            [
                SAMPLES[0][0],
                # A new 案号 (second instance) naming the matter's parties.
                "【北京市第三中级人民法院】张三丰与上海某某贸易有限公司买卖合同纠纷一案"
                "（2026）京03民终888号，定于2027年1月12日上午9时开庭。",
                SAMPLES[2][0],
            ]
        ),
    )
    assert (by_number.matter_id, by_number.matched_by) == (matter.pk, "case_number")
    assert (by_party.matter_id, by_party.matched_by) == (matter.pk, "party")
    assert (unknown.matter_id, unknown.matched_by, unknown.candidates) == (None, "", [])
    # Filed by hand on the client's other matter; parsing again keeps that choice.
    other = demo_matter(firm, client_name="李四")
    intake.court_message_match(actor=firm.lead, message=by_number, matter=other)
    again = intake.court_message_reparse(actor=firm.lead, message=by_number)
    assert (again.matter_id, again.matched_by) == (other.pk, "manual")
    assert again.case_number == "（2026）京0105民初12345号"
    # Without the manual choice the rules would have taken the 案号's matter.
    fresh = intake.court_message_reparse(actor=firm.lead, message=by_party)
    assert (fresh.matter_id, fresh.matched_by) == (matter.pk, "party")
    assert list(
        AuditEvent.objects.filter(action__startswith="court_message").values_list(
            "action", flat=True
        )
    ) == ["court_message.intake"] * 3 + ["court_message.match"]


@pytest.mark.django_db
def test_party_names_on_two_matters_leave_the_choice_to_the_lawyer(firm):
    first = demo_matter(firm)
    second = demo_matter(firm)  # the same client and opposing names
    (message,) = intake.court_messages_intake(
        actor=firm.lead,
        text="【北京市第三中级人民法院】张三丰与上海某某贸易有限公司一案（2026）京03民终889号已立案。",
    )
    assert (message.matter_id, message.candidates) == (None, sorted([first.pk, second.pk]))
    page = client_for(firm.lead).get(f"/papers/court-messages/{message.pk}/")
    assert page.status_code == 200
    assert f'name="matter" value="{first.pk}"' in page.content.decode()


@pytest.mark.django_db
def test_hidden_matters_are_never_matched(firm):
    matter = demo_matter(firm)
    (message,) = intake.court_messages_intake(actor=firm.outsider, text=SAMPLES[0][0])
    assert (message.matter_id, message.matched_by) == (None, "")
    assert CourtCaseNumber.objects.filter(matter=matter).count() == 1
    assert intake.court_messages_visible_to(firm.lead).filter(pk=message.pk).count() == 0


@pytest.mark.django_db
def test_the_paste_page(firm):
    demo_matter(firm)
    response = client_for(firm.lead).post("/papers/court-messages/", {"text": SAMPLES[0][0]})
    message = CourtMessage.objects.get()
    assert response["Location"] == f"/papers/court-messages/{message.pk}/"
    listing = client_for(firm.lead).get("/papers/court-messages/").content.decode()
    assert "（2026）京0105民初12345号" in listing
    detail = client_for(firm.lead).get(f"/matters/{message.matter_id}/").content.decode()
    assert f'<a href="/papers/court-messages/{message.pk}/">开庭传票</a>' in detail


@pytest.mark.django_db
def test_reading_a_court_message_is_audited_and_a_hidden_one_is_not_found(firm):
    matter = demo_matter(firm)
    (message,) = intake.court_messages_intake(actor=firm.lead, text=SAMPLES[0][0])
    assert message.matter_id == matter.pk
    assert client_for(firm.lead).get(f"/papers/court-messages/{message.pk}/").status_code == 200
    viewed = AuditEvent.objects.filter(action="court_message.view")
    assert list(viewed.values_list("actor_id", "object_id", "matter_id")) == [
        (firm.lead.pk, str(message.pk), matter.pk)
    ]
    # A partner walled off the matter and a lawyer off it: 404, and nothing is recorded.
    EthicalWall.objects.create(matter=matter, user=firm.walled, reason="对方前代理人")
    for user in (firm.walled, firm.outsider):
        assert client_for(user).get(f"/papers/court-messages/{message.pk}/").status_code == 404
    assert viewed.count() == 1


@pytest.mark.django_db
def test_a_message_longer_than_the_limit_is_refused_not_cut(firm):
    # It was stored cut at 5,000 characters, silently: the record no longer said what the
    # court sent.
    demo_matter(firm)
    text = SAMPLES[0][0] + "。" * 5000
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        intake.court_messages_intake(actor=firm.lead, text=text)
    assert exc.value.message_dict == {"text": ["最多 5000 个字符。"]}
    response = client_for(firm.lead).post("/papers/court-messages/", {"text": text})
    # Beside the pasted text, kept as pasted (it was a message above an empty box, 200).
    assert response.status_code == 422
    assert response.context["form"].errors == {"text": ["最多 5000 个字符。"]}
    assert CourtMessage.objects.count() == 0
    (kept,) = intake.court_messages_intake(actor=firm.lead, text=text[:5000])
    assert len(kept.text) == 5000

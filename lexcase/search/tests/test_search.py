"""Search on the database under test: run on SQLite and on PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import io
import random
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from lexcase.matters.importing import import_file
from lexcase.matters.models import MatterType
from lexcase.matters.services import (
    matter_case_number_add,
    matter_create,
    matter_party_add,
    matter_update,
)
from lexcase.parties.models import PartyKind
from lexcase.parties.services import party_create, party_update
from lexcase.search.models import SearchEntry
from lexcase.search.selectors import search
from lexcase.search.services import (
    search_entry_delete,
    search_entry_upsert,
    search_matter_reindex,
    search_matters_reindex,
)

pytestmark = pytest.mark.django_db


def doc(firm, object_id, text, *, title="文书", matter=None, category="court", on_date=None):
    search_entry_upsert(
        kind="document",
        object_id=object_id,
        matter_id=(matter or firm.matter).pk,
        title=title,
        text=text,
        category=category,
        on_date=on_date,
    )


def found(user, q, **kw):
    return [(h.kind, h.id) for h in search(user=user, q=q, **kw)]


def test_finds_one_two_and_longer_chinese_terms(firm):
    doc(firm, 1, "北京市朝阳区人民法院民事判决书，原告张三诉被告李四。")
    doc(firm, 2, "律师函：请贵司于七日内支付货款。")
    for q in ("法", "法院", "张", "张三", "李四", "人民法院", "朝阳区人民法院民事", "判决书"):
        assert found(firm.lead, q) == [("document", 1)], q
    assert found(firm.lead, "货款") == [("document", 2)]
    assert found(firm.lead, "院民") == [("document", 1)]  # across a jieba word boundary
    assert found(firm.lead, "法院 货款") == []  # every term must match
    assert found(firm.lead, "刑事") == []


def test_finds_case_numbers_and_latin_text(firm):
    doc(firm, 1, "案号（2024）京0105民初12345号 Contract with ACME Ltd.")
    for q in ("（2024）京0105民初12345号", "(2024)京0105民初12345号", "京0105", "民初123", "acme"):
        assert found(firm.lead, q) == [("document", 1)], q
    assert found(firm.lead, "京0106") == []


def test_layout_spaces_and_line_breaks_inside_chinese_do_not_hide_a_word(firm):
    doc(firm, 1, "北京市朝阳区人民法\n院（盖章）  民 事 判 决 书")
    assert found(firm.lead, "法院") == [("document", 1)]
    assert found(firm.lead, "民事判决书") == [("document", 1)]


def test_identifier_terms_match_as_written(firm):
    doc(firm, 1, "（2024）苏0105民初12号")
    doc(firm, 2, "（2024）京0105民初12号")
    assert found(firm.lead, "京0105民初") == [("document", 2)]


def test_the_title_is_searchable(firm):
    doc(firm, 1, "正文", title="起诉状（定稿）")
    assert found(firm.lead, "起诉") == [("document", 1)]


VOCAB = (
    "法院 原告 被告 合同 纠纷 判决 王伟 张三 李 刘 有限公司 北京 上海 货款 利息 违约金 证据 "
    "律师 委托 仲裁 申请人 的 了 和 于 在 执行 裁定 调解 民事 刑事 股权 转让 房屋 租赁 劳动 "
    "工资 赔偿 损失 人民 华泰 科技 支付 逾期 三 日 月 年"
).split()
TERMS = (
    "法", "院", "王", "伟", "李", "的", "刘",  # one character
    "法院", "王伟", "张三", "原告", "货款", "院原", "告被", "公司",  # two
    "有限公司", "合同纠纷", "违约金", "人民法院", "北京华泰", "股权转让", "支付货款",  # more
)  # fmt: skip


def test_recall_equals_a_like_scan(firm):
    """Every entry a LIKE '%term%' scan finds is found; for one and two characters the
    result is exactly the LIKE result."""
    rng = random.Random(20261130)
    empty = 0
    for i in range(150):
        text = "".join(rng.choice(VOCAB) for _ in range(rng.randint(3, 40)))
        doc(firm, i, text, title=f"第{i}号")
    for term in TERMS:
        oracle = set(
            SearchEntry.objects.filter(kind="document", text__contains=term).values_list(
                "object_id", flat=True
            )
        )
        hits = {i for _k, i in found(firm.lead, term, kind="document", limit=1000)}
        empty += not oracle
        if len(term) <= 2:
            assert hits == oracle, term
        else:
            assert hits >= oracle, term
            # The extra hits have all the term's words, apart.
            for extra in hits - oracle:
                entry = SearchEntry.objects.get(kind="document", object_id=extra)
                assert term not in entry.text
    assert empty <= 2  # the corpus exercises (almost) every term


def test_ranking_prefers_more_matches(firm):
    doc(firm, 1, "合同。" + "其他内容。" * 20)
    doc(firm, 2, "合同。合同条款。合同解除。" + "其他内容。" * 17)
    assert found(firm.lead, "合同") == [("document", 2), ("document", 1)]


def test_upsert_replaces_and_delete_removes(firm):
    doc(firm, 1, "租赁合同")
    doc(firm, 1, "劳动仲裁")
    assert SearchEntry.objects.filter(kind="document", object_id=1).count() == 1
    assert found(firm.lead, "租赁") == []
    assert found(firm.lead, "仲裁") == [("document", 1)]
    search_entry_delete(kind="document", object_id=1)
    assert found(firm.lead, "仲裁") == []
    search_entry_delete(kind="document", object_id=1)  # idempotent


def test_deleting_a_matter_takes_its_entries_and_index_rows(firm):
    matter = matter_create(actor=firm.lead, title="临时咨询", matter_type=MatterType.CONSULTATION)
    doc(firm, 1, "临时文件", matter=matter)
    assert found(firm.lead, "临时") == [("document", 1)]
    matter.delete()
    assert found(firm.lead, "临时") == []
    assert SearchEntry.objects.count() == 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            fts = "lexcase_search_fts"
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")


def test_filters(firm):
    doc(firm, 1, "合同正文", category="contract", on_date=date(2026, 3, 1))
    doc(firm, 2, "合同证据", category="evidence", on_date=date(2026, 5, 1))
    doc(firm, 3, "合同保密", matter=firm.confidential, category="contract")
    search_matters_reindex()
    lead = firm.lead
    assert sorted(found(lead, "合同", kind="document")) == [
        ("document", 1),
        ("document", 2),
        ("document", 3),
    ]
    assert found(lead, "合同", category="evidence") == [("document", 2)]
    assert sorted(found(lead, "合同", matter_id=firm.matter.pk)) == [
        ("document", 1),
        ("document", 2),
        ("matter", firm.matter.pk),  # 买卖合同纠纷
    ]
    assert found(lead, "合同", kind="matter") == [("matter", firm.matter.pk)]
    assert found(lead, "合同", date_from=date(2026, 4, 1)) == [("document", 2)]
    assert found(lead, "合同", date_to=date(2026, 4, 1)) == [("document", 1)]
    assert len(found(lead, "合同", kind="document", limit=1)) == 1
    assert found(lead, "") == []
    assert found(lead, "   ") == []


def test_matter_entry_has_number_title_summary_parties_aliases_and_case_numbers(firm):
    alias_party = party_create(
        actor=firm.lead,
        kind=PartyKind.ORGANIZATION,
        name="上海远航物流有限公司",
        aliases=["远航物流"],
    )
    with_all = matter_create(
        actor=firm.lead,
        title="运输合同纠纷",
        matter_type=MatterType.CIVIL,
        summary="货物在途中灭失，客户要求赔偿。",
    )
    matter_party_add(actor=firm.lead, matter=with_all, party=alias_party, role="opposing")
    matter_case_number_add(
        actor=firm.lead, matter=with_all, number="（2025）沪0115民初888号", stage="first_instance"
    )
    search_matter_reindex(matter_id=with_all.pk)
    me = ("matter", with_all.pk)
    for q in (with_all.number, "运输", "灭失", "远航物流有限公司", "远航", "沪0115民初888"):
        assert me in found(firm.lead, q), q
    search_matter_reindex(matter_id=with_all.pk)  # idempotent
    assert SearchEntry.objects.filter(kind="matter", object_id=with_all.pk).count() == 1


def test_matter_services_reindex_on_commit(firm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        matter = matter_create(actor=firm.lead, title="股权转让纠纷", matter_type=MatterType.CIVIL)
    assert found(firm.lead, "股权") == [("matter", matter.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        matter = matter_update(
            actor=firm.lead, matter=matter, version=matter.version, summary="对赌协议"
        )
    assert found(firm.lead, "对赌") == [("matter", matter.pk)]
    party = party_create(actor=firm.lead, kind=PartyKind.PERSON, name="欧阳娜")
    with django_capture_on_commit_callbacks(execute=True):
        matter_party_add(actor=firm.lead, matter=matter, party=party, role="opposing")
    assert found(firm.lead, "欧阳") == [("matter", matter.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        matter_case_number_add(
            actor=firm.lead, matter=matter, number="（2026）京0105民初7号", stage="first_instance"
        )
    assert found(firm.lead, "民初7") == [("matter", matter.pk)]
    # Renaming a party re-indexes every matter it is on.
    with django_capture_on_commit_callbacks(execute=True):
        party_update(actor=firm.lead, party=party, version=party.version, name="欧阳娜娜")
    assert found(firm.lead, "娜娜") == [("matter", matter.pk)]


def test_reindex_command_rebuilds_everything(firm, capsys):
    SearchEntry.objects.all().delete()
    assert found(firm.lead, "华泰") == []
    call_command("search_reindex")
    assert found(firm.lead, "华泰") == [("matter", firm.matter.pk)]
    assert "matter: 2 entries" in capsys.readouterr().out


def test_nul_characters_are_dropped(firm):
    doc(firm, 1, "扫描\x00件")
    assert found(firm.lead, "扫描") == [("document", 1)]


def test_snippet_is_escaped_and_marked(firm):
    text = "前言<script>alert(1)</script>" + "无关内容" * 30 + "本院认为，被告应当支付货款"
    doc(firm, 1, text + "其余" * 60)
    (hit,) = search(user=firm.lead, q="货款")
    assert "<script>" not in hit.snippet
    assert "<mark>货款</mark>" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    (hit,) = search(user=firm.lead, q="script")
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/" in hit.snippet


IMPORT_CSV = (
    "number,title,matter_type,status,opened_on,closed_on,"
    "party_name,party_kind,party_role,id_number,credit_code,aliases\n"
    "2019-民-0007,远洋渔业借款纠纷,civil,closed,2019-03-04,2020-01-15,"
    "欧阳修远,person,client,,,\n"
).encode()


def test_a_small_import_is_searchable_at_once_without_the_worker(
    firm, django_capture_on_commit_callbacks
):
    """Issue 16 item 2: the default (database) task backend needs a running worker; a small
    import must not wait for it."""
    with django_capture_on_commit_callbacks(execute=True):
        report = import_file(
            path_or_file=io.BytesIO(IMPORT_CSV), filename="x.csv", actor=firm.admin
        )
    assert report.ok, report.errors
    hits = found(firm.admin, "2019-民-0007")
    assert len(hits) == 1 and hits[0][0] == "matter"
    assert found(firm.admin, "欧阳修远") == hits


def test_imported_matters_are_indexed_by_a_task(
    firm, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr("lexcase.search.services.INDEX_INLINE_LIMIT", 0)  # a "large" import
    data = (
        "number,title,matter_type,status,opened_on,closed_on,"
        "party_name,party_kind,party_role,id_number,credit_code,aliases\n"
        "2019-民-0007,远洋渔业借款纠纷,civil,closed,2019-03-04,2020-01-15,"
        "欧阳修远,person,client,,,\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_file(path_or_file=io.BytesIO(data), filename="x.csv", actor=firm.admin)
    assert report.ok, report.errors
    hits = found(firm.admin, "远洋渔业")
    assert len(hits) == 1 and hits[0][0] == "matter"
    assert found(firm.admin, "欧阳修远") == hits


def test_beyond_the_rank_cap_the_newest_come_first(firm, monkeypatch):
    doc(firm, 1, "合同" * 10)
    doc(firm, 2, "合同")
    doc(firm, 3, "合同" * 5)
    assert found(firm.lead, "合同") == [("document", 1), ("document", 3), ("document", 2)]
    monkeypatch.setattr("lexcase.search.selectors.RANK_CAP", 2)
    assert found(firm.lead, "合同") == [("document", 3), ("document", 2), ("document", 1)]
    assert found(firm.lead, "合同", limit=2) == [("document", 3), ("document", 2)]


def test_snippet_marks_a_term_split_by_layout_whitespace(firm):
    doc(firm, 1, "北京市朝阳区人民法\n院 判决")
    (hit,) = search(user=firm.lead, q="法院")
    assert hit.snippet == "北京市朝阳区人民<mark>法 院</mark> 判决"

"""The matter list's q= through the search index (issue 15 item 2): the same matters as the
LIKE scan, through the same gate, keyset-paginated.

`matters.selectors.matters_filter` asks the registered text index
(`search.selectors.matter_text_candidates`) for candidates and applies its LIKE conditions
to them; with no index registered it scans. Each test compares the two on the same data.
"""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lexcase.matters.case_numbers import case_number_search_key
from lexcase.matters.models import CourtCaseNumber, Matter, MatterType, Stage
from lexcase.matters.selectors import MatterFilters, matters_filter, matters_page
from lexcase.matters.services import PartyLink, matter_create
from lexcase.parties.names import normalize_name
from lexcase.parties.services import party_create
from lexcase.search.backends import Term
from lexcase.search.selectors import _substring_phrase, matter_text_candidates
from lexcase.search.services import search_matters_reindex
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db

PERSONAS = ["lead", "partner", "admin", "outsider", "partner_other", "walled", "inactive"]

# (title, [(kind, party name)], [案号], confidential, lead lawyer persona)
MATTERS = [
    ("王某劳动争议", [("person", "王"), ("person", "欧阳娜娜")],
     ["（2024）京0105民初12345号"], False, "lead"),
    ("华为专利许可", [("person", "王伟"), ("organization", "華為技術（深圳）有限公司")],
     ["（2023）粤03民终678号", "（2024）粤03民终9号"], False, "lead"),
    ("深圳市华为技术有限公司诉王伟明", [("person", "王伟明"),
     ("organization", "深圳市华为技术有限公司")], ["（2024）京0105民初1234号"], False, "lead"),
    ("ACME Ltd. v. 李", [("person", "John Smith"), ("person", "李")],
     ["（2022）最高法民申9号"], False, "lead"),
    ("王伟保密咨询", [("person", "王伟"), ("organization", "北京某某投资管理中心（有限合伙）")],
     ["（2024）沪0115执100号"], True, "outsider"),
    ("张三丰继承纠纷", [("person", "张三丰"), ("person", "张 三")], [], False, "outsider"),
]  # fmt: skip

QUERIES = [
    # 1- and 2-character names, and names inside longer names
    "王", "李", "娜", "王伟", "欧阳", "三丰", "张三", "张 三",
    # full party names, as written, traditional or simplified, other brackets
    "北京华泰科技有限公司", "華為技術（深圳）有限公司", "华为技术(深圳)有限公司",
    "华为技术（深圳）", "深圳市华为技术有限公司", "北京某某投资管理中心（有限合伙）",
    "John Smith", "john smith", "johnsmith", "JOHN", "smith", "Ltd. v", "acme ltd",
    # 案号 and its parts
    "（2024）京0105民初12345号", "(2024)京0105民初12345号", "京0105民初", "0105民初",
    "105民初", "民初1234", "民初12345号", "12345号", "京0105民初1234", "粤03民终",
    "最高法", "民申9号", "（2024）", "2024）京", "执100",
    # Latin/digit runs alone, punctuation: the LIKE fallback
    "2024", "1234", "0105", "9", "-", "（", "ms",
    # words that match nothing or almost everything
    "有限公司", "纠纷", "公司", "不存在的名字",
]  # fmt: skip


@pytest.fixture
def listed(firm):
    for title, parties, numbers, confidential, lead in MATTERS:
        actor = getattr(firm, lead)
        links = []
        for i, (kind, name) in enumerate(parties):
            party = party_create(actor=actor, kind=kind, name=name)
            links.append(PartyLink(party=party, role="client" if i == 0 else "opposing"))
        matter = matter_create(
            actor=actor,
            title=title,
            matter_type=MatterType.CIVIL,
            confidential=confidential,
            parties=links,
            lead_lawyer=actor,
            responsible_partner=firm.partner,
        )
        for number in numbers:
            CourtCaseNumber.objects.create(
                matter=matter,
                stage=Stage.FIRST_INSTANCE,
                number=number,
                year=int(number[1:5]),
                court_code="x",
                type_code="x",
            )
    # on_commit hooks do not run inside test transactions: index explicitly.
    search_matters_reindex()
    return firm


def _ids(user, q: str) -> set[int]:
    return set(matters_filter(user=user, filters=MatterFilters(q=q)).values_list("pk", flat=True))


def _scan_ids(user, q: str, monkeypatch) -> set[int]:
    """The same selector with no text index registered: the LIKE scan."""
    with monkeypatch.context() as m:
        m.setattr("lexcase.matters.extensions._TEXT_INDEX", [])
        return _ids(user, q)


def _oracle(user, q: str) -> set[int]:
    """The LIKE conditions in Python over the matters `user` sees (ASCII case folding, as
    SQLite's LIKE; the fixture's non-ASCII text has no case)."""
    q = q.strip()
    key = normalize_name(q)
    number_key = case_number_search_key(q)
    out = set()
    for matter in matters_filter(user=user, filters=MatterFilters()):
        names = [mp.party.name_normalized for mp in matter.matter_parties.select_related("party")]
        numbers = list(matter.case_numbers.values_list("number", flat=True))
        if (
            q.lower() in matter.number.lower()
            or q.lower() in matter.title.lower()
            or any(key in n for n in names)
            or any(number_key in case_number_search_key(n) for n in numbers)
        ):
            out.add(matter.pk)
    return out


def _uses_index(user, q: str) -> bool:
    with CaptureQueriesContext(connection) as ctx:
        list(matters_filter(user=user, filters=MatterFilters(q=q)).values_list("pk"))
    sql = " ".join(c["sql"] for c in ctx.captured_queries)
    return "lexcase_search_fts" in sql or "tsv @@" in sql


@pytest.mark.parametrize("persona", PERSONAS)
def test_index_finds_exactly_what_the_scan_finds(listed, persona, monkeypatch):
    user = getattr(listed, persona)
    for q in QUERIES:
        expected = _oracle(user, q)
        assert _scan_ids(user, q, monkeypatch) == expected, q
        assert _ids(user, q) == expected, q


def test_the_fixture_is_not_trivial(listed, monkeypatch):
    """The comparisons above are between non-empty sets where it matters, and the index
    really serves the Chinese, 案号 and name terms (the scan only the single runs)."""
    admin, lead = listed.admin, listed.lead
    titles = lambda ids: set(Matter.objects.filter(pk__in=ids).values_list("title", flat=True))  # noqa: E731
    assert titles(_ids(lead, "王伟")) == {
        "华泰科技诉王伟买卖合同纠纷",
        "华为专利许可",
        "深圳市华为技术有限公司诉王伟明",
    }
    # The confidential 王伟 matter: its members only (the outsider leads it).
    assert "王伟保密咨询" in titles(_ids(listed.outsider, "王伟"))
    assert "王伟保密咨询" not in titles(_ids(admin, "王伟"))
    # Traditional name found by its simplified form, and the other way round.
    assert titles(_ids(admin, "华为技术(深圳)有限公司")) == {"华为专利许可"}
    assert titles(_ids(admin, "華為")) == {"华为专利许可", "深圳市华为技术有限公司诉王伟明"}
    assert titles(_ids(admin, "0105民初")) == {"王某劳动争议", "深圳市华为技术有限公司诉王伟明"}
    assert titles(_ids(admin, "民初12345号")) == {"王某劳动争议"}
    # 105民初 is inside the token 0105: found (the leading run is not looked up).
    assert titles(_ids(admin, "105民初")) == {"王某劳动争议", "深圳市华为技术有限公司诉王伟明"}
    # The 案号 is stored with full-width brackets; ASCII, square or 〔〕 ones find it too.
    for q in ["(2024)京0105民初12345号", "[2024]京0105民初12345号", "〔2024〕京0105民初12345"]:
        assert titles(_ids(admin, q)) == {"王某劳动争议"}, q
        assert titles(_ids(admin, q)) == titles(_scan_ids(admin, q, monkeypatch)), q
    assert titles(_ids(admin, "(2024)")) == {
        "王某劳动争议",
        "华为专利许可",
        "深圳市华为技术有限公司诉王伟明",
    }
    assert titles(_ids(admin, "johnsmith")) == {"ACME Ltd. v. 李"}
    for q in ["王", "王伟", "欧阳娜娜", "華為技術（深圳）有限公司", "京0105民初", "0105民初"]:
        assert _uses_index(admin, q), q
    for q in ["2024", "0105", "ms", "-", "（"]:
        assert not _uses_index(admin, q), q


def test_random_substrings_equal_the_scan(listed, monkeypatch):
    """Any substring of what the list searches (numbers, titles, party names as written
    and normalised, 案号) finds the same matters through the index as through the scan."""
    texts = list(Matter.objects.values_list("number", flat=True))
    texts += list(Matter.objects.values_list("title", flat=True))
    texts += list(CourtCaseNumber.objects.values_list("number", flat=True))
    for matter in Matter.objects.prefetch_related("matter_parties__party"):
        for mp in matter.matter_parties.all():
            texts += [mp.party.name, mp.party.name_normalized]
    rng = random.Random(15)
    for user in (listed.admin, listed.lead):
        for _ in range(120):
            text = rng.choice(texts)
            start = rng.randrange(len(text))
            q = text[start : rng.randint(start + 1, len(text))]
            if not q.strip():
                continue
            assert _ids(user, q) == _scan_ids(user, q, monkeypatch), q


def test_keyset_pages_of_an_indexed_search_cover_it_once(listed):
    user = listed.partner
    expected = _ids(user, "王")
    assert len(expected) >= 4
    seen: list[int] = []
    cursor = ""
    while True:
        page = matters_page(user=user, filters=MatterFilters(q="王"), cursor=cursor, size=2)
        seen += [m.pk for m in page.items]
        assert page.total == len(expected)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


def _index_lookups(ctx) -> int:
    return sum(
        c["sql"].count("lexcase_search_fts MATCH") + c["sql"].count("tsv @@")
        for c in ctx.captured_queries
    )


@pytest.mark.parametrize("cap", [1000, 3])
@pytest.mark.parametrize("q", ["王", "王伟", "（2024）", "有限公司", "0105", "不存在的名字"])
def test_a_searched_page_reads_the_index_once_and_equals_the_scan(listed, cap, q, monkeypatch):
    """Page and count share one index lookup while the matches fit under COUNT_CAP; past
    it the count stops at COUNT_CAP + 1 and the page runs its own query. Either way every
    page equals the LIKE scan's page, cursor by cursor, in two queries at most."""
    monkeypatch.setattr("lexcase.matters.selectors.COUNT_CAP", cap)
    user = listed.partner
    expected = _scan_ids(user, q, monkeypatch)
    pages: list[list[int]] = []
    totals: set[int] = set()
    cursor = ""
    while True:
        with CaptureQueriesContext(connection) as ctx:
            page = matters_page(user=user, filters=MatterFilters(q=q), cursor=cursor, size=2)
        with monkeypatch.context() as m:
            m.setattr("lexcase.matters.extensions._TEXT_INDEX", [])
            scan = matters_page(user=user, filters=MatterFilters(q=q), cursor=cursor, size=2)
        assert [x.pk for x in page.items] == [x.pk for x in scan.items], (q, cursor)
        assert (page.total, page.next_cursor) == (scan.total, scan.next_cursor), (q, cursor)
        assert len(ctx.captured_queries) <= 2
        indexed = _uses_index(user, q)
        over_cap = len(expected) > cap
        assert _index_lookups(ctx) == (0 if not indexed else 2 if over_cap else 1), (q, cap)
        pages.append([x.pk for x in page.items])
        totals.add(page.total)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert totals == {min(len(expected), cap + 1)}
    assert sorted(pk for p in pages for pk in p) == sorted(expected)


def test_the_list_view_searches_through_the_index(listed):
    response = client_for(listed.admin).get("/matters/", {"q": "欧阳娜娜"})
    assert response.status_code == 200
    assert [m.title for m in response.context["page"].items] == ["王某劳动争议"]


@pytest.mark.parametrize(
    ("text", "phrase", "prefix"),
    [
        ("王伟", ("王", "伟"), False),
        ("京0105民初", ("京", "0105", "民", "初"), False),
        ("京0105", ("京", "0105"), True),
        ("0105民初", ("民", "初"), False),
        ("(2024)京0105民初12345号", ("京", "0105", "民", "初", "12345", "号"), False),
        ("LX-2024-00", ("2024", "00"), True),
        ("John Smith", ("smith",), True),
    ],
)
def test_substring_phrase(text, phrase, prefix):
    assert _substring_phrase(text) == Term(phrase, (), prefix)


@pytest.mark.parametrize("text", ["0105", "ms", "2024", "-", "（）", " "])
def test_terms_the_index_cannot_serve(text):
    assert _substring_phrase(text) is None


def _candidates(raw: str) -> set[int]:
    sql = matter_text_candidates(raw, normalize_name(raw))
    with connection.cursor() as cur:
        cur.execute(sql.sql, sql.params)
        return {row[0] for row in cur.fetchall()}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_candidates_check_the_phrase_on_the_tokens_text(listed):
    """PostgreSQL: the GIN index is asked for every token of the phrase (`&`: answered
    from the index alone) and the order is checked in the entry's `tokens` text (strpos),
    not with `<->` (which rechecked every entry on its stored vector, out of line for most
    matter entries); a phrase asked twice (the term and its normalised form alike) is
    asked once; a one-token phrase needs no check."""
    sql = matter_text_candidates("ACME深圳华为", normalize_name("ACME深圳华为"))
    assert sql.params[0] == "('深' & '圳' & '华' & '为')"
    assert sql.params[2:] == ["深 圳 华 为"]
    assert "strpos(e.tokens, %s) > 0" in sql.sql
    assert "<->" not in "".join(str(p) for p in sql.params)
    one = matter_text_candidates("王", "王")
    assert (one.params, "strpos" in one.sql) == (["('王')", "matter"], False)
    prefix = matter_text_candidates("京0105", "京0105")
    assert prefix.params == ["('京' & '0105':*)", "matter", "京 0105"]
    # The characters of a term all held by an entry, but not together: no candidate.
    by_title = {m.title: m.pk for m in Matter.objects.all()}
    assert _candidates("张三丰") == {by_title["张三丰继承纠纷"]}
    assert _candidates("继张") == set()
    assert _candidates("华为技术") == {
        by_title["华为专利许可"],
        by_title["深圳市华为技术有限公司诉王伟明"],
    }
    assert _candidates("京0105民初1234") == {
        by_title["王某劳动争议"],
        by_title["深圳市华为技术有限公司诉王伟明"],
    }


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_candidates_leave_the_characters_of_youxian_gongsi_to_the_check(
    listed, monkeypatch
):
    """PostgreSQL: 有/限/公/司 (most entries hold them) are not asked of the GIN index, the
    phrase check on `tokens` still holds them: the same candidates as asking every token.
    A phrase of nothing else, or of one token, is asked whole."""
    sql = matter_text_candidates("惠派国际公司传媒", "惠派国际公司传媒")
    assert sql.params[0] == "('惠' & '派' & '国' & '际' & '传' & '媒')"
    assert sql.params[2:] == ["惠 派 国 际 公 司 传 媒"]
    assert matter_text_candidates("有限公司", "有限公司").params[0] == (
        "('有' & '限' & '公' & '司')"
    )
    assert matter_text_candidates("公", "公").params == ["('公')", "matter"]
    for name in ["华泰科技有限公司", "科技有限公司", "泰科技有限", "司诉王"]:
        asked = _candidates(name)
        with monkeypatch.context() as m:
            m.setattr("lexcase.search.backends._EVERYWHERE", frozenset())
            assert asked == _candidates(name), name
    assert _candidates("华泰科技有限公司")

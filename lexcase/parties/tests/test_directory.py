"""The party directory: keyset pages through the gate, visible-matter counts, constant queries
(issue 18 item 6)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from lexcase.accounts.services import api_token_create
from lexcase.conflicts.engine import index_parties
from lexcase.matters import selectors
from lexcase.matters.models import MatterParty
from lexcase.matters.selectors import parties_page, parties_visible_to
from lexcase.parties.models import Party, PartyAlias, PartyKind
from lexcase.parties.names import normalize_name
from lexcase.parties.services import party_create
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_remembered_grams():
    """Grams remembered as common (per process) come from this test's parties only."""
    selectors._COMMON_GRAMS.clear()
    yield
    selectors._COMMON_GRAMS.clear()


def _add_parties(firm, n: int, *, prefix: str) -> None:
    """`n` parties on the ordinary matter (its team sees them) and `n` on the confidential
    one (members only), bulk-created: the directory reads what is there."""

    def party(name: str) -> Party:
        return Party(kind=PartyKind.PERSON, name=name, name_normalized=normalize_name(name))

    open_ones = Party.objects.bulk_create(party(f"{prefix}公开{i:03d}") for i in range(n))
    hidden = Party.objects.bulk_create(party(f"{prefix}保密{i:03d}") for i in range(n))
    MatterParty.objects.bulk_create(
        [MatterParty(matter=firm.matter, party=p, role="third") for p in open_ones]
        + [MatterParty(matter=firm.confidential, party=p, role="third") for p in hidden]
    )
    index_parties([p.pk for p in open_ones + hidden])  # the search starts from the grams


def _names(response) -> list[str]:
    return re.findall(r'<a href="/parties/\d+/">([^<]+)</a>', response.content.decode())


def _directory_queries(user) -> tuple[int, list[str]]:
    client = client_for(user)
    client.get("/parties/")  # session and permission caches warm
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/parties/")
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_directory_queries_do_not_grow_and_never_count_every_party(firm):
    few, _ = _directory_queries(firm.partner_other)
    _add_parties(firm, 120, prefix="甲")
    many, sql = _directory_queries(firm.partner_other)
    assert many == few
    # No COUNT(*) over the whole directory: a page costs the same at 100k matters.
    assert [s for s in sql if "COUNT(*)" in s.upper() and "parties_party" in s] == []


def test_keyset_pages_walk_every_visible_party_once_in_name_order(firm):
    _add_parties(firm, 60, prefix="甲")
    client = client_for(firm.partner_other)  # sees firm.matter, not the confidential one
    seen: list[str] = []
    path = "/parties/"
    pages = 0
    while path:
        response = client.get(path)
        assert response.status_code == 200
        names = _names(response)
        assert len(names) <= 50
        seen += names
        pages += 1
        match = re.search(r'href="(\?after=[^"]+)"', response.content.decode())
        path = "/parties/" + match.group(1).replace("&amp;", "&") if match else ""
    expected = sorted([f"甲公开{i:03d}" for i in range(60)] + ["北京华泰科技有限公司", "王伟"])
    assert pages == 2
    assert seen == sorted(seen)
    assert sorted(seen) == expected


def test_keyset_page_keeps_the_search(firm):
    _add_parties(firm, 60, prefix="甲")
    first = parties_page(user=firm.lead, q="甲公开", size=25)
    second = parties_page(user=firm.lead, q="甲公开", cursor=first.next_cursor, size=25)
    assert [p.name for p in first.items] == [f"甲公开{i:03d}" for i in range(25)]
    assert [p.name for p in second.items] == [f"甲公开{i:03d}" for i in range(25, 50)]


def test_a_broken_cursor_is_the_first_page(firm):
    assert [p.name for p in parties_page(user=firm.lead, cursor="!!garbage").items] == [
        p.name for p in parties_page(user=firm.lead).items
    ]


def test_matter_counts_count_only_matters_the_reader_may_see(firm):
    # The client is also on the confidential matter: its members count 2, others 1.
    MatterParty.objects.create(matter=firm.confidential, party=firm.client_party, role="third")
    by_lead = parties_page(user=firm.lead, q="华泰")
    by_partner2 = parties_page(user=firm.partner_other, q="华泰")
    assert by_lead.rows == [(firm.client_party, 2)]
    assert by_partner2.rows == [(firm.client_party, 1)]
    response = client_for(firm.partner_other).get("/parties/?q=华泰")
    assert '<td class="num">1</td>' in response.content.decode()


def test_directory_gate_per_persona(firm):
    fresh = Party.objects.create(kind=PartyKind.PERSON, name="张三")

    def names(user) -> set[str]:
        return {p.name for p in parties_page(user=user).items}

    everything = {"北京华泰科技有限公司", "王伟", "李秘", "张三"}
    assert names(firm.lead) == everything
    assert names(firm.partner) == everything
    assert names(firm.assistant) == everything - {"李秘"}
    assert names(firm.partner_other) == everything - {"李秘"}
    assert names(firm.admin) == everything - {"李秘"}
    assert names(firm.outsider) == {"张三"}
    assert names(firm.walled) == {"张三"}
    assert names(firm.finance) == {"张三"}
    assert names(firm.inactive) == set()
    assert fresh.pk in {p.pk for p in parties_page(user=firm.outsider).items}


def test_api_list_does_not_query_per_party(firm):
    _add_parties(firm, 30, prefix="甲")
    _token, raw = api_token_create(user=firm.lead, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.get("/api/v1/parties?limit=5")
    with CaptureQueriesContext(connection) as small:
        assert len(client.get("/api/v1/parties?limit=5").json()) == 5
    with CaptureQueriesContext(connection) as large:
        assert len(client.get("/api/v1/parties?limit=60").json()) == 60
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("common", [False, True])
def test_search_finds_the_same_parties_from_the_grams_or_walking(firm, monkeypatch, common):
    """The rarest-gram start is a shortcut only: names, aliases and identifiers are found
    whether the search starts from a gram or walks the name index."""
    if common:
        monkeypatch.setattr(selectors, "GRAM_PREFILTER_MAX", -1)  # every gram too common
    party_create(
        actor=firm.lead, kind=PartyKind.ORGANIZATION, name="甲乙丙有限公司", aliases=["丁戊科技"]
    )
    party_create(
        actor=firm.lead, kind=PartyKind.PERSON, name="钱七", id_number="11010519491231002X"
    )

    def found(q: str, user=firm.lead) -> list[str]:
        return [p.name for p in parties_page(user=user, q=q).items]

    assert found("乙丙") == ["甲乙丙有限公司"]
    assert found("丁戊") == ["甲乙丙有限公司"]
    assert found("华泰") == ["北京华泰科技有限公司"]
    assert found("伟") == ["王伟"]
    assert found("110105 19491231 002x") == ["钱七"]
    assert found("91350200776049653A") == ["北京华泰科技有限公司"]
    assert found("李秘") == ["李秘"]
    assert found("李秘", user=firm.admin) == []


def _gram_count_queries(sql: list[str]) -> int:
    return len([s for s in sql if "conflicts_namegram" in s and "COUNT(" in s.upper()])


def test_an_organisation_name_search_counts_its_grams_in_one_query(firm, monkeypatch):
    """A full organisation name: its trade-name bigrams are rare, 北京/科技/公司 common; one
    query counts several of them (capped) and the search starts from the two rarest, with
    the same result as walking the name index."""
    for i in range(6):  # 科技 and 公司 on more names than GRAM_RARE_ENOUGH below
        party_create(actor=firm.lead, kind=PartyKind.ORGANIZATION, name=f"北京第{i}科技有限公司")
    party_create(
        actor=firm.lead, kind=PartyKind.ORGANIZATION, name="北京鸿雁科技有限公司", aliases=["雁鸿"]
    )
    party_create(actor=firm.lead, kind=PartyKind.ORGANIZATION, name="上海鸿雁文化有限公司")
    monkeypatch.setattr(selectors, "GRAM_RARE_ENOUGH", 3)

    def found(q: str) -> tuple[list[str], int]:
        with CaptureQueriesContext(connection) as ctx:
            names = [p.name for p in parties_page(user=firm.lead, q=q).items]
        return names, _gram_count_queries([c["sql"] for c in ctx.captured_queries])

    assert found("北京鸿雁科技有限公司") == (["北京鸿雁科技有限公司"], 1)
    assert found("鸿雁") == (["上海鸿雁文化有限公司", "北京鸿雁科技有限公司"], 1)
    assert found("雁鸿") == (["北京鸿雁科技有限公司"], 1)  # its alias, through the grams
    # Every gram common (科技有限公司): a second count, up to GRAM_PREFILTER_MAX.
    common = [f"北京第{i}科技有限公司" for i in range(6)]
    common += ["北京华泰科技有限公司", "北京鸿雁科技有限公司"]
    monkeypatch.setattr(selectors, "GRAM_COUNT_CAP", 5)  # 科技, 公司 on more than 5 names
    assert found("科技有限公司") == (sorted(common), 2)
    monkeypatch.setattr(selectors, "GRAM_PREFILTER_MAX", -1)  # walk the name index instead
    selectors._COMMON_GRAMS.clear()  # every gram counted again (else the first count is skipped)
    assert found("北京鸿雁科技有限公司") == (["北京鸿雁科技有限公司"], 2)
    # 鸿雁 was just counted on more than this cap (-1): remembered, only the second count.
    assert found("鸿雁") == (["上海鸿雁文化有限公司", "北京鸿雁科技有限公司"], 1)
    assert found("雁鸿") == (["北京鸿雁科技有限公司"], 2)


def test_grams_found_common_are_not_counted_again_and_a_stale_one_misses_nothing(firm, monkeypatch):
    for i in range(6):
        party_create(actor=firm.lead, kind=PartyKind.ORGANIZATION, name=f"北京第{i}科技有限公司")
    party_create(actor=firm.lead, kind=PartyKind.ORGANIZATION, name="北京鸿雁科技有限公司")
    monkeypatch.setattr(selectors, "GRAM_RARE_ENOUGH", 3)
    monkeypatch.setattr(selectors, "GRAM_COUNT_CAP", 5)  # 北京, 有限, 公司 ... on 8 names

    def found(q: str) -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            names = [p.name for p in parties_page(user=firm.lead, q=q).items]
        sql = [c["sql"] for c in ctx.captured_queries]
        return names, [s for s in sql if "conflicts_namegram" in s and "COUNT(" in s.upper()]

    names, counted = found("北京鸿雁科技有限公司")
    assert (names, len(counted), "'公司'" in counted[0]) == (["北京鸿雁科技有限公司"], 1, True)
    assert sorted(selectors._COMMON_GRAMS) == sorted(["北京", "技有", "有限", "限公", "公司"])
    names, counted = found("北京鸿雁科技有限公司")  # the rare pairs only
    assert (names, len(counted), "'公司'" in counted[0]) == (["北京鸿雁科技有限公司"], 1, False)
    # Remembered wrongly (every pair, 鸿雁 too): no first count, a slower start, the same parties.
    selectors._COMMON_GRAMS.update(dict.fromkeys(["京鸿", "鸿雁", "雁科"], 10**6))
    names, counted = found("北京鸿雁科技有限公司")  # the second count only (middle, first, last)
    wide = f"LIMIT {selectors.GRAM_PREFILTER_MAX + 1}"
    assert (names, len(counted), wide in counted[0]) == (["北京鸿雁科技有限公司"], 1, True)
    common = sorted([f"北京第{i}科技有限公司" for i in range(6)] + ["北京鸿雁科技有限公司"])
    assert found("科技有限公司")[0] == sorted([*common, "北京华泰科技有限公司"])


def test_a_search_whose_every_pair_is_common_finds_what_a_like_scan_finds(firm, monkeypatch):
    """Generated organisation names: trade names x industries, so every character pair of a
    full name is on many names and some pairs repeat (图龙信息信息有限公司: 信息 twice). The
    search then starts from the rarest pair and probes the next rarest (no second count);
    every page, for readers who see every open file, their own matters or neither, holds
    exactly the parties a LIKE scan of names and aliases finds, through the gate."""
    trades = ["合联电子", "图龙信息", "信息图龙", "合图龙联", "联电合联", "息信息信"]
    trades += ["电子", "信息信息"]
    trades += ["新格林耐"]
    trades += ["盟新"]
    industries = ["传媒", "信息", "电子", "科技", "信息信息"]
    names = [f"{t}{i}有限公司" for t in trades for i in industries]
    names += ["信息", "图龙", "有限公司"]
    parties = Party.objects.bulk_create(
        Party(kind=PartyKind.ORGANIZATION, name=n, name_normalized=normalize_name(n))
        for n in names
        for _copy in range(3)
    )
    # Each name three times: on the open matter, on the confidential one, on none.
    MatterParty.objects.bulk_create(
        [MatterParty(matter=firm.matter, party=p, role="third") for p in parties[0::3]]
        + [MatterParty(matter=firm.confidential, party=p, role="third") for p in parties[1::3]]
    )
    aliases = ["图龙传媒", "子传信息", "信息息信"]
    PartyAlias.objects.bulk_create(
        PartyAlias(party=p, name=a, name_normalized=normalize_name(a), name_core=a)
        for p, a in zip(parties[5::17], aliases * 40, strict=False)
    )
    index_parties([p.pk for p in parties])
    monkeypatch.setattr(selectors, "GRAM_RARE_ENOUGH", 4)
    monkeypatch.setattr(selectors, "GRAM_COUNT_CAP", 100)

    # The case under test: the rarest pair (龙信, on 21 names) on more than GRAM_RARE_ENOUGH,
    # probed with the next two (图龙 51, 息信 60; 信息 and 公司 are on more than the cap).
    assert selectors._rarest_grams(normalize_name("图龙信息信息有限公司")) == [
        "龙信",
        "图龙",
        "息信",
    ]

    terms = [*names, *trades, *aliases, "信息信息", "息信息", "信息息", "子传", "龙信息信"]
    terms += ["图龙信息信息", "合联电子传媒", "联电子传", "电子信息信息有限", "有限公司"]
    for user in (firm.admin, firm.lead, firm.outsider, firm.walled):
        for term in dict.fromkeys(terms):
            key = normalize_name(term)
            by_alias = PartyAlias.objects.filter(name_normalized__contains=key)
            like = parties_visible_to(user).filter(
                Q(name_normalized__contains=key) | Q(pk__in=by_alias.values("party_id"))
            )
            expected = list(like.order_by("name", "id").values_list("pk", flat=True))
            found, cursor = [], ""
            while True:
                page = parties_page(user=user, q=term, cursor=cursor, size=7)
                found += [p.pk for p in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            assert found == expected, (user.username, term)


# The loop `parties/list.html` had before the rows moved to `matter_tags.party_rows`.
ENGINE_ROWS = """{% for p, matters in page.rows %}
  <tr><td><a href="{% url 'parties:detail' p.pk %}">{{ p.name }}</a></td><td>{{ p.get_kind_display }}</td><td>{{ p.credit_code }}</td><td class="num">{{ matters }}</td></tr>
  {% endfor %}"""  # noqa: E501


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", " ".join(html.split()))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_rows_are_what_the_template_rendered(firm, lang):
    """The directory's rows are rendered in Python (one reverse per page, not per row): the
    same HTML as the template loop they replace, escaping included."""
    party_create(actor=firm.lead, kind=PartyKind.ORGANIZATION, name="<b>A & \"B\"</b> 'C'")
    _add_parties(firm, 3, prefix="甲")
    page = parties_page(user=firm.lead)
    assert {p.kind for p in page.items} == {PartyKind.PERSON, PartyKind.ORGANIZATION}
    assert any(n > 1 for _p, n in page.rows) or any(n == 0 for _p, n in page.rows)
    client = client_for(firm.lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang  # pages follow the cookie only
    response = client.get("/parties/")
    with translation.override(lang):
        want = engines["django"].from_string(ENGINE_ROWS).render({"page": page})
    assert response.headers["Content-Language"] == lang
    got = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert _squash(got) == _squash(want)
    assert "&lt;b&gt;A &amp; &quot;B&quot;&lt;/b&gt; &#x27;C&#x27;" in got


def test_an_empty_directory_page_says_so(firm):
    client = client_for(firm.lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/parties/?q=没有这个人").content.decode()
    tbody = _squash(html.split("<tbody>")[1].split("</tbody>")[0])
    assert tbody == '<tr><td colspan="4" class="muted">No parties found.</td></tr>'


def test_page_rows_are_whole_parties_as_the_orm_reads_them(firm):
    """A page's parties come from the query that finds them (no second read by id): every
    field as `Party.objects.get` gives it, the encrypted ID number decrypted, SQLite's
    booleans and datetimes converted."""
    party_create(
        actor=firm.lead, kind=PartyKind.PERSON, name="钱七", id_number="11010519491231002X"
    )
    for user in (firm.lead, firm.admin, firm.outsider):  # window, walk, window
        for q in ("", "钱七", "11010519491231002X"):
            items = parties_page(user=user, q=q).items
            assert items, (user.username, q)
            for p in items:
                fresh = Party.objects.get(pk=p.pk)
                for field in Party._meta.concrete_fields:
                    assert getattr(p, field.attname) == getattr(fresh, field.attname), field
                assert p._state.adding is False
                assert isinstance(p.on_matter, bool)
    (qian,) = parties_page(user=firm.lead, q="钱七").items
    assert qian.id_number == "11010519491231002X"


def test_api_list_reads_aliases_once_for_the_page(firm):
    party_create(
        actor=firm.lead,
        kind=PartyKind.ORGANIZATION,
        name="甲乙丙有限公司",
        aliases=["丁戊", "己庚"],
    )
    _token, raw = api_token_create(user=firm.lead, name="test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    rows = {row["name"]: row for row in client.get("/api/v1/parties?limit=50").json()}
    assert rows["甲乙丙有限公司"]["aliases"] == ["丁戊", "己庚"]
    assert rows["王伟"]["aliases"] == []
    assert client.get("/api/v1/parties?q=丁戊").json()[0]["name"] == "甲乙丙有限公司"
    # The ID number stays masked in the list, as in a single read.
    party_create(
        actor=firm.lead, kind=PartyKind.PERSON, name="钱七", id_number="11010519491231002X"
    )
    (qian,) = client.get("/api/v1/parties?q=钱七").json()
    assert qian["id_number"] != "11010519491231002X" and qian["id_number"].endswith("002X")

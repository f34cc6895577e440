from __future__ import annotations

import logging

import pytest

from lexcase.matters import selectors
from lexcase.matters.models import Matter, MatterParty
from lexcase.matters.services import matter_create, matter_update
from lexcase.parties.models import Party
from lexcase.search.services import search_matters_reindex
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


def new_matter_post(**overrides):
    data = {
        "title": "华泰科技诉远大贸易买卖合同纠纷",
        "matter_type": "civil",
        "priority": "P1",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-name": "北京华泰科技有限公司",
        "parties-0-kind": "organization",
        "parties-0-role": "client",
        "parties-0-identifier": "91350200776049653A",
        "parties-1-name": "北京远大贸易有限公司",
        "parties-1-kind": "organization",
        "parties-1-role": "opposing",
        "parties-2-kind": "person",
        "parties-2-role": "third_party",
    }
    data.update(overrides)
    return data


def test_create_matter_through_the_form_reuses_party_by_credit_code(firm):
    response = client_for(firm.lead).post("/matters/new/", new_matter_post())
    assert response.status_code == 302
    matter = Matter.objects.latest("id")
    assert response["Location"] == f"/matters/{matter.pk}/"
    links = list(
        MatterParty.objects.filter(matter=matter).values_list("party_id", "role").order_by("role")
    )
    # The client with the known credit code is the existing party, not a duplicate.
    assert links[0] == (firm.client_party.pk, "client")
    assert Party.objects.filter(credit_code="91350200776049653A").count() == 1


def test_create_matter_form_shows_chinese_field_error_and_saves_nothing(firm):
    matters, parties = Matter.objects.count(), Party.objects.count()
    response = client_for(firm.lead).post(
        "/matters/new/", new_matter_post(**{"parties-0-identifier": "91350200776049653B"})
    )
    assert response.status_code == 422
    errors = response.context["parties"].forms[0].errors
    assert errors == {"identifier": ["统一社会信用代码校验位错误。"]}
    assert (Matter.objects.count(), Party.objects.count()) == (matters, parties)


def test_create_matter_form_requires_title(firm):
    response = client_for(firm.lead).post("/matters/new/", new_matter_post(title=""))
    assert response.status_code == 422
    assert response.context["form"].errors["title"] == ["此项为必填项。"]


def test_stale_edit_form_gets_409_and_keeps_other_change(firm):
    lead, partner = client_for(firm.lead), client_for(firm.partner)
    form = {
        "title": "甲方改的",
        "matter_type": "civil",
        "priority": "P2",
        "version": str(firm.matter.version),
    }
    assert lead.post(f"/matters/{firm.matter.pk}/edit/", form).status_code == 302
    response = partner.post(f"/matters/{firm.matter.pk}/edit/", {**form, "title": "乙方改的"})
    assert response.status_code == 409
    assert len(response.context["form"].non_field_errors()) == 1
    firm.matter.refresh_from_db()
    assert firm.matter.title == "甲方改的"


def test_english_is_switchable(firm):
    client = client_for(firm.lead)
    assert "案件" in client.get("/matters/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/matters/"})
    page = client.get("/matters/").content.decode()
    assert "Matters" in page and 'lang="en"' in page


def test_list_filters_and_keyset_pages(firm):
    for i in range(60):
        matter_create(actor=firm.lead, title=f"批量案件{i}", matter_type="counsel", priority="P3")
    client = client_for(firm.lead)
    first = client.get("/matters/?matter_type=counsel&sort=number")
    page1 = first.context["page"]
    assert (page1.total, len(page1.items)) == (60, 50)
    second = client.get(f"/matters/?matter_type=counsel&sort=number&after={page1.next_cursor}")
    page2 = second.context["page"]
    assert len(page2.items) == 10 and page2.next_cursor is None
    numbers = [m.number for m in page1.items + page2.items]
    assert numbers == sorted(numbers) and len(set(numbers)) == 60


def test_list_htmx_returns_only_the_results_partial(firm):
    search_matters_reindex()  # q= reads the search index (written on commit)
    response = client_for(firm.lead).get("/matters/?q=华泰", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body
    assert firm.matter.number in body


def test_pages_have_strict_csp_and_no_inline_script(firm):
    response = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert "base-uri 'none'" in csp and "frame-ancestors 'none'" in csp
    body = response.content.decode()
    assert "style=" not in body
    assert "<script>" not in body
    assert response["Cache-Control"] == "no-store"


def test_history_is_kept_for_matters(firm):
    matter_update(actor=firm.lead, matter=firm.matter, version=firm.matter.version, title="改名")
    titles = list(firm.matter.history.order_by("history_id").values_list("title", flat=True))
    assert titles[0] == "华泰科技诉王伟买卖合同纠纷" and titles[-1] == "改名"


def test_pages_stay_chinese_for_an_english_browser(firm):
    page = client_for(firm.lead).get("/matters/", headers={"Accept-Language": "en-US,en"})
    assert 'lang="zh-hans"' in page.content.decode()


def test_list_count_is_capped(firm, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    for i in range(5):
        matter_create(actor=firm.lead, title=f"案件{i}", matter_type="counsel")
    page = selectors.matters_page(
        user=firm.lead, filters=selectors.MatterFilters(matter_type="counsel"), size=2
    )
    assert (page.total, page.total_capped, len(page.items)) == (4, True, 2)
    # Paging still reaches every row: keyset pages do not depend on the count.
    seen = [m.pk for m in page.items]
    while page.next_cursor:
        page = selectors.matters_page(
            user=firm.lead,
            filters=selectors.MatterFilters(matter_type="counsel"),
            cursor=page.next_cursor,
            size=2,
        )
        seen += [m.pk for m in page.items]
    assert len(seen) == len(set(seen)) == 5


@pytest.mark.parametrize(
    ("method", "page"),
    [("get", ""), ("get", "edit/"), ("get", "tasks/"), ("post", "deadlines/"), ("post", "open/")],
)
def test_a_matter_id_past_64_bits_is_not_found(firm, settings, method, page):
    # Served without the tests' fixed-read check: the matter's read bound the id into its
    # compiled SQL and SQLite's driver raised OverflowError (HTTP 500), not 404.
    settings.LEXCASE_CHECK_FIXED_SQL = False
    client = client_for(firm.partner)
    client.raise_request_exception = False
    response = getattr(client, method)(f"/matters/{2**64}/{page}")
    assert response.status_code == 404


def test_the_list_looks_up_no_missing_variable(client, firm, caplog):
    """Every variable list.html and its table read is in their context: one the engine does
    not find costs it an exception and a debug record (`compact`, `request.GET.after`)."""
    client.force_login(firm.partner)
    with caplog.at_level(logging.DEBUG, logger="django.template"):
        for path in ("/matters/", "/matters/?status=open"):
            assert client.get(path).status_code == 200
            assert client.get(path, HTTP_HX_REQUEST="true").status_code == 200
    missing = [r.getMessage() for r in caplog.records if r.name == "django.template"]
    assert missing == []

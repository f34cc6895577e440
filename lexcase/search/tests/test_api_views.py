"""The search page, the matter page's search box and GET /api/v1/search."""

from __future__ import annotations

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.audit.models import AuditEvent
from lexcase.search.services import search_entry_upsert
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(indexed_firm):
    f = indexed_firm
    search_entry_upsert(
        kind="document",
        object_id=41,
        matter_id=f.matter.pk,
        title="民事判决书",
        text="北京市朝阳区人民法院<b>民事判决书</b>：被告王伟应支付货款。",
        category="court",
    )
    return f


def api_client(user) -> Client:
    _token, raw = api_token_create(user=user, name="t")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_results(corpus):
    response = api_client(corpus.lead).get("/api/v1/search", {"q": "王伟"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {(r["kind"], r["id"], r["matter_id"]) for r in results} == {
        ("matter", corpus.matter.pk, corpus.matter.pk),
        ("document", 41, corpus.matter.pk),
    }
    by_kind = {r["kind"]: r for r in results}
    assert by_kind["document"]["title"] == "民事判决书"
    assert by_kind["document"]["snippet"] == (
        "北京市朝阳区人民法院&lt;b&gt;民事判决书&lt;/b&gt;：被告<mark>王伟</mark>应支付货款。"
    )
    event = AuditEvent.objects.filter(action="search.query").last()
    assert event.actor == corpus.lead
    assert event.data == {"q": "王伟", "filters": {}, "results": 2, "via": "api"}


def test_api_filters(corpus):
    client = api_client(corpus.lead)

    def get(**params):
        results = client.get("/api/v1/search", params).json()["results"]
        return [(r["kind"], r["id"]) for r in results]

    assert get(q="王伟", category="court") == [("document", 41)]
    assert get(q="王伟", kind="matter") == [("matter", corpus.matter.pk)]
    assert get(q="法院", matter=corpus.matter.pk) == [("document", 41)]
    assert get(q="法院", matter=corpus.matter.pk, date_from="2030-01-01") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "法" * 201}, "q"),
        ({"q": "法院", "date_from": "2026-13-01"}, "date_from"),
        ({"q": "法院", "date_to": "yesterday"}, "date_to"),
        ({"q": "法院", "date_from": "2026-05-01", "date_to": "2026-04-01"}, "date_to"),
        ({"q": "法院", "matter": "x"}, "matter"),
        ({"q": "法院", "limit": "0"}, "limit"),
    ],
)
def test_api_bad_input_names_the_field(corpus, params, field):
    response = api_client(corpus.lead).get("/api/v1/search", params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_api_invisible_matter_is_404_and_not_audited(corpus):
    before = AuditEvent.objects.filter(action="search.query").count()
    response = api_client(corpus.outsider).get(
        "/api/v1/search", {"q": "法院", "matter": corpus.matter.pk}
    )
    assert response.status_code == 404
    response = api_client(corpus.lead).get("/api/v1/search", {"q": "法院", "matter": 999999})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="search.query").count() == before


def test_api_outsider_gets_nothing(corpus):
    response = api_client(corpus.outsider).get("/api/v1/search", {"q": "王伟"})
    assert response.json() == {"results": []}


def test_api_needs_a_token():
    assert Client().get("/api/v1/search", {"q": "x"}).status_code == 401


def test_search_page(corpus):
    client = client_for(corpus.lead)
    client.cookies["django_language"] = "en"  # the firm default is Chinese
    response = client.get("/search/", {"q": "王伟"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<mark>王伟</mark>" in body
    assert "&lt;b&gt;民事判决书&lt;/b&gt;" in body
    assert f'href="/matters/{corpus.matter.pk}/"' in body
    assert 'href="/documents/41/"' in body
    assert "2 results" in body
    assert "<html" in body
    event = AuditEvent.objects.filter(action="search.query").last()
    assert event.data == {"q": "王伟", "filters": {}, "results": 2, "via": "web"}


def test_search_page_htmx_returns_the_results_partial(corpus):
    client = client_for(corpus.lead)
    response = client.get("/search/", {"q": "王伟"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "<mark>王伟</mark>" in body


def test_search_page_without_query_runs_no_search(corpus):
    response = client_for(corpus.lead).get("/search/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="search.query").count() == 0


def test_search_page_invalid_dates_show_field_errors(corpus):
    client = client_for(corpus.lead)
    client.cookies["django_language"] = "en"
    response = client.get(
        "/search/", {"q": "王伟", "date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert AuditEvent.objects.filter(action="search.query").count() == 0


def test_search_page_inside_one_matter(corpus):
    client = client_for(corpus.lead)
    response = client.get("/search/", {"q": "法院", "matter": corpus.matter.pk})
    assert response.status_code == 200
    assert corpus.matter.number in response.content.decode()
    event = AuditEvent.objects.filter(action="search.query").last()
    assert event.matter_id == corpus.matter.pk
    assert (
        client_for(corpus.outsider)
        .get("/search/", {"q": "法院", "matter": corpus.matter.pk})
        .status_code
        == 404
    )


def test_outsider_page_shows_nothing(corpus):
    response = client_for(corpus.outsider).get("/search/", {"q": "王伟"})
    assert "<mark>" not in response.content.decode()


def test_matter_page_has_the_search_box(corpus):
    response = client_for(corpus.lead).get(f"/matters/{corpus.matter.pk}/")
    body = response.content.decode()
    assert 'id="matter-search"' in body
    assert f'name="matter" value="{corpus.matter.pk}"' in body


def test_nav_links_to_search(corpus):
    response = client_for(corpus.lead).get("/")
    assert 'href="/search/"' in response.content.decode()


def test_search_page_says_when_results_are_capped(corpus, monkeypatch):
    monkeypatch.setattr("lexcase.search.views.PAGE_LIMIT", 1)
    client = client_for(corpus.lead)
    client.cookies["django_language"] = "en"
    body = client.get("/search/", {"q": "王伟"}).content.decode()
    assert "Only the first 1 matches are shown" in body


@pytest.mark.parametrize("via", ["web", "api"])
def test_audit_rows_of_searches_keep_id_numbers_masked(corpus, via):
    q = "王伟 11010519491231002X 91350200776049653A"
    if via == "web":
        assert client_for(corpus.lead).get("/search/", {"q": q}).status_code == 200
    else:
        assert api_client(corpus.lead).get("/api/v1/search", {"q": q}).status_code == 200
    event = AuditEvent.objects.filter(action="search.query").last()
    assert event.data["q"] == "王伟 110***********002X 913***********653A"

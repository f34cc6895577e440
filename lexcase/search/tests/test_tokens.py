"""The tokeniser and the query expressions (no database)."""

from __future__ import annotations

from lexcase.search import tokens as tok
from lexcase.search.backends import PostgresBackend, SqliteBackend, Term, parse_query


def test_stream_one_token_per_chinese_character_and_per_latin_or_digit_run():
    assert tok.stream("（2024）京0105民初123号 ZhangSan") == [
        "2024",
        "京",
        "0105",
        "民",
        "初",
        "123",
        "号",
        "zhangsan",
    ]


def test_full_width_and_case_are_normalised():
    assert tok.stream("ＡＢＣ１２３") == ["abc123"]
    assert tok.stream("Ströme") == ["ströme"]


def test_punctuation_and_underscores_separate_tokens():
    assert tok.stream("a_b-c.d，法院。") == ["a", "b", "c", "d", "法", "院"]


def test_index_tokens_are_the_stream_followed_by_the_jieba_words():
    tokens = tok.index_tokens("北京市朝阳区人民法院").split()
    assert tokens[:10] == list("北京市朝阳区人民法院")
    words = tokens[10:]
    assert "法院" in words
    assert "人民法院" in words
    assert "朝阳区" in words or "朝阳" in words
    assert all(len(w) >= 2 for w in words)


def test_index_tokens_have_only_letters_and_digits():
    tokens = tok.index_tokens('He said "hi" — 你好！<b>x</b> a*b (c)').split()
    assert all(t.isalnum() for t in tokens)


def test_indexed_text_is_capped(monkeypatch):
    monkeypatch.setattr(tok, "MAX_INDEXED_CHARS", 5)
    assert tok.index_tokens("abcde fgh") == "abcde"


def test_one_character_query_is_a_single_token():
    assert parse_query("法") == [Term(phrase=("法",), words=(), prefix=False)]


def test_two_character_word_query_is_its_characters_or_the_word():
    assert parse_query("法院") == [Term(phrase=("法", "院"), words=("法院",), prefix=False)]


def test_longer_query_is_a_phrase_or_all_of_its_words():
    (term,) = parse_query("买卖合同纠纷")
    assert term.phrase == tuple("买卖合同纠纷")
    assert term.words == ("买卖", "合同纠纷")


def test_latin_run_at_the_end_is_a_prefix():
    assert parse_query("zhang") == [Term(phrase=("zhang",), words=(), prefix=True)]
    assert parse_query("京0105")[0].prefix is True
    assert parse_query("0105民初")[0].prefix is False


def test_whitespace_separates_terms_and_punctuation_only_terms_vanish():
    assert [t.phrase for t in parse_query(" 王伟  合同 —— ")] == [("王", "伟"), ("合", "同")]
    assert parse_query("“ ” ...") == []


def test_sqlite_expression():
    terms = parse_query("法院 王 zh")
    assert SqliteBackend().expression(terms) == (
        '(("法" + "院") OR ("法院")) AND ("王") AND ("zh" *)'
    )


def test_postgres_expression():
    terms = parse_query("法院 王 zh")
    assert PostgresBackend().expression(terms) == "(('法' <-> '院') | ('法院')) & ('王') & ('zh':*)"


def test_hostile_query_text_never_reaches_the_expression():
    terms = parse_query("\" OR * NEAR( ' :* & | ! <-> 法")
    assert SqliteBackend().expression(terms) == '("or" *) AND ("near" *) AND ("法")'
    assert PostgresBackend().expression(terms) == "('or':*) & ('near':*) & ('法')"


def test_terms_with_digits_or_latin_have_no_words_alternative():
    assert parse_query("京0105民初")[0].words == ()
    assert parse_query("华泰abc")[0].words == ()
    assert parse_query("华泰科技")[0].words == ("华泰", "科技")

"""The query's own keys, computed in Python before any SQL (issue 15 item 1, engine 2.5):
the shortcuts taken for speed give exactly what the longer way gave."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.constants import PHRASES_DICT

from lexcase.conflicts import engine
from lexcase.conflicts.engine import pinyin_keys

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


def _pinyin_keys_two_passes(text: str) -> list[str]:
    """pinyin_keys as engine 2.4 computed it: the context reading from lazy_pinyin, the
    other readings from a second, heteronym pass."""
    if not text or len(text) > engine.PINYIN_MAX_CHARS or not engine._HAN.search(text):
        return []
    context = [reading.lower() for reading in lazy_pinyin(text)]
    readings = pinyin(text, style=Style.NORMAL, heteronym=True)
    if len(readings) != len(context):
        return ["".join(context)]
    per_char = []
    for best, options in zip(context, readings, strict=True):
        choices = [best] + [o.lower() for o in options if o.lower() != best]
        per_char.append(choices[: engine._PINYIN_READINGS_PER_CHAR])
    keys: list[str] = []
    for combo in itertools.product(*per_char):
        key = "".join(combo)[: engine._MAX_VALUE]
        if key not in keys:
            keys.append(key)
        if len(keys) >= engine.PINYIN_MAX_KEYS:
            break
    return keys


def test_pinyin_keys_one_pass_as_two_for_names_and_phrases() -> None:
    names = [
        "王小明",
        "曾小贤",
        "单于",
        "朴树",
        "解晓东",
        "乐嘉",
        "长孙无忌",
        "重庆",
        "汇腾",
        "A王",
        "",
    ]
    names += ["王 伟", "王-伟", "王１", "Kevin", "銀行", "行长", "大疆创新", "欧阳娜娜", "尉迟恭"]
    rng = random.Random(15)
    phrases = sorted(PHRASES_DICT)
    names += [p for p in rng.sample(phrases, 2000) if len(p) <= engine.PINYIN_MAX_CHARS]
    names += [rng.choice("王李张刘陈") + p for p in rng.sample(phrases, 500)]
    assert [n for n in names if pinyin_keys(n) != _pinyin_keys_two_passes(n)] == []


@given(st.text(alphabet=HAN, min_size=1, max_size=8))
@settings(max_examples=400, deadline=None)
def test_pinyin_keys_one_pass_as_two_for_any_han_text(text: str) -> None:
    assert pinyin_keys(text) == _pinyin_keys_two_passes(text)

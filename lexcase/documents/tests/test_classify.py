"""The suggested category, measured on the labelled sample in data/classify_sample.json.

Figures on the 50 examples (same author as the keyword table, so these are in-sample and
optimistic; they guard against regressions rather than promise field accuracy):
file name + text 50/50 = 100 %; file name alone (what the upload form sees) 47/50 = 94 %.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from lexcase.documents.classify import suggest_category
from lexcase.documents.models import Category

SAMPLE = json.loads((Path(__file__).parent / "data" / "classify_sample.json").read_text())


def accuracy(*, with_text: bool) -> tuple[int, int]:
    right = sum(
        suggest_category(file_name=row["file"], text=row["text"] if with_text else "").category
        == row["category"]
        for row in SAMPLE
    )
    return right, len(SAMPLE)


def test_sample_is_labelled_and_covers_every_category():
    assert len(SAMPLE) >= 40
    assert set(Counter(row["category"] for row in SAMPLE)) == set(Category.values)


def test_accuracy_with_text():
    assert accuracy(with_text=True) == (50, 50)


def test_accuracy_from_the_file_name_alone():
    assert accuracy(with_text=False) == (47, 50)


def test_reasons_are_the_matching_keywords():
    suggestion = suggest_category(file_name="民事判决书.pdf", text="本院认为")
    assert suggestion.category == "court"
    assert suggestion.reasons[0] == "判决书"
    assert "本院认为" in suggestion.reasons


def test_nothing_recognised_is_other():
    assert suggest_category(file_name="IMG_0001.jpg").category == "other"

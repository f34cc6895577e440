"""A label that ends in Chinese punctuation takes no colon after it, as one ending in "?"
does not in English: "是否送达即生效？" was shown as "是否送达即生效？：" (the served-document
form, the client's satisfaction survey)."""

from __future__ import annotations

from django.utils import translation

from lexcase.calendar.forms import ServedForm


def test_a_question_label_takes_no_colon():
    with translation.override("zh-hans"):
        html = str(ServedForm(prefix="served")["final"].label_tag())
        assert "是否送达即生效？</label>" in html
        assert "送达日期:</label>" in str(ServedForm(prefix="served")["service_date"].label_tag())
    with translation.override("en"):
        assert "Final when served?</label>" in str(ServedForm(prefix="served")["final"].label_tag())

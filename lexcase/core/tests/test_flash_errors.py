"""A POST-and-redirect form's errors are flashed at the top of the page they return to, away
from the field: a generic message ("此项为必填项。") then says which field it is about; a
message written for the field, or one about the whole form, is shown as written."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation

from lexcase.core.forms import flash_errors


class HearingLike(forms.Form):
    court = forms.CharField(label="法院")
    starts_at = forms.DateTimeField(label="开庭时间")
    reason = forms.CharField(label="红冲原因", error_messages={"required": "请填写红冲原因。"})
    count = forms.IntegerField(label="份数", required=False)

    def clean(self):
        raise forms.ValidationError("整张表单的问题。")


def _flashed(data: dict[str, str]) -> list[str]:
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    form = HearingLike(data)
    assert not form.is_valid()
    flash_errors(request, form)
    return [m.message for m in get_messages(request)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh-hans",
            [
                "开庭时间：此项为必填项。",
                "请填写红冲原因。",
                "份数：输入整数。",
                "整张表单的问题。",
            ],
        ),
        (
            "en",
            [
                "开庭时间: This field is required.",
                "请填写红冲原因。",
                "份数: Enter a whole number.",
                "整张表单的问题。",
            ],
        ),
    ],
)
def test_a_generic_error_names_its_field(language, expected):
    with translation.override(language):
        assert _flashed({"court": "北京市朝阳区人民法院", "count": "x"}) == expected

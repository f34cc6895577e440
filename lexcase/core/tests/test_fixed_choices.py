"""`FixedChoiceField`: a form's copy shares the class's choices (a tuple) instead of deep-
copying them for every form built; the field renders, cleans and validates as Django's."""

from __future__ import annotations

import pytest
from django import forms

from lexcase.core.forms import FixedChoiceField
from lexcase.matters.forms import MatterFilterForm


class _Plain(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All"), ("a", "Alpha"), ("b", "<Beta>")], required=False)


class _Fixed(forms.Form):
    kind = FixedChoiceField(choices=[("", "All"), ("a", "Alpha"), ("b", "<Beta>")], required=False)


def test_forms_share_the_choices_and_render_as_djangos() -> None:
    one, two = _Fixed(), _Fixed()
    assert one.fields["kind"] is not two.fields["kind"]
    assert one.fields["kind"].widget is not two.fields["kind"].widget
    assert one.fields["kind"].choices is _Fixed.base_fields["kind"].choices
    assert isinstance(one.fields["kind"].choices, tuple)
    assert list(one.fields["kind"].choices) == list(_Plain().fields["kind"].choices)
    assert str(one["kind"]) == str(_Plain()["kind"])
    assert str(_Fixed({"kind": "b"})["kind"]) == str(_Plain({"kind": "b"})["kind"])


@pytest.mark.parametrize("value", ["a", "", "zzz"])
def test_cleaning_is_djangos(value: str) -> None:
    fixed, plain = _Fixed({"kind": value}), _Plain({"kind": value})
    assert fixed.is_valid() == plain.is_valid()
    assert (fixed.errors, fixed.cleaned_data) == (plain.errors, plain.cleaned_data)


def test_a_forms_own_choices_stay_its_own() -> None:
    mine = _Fixed()
    mine.fields["kind"].choices = [("x", "X")]
    assert list(mine.fields["kind"].widget.choices) == [("x", "X")]
    assert [c for c, _l in _Fixed().fields["kind"].choices] == ["", "a", "b"]
    with pytest.raises(AttributeError):
        _Fixed().fields["kind"].choices.append(("y", "Y"))  # type: ignore[attr-defined]


def test_the_matter_filter_forms_fixed_choices_are_shared() -> None:
    form = MatterFilterForm()
    for name in ("status", "matter_type", "priority", "sort"):
        assert form.fields[name].choices is MatterFilterForm.base_fields[name].choices, name

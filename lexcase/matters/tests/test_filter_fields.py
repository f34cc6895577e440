"""The matter list's filter form is rendered by `{% filter_fields form %}` and kept per key
(matter_tags.filter_fields): it must be what the template loop rendered, and never a form
drawn for other values or other choices."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.template import engines
from django.utils import translation

from lexcase.accounts.models import PracticeArea, Role
from lexcase.matters.forms import MatterFilterForm
from lexcase.testing import make_user

pytestmark = pytest.mark.django_db

LOOP = """{% for field in form %}
  <div class="field"><label for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}</div>
  {% endfor %}"""  # noqa: E501


def _both(query: str | None) -> tuple[str, str]:
    engine = engines["django"]
    data = QueryDict(query) if query is not None else None
    old_form, new_form = MatterFilterForm(data), MatterFilterForm(data)
    old_form.is_valid(), new_form.is_valid()
    want = engine.from_string(LOOP).render({"form": old_form})
    got = engine.from_string("{% load matter_tags %}{% filter_fields form %}").render(
        {"form": new_form}
    )
    return got, want


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_fields_are_what_the_loop_rendered(lang: str) -> None:
    lawyer = make_user("f_lawyer", Role.LAWYER)
    area = PracticeArea.objects.create(code="f-ip-test", name="知识产权 <&>")
    queries = [
        None,
        "",
        f"lawyer={lawyer.pk}&practice_area={area.pk}&status=open&sort=number",
        'q=<b>"x"</b>&status=nonsense&lawyer=999999',  # invalid: errors, aria-invalid
    ]
    with translation.override(lang):
        for _round in range(2):  # the second round is served from the kept HTML
            for query in queries:
                got, want = _both(query)
                assert got == want, query


def test_new_choices_and_values_are_not_served_stale() -> None:
    with translation.override("en"):
        first, _ = _both("status=open")
        make_user("f_new", Role.LAWYER)
        second, want = _both("status=open")
        assert second == want and second != first and "F_New" in second
        other, want = _both("status=closed")
        assert other == want and 'value="closed" selected' in other

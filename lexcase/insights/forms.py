"""The dashboards' filters: period, team, practice area, lawyer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lexcase.accounts.models import PracticeArea, Team
from lexcase.accounts.selectors import fee_earners
from lexcase.core.forms import CivilDateField
from lexcase.insights.selectors import InsightFilters, default_period

MAX_SPAN_DAYS = 10 * 366


class PeriodDateInput(forms.DateInput):
    """A date typed as 2026-12-07 (GB/T 7408, how Chinese documents write it) whatever the
    browser. A date picker (`<input type=date>`) is drawn in the *browser's* language, not the
    page's: Chromium in English showed 12/07/2026 and mm/dd/yyyy on the Chinese dashboard, and
    neither `lang` on the page nor on the input changes that (tried: html lang="zh-hans",
    input lang="zh-CN"). The field also reads the active language's formats (2026/12/07)."""

    input_type = "text"

    def __init__(self) -> None:
        super().__init__(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "maxlength": "10",
                "size": "10",
                "placeholder": _("YYYY-MM-DD"),
                "class": "date-text",
            },
            format="%Y-%m-%d",
        )


class DashboardFilterForm(forms.Form):
    date_from = CivilDateField(label=_("From"), required=False, widget=PeriodDateInput())
    date_to = CivilDateField(label=_("To"), required=False, widget=PeriodDateInput())
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("All teams")
    )
    practice_area = forms.ModelChoiceField(
        label=_("Practice area"),
        queryset=PracticeArea.objects.all(),
        required=False,
        empty_label=_("All practice areas"),
    )
    lawyer = forms.ModelChoiceField(
        label=_("Lawyer"),
        queryset=fee_earners().order_by("name", "username"),
        required=False,
        empty_label=_("All lawyers"),
    )

    def __init__(self, *args: Any, personal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if personal:
            # The personal view is always the reader's own matters.
            for name in ("team", "lawyer"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = default_period()
        d_from = data.get("date_from") or (None if "date_from" in self.errors else start)
        d_to = data.get("date_to") or (None if "date_to" in self.errors else end)
        if d_from and d_to:
            if d_from > d_to:
                self.add_error("date_to", _("The end of the period is before its start."))
            elif d_to - d_from > timedelta(days=MAX_SPAN_DAYS):
                self.add_error("date_to", _("Choose a period of at most ten years."))
        data["date_from"], data["date_to"] = d_from, d_to
        return data

    def filters(self) -> InsightFilters:
        """The cleaned filters; the defaults when the form was not valid."""
        data = self.cleaned_data if self.is_valid() else {}
        start, end = default_period()

        def pk(name: str) -> int | None:
            obj = data.get(name)
            return obj.pk if obj is not None else None

        return InsightFilters(
            date_from=data.get("date_from") or start,
            date_to=data.get("date_to") or end,
            team=pk("team"),
            practice_area=pk("practice_area"),
            lawyer=pk("lawyer"),
        )

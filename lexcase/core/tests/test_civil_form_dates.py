"""Absurd dates typed into forms are refused with a clear message (issue 16 item 5)."""

from __future__ import annotations

import pytest
from django.utils import translation

from lexcase.calendar.forms import HearingForm, ServedForm
from lexcase.comms.forms import CommunicationForm
from lexcase.todos.forms import TaskForm

CIVIL = ["请输入 1901-01-01 至 2100-12-31 之间的日期。"]


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize("typed", ["0001-01-01", "1900-12-31", "2101-01-01", "9999-12-31"])
def test_a_service_date_outside_the_civil_range_is_refused(typed):
    form = ServedForm(
        {"served-kind": "judgment", "served-service_date": typed, "served-method": "direct"},
        prefix="served",
    )
    assert form.errors == {"service_date": CIVIL}


def test_a_service_date_inside_the_range_passes_the_form():
    form = ServedForm(
        {"served-kind": "judgment", "served-service_date": "1901-01-01", "served-method": "direct"},
        prefix="served",
    )
    assert form.errors == {}


@pytest.mark.django_db
def test_a_hearing_in_year_one_is_refused():
    form = HearingForm({"court": "北京市朝阳区人民法院", "starts_at": "0001-01-01T09:00"})
    assert form.errors["starts_at"] == CIVIL


def test_a_task_due_in_year_one_is_refused():
    form = TaskForm({"title": "准备证据", "due_at": "0001-01-01T09:00"})
    assert form.errors["due_at"] == CIVIL


def test_a_communication_in_year_978_is_refused():
    form = CommunicationForm({"occurred_at": "0978-05-01T09:00"})
    assert form.errors["occurred_at"] == CIVIL

"""A member walled off a matter (an ethical wall removes them from its team at once) keeps
nothing of it on the money pages: a timer they left running on it shows neither its number,
title nor their description, and stopping it does not send them to the matter's (404) page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from lexcase.accounts.services import api_token_create
from lexcase.billing.services.work import timer_start
from lexcase.matters.services import matter_wall_add
from lexcase.testing import client_for

pytestmark = pytest.mark.django_db
SECRET_TASK = "起草保密和解协议"


@pytest.fixture
def walled_timer(firm):
    timer_start(actor=firm.assistant, matter=firm.matter, description=SECRET_TASK)
    matter_wall_add(actor=firm.partner, matter=firm.matter, user=firm.assistant, reason="利益冲突")
    return firm


def test_a_timer_on_a_matter_walled_off_shows_nothing_of_the_matter(walled_timer):
    f = walled_timer
    page = client_for(f.assistant).get("/time/week/")
    html = page.content.decode()
    assert page.status_code == 200
    assert (f.matter.number in html, f.matter.title in html, SECRET_TASK in html) == (
        False,
        False,
        False,
    )
    assert ('id="timer"' in html, "/time/timer/stop/" in html) == (True, True)


def test_stopping_a_timer_on_a_matter_walled_off_goes_back_to_the_timesheet(walled_timer):
    response = client_for(walled_timer.assistant).post("/time/timer/stop/")
    assert (response.status_code, response["Location"]) == (302, "/time/week/")


def test_a_running_timer_still_names_its_matter_to_its_team(firm):
    timer_start(actor=firm.assistant, matter=firm.matter, description=SECRET_TASK)
    html = client_for(firm.assistant).get("/time/week/").content.decode()
    assert (firm.matter.number in html, SECRET_TASK in html) == (True, True)
    response = client_for(firm.assistant).post("/time/timer/stop/")
    assert response["Location"] == f"/matters/{firm.matter.pk}/time/"


def _api_stop(user):
    _token, raw = api_token_create(user=user, name="t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    return client.post("/api/v1/timer/stop", json.dumps({}), content_type="application/json")


def test_the_api_stopping_a_timer_walled_off_names_nothing_of_the_matter(walled_timer):
    response = _api_stop(walled_timer.assistant)
    body = response.json()
    assert response.status_code == 200
    assert (body["matter_id"], body["description"], body["agreement_id"]) == (None, "", None)
    assert body["minutes"] >= 1 and body["running"] is False


def test_the_api_stopping_a_timer_still_names_its_matter_to_its_team(firm):
    timer_start(actor=firm.assistant, matter=firm.matter, description=SECRET_TASK)
    body = _api_stop(firm.assistant).json()
    assert (body["matter_id"], body["description"]) == (firm.matter.pk, SECRET_TASK)

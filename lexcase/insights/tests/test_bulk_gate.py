"""The dashboard's shared scope (`matters_visible_in_bulk`, `insight_scope`) is exactly the
gate: the same matters as `matters_visible_to` for every reader, filtered the same way — a
fixed firm with a walled lawyer and a confidential matter, then random firms against the
plain-Python oracle of the gate property test. The scope's complement
(`matters_hidden_in_bulk`, what `MatterSet.rows()` tests a row against for partners and
administrators) is exactly every other matter, and the row selectors the dashboard reads
through (`tasks_of`, `deadlines_of`, the review, survey, bill and payment selectors) count
exactly the rows of the gate's matters in both forms."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from lexcase.accounts.models import PracticeArea, Role, Team, User
from lexcase.billing.models import Bill, Payment
from lexcase.billing.selectors.receivables import payments_for
from lexcase.billing.selectors.shared import bills_of
from lexcase.calendar.models import Deadline
from lexcase.calendar.selectors import deadlines_of
from lexcase.insights.selectors import (
    FIRM,
    PERSONAL,
    InsightFilters,
    insight_scope,
    insight_set,
)
from lexcase.matters.models import EthicalWall, Matter, MatterMember
from lexcase.matters.selectors import (
    MatterSet,
    matters_hidden_in_bulk,
    matters_in_bulk,
    matters_visible_in_bulk,
    matters_visible_to,
)

# The same random firms and the same plain-Python oracle as the gate property test.
from lexcase.matters.tests.test_gate_properties import firms, oracle
from lexcase.parties.models import Party
from lexcase.reviews.models import Review, ReviewFollowUp, SatisfactionSurvey
from lexcase.reviews.selectors import review_findings, review_scores, survey_scores
from lexcase.testing import make_user
from lexcase.todos.models import Task
from lexcase.todos.selectors import tasks_of

PERIOD = dict(date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))


def ids(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


@pytest.fixture
def firm(db):
    team_a, team_b = Team.objects.create(name="诉讼一部"), Team.objects.create(name="非诉部")
    area = PracticeArea.objects.create(code="lit", name="争议解决")
    u = {
        "partner": make_user("partner", Role.PARTNER, team=team_a),
        "partner_on_secret": make_user("partner2", Role.PARTNER, team=team_b),
        "admin": make_user("admin", Role.ADMIN),
        "lawyer": make_user("lawyer", Role.LAWYER, team=team_a),
        "walled_lawyer": make_user("walled", Role.LAWYER, team=team_b),
        "walled_partner": make_user("wpartner", Role.PARTNER),
        "finance": make_user("finance", Role.FINANCE),
        "inactive": make_user("gone", Role.PARTNER, is_active=False),
        "client": make_user("client", Role.CLIENT),
    }

    def matter(number, members, *, confidential=False, walls=(), area_=None):
        m = Matter.objects.create(
            number=number, title=number, matter_type="civil", confidential=confidential,
            practice_area=area_,
        )  # fmt: skip
        for name in members:
            MatterMember.objects.create(matter=m, user=u[name], role="member")
        for name in walls:
            EthicalWall.objects.create(matter=m, user=u[name], reason="对方旧客户")
        return m

    matter("OPEN", ["lawyer"], area_=area)
    # The walled lawyer is on the team of WALLED and still must not see it.
    matter("WALLED", ["lawyer", "walled_lawyer"], walls=["walled_lawyer", "walled_partner"])
    matter("SECRET", ["lawyer", "partner_on_secret"], confidential=True, area_=area)
    matter("SECRET_WALLED", ["walled_lawyer"], confidential=True, walls=["walled_lawyer"])
    matter("NOBODY", [])
    matter("SECRET_NOBODY", [], confidential=True)
    matter("INACTIVE_ON", ["inactive"], confidential=True)
    return u, team_a, team_b, area


EXPECTED = {
    "partner": {"OPEN", "WALLED", "NOBODY"},
    "partner_on_secret": {"OPEN", "WALLED", "SECRET", "NOBODY"},
    "admin": {"OPEN", "WALLED", "NOBODY"},
    "lawyer": {"OPEN", "WALLED", "SECRET"},
    "walled_lawyer": set(),
    "walled_partner": {"OPEN", "NOBODY"},
    "finance": set(),
    "inactive": set(),
    "client": set(),
}


def test_bulk_gate_is_the_gate_for_every_reader(firm):
    users = firm[0]
    for name, user in users.items():
        assert ids(matters_visible_in_bulk(user)) == EXPECTED[name], name
        assert ids(matters_visible_in_bulk(user)) == ids(matters_visible_to(user)), name


def test_personal_scope_is_the_gate_and_membership(firm):
    users = firm[0]
    f = InsightFilters(**PERIOD)
    assert ids(insight_scope(user=users["lawyer"], kind=PERSONAL, filters=f)) == {
        "OPEN", "WALLED", "SECRET"
    }  # fmt: skip
    assert ids(insight_scope(user=users["partner_on_secret"], kind=PERSONAL, filters=f)) == {
        "SECRET"
    }
    assert ids(insight_scope(user=users["partner"], kind=PERSONAL, filters=f)) == set()
    # On WALLED and SECRET_WALLED, walled off both.
    assert ids(insight_scope(user=users["walled_lawyer"], kind=PERSONAL, filters=f)) == set()


def test_firm_scope_filters_never_widen_the_gate(firm):
    users, team_a, team_b, area = firm
    partner, admin = users["partner"], users["admin"]
    f = InsightFilters(**PERIOD, lawyer=users["lawyer"].pk)
    assert ids(insight_scope(user=partner, kind=FIRM, filters=f)) == {"OPEN", "WALLED"}
    f = InsightFilters(**PERIOD, lawyer=users["walled_lawyer"].pk)
    assert ids(insight_scope(user=partner, kind=FIRM, filters=f)) == {"WALLED"}
    f = InsightFilters(**PERIOD, team=team_b.pk)
    assert ids(insight_scope(user=partner, kind=FIRM, filters=f)) == {"WALLED"}
    assert ids(insight_scope(user=users["partner_on_secret"], kind=FIRM, filters=f)) == {
        "WALLED", "SECRET"
    }  # fmt: skip
    assert ids(insight_scope(user=users["walled_partner"], kind=FIRM, filters=f)) == set()
    f = InsightFilters(**PERIOD, practice_area=area.pk)
    assert ids(insight_scope(user=admin, kind=FIRM, filters=f)) == {"OPEN"}
    f = InsightFilters(**PERIOD, practice_area=area.pk, team=team_a.pk)
    assert ids(insight_scope(user=users["lawyer"], kind=PERSONAL, filters=f)) == {
        "OPEN", "SECRET"
    }  # fmt: skip


ALL = {
    "OPEN", "WALLED", "SECRET", "SECRET_WALLED", "NOBODY", "SECRET_NOBODY", "INACTIVE_ON"
}  # fmt: skip


def test_hidden_is_exactly_every_other_matter(firm):
    users = firm[0]
    for name, user in users.items():
        assert ids(matters_hidden_in_bulk(user)) == ALL - EXPECTED[name], name
        whole = matters_in_bulk(user)
        assert ids(whole.matters) == EXPECTED[name], name
        # The complement form only for readers who see every non-confidential matter.
        complement = name in ("partner", "partner_on_secret", "admin", "walled_partner")
        assert (whole.hidden is not None) == complement, name
        if complement:
            assert ids(whole.hidden_matters()) == ALL - EXPECTED[name], name
    # Narrowing keeps the complement exact.
    partner = matters_in_bulk(users["partner"])
    Matter.objects.update(status="open")
    Matter.objects.filter(number="NOBODY").update(status="closed")
    narrowed = partner.filter(status="open")
    assert ids(narrowed.matters) == {"OPEN", "WALLED"}
    assert ids(narrowed.hidden_matters()) == ALL - {"OPEN", "WALLED"}


@pytest.fixture
def rows(firm):
    """On every matter of the firm: a task, a deadline, a finished review with findings and a
    follow-up, a survey, an issued bill and a payment (amounts 1, 2, 4, … by matter, so every
    sum says which matters it counted); plus a personal task and a payment on no matter,
    which no matter set ever counts."""
    client = Party.objects.create(name="甲公司")
    at = datetime(2026, 3, 1, 4, tzinfo=UTC)
    amounts = {}
    for i, m in enumerate(Matter.objects.order_by("number")):
        amounts[m.number] = Decimal(2**i)
        Task.objects.create(matter=m, title=f"任务{m.number}", status="done", completed_at=at)
        Deadline.objects.create(matter=m, title="期限", due_date=date(2026, 3, 1), status="open")
        review = Review.objects.create(
            matter=m, kind="periodic", status="done", due_on=date(2026, 3, 1), score=1 + i % 5,
            findings=f"问题{m.number}", completed_at=at,
        )  # fmt: skip
        ReviewFollowUp.objects.create(review=review, title="跟进")
        survey = SatisfactionSurvey.objects.create(
            matter=m, occasion="closing", overall=3, responsiveness=3, clarity=3
        )
        SatisfactionSurvey.objects.filter(pk=survey.pk).update(created_at=at)
        Bill.objects.create(
            matter=m, client=client, number=f"2026-{i:03d}", year=2026, seq=i, status="issued",
            issued_on=date(2026, 3, 1), total=amounts[m.number],
        )  # fmt: skip
        Payment.objects.create(
            matter=m, client=client, received_on=date(2026, 3, 2), amount=amounts[m.number],
            method="bank", payer="甲公司",
        )  # fmt: skip
    Task.objects.create(matter=None, title="私人任务", status="done", completed_at=at)
    Payment.objects.create(
        matter=None, client=client, received_on=date(2026, 3, 2), amount=Decimal(1000),
        method="bank", payer="甲公司",
    )  # fmt: skip
    return amounts


def _counted(matters: MatterSet, user: User) -> dict[str, object]:
    """What each row selector counts over `matters`: the matters its rows are on (or, for the
    amounts, their sum)."""
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    scores = review_scores(matters=matters, start=start, end=end, today=date(2026, 6, 1))
    return {
        "tasks": {t.title.removeprefix("任务") for t in tasks_of(matters=matters)},
        "deadlines": set(deadlines_of(matters=matters).values_list("matter__number", flat=True)),
        "reviews": scores.get("periodic", {}).get("done", 0),
        "follow_ups": scores["_follow_ups"]["count"],
        "findings": {
            r["matter__number"]
            for r in review_findings(matters=matters, start=start, end=end, limit=100)
        },
        "surveys": survey_scores(matters=matters, start=start, end=end)
        .get("closing", {})
        .get("n", 0),
        "billed": sum(bills_of(matters=matters).values_list("total", flat=True), Decimal(0)),
        "received": sum(
            payments_for(matters=matters, user=user).values_list("amount", flat=True), Decimal(0)
        ),
    }


def _expected(numbers: set[str], amounts: dict[str, Decimal]) -> dict[str, object]:
    money = sum((amounts[n] for n in numbers), Decimal(0))
    n = len(numbers)
    return {
        "tasks": numbers,
        "deadlines": numbers,
        "reviews": n,
        "follow_ups": n,
        "findings": numbers,
        "surveys": n,
        "billed": money,
        "received": money,
    }


def test_row_selectors_count_exactly_the_gates_rows_in_both_forms(firm, rows):
    users = firm[0]
    for name, user in users.items():
        expected = _expected(EXPECTED[name], rows)
        # `matter IN (scope)` and, for partners and administrators, `NOT IN (hidden)`.
        assert _counted(MatterSet(matters_visible_in_bulk(user)), user) == expected, name
        assert _counted(matters_in_bulk(user), user) == expected, name
    # The walled partner: neither WALLED's money nor its tasks, nor a confidential matter's.
    walled = _counted(matters_in_bulk(users["walled_partner"]), users["walled_partner"])
    assert walled["tasks"] == {"OPEN", "NOBODY"}
    assert walled["billed"] == walled["received"] == rows["OPEN"] + rows["NOBODY"]
    # A narrowed set (open matters only) in the complement form.
    Matter.objects.update(status="open")
    Matter.objects.filter(number="NOBODY").update(status="closed")
    narrowed = matters_in_bulk(users["partner"]).filter(status="open")
    assert _counted(narrowed, users["partner"]) == _expected({"OPEN", "WALLED"}, rows)


def test_insight_set_is_the_insight_scope(firm, rows):
    users, team_a, _team_b, area = firm
    for f in (
        InsightFilters(**PERIOD),
        InsightFilters(**PERIOD, practice_area=area.pk),
        InsightFilters(**PERIOD, team=team_a.pk),
        InsightFilters(**PERIOD, lawyer=users["lawyer"].pk),
    ):
        for name, user in users.items():
            for kind in (FIRM, PERSONAL):
                scope = ids(insight_scope(user=user, kind=kind, filters=f))
                got = insight_set(user=user, kind=kind, filters=f)
                assert ids(got.matters) == scope, (name, kind, f)
                assert _counted(got, user) == _expected(scope, rows), (name, kind, f)
                if got.hidden is not None:  # only the whole firm view of a partner/admin
                    assert kind == FIRM and f == InsightFilters(**PERIOD), (name, f)
                    assert ids(got.hidden_matters()) == ALL - scope, (name, f)


class BulkGateProperties(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(firm=firms)
    def test_bulk_gate_and_scopes_match_the_oracle(self, firm):
        users = [
            User.objects.create(username=f"u{i}", role=role, is_active=active)
            for i, (role, active) in enumerate(firm["users"])
        ]
        matters = []
        for j, spec in enumerate(firm["matters"]):
            matter = Matter.objects.create(
                number=f"T-{j}", title=f"案件{j}", matter_type="civil",
                confidential=spec["confidential"],
            )  # fmt: skip
            for i in spec["members"]:
                if i < len(users):
                    MatterMember.objects.create(matter=matter, user=users[i], role="member")
            for i in spec["walls"]:
                if i < len(users):
                    EthicalWall.objects.create(matter=matter, user=users[i], reason="x")
            matters.append(matter)
        f = InsightFilters(**PERIOD)
        for i, user in enumerate(users):
            expected = {
                m.number
                for m, spec in zip(matters, firm["matters"], strict=True)
                if oracle(user, spec, i)
            }
            on = {m.number for m, spec in zip(matters, firm["matters"], strict=True)
                  if i in spec["members"]}  # fmt: skip
            assert ids(matters_visible_in_bulk(user)) == expected
            every = {m.number for m in matters}
            assert ids(matters_hidden_in_bulk(user)) == every - expected
            whole = matters_in_bulk(user)
            if whole.hidden is not None:
                assert ids(whole.hidden_matters()) == every - expected
                assert (
                    ids(insight_set(user=user, kind=FIRM, filters=f).hidden_matters())
                    == every - expected
                )
            assert ids(insight_scope(user=user, kind=FIRM, filters=f)) == expected
            assert ids(insight_scope(user=user, kind=PERSONAL, filters=f)) == expected & on
            for j, other in enumerate(users):
                by_lawyer = InsightFilters(**PERIOD, lawyer=other.pk)
                theirs = {m.number for m, spec in zip(matters, firm["matters"], strict=True)
                          if j in spec["members"]}  # fmt: skip
                assert ids(insight_scope(user=user, kind=FIRM, filters=by_lawyer)) == (
                    expected & theirs
                )

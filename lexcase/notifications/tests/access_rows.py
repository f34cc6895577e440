"""Access-table rows for notifications' own pages (the teams' group robots, administrators
only). The notification list and preferences keep their `comms:` rows."""

from __future__ import annotations

from lexcase.accounts.models import Team
from lexcase.core.tests.access import LOGIN, E, Route
from lexcase.notifications.models import RobotChannel
from lexcase.testing import Firm

ADMIN_ONLY = E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 200, 404)
ADMIN_ONLY_POST = E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 302, 404)
API_OPERATIONS: dict[tuple[str, str], str] = {}


def make_channel(f: Firm) -> int:
    team, _created = Team.objects.get_or_create(name="诉讼一部")
    # A closed local port: nothing leaves the machine even if a task ran.
    return RobotChannel.objects.create(
        team=team, platform="wecom", name="群", url="http://127.0.0.1:9/send?key=x", events=[]
    ).pk


TABLE: dict[str, Route] = {
    "notifications:robots": Route("GET", lambda f: "/notifications/robots/", ADMIN_ONLY),
    "notifications:robot_edit": Route(
        "GET", lambda f: f"/notifications/robots/{make_channel(f)}/", ADMIN_ONLY
    ),
    "notifications:robot_delete": Route(
        "POST", lambda f: f"/notifications/robots/{make_channel(f)}/delete/", ADMIN_ONLY_POST
    ),
    "notifications:robot_test": Route(
        "POST", lambda f: f"/notifications/robots/{make_channel(f)}/test/", ADMIN_ONLY_POST
    ),
}

"""Access-table rows for comms (see lexcase/core/tests/access.py). The notification pages
`comms:notifications` and `comms:read_all` stay in lexcase/core/tests/test_access_table.py."""

from __future__ import annotations

from lexcase.comms.models import ProgressReport
from lexcase.core.tests.access import (
    ALL_STAFF_200,
    API_MATTER_CREATE,
    API_MATTER_READ,
    LOGIN,
    MATTER_READ,
    MATTER_WRITE,
    E,
    Route,
)
from lexcase.testing import Firm

ADMIN_ONLY = E(LOGIN, LOGIN, 403, 403, 403, 403, 403, 200, 404)
API_ALL_STAFF_200 = E(401, 401, 200, 200, 200, 200, 200, 200, 401)


def make_report(f: Firm) -> int:
    return ProgressReport.objects.create(
        matter=f.matter, title="进展报告", html="<p>进展报告</p>", created_by=f.lead
    ).pk


TABLE: dict[str, Route] = {
    "comms:preferences": Route("GET", lambda f: "/notifications/preferences/", ALL_STAFF_200),
    "comms:list": Route("GET", lambda f: "/communications/", ALL_STAFF_200),
    "comms:export": Route("GET", lambda f: "/communications/export/", ALL_STAFF_200),
    "comms:intervals": Route("GET", lambda f: "/communications/intervals/", ADMIN_ONLY),
    "comms:report_template": Route("GET", lambda f: "/communications/report-template/", ADMIN_ONLY),
    "comms:report_pdf": Route(
        "GET", lambda f: f"/communications/reports/{make_report(f)}.pdf", MATTER_READ
    ),
    "comms:create": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/communications/",
        MATTER_WRITE,
        body=lambda f: {
            "comm-channel": "phone",
            "comm-direction": "outbound",
            "comm-summary": "电话告知客户开庭时间",
        },
    ),
    "comms:policy": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/client-updates/",
        MATTER_WRITE,
        body=lambda f: {"policy-interval_days": "5", "policy-version": "0"},
    ),
    "comms:report_create": Route(
        "POST",
        lambda f: f"/matters/{f.matter.pk}/progress-reports/",
        MATTER_WRITE,
        body=lambda f: {"report-needs_from_client": "请提供合同原件"},
    ),
    "api:matter_communications": Route(
        "GET", lambda f: f"/api/v1/matters/{f.matter.pk}/communications", API_MATTER_READ
    ),
    "api:create_communication": Route(
        "POST",
        lambda f: f"/api/v1/matters/{f.matter.pk}/communications",
        API_MATTER_CREATE,
        body=lambda f: {
            "channel": "wechat",
            "direction": "outbound",
            "summary": "微信告知客户",
            "occurred_at": "2026-01-05T10:00:00+08:00",
        },
        json=True,
    ),
    "api:communications": Route(
        "GET", lambda f: "/api/v1/communications?due=true", API_ALL_STAFF_200
    ),
}

API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/matters/{matter_id}/communications"): "api:matter_communications",
    ("post", "/api/v1/matters/{matter_id}/communications"): "api:create_communication",
    ("get", "/api/v1/communications"): "api:communications",
}

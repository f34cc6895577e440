"""Matter-page quick entry (htmx and plain), the firm-wide list, preferences, the report
template page and progress reports from the matter page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import translation

from lexcase.accounts.models import Role
from lexcase.audit.models import AuditEvent
from lexcase.comms.models import Communication, ProgressReport, ReportTemplate
from lexcase.comms.reports import DEFAULT_TEMPLATE, report_template_get, report_template_set
from lexcase.comms.selectors import update_intervals
from lexcase.comms.services import communication_create
from lexcase.core.exceptions import NotAllowed, StaleEdit
from lexcase.documents.models import Document
from lexcase.notifications.models import Notification
from lexcase.notifications.services import notification_send
from lexcase.testing import client_for, make_user

ENTRY = {
    "comm-channel": "phone",
    "comm-direction": "outbound",
    "comm-summary": "电话告知客户开庭时间",
    "comm-participants": "assistant、张总",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def english(user):
    """A signed-in client that chose English (pages are Chinese unless switched)."""
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def test_matter_page_shows_the_section_with_quick_entry(firm):
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert 'id="communications"' in page
    assert f'hx-post="/matters/{firm.matter.pk}/communications/"' in page


def test_quick_entry_with_htmx_returns_the_section_with_the_new_row(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/communications/", ENTRY, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="communications">')
    assert "电话告知客户开庭时间" in html
    comm = Communication.objects.get()
    assert (comm.channel, comm.direction, comm.contacts) == ("phone", "outbound", ["张总"])
    assert list(comm.team.values_list("username", flat=True)) == ["assistant"]


@pytest.mark.parametrize("valid", [True, False])
def test_the_section_answered_to_htmx_records_a_read_of_the_matter(firm, valid):
    """The section answered in place shows the matter's 20 latest communications: a read of
    the matter on record, as every other page showing them (a refused entry too)."""
    communication_create(
        actor=firm.lead, matter=firm.matter, channel="phone", direction="inbound", summary="旧记录"
    )
    before = AuditEvent.objects.filter(action="matter.view", matter_id=firm.matter.pk).count()
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/communications/",
        ENTRY if valid else {**ENTRY, "comm-summary": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "旧记录" in response.content.decode()
    reads = AuditEvent.objects.filter(
        action="matter.view", matter_id=firm.matter.pk, actor=firm.lead
    ).order_by("pk")
    assert reads.count() == before + 1
    assert reads.last().data == {"page": "comms:create"}


def test_quick_entry_errors_come_back_beside_the_field(firm):
    response = client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/communications/",
        {**ENTRY, "comm-summary": "", "comm-occurred_at": "2099-01-01T10:00"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.count('class="field has-error"') == 2
    assert Communication.objects.count() == 0


def test_quick_entry_without_javascript_redirects_back(firm):
    response = client_for(firm.lead).post(f"/matters/{firm.matter.pk}/communications/", ENTRY)
    assert response["Location"] == f"/matters/{firm.matter.pk}/#communications"
    assert Communication.objects.count() == 1


def test_assistant_sees_log_but_finance_gets_404(firm):
    communication_create(
        actor=firm.lead, matter=firm.matter, channel="phone", direction="inbound", summary="来电"
    )
    assert "来电" in client_for(firm.assistant).get(f"/matters/{firm.matter.pk}/").content.decode()
    response = client_for(firm.finance).post(f"/matters/{firm.matter.pk}/communications/", ENTRY)
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["outsider", "walled", "finance"])
def test_firm_wide_list_shows_only_visible_matters(firm, who):
    communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="outbound",
        summary="机密摘要",
    )
    page = client_for(getattr(firm, who)).get("/communications/").content.decode()
    assert "机密摘要" not in page
    assert firm.matter.number not in page
    assert "机密摘要" in client_for(firm.lead).get("/communications/").content.decode()


def test_firm_wide_list_filters_and_htmx_partial(firm):
    communication_create(
        actor=firm.lead, matter=firm.matter, channel="phone", direction="outbound", summary="甲"
    )
    communication_create(
        actor=firm.lead,
        matter=firm.confidential,
        channel="email",
        direction="outbound",
        summary="乙",
    )
    client = english(firm.lead)
    html = client.get("/communications/?client=华泰", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert ("甲" in html, "乙" in html) == (True, False)
    html = client.get(f"/communications/?matter={firm.confidential.pk}").content.decode()
    assert ("甲" in html, "乙" in html) == (False, True)
    html = client.get("/communications/?lawyer=nobody").content.decode()
    assert "Select a valid choice" in html
    assert ("甲" in html, "乙" in html) == (False, False)


def test_preferences_page_turns_email_off_per_kind(firm):
    firm.lead.email = "lead@example.com"
    firm.lead.save()
    client = client_for(firm.lead)
    assert 'name="email_client_update_due" checked' in client.get(
        "/notifications/preferences/"
    ).content.decode().replace('id="email_client_update_due" ', "")
    # Everything on except the client update reminders.
    from lexcase.notifications.kinds import NOTIFICATION_KINDS

    data = {f"email_{k}": "on" for k in NOTIFICATION_KINDS if k != "client_update_due"}
    data |= {f"app_{k}": "on" for k in NOTIFICATION_KINDS}
    assert client.post("/notifications/preferences/", data).status_code == 302
    notification_send(user=firm.lead, kind="client_update_due", text="due", key="a")
    notification_send(user=firm.lead, kind="digest", text="digest", key="b")
    # In-app always; e-mail only where wanted.
    assert sorted(Notification.objects.filter(user=firm.lead).values_list("kind", "emailed")) == [
        ("client_update_due", False),
        ("digest", True),
    ]
    assert [m.body for m in mail.outbox] == ["digest"]


def test_report_template_page_is_admin_only_and_validates(firm):
    assert client_for(firm.lead).get("/communications/report-template/").status_code == 403
    client = english(firm.admin)
    page = client.get("/communications/report-template/").content.decode()
    assert 'name="version" value="0"' in page
    response = client.post(
        "/communications/report-template/", {"body": "{% if %}broken", "version": "0"}
    )
    assert response.status_code == 200
    assert "The template does not compile" in response.content.decode()
    assert ReportTemplate.objects.count() == 0
    response = client.post(
        "/communications/report-template/",
        {"body": "<h1>{{ matter.title }}</h1>{{ needs_from_client }}", "version": "0"},
    )
    assert response.status_code == 302
    assert report_template_get() == ("<h1>{{ matter.title }}</h1>{{ needs_from_client }}", 1)


def test_report_template_set_refuses_stale_edits_and_non_admins(firm):
    report_template_set(actor=firm.admin, body="a", version=0)
    with pytest.raises(StaleEdit):
        report_template_set(actor=firm.admin, body="b", version=0)
    with pytest.raises(NotAllowed):
        report_template_set(actor=firm.partner, body="c", version=1)
    assert report_template_get() == ("a", 1)
    assert DEFAULT_TEMPLATE.startswith("{% load i18n %}")


def test_generate_report_from_matter_page_serves_the_pdf_and_logs_no_contact(firm):
    client = client_for(firm.lead)
    response = client.post(
        f"/matters/{firm.matter.pk}/progress-reports/",
        {"report-needs_from_client": "请提供合同原件"},
    )
    report = ProgressReport.objects.get()
    assert response["Location"] == f"/communications/reports/{report.pk}.pdf"
    pdf = client.get(response["Location"])
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    # Not sent: no contact with the client, so the client-update clock is not reset.
    assert report.communication is None
    assert Communication.objects.filter(matter=firm.matter).count() == 0
    assert client_for(firm.outsider).get(response["Location"]).status_code == 404


def test_report_pdf_keeps_its_chinese_file_name(firm):
    client = client_for(firm.lead)
    response = client.post(f"/matters/{firm.matter.pk}/progress-reports/", {})
    pdf = client.get(response["Location"])
    report = ProgressReport.objects.get()
    name = f"进展报告-{firm.matter.number}-{report.created_at:%Y%m%d}-{report.pk}.pdf"
    assert pdf["Content-Disposition"] == f"inline; filename*=utf-8''{quote(name)}"


def test_report_mentions_only_the_contacts_the_lawyer_picked(firm):
    shared = communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="outbound",
        summary="已告知客户开庭安排",
    )
    communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="inbound",
        summary="内部记录：对方律师暗示可和解，底价待定",
    )
    client = client_for(firm.lead)
    page = client.get(f"/matters/{firm.matter.pk}/").content.decode()
    assert "内部记录：对方律师暗示可和解" in page  # offered, unticked
    client.post(
        f"/matters/{firm.matter.pk}/progress-reports/",
        {"report-communication_ids": [str(shared.pk)]},
    )
    html = ProgressReport.objects.get().html
    assert "已告知客户开庭安排" in html
    assert "内部记录" not in html


def test_send_report_emails_the_client_and_logs_an_email(firm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(firm.lead).post(
            f"/matters/{firm.matter.pk}/progress-reports/",
            {
                "report-needs_from_client": "请提供合同原件",
                "report-send": "on",
                "report-recipient": "client@example.com",
            },
        )
    assert response["Location"] == f"/matters/{firm.matter.pk}/#communications"
    report = ProgressReport.objects.get()
    assert report.sent_at is not None
    comm = report.communication
    assert (comm.channel, comm.direction, comm.contacts) == (
        "email",
        "outbound",
        ["client@example.com"],
    )
    assert [m.to for m in mail.outbox] == [["client@example.com"]]
    message = mail.outbox[0]
    assert "请提供合同原件" in message.body
    assert "<style" not in message.body
    assert message.alternatives[0][1] == "text/html"


def test_send_without_recipient_is_refused(firm):
    client_for(firm.lead).post(
        f"/matters/{firm.matter.pk}/progress-reports/", {"report-send": "on"}
    )
    assert ProgressReport.objects.count() == 0
    assert Communication.objects.count() == 0


def test_policy_override_from_matter_page(firm):
    client = client_for(firm.lead)
    client.post(
        f"/matters/{firm.matter.pk}/client-updates/",
        {"policy-interval_days": "7", "policy-version": "0"},
    )
    firm.matter.refresh_from_db()
    assert firm.matter.client_update_policy.interval_days == 7
    # A second editor who loaded the page before the change is refused.
    client.post(
        f"/matters/{firm.matter.pk}/client-updates/",
        {"policy-interval_days": "9", "policy-version": "0"},
    )
    firm.matter.client_update_policy.refresh_from_db()
    assert firm.matter.client_update_policy.interval_days == 7


def test_portal_contact_may_only_log_inbound_portal_messages(firm):
    contact = make_user("contact", "client")
    comm = communication_create(
        actor=contact, matter=firm.matter, channel="portal", direction="inbound", summary="请问进展"
    )
    assert (comm.created_by, comm.channel) == (contact, "portal")
    with pytest.raises(NotAllowed):
        communication_create(
            actor=contact, matter=firm.matter, channel="phone", direction="inbound", summary="x"
        )
    with pytest.raises(NotAllowed):
        communication_create(
            actor=contact, matter=firm.matter, channel="portal", direction="outbound", summary="x"
        )
    assert Role.CLIENT == "client"


def test_matter_log_links_attached_documents(firm):
    doc = Document.objects.create(matter=firm.matter, category="contract", title="买卖合同")
    communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="email",
        direction="outbound",
        summary="发送合同",
        documents=[doc.pk],
    )
    page = client_for(firm.lead).get(f"/matters/{firm.matter.pk}/").content.decode()
    assert f'<a href="/documents/{doc.pk}/">买卖合同</a>' in page


def test_admin_edits_update_intervals(firm):
    assert update_intervals() == {"P1": 3, "P2": 14, "P3": 30}
    assert client_for(firm.partner).post("/communications/intervals/", {}).status_code == 403
    client = english(firm.admin)
    bad = client.post("/communications/intervals/", {"P1": "0", "P2": "14", "P3": "30"})
    assert bad.status_code == 200 and update_intervals()["P1"] == 3
    ok = client.post("/communications/intervals/", {"P1": "2", "P2": "10", "P3": "30"})
    assert ok.status_code == 302
    assert update_intervals() == {"P1": 2, "P2": 10, "P3": 30}


def test_lawyer_filter_offers_all_in_chinese_and_no_select_label_is_left_english(firm):
    # Django 6 labels an empty choice "- Select an option -", which its zh_Hans catalogue
    # does not translate: the filter says 全部 like the matter list's, and any select left
    # with the default label reads 请选择.
    page = client_for(firm.lead).get("/communications/").content.decode()
    select = re.search(
        r'<select name="lawyer"[^>]*>\s*<option value=""[^>]*>([^<]*)</option>', page
    )
    assert select is not None
    assert select.group(1) == "全部"
    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"


@pytest.mark.parametrize("matter", ["99999999999999999999", "-1", "0"])
def test_a_matter_filter_out_of_the_id_range_lists_nothing_and_exports_nothing(firm, matter):
    # 2⁶⁴ and more overflowed SQLite's integer: an HTTP 500 on the list and the export.
    communication_create(
        actor=firm.lead, matter=firm.matter, channel="phone", direction="outbound", summary="甲"
    )
    client = client_for(firm.lead)
    page = client.get(f"/communications/?matter={matter}")
    export = client.get(f"/communications/export/?matter={matter}")
    assert (page.status_code, export.status_code, export["Location"]) == (
        200,
        302,
        "/communications/",
    )
    assert page.context["rows"] == []
    assert list(page.context["form"].errors) == ["matter"]

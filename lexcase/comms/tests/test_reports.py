"""Progress reports: Chinese PDF, admin-editable template, on the log when sent."""

from __future__ import annotations

import io
import urllib.request
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from lexcase.calendar.services import hearing_create
from lexcase.comms.models import Communication, ProgressReport
from lexcase.comms.reports import (
    progress_report_create,
    report_pdf,
    report_render_html,
    report_template_set,
)
from lexcase.comms.services import communication_create
from lexcase.core.exceptions import NotAllowed

SHOTS = Path("/tmp/shots/h5")


def _pdf_page_png_and_text(pdf: bytes) -> tuple[bytes, str, int]:
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=1.5).to_pil()
    # Not an empty page: a good share of the pixels are not white.
    histogram = image.convert("L").histogram()
    inked = sum(histogram[:200])
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue(), text, inked


def test_progress_report_pdf_renders_chinese(opened):
    firm = opened

    call = communication_create(
        actor=firm.lead,
        matter=firm.matter,
        channel="phone",
        direction="outbound",
        summary="已电话告知客户一审开庭安排",
    )

    hearing_create(
        actor=firm.lead,
        matter=firm.matter,
        court="北京市朝阳区人民法院",
        starts_at=timezone.now() + timedelta(days=10),
    )
    with translation.override("zh-hans"):
        report = progress_report_create(
            actor=firm.lead,
            matter=firm.matter,
            needs_from_client="请于下周五前提供买卖合同原件。",
            communication_ids=[call.pk],
        )
    pdf = report_pdf(html=report.html)
    assert pdf.startswith(b"%PDF")
    png, text, inked = _pdf_page_png_and_text(pdf)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "progress_report_page1.png").write_bytes(png)
    assert inked > 5000
    assert "华泰科技诉王伟买卖合同纠纷" in text
    assert "请于下周五前提供买卖合同原件。" in text
    assert "已电话告知客户一审开庭安排" in text
    assert "北京市朝阳区人民法院" in text  # the next hearing, under "next dates"
    # Generated, not sent: not a contact with the client, so nothing new on the log.
    assert report.communication is None
    assert list(firm.matter.communications.values_list("pk", flat=True)) == [call.pk]


def test_remote_resources_are_never_fetched(firm, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network access during PDF rendering")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    html = (
        '<html><body><img src="http://example.com/logo.png">'
        '<link rel="stylesheet" href="https://example.com/x.css"><h1>进展报告</h1></body></html>'
    )
    pdf = report_pdf(html=html)
    _png, text, _inked = _pdf_page_png_and_text(pdf)
    assert "进展报告" in text


def test_template_failing_at_render_time_is_a_field_error(firm):
    report_template_set(actor=firm.admin, body='{% url "no-such-page" %}', version=0)
    with pytest.raises(ValidationError) as exc:
        progress_report_create(actor=firm.lead, matter=firm.matter)
    assert list(exc.value.message_dict) == ["template"]
    assert ProgressReport.objects.count() == 0
    assert Communication.objects.count() == 0


def test_outsider_cannot_generate(firm):
    with pytest.raises(NotAllowed):
        progress_report_create(actor=firm.outsider, matter=firm.matter)


@pytest.mark.parametrize(
    "body", ['{% include "base.html" %}', "{% debug %}", '{% extends "base.html" %}']
)
def test_templates_cannot_reach_beyond_the_report(firm, body):
    with pytest.raises(ValidationError) as exc:
        report_template_set(actor=firm.admin, body=body, version=0)
    assert list(exc.value.message_dict) == ["body"]


def test_template_sees_plain_matter_values_not_the_model(firm):
    report_template_set(
        actor=firm.admin,
        body="[{{ matter.title }}|{{ matter.created_by.password }}|{{ matter.pk }}]",
        version=0,
    )
    assert report_render_html(matter=firm.matter) == "[华泰科技诉王伟买卖合同纠纷||]"

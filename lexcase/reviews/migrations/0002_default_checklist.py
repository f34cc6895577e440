"""The default review checklist: common items for every matter, plus items per type."""

from __future__ import annotations

from django.db import migrations

# (matter_type, code, label, label_en, auto, position); "" = every matter type.
ITEMS = [
    (
        "",
        "deadlines",
        "期限已登记并确认",
        "Deadlines recorded and confirmed",
        "deadlines_confirmed",
        10,
    ),
    (
        "",
        "client_update",
        "已按周期向委托人通报进展",
        "Client updated within the cadence",
        "client_updated",
        20,
    ),
    (
        "",
        "documents",
        "文件已按类别归档",
        "Documents filed in the right categories",
        "documents_filed",
        30,
    ),
    (
        "",
        "fee_agreement",
        "委托代理合同（收费协议）已签署",
        "Fee agreement signed",
        "fee_agreement_signed",
        40,
    ),
    (
        "",
        "strategy",
        "办案方案与风险已与团队复核",
        "Strategy and risks reviewed with the team",
        "",
        50,
    ),
    ("", "work_product", "主要文书质量已审阅", "Main work product checked", "", 60),
    ("civil", "evidence", "证据目录已归档", "Evidence catalogue filed", "evidence_filed", 35),
    (
        "commercial_arbitration",
        "evidence",
        "证据目录已归档",
        "Evidence catalogue filed",
        "evidence_filed",
        35,
    ),
    (
        "labor_arbitration",
        "evidence",
        "证据目录已归档",
        "Evidence catalogue filed",
        "evidence_filed",
        35,
    ),
    (
        "administrative",
        "evidence",
        "证据目录已归档",
        "Evidence catalogue filed",
        "evidence_filed",
        35,
    ),
    ("criminal", "meetings", "会见笔录已归档", "Meeting records with the defendant filed", "", 35),
    ("criminal", "file_review", "已完成阅卷并记录", "Case file reviewed and noted", "", 36),
    ("enforcement", "assets", "财产线索已查询并记录", "Asset leads searched and recorded", "", 35),
    ("counsel", "service_log", "顾问服务记录完整", "Counsel service log complete", "", 35),
    ("non_litigation", "deliverables", "交付成果已归档", "Deliverables filed", "", 35),
]


def seed(apps, schema_editor):
    Item = apps.get_model("reviews", "ReviewChecklistItem")
    for matter_type, code, label, label_en, auto, position in ITEMS:
        Item.objects.get_or_create(
            matter_type=matter_type,
            code=code,
            defaults={"label": label, "label_en": label_en, "auto": auto, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

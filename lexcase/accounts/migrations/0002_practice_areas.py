from django.db import migrations

AREAS = [
    ("civil-commercial", "民商事诉讼"),
    ("corporate", "公司与并购"),
    ("labor", "劳动与人力资源"),
    ("criminal", "刑事辩护"),
    ("administrative", "行政与政府事务"),
    ("ip", "知识产权"),
    ("real-estate", "房地产与建设工程"),
    ("finance", "金融与债务重组"),
    ("family", "婚姻家事与财富传承"),
]


def load(apps, schema_editor):
    PracticeArea = apps.get_model("accounts", "PracticeArea")
    for code, name in AREAS:
        PracticeArea.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

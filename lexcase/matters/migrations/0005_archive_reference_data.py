from django.db import migrations

CHECKLIST = [
    (
        "final_document",
        "终审判决书、裁定书、调解书或和解协议已归卷",
        "Final judgment or settlement on file",
    ),
    ("fees_settled", "律师费及费用已结清", "Fees settled"),
    ("client_informed", "已告知委托人结案结果", "Client informed of the outcome"),
    ("originals_returned", "原件已退还委托人", "Original documents returned to the client"),
]

# Defaults only: the 1991 保管期限表 decides by criteria (sentence, amount, subject), so the
# archivist can pick another class when filing. The years behind each class are firm policy.
RETENTION = [
    ("permanent", "永久", "Permanent", None, []),
    (
        "long",
        "长期",
        "Long-term",
        None,
        [
            "civil",
            "commercial_arbitration",
            "labor_arbitration",
            "criminal",
            "administrative",
            "enforcement",
            "non_litigation",
        ],
    ),
    ("short", "短期", "Short-term", None, ["counsel", "consultation"]),
]


def load(apps, schema_editor):
    Item = apps.get_model("matters", "ClosingChecklistItem")
    Retention = apps.get_model("matters", "RetentionClass")
    for position, (code, label, label_en) in enumerate(CHECKLIST):
        Item.objects.get_or_create(
            code=code, defaults={"label": label, "label_en": label_en, "position": position}
        )
    for position, (code, name, name_en, years, types) in enumerate(RETENTION):
        Retention.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "years": years,
                "matter_types": types,
                "position": position,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("matters", "ClosingChecklistItem").objects.all().delete()
    apps.get_model("matters", "RetentionClass").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("matters", "0004_archive")]
    operations = [migrations.RunPython(load, unload)]

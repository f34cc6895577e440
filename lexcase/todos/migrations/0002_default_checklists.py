from django.db import migrations


def load(apps, schema_editor):
    from lexcase.todos.checklists_data import DEFAULT_CHECKLISTS

    Template = apps.get_model("todos", "ChecklistTemplate")
    Item = apps.get_model("todos", "ChecklistItem")
    for (matter_type, stage), (name, items) in DEFAULT_CHECKLISTS.items():
        template, created = Template.objects.get_or_create(
            matter_type=matter_type, stage=stage, defaults={"name": name}
        )
        if not created:
            continue
        Item.objects.bulk_create(
            Item(template=template, title=title, due_days=days, assign_to=who, position=i)
            for i, (title, days, who) in enumerate(items)
        )


def unload(apps, schema_editor):
    apps.get_model("todos", "ChecklistTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("todos", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

"""A grant's switch for the matter's bills in the portal: off for every existing grant, as
for new ones (the firm switches it on per contact and matter)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_clientcontactmatter")]

    operations = [
        migrations.AddField(
            model_name="clientcontactmatter",
            name="bills_visible",
            field=models.BooleanField(default=False, verbose_name="sees the matter's bills"),
        ),
    ]

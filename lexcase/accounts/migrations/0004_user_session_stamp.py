import secrets

from django.db import migrations, models

import lexcase.accounts.models


def stamp_each_user(apps, schema_editor):
    # AddField computes a callable default once for every existing row: give each its own.
    User = apps.get_model("accounts", "User")
    for pk in User.objects.values_list("pk", flat=True):
        User.objects.filter(pk=pk).update(session_stamp=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_alter_user_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="session_stamp",
            field=models.CharField(
                default=lexcase.accounts.models.new_session_stamp, editable=False, max_length=32
            ),
        ),
        migrations.RunPython(stamp_each_user, migrations.RunPython.noop, elidable=True),
    ]

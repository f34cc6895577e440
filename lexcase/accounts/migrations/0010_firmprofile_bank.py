"""The firm's bank account on its profile (shown with bills in the client portal)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_alter_user_role")]

    operations = [
        migrations.AddField(
            model_name="firmprofile",
            name="bank_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="bank"),
        ),
        migrations.AddField(
            model_name="firmprofile",
            name="bank_account_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="account name"),
        ),
        migrations.AddField(
            model_name="firmprofile",
            name="bank_account",
            field=models.CharField(blank=True, max_length=40, verbose_name="account number"),
        ),
    ]

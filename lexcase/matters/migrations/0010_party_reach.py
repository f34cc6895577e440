"""`PartyReach`: who shares a matter with a party, kept by triggers on memberships, links and
party names (lexcase/matters/party_links.py), then filled from the rows already there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def install(apps, schema_editor):
    from lexcase.matters import party_links

    party_links.install_reach(schema_editor.connection)
    party_links.backfill_reach(schema_editor.connection)


def remove(apps, schema_editor):
    from lexcase.matters import party_links

    party_links.remove_reach(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0009_confidential_index"),
        ("parties", "0004_party_on_matter"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PartyReach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("kind", models.CharField(max_length=20)),
                ("links", models.IntegerField()),
                (
                    "party",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="parties.party",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["user", "name", "party"], name="party_reach_name_idx"),
                    models.Index(
                        fields=["user", "kind", "name", "party"], name="party_reach_kind_idx"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("party", "user"), name="party_reach_unique")
                ],
            },
        ),
        migrations.RunPython(install, remove),
    ]

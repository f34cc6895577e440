"""Contacts see explicitly granted matters only (issue 18). Existing contacts keep what they
saw before: a grant for every matter on which their party is the client today."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def grant_current_client_matters(apps, schema_editor):
    ClientContact = apps.get_model("portal", "ClientContact")
    ClientContactMatter = apps.get_model("portal", "ClientContactMatter")
    MatterParty = apps.get_model("matters", "MatterParty")
    now = timezone.now()
    grants = []
    for contact in ClientContact.objects.all().iterator():
        matter_ids = (
            MatterParty.objects.filter(party_id=contact.party_id, role="client")
            .values_list("matter_id", flat=True)
            .distinct()
        )
        grants.extend(
            ClientContactMatter(
                contact_id=contact.pk,
                matter_id=matter_id,
                granted_by_id=contact.invited_by_id,
                granted_at=now,
            )
            for matter_id in matter_ids
        )
    ClientContactMatter.objects.bulk_create(grants, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0005_archive_reference_data"),
        ("portal", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientContactMatter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("granted_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grants",
                        to="portal.clientcontact",
                    ),
                ),
                (
                    "granted_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "matter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_grants",
                        to="matters.matter",
                    ),
                ),
            ],
            options={
                "ordering": ["contact_id", "matter_id"],
                "constraints": [
                    models.UniqueConstraint(fields=("contact", "matter"), name="portal_grant_once")
                ],
            },
        ),
        migrations.RunPython(grant_current_client_matters, migrations.RunPython.noop),
    ]

"""Recovery codes stored hashed (issue 14 item 1): each seed-based set of recovery codes is
replaced by the hashes of its unused codes; the seed is dropped. The codes themselves do not
change, so a user's written-down codes keep working (and still work once each)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from lexcase.accounts.recovery_codes import HashedRecoveryCodes, hashed_data

    seeded = HashedRecoveryCodes.__mro__[1]  # allauth's own class, which derives from the seed
    authenticator = apps.get_model("mfa", "Authenticator")
    for row in authenticator.objects.filter(type="recovery_codes").order_by("pk"):
        if "seed" not in row.data:
            continue
        unused = seeded(row).get_unused_codes()
        data = hashed_data(unused)
        if row.data.get("viewed_at"):
            data["viewed_at"] = row.data["viewed_at"]
        row.data = data
        row.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_cache_table"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

"""Matter entries also index their parties' normalised names (issue 15: the matter list's
q= reads the index first, and matches names in their normalised form: traditional
characters as simplified, brackets and spaces folded). Rewrites the entries of the matters
with a party whose normalised name differs from its name; the others are unchanged."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    MatterParty = apps.get_model("matters", "MatterParty")
    ids = sorted(
        set(
            MatterParty.objects.exclude(party__name_normalized=F("party__name")).values_list(
                "matter_id", flat=True
            )
        )
    )
    if ids:
        # The service, not the historical models: it owns the tokenisation. Only reached on
        # a database with data, which is migrated up to the dependencies below.
        from lexcase.search.services import search_matters_reindex

        search_matters_reindex(matter_ids=ids)


class Migration(migrations.Migration):
    dependencies = [
        ("lexcase_search", "0002_engine_index"),
        ("matters", "0007_party_on_matter_triggers"),
        ("parties", "0004_party_on_matter"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

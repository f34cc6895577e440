"""Each application of a payment to a bill is its own dated allocation: the (payment, bill)
uniqueness goes (a second part applied later used to merge into the first row and move its
date)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_contingency_bans"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="paymentallocation",
            name="billing_allocation_payment_bill_unique",
        ),
    ]

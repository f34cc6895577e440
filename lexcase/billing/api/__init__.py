"""/api/v1 money endpoints, one router per area joined here. Amounts are strings with two
decimals ("480000.00"); errors have the API's one shape (422 `{"errors": [{"field",
"message"}]}`).

`calculators` (the foundation): contingency check and court fee. `work`: fee agreements, time,
expenses, client funds, fee allocation. `bills`: bills, invoices, payments, receivables,
exports. Each area edits only its own module.
"""

from __future__ import annotations

from ninja import Router

from lexcase.billing.api import bills, calculators, work

router = Router()
router.add_router("", calculators.router)
router.add_router("", work.router)
router.add_router("", bills.router)

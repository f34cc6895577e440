"""Reads of the firm's money, every one through the money gate
(`lexcase.matters.selectors.matters_money_visible_to`). One module per area, imported by its
own path (nothing is re-exported here): `shared` (a matter's money, agreements, the ban
list), and the modules the follow-up work adds (docs/architecture.md, "Money (billing)").
"""

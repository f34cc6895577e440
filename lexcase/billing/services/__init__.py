"""Writes of the firm's money: keyword-only, typed, `<entity>_<verb>`, one transaction each;
validate everything first and raise `ValidationError` keyed by field, so nothing changes on
error; permissions asked by name (`billing/rules.py`); every change audited.

One module per area, imported by its own path (nothing is re-exported here, so areas are
added without touching this file): `shared` (language, settings, field errors),
`agreements` (fee agreements), `bills` (the bill-number series, bills), and the modules the
follow-up work adds (docs/architecture.md, "Money (billing)").
"""

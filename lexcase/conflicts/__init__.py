"""Conflict-of-interest checks (利益冲突审查): candidate index, matching engine and verdicts."""

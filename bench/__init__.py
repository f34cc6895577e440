"""LexCase benchmarks (docs/quality.md §5): ratios against a baseline measured in the same run."""

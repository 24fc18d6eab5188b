"""Buggy / fixed pairs from public bug reports that only data shows.

Each module has `SOURCE` (the report's URL), `RULE` (the data-aware rule the
buggy model must get and the fixed one must not) and `build_buggy()` /
`build_fixed()`, each returning `(model, x, y, batch_size)` with the data
made to match the report (shapes, label encoding, value ranges).
`tests/lint/test_preflight_bug_pairs.py` runs them through `preflight`.
"""

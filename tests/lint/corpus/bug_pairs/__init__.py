"""Buggy / fixed model pairs transcribed from public bug reports.

One module per pair: `SOURCE` (the report), `RULE` (the code the bug gets),
a docstring saying what the bug is and what was transcribed, and
`build_buggy()` / `build_fixed()`. `tests/lint/test_corpus_bug_pairs.py`
runs them all.
"""

"""Model corpora for the linter tests."""

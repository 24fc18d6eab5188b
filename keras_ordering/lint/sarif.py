"""Moved to `keras_ordering.lint.output.sarif`; these names stay importable."""

from .output.sarif import LEVELS, OUTPUT_LEVELS, SCHEMA_URI, github_command, to_sarif

__all__ = ["LEVELS", "OUTPUT_LEVELS", "SCHEMA_URI", "github_command", "to_sarif"]

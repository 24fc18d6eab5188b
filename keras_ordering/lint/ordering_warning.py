"""`OrderingWarning`: one warning per finding with `lint_model(..., warn=True)`."""

from __future__ import annotations


class OrderingWarning(UserWarning):
    """A risky layer ordering; filter it with the standard `warnings` module.

    The message starts with the rule code, so for example
    `warnings.filterwarnings("ignore", message="KO102", category=OrderingWarning)`
    silences one rule.
    """

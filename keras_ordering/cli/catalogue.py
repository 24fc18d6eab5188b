"""`rules` (the rule catalogue) and `rule CODE` (one rule's documentation)."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..lint.output import dump_json
from .arguments import UsageError


def print_rules(arguments: argparse.Namespace, out: TextIO) -> int:
    from ..lint.api import rules

    if arguments.output_format == "json":
        dump_json(rules(), out)
        return 0
    for rule in rules():
        enabled = "" if rule["default_enabled"] else "  (opt-in)"
        print(
            f"{rule['code']}  {rule['severity']:8s} {rule['name']}{enabled}", file=out
        )
    return 0


def print_rule(arguments: argparse.Namespace, out: TextIO) -> int:
    from ..lint.api import rules
    from ..lint.output import NOT_LINTED_CODE, NOT_LINTED_HELP, NOT_LINTED_NAME
    from ..lint.registry import get_rule

    if arguments.selector.strip().upper() == NOT_LINTED_CODE or (
        arguments.selector.strip().lower() == NOT_LINTED_NAME
    ):
        # Not a rule of the catalogue: the diagnostic of a file not linted.
        if arguments.output_format == "json":
            dump_json(
                {
                    "code": NOT_LINTED_CODE,
                    "name": NOT_LINTED_NAME,
                    "severity": "error",
                    "docs": NOT_LINTED_HELP,
                },
                out,
            )
        else:
            print(f"# {NOT_LINTED_CODE} {NOT_LINTED_NAME}\n", file=out)
            print(f"Severity: error (always on)\n\n{NOT_LINTED_HELP}", file=out)
        return 0
    try:
        rule = get_rule(arguments.selector)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if arguments.output_format == "json":
        dump_json(next(r for r in rules() if r["code"] == rule.code), out)
        return 0
    print(f"# {rule.code} {rule.name}\n", file=out)
    print(f"Default severity: {rule.severity}", file=out)
    print(
        f"On by default: {'yes' if rule.default_enabled else 'no (opt-in)'}", file=out
    )
    print(f"Fix: {rule.fix}\nReference: {rule.reference}\n", file=out)
    print(rule.docs(), file=out)
    return 0

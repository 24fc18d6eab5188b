"""Rule codes and names, and ruff-style select / ignore / extend-select.

Every module in `lint/rules/` holds one `Rule` subclass; the registry finds
them all, checks that codes and names are unique and well formed, and turns
selectors (codes, code prefixes, names, or `"ALL"`) into a rule set. The
fixable set is the rules that carry an `autofix`.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Iterable

from . import rules as rules_package
from .finding import Finding
from .rule import Rule

CONVENTIONS = ("standard", "ic")
# Codes of removed rules. A code is never reused for another rule.
RETIRED_CODES: frozenset[str] = frozenset()

# The end of an unknown-selector error; the command line says its own command.
LIST_HINT = "`keras_ordering.rules()` lists them."

# Rules that restate another's finding on part of their matches: a finding
# of the key rule is left out when one of the listed rules reports the same
# source layer reaching the same layers (KO120, the strict rule, sees every
# dropout -> BN that KO101 reports). Each problem is reported once whatever
# is selected.
RESTATES: dict[str, tuple[str, ...]] = {"KO120": ("KO101",)}

_CODE = re.compile(r"^KO\d{3}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

Selectors = str | Iterable[str] | None


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule, sorted by code."""
    found: list[type[Rule]] = []
    for module_info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{module_info.name}")
        found.extend(
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Rule)
            and value is not Rule
            and value.__module__ == module.__name__
        )
    check_catalogue(found)
    return tuple(sorted(found, key=lambda rule: rule.code))


def fixable_rules() -> tuple[type[Rule], ...]:
    """The rules that carry an automatic fix, in the order `fix_model` tries
    them within a round: by `autofix_priority`, then code."""
    return tuple(
        sorted(
            (rule for rule in all_rules() if rule.has_autofix()),
            key=lambda rule: (rule.autofix_priority, rule.code),
        )
    )


def fixable_codes() -> tuple[str, ...]:
    """Codes of `fixable_rules()`, in the same order."""
    return tuple(rule.code for rule in fixable_rules())


def check_catalogue(
    found: list[type[Rule]], retired: frozenset[str] = RETIRED_CODES
) -> None:
    """Raises RuntimeError for a malformed, duplicated or retired code or name."""
    codes: dict[str, type[Rule]] = {}
    names: dict[str, type[Rule]] = {}
    for rule in found:
        if not _CODE.match(rule.code) or not _NAME.match(rule.name):
            raise RuntimeError(f"{rule.__name__}: bad code {rule.code!r} or name")
        if rule.code in retired:
            raise RuntimeError(f"{rule.__name__} reuses retired code {rule.code}")
        if rule.code.startswith("KO0"):  # KO001 file-not-linted, ...
            raise RuntimeError(f"{rule.__name__}: KO0xx codes are the tool's own")
        for table, key in ((codes, rule.code), (names, rule.name)):
            if key in table:
                raise RuntimeError(f"{rule.__name__} and {table[key].__name__}: {key}")
            table[key] = rule


def _as_list(selectors: Selectors, argument: str) -> list[str]:
    if selectors is None:
        return []
    if isinstance(selectors, str):
        selectors = [selectors]
    try:
        selectors = list(selectors)
    except TypeError:
        raise TypeError(
            f"`{argument}` must be a rule code, prefix or name, or a list of them. "
            f"Received: {selectors!r}"
        ) from None
    for selector in selectors:
        if not isinstance(selector, str):
            raise TypeError(
                f"`{argument}` entries must be strings. Received: {selector!r}"
            )
    return selectors


def rules_matching(selector: str, argument: str = "select") -> list[type[Rule]]:
    """Rules a selector names: `"ALL"`, a code, a code prefix or a rule name."""
    catalogue = all_rules()
    wanted = selector.strip()
    if wanted.upper() == "ALL":
        return list(catalogue)
    by_name = [rule for rule in catalogue if rule.name == wanted.lower()]
    by_code = [rule for rule in catalogue if rule.code.startswith(wanted.upper())]
    matched = by_name or (by_code if wanted.upper().startswith("KO") else [])
    if not matched:
        raise ValueError(
            f"Unknown rule selector {selector!r} in `{argument}`: use a rule code "
            "(KO101), a code prefix (KO1), a rule name (dropout-before-batchnorm) "
            f"or ALL. {LIST_HINT}"
        )
    return matched


def _exact_match(selector: str) -> type[Rule] | None:
    for rule in all_rules():
        if (
            selector.strip().upper() == rule.code
            or selector.strip().lower() == rule.name
        ):
            return rule
    return None


def get_rule(selector: str) -> type[Rule]:
    """The one rule with this exact code or name."""
    rule = _exact_match(selector)
    if rule is None:
        raise ValueError(
            f"Unknown rule {selector!r}: expected a rule code such as KO101 or a "
            "rule name such as dropout-before-batchnorm."
        )
    return rule


def resolve(
    select: Selectors = None,
    ignore: Selectors = None,
    extend_select: Selectors = None,
    convention: str = "standard",
) -> list[type[Rule]]:
    """The rules to run, in code order.

    `select` replaces the default set (rules with `default_enabled`),
    `extend_select` adds to it, `ignore` removes from the result. A
    convention switches off the rules incompatible with it, unless one of
    them is named by exact code or name in `select` / `extend_select`.
    """
    if convention not in CONVENTIONS:
        raise ValueError(
            f"Unknown convention {convention!r}: expected one of {CONVENTIONS}."
        )
    select_list = _as_list(select, "select")
    extend_list = _as_list(extend_select, "extend_select")
    ignore_list = _as_list(ignore, "ignore")
    if select is not None:
        chosen = {rule for s in select_list for rule in rules_matching(s, "select")}
    else:
        chosen = {rule for rule in all_rules() if rule.default_enabled}
    chosen |= {rule for s in extend_list for rule in rules_matching(s, "extend_select")}
    chosen -= {rule for s in ignore_list for rule in rules_matching(s, "ignore")}
    explicit = {
        rule.code
        for s in select_list + extend_list
        if (rule := _exact_match(s)) is not None
    }
    chosen = {
        rule
        for rule in chosen
        if convention not in rule.conventions_off or rule.code in explicit
    }
    return sorted(chosen, key=lambda rule: rule.code)


def drop_restated(findings: Iterable[Finding]) -> list[Finding]:
    """`findings` without those another selected rule already reports (see
    `RESTATES`): same source layer, and every layer reached is reached by
    the other finding too."""
    findings = list(findings)

    def reached(finding: Finding) -> set[str]:
        if not finding.layers:
            return set()
        return set(finding.targets) or {finding.layers[-1]}

    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    kept = []
    for finding in findings:
        others = [
            other
            for code in RESTATES.get(finding.code, ())
            for other in by_code.get(code, ())
            if other.layers[:1] == finding.layers[:1]
        ]
        if finding.layers and any(
            reached(finding) <= reached(other) for other in others
        ):
            continue
        kept.append(finding)
    return kept

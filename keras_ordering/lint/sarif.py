"""SARIF 2.1.0 output for code-scanning tools (GitHub, Azure DevOps, ...),
and the one table of how code-scanning outputs name each severity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from .. import __version__
from .finding import Finding
from .registry import all_rules
from .report import LintReport

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# Severity -> (SARIF result level, GitHub Actions workflow command).
OUTPUT_LEVELS = {
    "error": ("error", "error"),
    "warning": ("warning", "warning"),
    "info": ("note", "notice"),
}
LEVELS = {severity: sarif for severity, (sarif, _) in OUTPUT_LEVELS.items()}


def github_command(severity: str) -> str:
    """The GitHub Actions annotation command (`error`, `warning`, `notice`)."""
    return OUTPUT_LEVELS[severity][1]


def _short_description(docs: str) -> str:
    body = docs.split("## What it does", 1)[-1].split("##", 1)[0]
    sentence = " ".join(body.split()).split(". ")[0]
    return sentence.rstrip(".") + "."


def _driver() -> dict[str, Any]:
    rules = []
    for rule in all_rules():
        docs = rule.docs()
        rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": _short_description(docs)},
                "fullDescription": {"text": re.sub(r"\s+", " ", docs)},
                "help": {"text": docs, "markdown": docs},
                "defaultConfiguration": {
                    "level": LEVELS[rule.severity],
                    "enabled": rule.default_enabled,
                },
                "properties": {"fix": rule.fix, "reference": rule.reference},
            }
        )
    return {"name": "keras-ordering", "version": __version__, "rules": rules}


def to_sarif(
    reports: Sequence[tuple[str, LintReport]], errors: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run over several files.

    Args:
        reports: `(file, report)` pairs.
        errors: `(file, problem)` pairs for files that could not be linted;
            they become tool execution notifications.
    """
    rule_index = {rule.code: index for index, rule in enumerate(all_rules())}
    results = []
    for file, report in reports:
        for finding in report:
            results.append(
                {
                    **_grouping(finding),
                    "ruleId": finding.code,
                    "ruleIndex": rule_index[finding.code],
                    "level": LEVELS[finding.severity],
                    "message": {"text": f"{finding.message} Fix: {finding.fix}"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": _uri(file)},
                                "region": {"startLine": 1},
                            },
                            "logicalLocations": [
                                {
                                    "fullyQualifiedName": " -> ".join(finding.layers),
                                    "name": finding.layers[-1]
                                    if finding.layers
                                    else "",
                                    "kind": "object",
                                }
                            ],
                        }
                    ],
                }
            )
    notifications = [
        {
            "level": "error",
            "message": {"text": problem},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": _uri(file)}}}
            ],
        }
        for file, problem in errors
    ]
    # Layers the lint could not see into, so that "no results" never reads
    # as "looked at everything".
    notifications += [
        {
            "level": "note",
            "message": {
                "text": f"Opaque layer {path} ({cls}) was not looked into: {why}"
            },
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": _uri(file)}},
                    "logicalLocations": [
                        {"fullyQualifiedName": path, "kind": "object"}
                    ],
                }
            ],
        }
        for file, report in reports
        for path, cls, why in report.opaque_layers
    ]
    opaque = [
        {"file": file, "layer": path, "class": cls, "reason": why}
        for file, report in reports
        for path, cls, why in report.opaque_layers
    ]
    run: dict[str, Any] = {
        "tool": {"driver": _driver()},
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": results,
    }
    if opaque:
        run["properties"] = {"opaqueLayers": opaque}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _grouping(finding: Finding) -> dict[str, Any]:
    """The layers a grouped finding reaches and the calls it stands for."""
    properties = {
        key: list(value)
        for key, value in (
            ("targets", finding.targets),
            ("callSites", finding.call_sites),
        )
        if value
    }
    return {"properties": properties} if properties else {}


def _uri(file: str) -> str:
    """A percent-encoded URI reference: relative paths stay relative, absolute
    ones become `file://` URIs (RFC 3986, as SARIF 3.10 asks)."""
    if PureWindowsPath(file).is_absolute():
        return PureWindowsPath(file).as_uri()
    posix = file.replace("\\", "/")
    if PurePosixPath(posix).is_absolute():
        return PurePosixPath(posix).as_uri()
    return quote(posix, safe="/")

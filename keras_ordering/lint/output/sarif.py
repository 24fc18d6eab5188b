"""`--output-format sarif`: SARIF 2.1.0 for code-scanning tools (GitHub,
Azure DevOps, ...), and the one table of how code-scanning outputs name each
severity.

GitHub titles an alert with the rule's `shortDescription` (here the rule's
short name) and tracks it across runs by `partialFingerprints`, which it
cannot compute itself for a binary `.keras` file: each result carries one
made of the rule, the file and the layer path, so adding or renaming an
unrelated layer leaves it unchanged."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from ... import __version__
from ..finding import Finding
from ..registry import all_rules
from ..report import LintReport
from . import NOT_LINTED_CODE, NOT_LINTED_HELP, NOT_LINTED_NAME, NOT_LINTED_SEVERITY

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


# The key of this tool's fingerprints; bump the version if their recipe changes.
FINGERPRINT_KEY = "kerasOrdering/v1"


def short_name(name: str) -> str:
    """A rule's short name for an alert title: `Dropout before batchnorm`."""
    text = name.replace("-", " ")
    return text[:1].upper() + text[1:]


def _what_it_does(docs: str) -> str:
    body = docs.split("## What it does", 1)[-1].split("##", 1)[0]
    return " ".join(body.split())


def _driver() -> dict[str, Any]:
    rules = []
    for rule in all_rules():
        docs = rule.docs()
        rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": short_name(rule.name)},
                "fullDescription": {
                    "text": _what_it_does(docs) or re.sub(r"\s+", " ", docs)
                },
                "help": {"text": docs, "markdown": docs},
                "defaultConfiguration": {
                    "level": LEVELS[rule.severity],
                    "enabled": rule.default_enabled,
                },
                "properties": {"fix": rule.fix, "reference": rule.reference},
            }
        )
    rules.append(
        {
            "id": NOT_LINTED_CODE,
            "name": NOT_LINTED_NAME,
            "shortDescription": {"text": short_name(NOT_LINTED_NAME)},
            "fullDescription": {"text": NOT_LINTED_HELP},
            "help": {"text": NOT_LINTED_HELP, "markdown": NOT_LINTED_HELP},
            "defaultConfiguration": {"level": LEVELS[NOT_LINTED_SEVERITY]},
        }
    )
    return {"name": "keras-ordering", "version": __version__, "rules": rules}


def fingerprint(code: str, file: str, layers: Sequence[str]) -> str:
    """A stable digest of (rule, file, layer path): no message text, no
    position in the graph, so unrelated edits to the model keep it."""
    key = "\0".join([code, file.replace("\\", "/"), *layers])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def to_sarif(
    reports: Sequence[tuple[str, LintReport]], errors: Sequence[tuple[str, str]] = ()
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run over several files.

    Args:
        reports: `(file, report)` pairs.
        errors: `(file, problem)` pairs for files that could not be linted;
            they become `KO001` results and tool execution notifications.
    """
    driver = _driver()
    rule_index = {rule["id"]: index for index, rule in enumerate(driver["rules"])}
    results = []
    seen: Counter[str] = Counter()
    for file, report in reports:
        for finding in report:
            digest = fingerprint(finding.code, file, finding.layers)
            seen[digest] += 1
            if seen[digest] > 1:  # The same path twice: keep them apart.
                digest += f":{seen[digest]}"
            results.append(
                {
                    **_grouping(finding),
                    "ruleId": finding.code,
                    "ruleIndex": rule_index[finding.code],
                    "level": LEVELS[finding.severity],
                    "message": {"text": f"{finding.message} Fix: {finding.fix}"},
                    "partialFingerprints": {FINGERPRINT_KEY: digest},
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
    results += [
        {
            "ruleId": NOT_LINTED_CODE,
            "ruleIndex": rule_index[NOT_LINTED_CODE],
            "level": LEVELS[NOT_LINTED_SEVERITY],
            "message": {"text": problem},
            "partialFingerprints": {
                FINGERPRINT_KEY: fingerprint(NOT_LINTED_CODE, file, ())
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(file)},
                        "region": {"startLine": 1},
                    }
                }
            ],
        }
        for file, problem in errors
    ]
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
        "tool": {"driver": driver},
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

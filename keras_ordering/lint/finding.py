"""`Finding`: one risky ordering the linter found."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def check_severity(value: str, argument: str) -> str:
    if value not in SEVERITY_RANK:
        raise ValueError(
            f"`{argument}` must be one of {SEVERITIES}. Received: {value!r}"
        )
    return value


@dataclass(frozen=True)
class Finding:
    """One finding of one rule, on one path of layers.

    Attributes:
        code: the rule code, e.g. `"KO101"`.
        name: the rule name, e.g. `"dropout-before-batchnorm"`.
        severity: `"error"`, `"warning"` or `"info"`.
        message: what is wrong, where, and why.
        layers: layer names along the offending path; layers inside nested
            models read `outer/inner`.
        fix: one sentence on how to fix it.
        reference: the paper or document behind the rule.
        targets: the layers each matched path of this finding ends at,
            nearest first: a dropout reaching several BNs is one finding
            whose `layers` is the path to the first of its `targets`. Empty
            for findings built by hand.
        call_sites: where a shared layer or sub-model holding the finding is
            called (`"tower on 'input_1'"`), when it is called more than
            once: the finding is reported once, not once per call.
    """

    code: str
    name: str
    severity: str
    message: str
    layers: tuple[str, ...]
    fix: str
    reference: str
    targets: tuple[str, ...] = ()
    call_sites: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_severity(self.severity, "severity")

    def reaches(self, severity: str) -> bool:
        """True when this finding is at least as severe as `severity`."""
        return SEVERITY_RANK[self.severity] >= SEVERITY_RANK[severity]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["layers"] = list(self.layers)
        data["targets"] = list(self.targets)
        data["call_sites"] = list(self.call_sites)
        return data

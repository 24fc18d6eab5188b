"""`LayerAudit`: whether one layer call followed the training flag."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayerAudit:
    """The verdict on one stochastic or stateful layer.

    Attributes:
        layer: the layer's path (`outer/inner` inside nested layers).
        layer_class: its class name.
        passed: True when it behaved as the flag asked in both modes.
        explanation: what was checked, and what went wrong if anything.
    """

    layer: str
    layer_class: str
    passed: bool
    explanation: str

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "layer_class": self.layer_class,
            "passed": self.passed,
            "explanation": self.explanation,
        }

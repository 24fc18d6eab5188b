"""`Change`: one thing a rewrite did, or chose not to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    """One rewrite step.

    Attributes:
        code: the rule code it answers (e.g. `"KO101"`), or `"fuse"` /
            `"unfuse"`.
        applied: False when the finding was left in place (with the reason).
        description: what was done, or why not.
        layers: the layers involved.
    """

    code: str
    applied: bool
    description: str
    layers: tuple[str, ...] = ()

    def __str__(self) -> str:
        mark = "fixed" if self.applied else "left "
        return f"{mark} {self.code}: {self.description}"

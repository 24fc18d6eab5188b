"""`Rule`: the base class of every linter rule.

A rule is a `PathPattern` plus a message. Each lives in its own module under
`lint/rules/`, with a stable code, a kebab-case name, a default severity, a
docstring with the sections in `DOC_SECTIONS`, and VALID / INVALID examples.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import ClassVar

from ..graph import kinds
from ..graph.activations import ActivationFacts, activation_facts
from ..graph.graph import Graph
from ..graph.node import Node
from .example import Example
from .finding import Finding
from .path_pattern import PathPattern

DOC_SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "References",
)


class Rule:
    """Base class: subclasses set the class attributes and `message`.

    Attributes:
        code: stable code such as `"KO101"`; never reused for another rule.
        name: kebab-case name such as `"dropout-before-batchnorm"`.
        severity: default severity; `severity_of` may lower it per finding.
        default_enabled: False for opt-in rules (`extend_select` them).
        conventions_off: conventions (`lint_model(convention=...)`) that
            switch the rule off.
        pattern: what the rule looks for.
        fix: one sentence, shown with every finding.
        reference: the paper or document behind the rule.
        VALID / INVALID: example models with no / at least one finding.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    conventions_off: ClassVar[frozenset[str]] = frozenset()
    pattern: ClassVar[PathPattern]
    fix: ClassVar[str]
    reference: ClassVar[str]
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation: its docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def check(cls, graph: Graph) -> Iterator[Finding]:
        for path in cls.pattern.matches(graph):
            nodes = [graph.nodes[index] for index in path]
            if not cls.accept(nodes, graph):
                continue
            yield Finding(
                code=cls.code,
                name=cls.name,
                severity=cls.severity_of(nodes),
                message=cls.message(nodes),
                layers=layer_names(nodes),
                fix=cls.fix,
                reference=cls.reference,
            )

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        """A last check on a matched path; True by default."""
        return True

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        return cls.severity

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        raise NotImplementedError


def layer_names(nodes: Sequence[Node]) -> tuple[str, ...]:
    """Layer paths along a matched path: parts of one layer and the model's
    input and output markers collapse into the layers themselves."""
    names: list[str] = []
    for node in nodes:
        if node.kind in (kinds.INPUT, kinds.OUTPUT):
            continue
        if not names or names[-1] != node.path:
            names.append(node.path)
    return tuple(names)


def via(nodes: Sequence[Node]) -> str:
    """` (via 'a', 'b')` for the layers between the first and the last node."""
    middle = layer_names(nodes)[1:-1]
    if not middle:
        return ""
    return " (via " + ", ".join(f"'{name}'" for name in middle) + ")"


def facts_of(node: Node) -> ActivationFacts | None:
    """The facts of an activation node's function (`graph.activations`)."""
    return activation_facts(node.attrs.get("activation"))

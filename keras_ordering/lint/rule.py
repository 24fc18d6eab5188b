"""`Rule`: the base class of every linter rule.

A rule is a `PathPattern` plus a message, and optionally its automatic fix
(`autofix`), as in Fixit. Each lives in its own module under `lint/rules/`,
with a stable code, a kebab-case name, a default severity, a docstring with
the sections in `DOC_SECTIONS`, and VALID / INVALID examples.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..graph import kinds
from ..graph.activations import ActivationFacts, activation_facts
from ..graph.graph import Graph
from ..graph.node import Node
from .example import Example
from .finding import Finding
from .path_pattern import PathPattern

if TYPE_CHECKING:
    from ..rewrite._plan import RewritePlan

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
        severity_note: when severity_of varies it, how (for the tables),
            e.g. `"warning (max) or info (average)"`.
        default_enabled: False for opt-in rules (`extend_select` them).
        conventions_off: conventions (`lint_model(convention=...)`) that
            switch the rule off.
        pattern: what the rule looks for.
        fix: one sentence, shown with every finding.
        reference: the paper or document behind the rule.
        VALID / INVALID: example models with no / at least one finding.
        autofix_priority: rules with an `autofix` are tried in (priority,
            code) order within a `fix_model` round; lower goes first.
        autofix_on_request: the fix guesses intent, so `fix_model` applies it
            only when `select=` names the rule by code or name.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    severity_note: ClassVar[str] = ""
    default_enabled: ClassVar[bool] = True
    conventions_off: ClassVar[frozenset[str]] = frozenset()
    pattern: ClassVar[PathPattern]
    fix: ClassVar[str]
    reference: ClassVar[str]
    VALID: ClassVar[Sequence[Example]] = ()
    INVALID: ClassVar[Sequence[Example]] = ()
    autofix_priority: ClassVar[int] = 0
    autofix_on_request: ClassVar[bool] = False

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

    @classmethod
    def autofix(
        cls, finding: Finding, graph: Graph, model: Any, plan: RewritePlan
    ) -> str | None:
        """Adds the rewrite that removes `finding` to `plan`.

        Rules with an automatic fix override this; `fix_model` calls it once
        the finding's layers form a linear chain of single calls inside one
        model and are claimed for this round. Import keras inside the
        override, never at module level: `import keras_ordering.lint` loads
        no ML framework.

        Args:
            finding: one finding of this rule on `model`.
            graph: the neutral graph of `model` (`Graph` queries such as
                `head`, `sole_successor`, `is_linear_chain`).
            model: the live `keras.Model` being fixed (read it, never change
                it).
            plan: the round's `RewritePlan`; `plan.record(...)` the change.

        Returns:
            None when the rewrite was added, else why it cannot be done
            (reported to the user as a change left undone).
        """
        raise NotImplementedError(f"{cls.code} has no automatic fix")

    @classmethod
    def autofix_layers(cls, finding: Finding) -> tuple[str, ...]:
        """The layers `autofix` rewrites; `fix_model` checks they form a
        linear chain. All of the finding's layers by default; a rule that
        changes one layer's settings names only that one."""
        return finding.layers

    @classmethod
    def has_autofix(cls) -> bool:
        """True when the rule carries an automatic fix (`fix_model`)."""
        return cls.autofix.__func__ is not Rule.autofix.__func__  # type: ignore[attr-defined]


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

"""`Rule`: the base class of every linter rule.

A rule is a `PathPattern` plus a message, and optionally its automatic fix
(`autofix`), as in Fixit. Each lives in its own module under `lint/rules/`,
with a stable code, a kebab-case name, a default severity, a docstring with
the sections in `DOC_SECTIONS`, and VALID / INVALID examples.
"""

from __future__ import annotations

import inspect
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, ClassVar

from ..graph import kinds
from ..graph.activations import ActivationFacts, activation_facts
from ..graph.graph import Graph
from ..graph.node import Node
from .example import Example
from .finding import SEVERITY_RANK, Finding
from .fix import Applicability, Edit, Fix
from .patterns import PathPattern

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
        autofix_applicability: the `Applicability` of the rule's fixes
            (`make_fix` gives it to each `Fix`): exact, changes predictions,
            or on request (the fix guesses intent, so `fix_model` applies it
            only when `select=` names the rule by code or name). A rule
            whose fixes differ declares the strictest; `make_fix` may give
            one fix a less strict one.
        autofix_on_request: read-only, derived from `autofix_applicability`
            (`Applicability.ON_REQUEST`); a rule that still sets it to True
            and no applicability gets `ON_REQUEST`.
        judges_model_outputs: the rule's findings are about what reaches a
            model output. A nested model's outputs feed the outer model, not
            a loss, so `fix_model` judges a nested model's rewrites without
            these rules and the outer model's re-lint judges the real outputs.
        needs_data: a data-aware rule (KO3xx): only `preflight` (and
            `check` / `LintCallback` given `data=`) finds it, from a batch
            of the user's data; `lint_model` and `lint_file` never do.
        live_only: the rule reads facts a live model has and a saved config
            lacks (e.g. whether a layer was adapted): `lint_model` finds it,
            `lint_file` cannot.
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
    autofix_applicability: ClassVar[Applicability] = Applicability.EXACT
    autofix_on_request: ClassVar[bool] = False
    judges_model_outputs: ClassVar[bool] = False
    needs_data: ClassVar[bool] = False
    live_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "autofix_applicability" not in own and own.get("autofix_on_request"):
            cls.autofix_applicability = Applicability.ON_REQUEST  # The old flag.
        # One source: the flag follows the applicability.
        cls.autofix_on_request = cls.autofix_applicability is Applicability.ON_REQUEST

    @classmethod
    def fix_texts(cls) -> tuple[str, ...]:
        """Every `fix` a finding of this rule may carry: `fix` alone, unless
        the rule gives each kind of finding its own (KO130's two faces)."""
        return (cls.fix,)

    @classmethod
    def docs(cls) -> str:
        """The rule's documentation: its docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def check(cls, graph: Graph) -> Iterator[Finding]:
        """One finding per source layer: the paths from one layer (to several
        BNs, or from each call of a shared layer) are grouped into one.

        Each matched path goes through `accept`, then `reported_path` (the
        layers the finding names), then is grouped by `group_key`; each group
        becomes one finding (`grouped_finding`, with `message_in` and
        `group_message`, `severity_in`, `reported_layers` and `fix_in`)."""
        groups: dict[Hashable, list[list[Node]]] = {}
        starts: dict[Hashable, list[int]] = {}
        for path in cls.pattern.matches(graph):
            nodes = [graph.nodes[index] for index in path]
            if not cls.accept(nodes, graph):
                continue
            reported = cls.reported_path(nodes, graph)
            if reported is None:
                continue
            key = cls.group_key(nodes)
            groups.setdefault(key, []).append(reported)
            starts.setdefault(key, []).append(nodes[0].index)
        for key, matches in groups.items():
            yield cls.grouped_finding(matches, graph, starts=starts[key])

    @classmethod
    def reported_path(cls, nodes: list[Node], graph: Graph) -> list[Node] | None:
        """The path a finding of the matched `nodes` names: `nodes` itself by
        default. A rule whose finding reaches past its match returns that
        path (KO111: back to the layer that set the channel layout; KO203:
        an output's head), or None to drop the match."""
        return nodes

    @classmethod
    def group_key(cls, nodes: list[Node]) -> Hashable:
        """The matched paths with one key make one finding: by default those
        from one source layer (its path)."""
        return nodes[0].path

    @classmethod
    def grouped_finding(
        cls,
        matches: list[list[Node]],
        graph: Graph,
        *,
        starts: Sequence[int] | None = None,
    ) -> Finding:
        """The finding of the matched paths from one source layer, nearest
        first: the first path's layers and message, every path's target.
        `starts`: the matched start nodes, when `reported_path` moved them
        (a shared layer's calls are told apart by them)."""
        first = matches[0]
        targets = tuple(dict.fromkeys(nodes[-1].path for nodes in matches))
        if starts is None:
            starts = [nodes[0].index for nodes in matches]
        starts = list(dict.fromkeys(starts))
        call_sites = (
            tuple(dict.fromkeys(graph.call_site(index) for index in starts))
            if len(starts) > 1
            else ()
        )
        message = cls.group_message(matches, graph)
        note = cls.more_targets_note(targets[1:]) if len(targets) > 1 else ""
        if note:
            message += " " + note
        if len(call_sites) > 1:
            message += (
                f" It is reported once for the {len(call_sites)} calls of the "
                f"shared layer ({'; '.join(call_sites)})."
            )
        severity = max(
            (cls.severity_in(nodes, graph) for nodes in matches),
            key=SEVERITY_RANK.__getitem__,
        )
        return Finding(
            code=cls.code,
            name=cls.name,
            severity=severity,
            message=message,
            layers=cls.reported_layers(matches, graph),
            fix=cls.fix_in(first, graph),
            reference=cls.reference,
            targets=targets,
            call_sites=call_sites if len(call_sites) > 1 else (),
        )

    @classmethod
    def more_targets_note(cls, others: Sequence[str]) -> str:
        """The sentence naming the other targets of a grouped finding; an
        empty one adds nothing (a message that already counts them)."""
        return f"It also reaches {quoted_list(others)}."

    @classmethod
    def group_message(cls, matches: list[list[Node]], graph: Graph) -> str:
        """The message of a grouped finding: that of its nearest matched path
        (`message_in`) by default. A rule whose finding covers a whole group
        (KO130: every layer one nested model call overrides) words it here."""
        return cls.message_in(matches[0], graph)

    @classmethod
    def reported_layers(
        cls, matches: list[list[Node]], graph: Graph
    ) -> tuple[str, ...]:
        """The layers a grouped finding names (its `layers`): those of the
        nearest matched path by default. A rule whose finding is about a
        call rather than a path names the call (KO130: a nested model called
        with `training=`)."""
        return layer_names(matches[0])

    @classmethod
    def fix_in(cls, nodes: list[Node], graph: Graph) -> str:
        """The fix sentence of one matched path: `fix` by default; a rule
        with several kinds of finding gives each its own (see `fix_texts`)."""
        return cls.fix

    @classmethod
    def accept(cls, nodes: list[Node], graph: Graph) -> bool:
        """A last check on a matched path; True by default."""
        return True

    @classmethod
    def severity_of(cls, nodes: list[Node]) -> str:
        return cls.severity

    @classmethod
    def severity_in(cls, nodes: list[Node], graph: Graph) -> str:
        """The severity of one matched path, where the rest of the graph may
        bear on it (KO113); `severity_of(nodes)` by default."""
        return cls.severity_of(nodes)

    @classmethod
    def message(cls, nodes: list[Node]) -> str:
        """The message of one matched path; every rule writes this, or
        `message_in` when the rest of the graph bears on the words."""
        raise NotImplementedError(f"{cls.code} writes no message")

    @classmethod
    def message_in(cls, nodes: list[Node], graph: Graph) -> str:
        """The message of one matched path, where the rest of the graph may
        bear on it (KO203: the size of the output); `message(nodes)` by
        default."""
        return cls.message(nodes)

    @classmethod
    def autofix(cls, finding: Finding, graph: Graph, model: Any) -> Fix | str:
        """The rewrite that removes `finding`, as a value; changes nothing.

        Rules with an automatic fix override this; `fix_model` calls it once
        the finding's layers form a linear chain of single calls inside one
        model and are claimed for this round, then applies the returned
        `Fix` (lint/fix.py) and reads its applicability. Import keras inside
        the override, never at module level: `import keras_ordering.lint`
        loads no ML framework.

        Args:
            finding: one finding of this rule on `model`.
            graph: the neutral graph of `model` (`Graph` queries such as
                `head`, `sole_successor`, `is_linear_chain`).
            model: the live `keras.Model` being fixed (read it, never change
                it).

        Returns:
            A `Fix` (build it with `make_fix`), or why the finding cannot be
            fixed (reported to the user as a change left undone).
        """
        raise NotImplementedError(f"{cls.code} has no automatic fix")

    @classmethod
    def make_fix(
        cls,
        finding: Finding,
        description: str,
        *edits: Edit,
        applicability: Applicability | None = None,
    ) -> Fix:
        """A `Fix` of `finding`: its edits in order, the rule's
        `autofix_applicability` unless one is given."""
        return Fix(
            edits=edits,
            applicability=applicability or cls.autofix_applicability,
            description=description,
            layers=finding.layers,
        )

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


def quoted_list(names: Sequence[str], limit: int = 5) -> str:
    """`'a', 'b' and 'c'`; past `limit` names, `... and 12 more`, so a
    message stays short whatever the size of the model."""
    shown = [f"'{name}'" for name in names[:limit]]
    hidden = len(names) - len(shown)
    if hidden:
        return ", ".join(shown) + f" and {hidden} more"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + f" and {shown[-1]}"


def via(nodes: Sequence[Node]) -> str:
    """` via 'a' and 'b'` for the layers between the first and the last node
    (the first six; `Finding.layers` holds the whole path)."""
    middle = layer_names(nodes)[1:-1]
    if not middle:
        return ""
    return " via " + quoted_list(middle, limit=6)


def describe_activation(node: Node) -> str:
    """An activation node in words, naming its function once.

    `Dense 'head' (activation=softmax)` for a weight layer's `activation=`,
    `ReLU 'relu'` for a layer whose class or name says its function, and
    `Activation 'act' (sigmoid)` otherwise.
    """
    function = str(node.attrs.get("activation"))
    where = f"{node.layer_class} '{node.path}'"
    if node.part is not None:
        return f"{where} ({node.part}={function})"
    if function.replace("_", "") in (node.layer_class.lower(), node.name.lower()):
        return where
    return f"{where} ({function})"


def facts_of(node: Node) -> ActivationFacts | None:
    """The facts of an activation node's function (`graph.activations`)."""
    return activation_facts(node.attrs.get("activation"))

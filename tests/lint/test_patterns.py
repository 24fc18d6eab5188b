"""`LayerPattern`, `any_of` and `PathPattern` on small hand-built graphs."""

from __future__ import annotations

from keras_ordering.graph import kinds
from keras_ordering.graph.graph import Graph
from keras_ordering.lint.path_pattern import PathPattern
from keras_ordering.lint.patterns import (
    BATCH_NORM_NODE,
    NOISE_NODE,
    SHAPE_NODE,
    LayerPattern,
    any_of,
)

MAX_POOL = LayerPattern({kinds.POOL}, where=lambda node: node.attrs["pool"] == "max")


def _chain(*layers: tuple[str, dict]) -> Graph:
    graph = Graph()
    current = [graph.add_node(kinds.INPUT, "input", "InputLayer")]
    for index, (layer_class, attrs) in enumerate(layers):
        current = graph.add_layer(layer_class, f"l{index}", attrs, current)
    return graph


def test_any_of_keeps_the_where_filters_of_its_patterns():
    pattern = any_of(MAX_POOL, SHAPE_NODE)
    graph = _chain(
        ("MaxPooling2D", {}), ("AveragePooling2D", {}), ("Flatten", {}), ("ReLU", {})
    )
    max_pool, average_pool, flatten, relu = graph.nodes[1:]
    assert pattern.matches(max_pool)
    assert not pattern.matches(average_pool)  # Filtered out by MAX_POOL.where.
    assert pattern.matches(flatten)
    assert not pattern.matches(relu)


def test_any_of_plain_kinds_has_no_filter():
    pattern = any_of(SHAPE_NODE, NOISE_NODE)
    assert pattern.kinds == {kinds.SHAPE, kinds.NOISE} and pattern.where is None


def test_path_through_a_filtered_any_of():
    pattern = PathPattern(
        start=NOISE_NODE, through=any_of(MAX_POOL, SHAPE_NODE), end=BATCH_NORM_NODE
    )
    through_max = _chain(
        ("Dropout", {"rate": 0.5}), ("MaxPooling2D", {}), ("BatchNormalization", {})
    )
    through_average = _chain(
        ("Dropout", {"rate": 0.5}),
        ("AveragePooling2D", {}),
        ("BatchNormalization", {}),
    )
    assert list(pattern.matches(through_max)) == [(1, 2, 3)]
    assert list(pattern.matches(through_average)) == []

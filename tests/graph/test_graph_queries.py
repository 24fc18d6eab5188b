"""`Graph` queries on layer calls, which the rewrites use."""

from __future__ import annotations

from keras_ordering.graph import kinds
from keras_ordering.graph.graph import Graph


def _graph() -> Graph:
    """input -> dense(relu) -> bn -> drop -> {add, out}; bn2 -> add; add -> out2"""
    graph = Graph()
    inputs = [graph.add_node(kinds.INPUT, "input", "InputLayer")]
    dense = graph.add_layer("Dense", "dense", {"activation": "relu"}, inputs)
    bn = graph.add_layer("BatchNormalization", "bn", {}, dense)
    drop = graph.add_layer("Dropout", "drop", {"rate": 0.5}, bn)
    bn2 = graph.add_layer("BatchNormalization", "bn2", {}, inputs)
    add = graph.add_layer("Add", "add", {}, drop + bn2)
    graph.connect(drop, graph.add_node(kinds.OUTPUT, "out", "Output"))
    graph.connect(add, graph.add_node(kinds.OUTPUT, "out2", "Output"))
    return graph


def test_heads_and_tails_of_a_multi_part_layer():
    graph = _graph()
    heads, tails = graph.heads_and_tails()
    assert graph.nodes[heads["dense"][0]].kind == kinds.WEIGHT
    assert graph.nodes[tails["dense"][0]].part == "activation"
    assert graph.head("dense").part is None
    assert [graph.nodes[i].part for i in graph.nodes_of_layers(["dense"])] == [
        None,
        "activation",
    ]


def test_sole_successor_and_linear_chains():
    graph = _graph()
    assert graph.sole_successor("dense").path == "bn"
    assert graph.sole_successor("bn").path == "drop"
    assert graph.sole_successor("drop") is None  # Two consumers.
    assert graph.sole_successor("bn2") is None  # Feeds a merge with another input.
    assert graph.is_linear_chain(("dense", "bn", "drop"))
    assert not graph.is_linear_chain(("drop", "add"))
    assert not graph.is_linear_chain(("bn", "dense"))


def test_heads_and_tails_follow_every_change_of_the_graph():
    graph = Graph("g")
    first = graph.add_node(kinds.WEIGHT, "dense", "Dense")
    assert graph.heads_and_tails() == ({"dense": [first]}, {"dense": [first]})
    # A second part of the same layer, then its edge: the tail moves.
    second = graph.add_node(kinds.ACTIVATION, "dense", "Dense", part="activation")
    graph.add_edge(first, second)
    assert graph.heads_and_tails() == ({"dense": [first]}, {"dense": [second]})

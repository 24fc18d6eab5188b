"""keras-hub backbones: Functional models of custom layers with sublayers.

Their blocks join sublayer calls with tensor operations (`x + residual`,
reshapes, window partitions), so these graphs fall apart unless the data
flow inside the custom layers is traced. Small sizes, no presets, no
weights.
"""

from __future__ import annotations

import keras
import pytest

from keras_ordering import lint_model
from keras_ordering.graph import kinds
from keras_ordering.graph.from_keras import graph_from_model

keras_hub = pytest.importorskip("keras_hub")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        keras.backend.backend() != "tensorflow",
        reason="tensor operations are traced on the TensorFlow backend",
    ),
]


def _resnet(image_size=32, filters=(64, 128), block_type="bottleneck_block"):
    return keras_hub.models.ResNetBackbone(
        input_conv_filters=[64],
        input_conv_kernel_sizes=[7],
        stackwise_num_filters=list(filters),
        stackwise_num_blocks=[1] * len(filters),
        stackwise_num_strides=[1] + [2] * (len(filters) - 1),
        block_type=block_type,
        image_shape=(image_size, image_size, 3),
    )


BACKBONES = {
    "bert": lambda: keras_hub.models.BertBackbone(
        vocabulary_size=100,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
    ),
    "vit": lambda: keras_hub.models.ViTBackbone(
        image_shape=(32, 32, 3),
        patch_size=8,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        mlp_dim=32,
        dropout_rate=0.1,
    ),
    "swin": lambda: keras_hub.models.SwinTransformerBackbone(
        image_shape=(64, 64, 3),
        embed_dim=16,
        depths=[2, 2],
        num_heads=[2, 2],
        window_size=4,
    ),
    "mit": lambda: keras_hub.models.MiTBackbone(
        layerwise_depths=[1, 1],
        num_layers=2,
        layerwise_num_heads=[1, 2],
        layerwise_sr_ratios=[2, 1],
        max_drop_path_rate=0.1,
        layerwise_patch_sizes=[7, 3],
        layerwise_strides=[4, 2],
        image_shape=(32, 32, 3),
        hidden_dims=[8, 16],
    ),
    "whisper": lambda: keras_hub.models.WhisperBackbone(
        vocabulary_size=100,
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        num_mels=8,
        max_encoder_sequence_length=16,
        max_decoder_sequence_length=8,
        dropout=0.1,
    ),
    "mobilenet_v3": lambda: keras_hub.models.MobileNetBackbone(
        stackwise_expansion=[[40, 56], [64, 144]],
        stackwise_num_blocks=[2, 2],
        stackwise_num_filters=[[16, 16], [24, 24]],
        stackwise_kernel_size=[[3, 3], [5, 5]],
        stackwise_num_strides=[[2, 1], [2, 1]],
        stackwise_se_ratio=[[None, None], [0.25, 0.25]],
        stackwise_activation=[["relu", "relu"], ["hard_swish", "hard_swish"]],
        stackwise_padding=[[1, 1], [2, 2]],
        output_num_filters=96,
        depthwise_filters=8,
        depthwise_stride=2,
        depthwise_residual=False,
        last_layer_filter=96,
        squeeze_and_excite=0.5,
        image_shape=(32, 32, 3),
    ),
    "resnet": _resnet,
    "retinanet": lambda: keras_hub.models.RetinaNetBackbone(
        image_encoder=_resnet(64, (64, 64, 64), "basic_block"),
        min_level=3,
        max_level=4,
        use_p5=False,
        image_shape=(64, 64, 3),
    ),
}

# Sublayers whose only input is a constant (`ops.arange` positions): sources
# of the graph by nature, not lost edges.
CONSTANT_FED = {"vit": {"vit_patching_and_embedding/position_embedding"}}


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_every_node_has_an_input(name):
    graph = graph_from_model(BACKBONES[name]())
    dangling = {
        node.path
        for node in graph.nodes
        if not graph.predecessors[node.index] and node.kind != kinds.INPUT
    }
    assert dangling == CONSTANT_FED.get(name, set())


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_no_false_warnings(name):
    report = lint_model(BACKBONES[name](), extend_select=["KO120"])
    # A backbone's outputs are features (no loss, no classifier head): a
    # dropout on its residual stream is not dropout on predictions, and any
    # other finding would be a false alarm too.
    assert [f.code for f in report] == []
    assert not any("Unknown edges" in note for note in report.notes)

"""Linter speed: ms per model, ms per layer, and the ratio to model.summary().

Run: python benchmarks/bench_lint.py [--repeats N] [--quick] [--keras-hub MODE]
     [--backbone NAME ...]

Prints, for the 13 keras.applications models of the test suite
(tests/applications.py) and for synthetic chains of 500 and 5,000 layers,
the median lint time and the median `model.summary()` time measured side by
side in this process.

The keras-hub section (`--keras-hub only` runs it alone, `skip` leaves it
out) lints backbones at their default sizes, whose custom layers are traced:
the first lint of a model (which traces them), the same with the trace cache
cleared (median and range over the repeats), a repeated lint (cached
traces), and one forward pass on zeros, which is what tracing by running
the layers used to cost. The garbage the earlier backbones left is
collected before each backbone is timed: a full collection of it (about
300 ms once seven backbones have been built) would otherwise land in
whichever lint happens to trigger it. A small model is linted first, so
that the linter's first-call imports are not the first backbone's.

It runs any revision's code from that revision's checkout too
(`PYTHONPATH=CHECKOUT python benchmarks/bench_lint.py ...`), to compare
two revisions with one harness.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

from keras_ordering import lint_model

# The test suite's models: one list for the benchmark and the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.applications import APPLICATION_SIZES


def median_seconds(function, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def chain(layer_count: int) -> keras.Model:
    """Dense -> BN -> ReLU -> Dropout blocks, `layer_count` layers in all."""
    inputs = keras.Input((8,))
    x = inputs
    factories = (
        lambda: keras.layers.Dense(8, use_bias=False),
        keras.layers.BatchNormalization,
        keras.layers.ReLU,
        lambda: keras.layers.Dropout(0.1),
    )
    for index in range(layer_count):
        x = factories[index % 4]()(x)
    return keras.Model(inputs, x, name=f"chain_{layer_count}")


def measure(model: keras.Model, repeats: int) -> tuple[float, float]:
    lint_model(model)  # Warm-up: first-call imports.
    lint = median_seconds(lambda: lint_model(model), repeats)
    summary = median_seconds(
        lambda: model.summary(print_fn=lambda *args, **kwargs: None),
        max(3, repeats // 3),
    )
    return lint, summary


def keras_hub_backbones() -> dict:
    """Default-size keras-hub backbones, from constructor arguments (no
    presets, no weights)."""
    import keras_hub

    models = keras_hub.models
    mobilenet_v3 = {
        "stackwise_expansion": [[40, 56], [64, 144, 144], [72, 72], [144, 288, 288]],
        "stackwise_num_blocks": [2, 3, 2, 3],
        "stackwise_num_filters": [[16, 16], [24, 24, 24], [24, 24], [48, 48, 48]],
        "stackwise_kernel_size": [[3, 3], [5, 5, 5], [5, 5], [5, 5, 5]],
        "stackwise_num_strides": [[2, 1], [2, 1, 1], [1, 1], [2, 1, 1]],
        "stackwise_se_ratio": [
            [None, None],
            [0.25, 0.25, 0.25],
            [0.3, 0.3],
            [0.3, 0.25, 0.25],
        ],
        "stackwise_activation": [
            ["relu", "relu"],
            ["hard_swish"] * 3,
            ["hard_swish"] * 2,
            ["hard_swish"] * 3,
        ],
        "stackwise_padding": [[1, 1], [2, 2, 2], [2, 2], [2, 2, 2]],
        "output_num_filters": 288,
        "depthwise_filters": 8,
        "depthwise_stride": 2,
        "depthwise_residual": False,
        "last_layer_filter": 288,
        "squeeze_and_excite": 0.5,
        "image_shape": (224, 224, 3),
    }
    return {
        "BERT-base": lambda: models.BertBackbone(
            vocabulary_size=30522,
            num_layers=12,
            num_heads=12,
            hidden_dim=768,
            intermediate_dim=3072,
        ),
        "ViT-B/16": lambda: models.ViTBackbone(
            image_shape=(224, 224, 3),
            patch_size=16,
            num_layers=12,
            num_heads=12,
            hidden_dim=768,
            mlp_dim=3072,
        ),
        "Swin-T": lambda: models.SwinTransformerBackbone(
            image_shape=(224, 224, 3),
            embed_dim=96,
            depths=[2, 2, 6, 2],
            num_heads=[3, 6, 12, 24],
            window_size=7,
        ),
        "MiT-B0": lambda: models.MiTBackbone(
            layerwise_depths=[2, 2, 2, 2],
            num_layers=4,
            layerwise_num_heads=[1, 2, 5, 8],
            layerwise_sr_ratios=[8, 4, 2, 1],
            max_drop_path_rate=0.1,
            layerwise_patch_sizes=[7, 3, 3, 3],
            layerwise_strides=[4, 2, 2, 2],
            image_shape=(224, 224, 3),
            hidden_dims=[32, 64, 160, 256],
        ),
        "MobileNetV3": lambda: models.MobileNetBackbone(**mobilenet_v3),
        "ResNet50": lambda: models.ResNetBackbone(
            input_conv_filters=[64],
            input_conv_kernel_sizes=[7],
            stackwise_num_filters=[64, 128, 256, 512],
            stackwise_num_blocks=[3, 4, 6, 3],
            stackwise_num_strides=[1, 2, 2, 2],
            block_type="bottleneck_block",
            image_shape=(224, 224, 3),
        ),
        "Whisper-tiny": lambda: models.WhisperBackbone(
            vocabulary_size=51865,
            num_layers=4,
            num_heads=6,
            hidden_dim=384,
            intermediate_dim=1536,
        ),
    }


def _zeros_like_inputs(model: keras.Model):
    def zeros(tensor):
        shape = tuple(1 if d is None else d for d in tensor.shape)
        return keras.ops.zeros(shape, dtype=tensor.dtype)

    return keras.tree.map_structure(zeros, model.input)


def keras_hub_section(repeats: int, only: list[str] | None = None) -> None:
    try:
        import keras_hub  # noqa: F401
    except ImportError:
        print("keras-hub section skipped: keras_hub is not installed.")
        return
    try:
        from keras_ordering.graph.trace import clear_plan_cache
    except ImportError:  # Before graph/trace.py (ae06061 and earlier).
        from keras_ordering.graph import from_keras

        clear_plan_cache = from_keras._PLANS.clear

    print(
        f"\n{'keras-hub backbone':18s} {'first ms':>8s} {'retrace ms (range)':>22s} "
        f"{'again ms':>8s} {'forward ms':>10s} {'forward/first':>13s}"
    )
    backbones = keras_hub_backbones()
    unknown = sorted(set(only or ()) - set(backbones))
    if unknown:
        raise SystemExit(
            f"unknown backbone {', '.join(unknown)}; choose from {', '.join(backbones)}"
        )
    # Warm-up: the linter's first-call imports (its rules, compiled from
    # source where bytecode is not written) are not the first backbone's.
    lint_model(chain(4))
    for name, make in backbones.items():
        if only and name not in only:
            continue
        model = make()
        gc.collect()  # The earlier backbones' garbage: not this one's cost.
        start = time.perf_counter()
        lint_model(model)
        first = time.perf_counter() - start
        again = median_seconds(lambda model=model: lint_model(model), repeats)
        retraces = []
        for _ in range(max(3, repeats // 3)):
            clear_plan_cache()  # Trace again, as on a new model.
            start = time.perf_counter()
            lint_model(model)
            retraces.append(time.perf_counter() - start)
        zeros = _zeros_like_inputs(model)
        forward = median_seconds(
            lambda model=model, zeros=zeros: model(zeros, training=False), 3
        )
        retrace = statistics.median(retraces)
        spread = f"{min(retraces) * 1e3:.0f}-{max(retraces) * 1e3:.0f}"
        print(
            f"{name:18s} {first * 1e3:8.0f} {retrace * 1e3:8.0f} ({spread:>11s}) "
            f"{again * 1e3:8.1f} {forward * 1e3:10.0f} {forward / first:12.1f}x"
        )


def main() -> None:
    # Keras maps a Functional graph recursively: a 5,000-layer chain needs a
    # deeper stack than Python's default.
    sys.setrecursionlimit(100_000)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="NASNetMobile only")
    parser.add_argument(
        "--keras-hub",
        choices=("include", "only", "skip"),
        default="include",
        help="the keras-hub backbones section",
    )
    parser.add_argument(
        "--backbone",
        action="append",
        metavar="NAME",
        help="lint only this keras-hub backbone (repeatable), e.g. Swin-T",
    )
    args = parser.parse_args()
    if args.keras_hub == "only":
        keras_hub_section(args.repeats, args.backbone)
        return

    names = ["NASNetMobile"] if args.quick else list(APPLICATION_SIZES)
    print(
        f"{'model':18s} {'layers':>6s} {'lint ms':>8s} {'summary ms':>10s} "
        f"{'summary/lint':>12s}"
    )
    for name in names:
        size = APPLICATION_SIZES[name]
        model = getattr(keras.applications, name)(
            weights=None, input_shape=(size, size, 3)
        )
        lint, summary = measure(model, args.repeats)
        print(
            f"{name:18s} {len(model.layers):6d} {lint * 1e3:8.1f} "
            f"{summary * 1e3:10.1f} {summary / lint:11.0f}x"
        )

    per_layer = {}
    for count in (500, 5000):
        model = chain(count)
        lint, summary = measure(model, args.repeats)
        per_layer[count] = lint
        print(
            f"chain_{count:<12d} {count:6d} {lint * 1e3:8.1f} {summary * 1e3:10.1f} "
            f"{summary / lint:11.0f}x   {lint / count * 1e3:.4f} ms/layer"
        )
    print(
        f"5,000 / 500 layers: x{per_layer[5000] / per_layer[500]:.1f} "
        "(linear would be x10)"
    )
    if args.keras_hub == "include":
        keras_hub_section(args.repeats, args.backbone)


if __name__ == "__main__":
    main()

"""KO302 inputs-not-scaled."""

from __future__ import annotations

from collections.abc import Iterator

from ...preflight_rule import (
    DataExample,
    DataRule,
    InputFacts,
    NormalizationFacts,
    PreflightFacts,
)
from ..finding import Finding

# Raw 8-bit pixels: non-negative, and reaching well past [0, 1] (at least one
# value above this) or stored as integers.
RAW_PIXEL_MAX = 255.0
RAW_PIXEL_SEEN = 16.0
# A built-in rescaling this strong (1/255, 1/127.5) expects raw pixels.
RAW_PIXEL_SCALE = 1.0 / 64.0


# Stored as 8-bit unsigned integers, samples of this many values or more are
# images even without a channel axis: MNIST's (28, 28) as keras.datasets
# ships it, or flattened to (784,). Features and token ids are not kept in
# uint8; sequences of few features per step stay out through MIN_SIDE.
MIN_SIDE = 8
MIN_FLAT_PIXELS = 64
# Floats of height x width are images only when whole numbers up to 255 and
# both sides reach 16 (MNIST's 28): a sequence of a few counted features
# per step stays out.
MIN_FLOAT_SIDE = 16
# ...and when they reach past 128, as 8-bit images do (MNIST's strokes reach
# 255): counts and ids of a few dozen stay out.
FLOAT_PIXELS_SEEN = 128.0


def _is_image(facts: InputFacts) -> bool:
    """Height x width (x depth) x channels, channels 1, 3 or 4 at either end;
    uint8 data of height x width, or of 64 values or more flattened; or
    float data of height x width (both at least 16) holding whole numbers
    up to 255, some above 128 (8-bit pixels cast to float: scaled or
    standardized data are not whole, counts and ids stay lower)."""
    import numpy as np

    shape = facts.shape
    if len(shape) >= 3 and (shape[-1] in (1, 3, 4) or shape[0] in (1, 3, 4)):
        return True
    if None in shape or len(shape) not in (1, 2):
        return False
    dtype = getattr(facts.values, "dtype", None)
    if dtype == "uint8":
        return (
            min(shape) >= MIN_SIDE if len(shape) == 2 else shape[0] >= MIN_FLAT_PIXELS
        )
    if len(shape) != 2 or min(shape) < MIN_FLOAT_SIDE or dtype is None:
        return False
    if not np.issubdtype(dtype, np.floating):
        return False
    values = np.asarray(facts.values)
    return bool(
        values.size
        and np.all(np.isfinite(values))
        and values.min() >= 0
        and FLOAT_PIXELS_SEEN < values.max() <= RAW_PIXEL_MAX
        and np.array_equal(values, np.round(values))
    )


# keras.applications models that build no preprocessing in: their default
# name, their first weight layer (None: a generic name), the module whose
# `preprocess_input` they expect, and that function's mode.
_APPLICATIONS = (
    (r"resnet(50|101|152)", "conv1_conv", "resnet", "caffe"),
    (r"vgg16", "block1_conv1", "vgg16", "caffe"),
    (r"vgg19", "block1_conv1", "vgg19", "caffe"),
    (r"resnet(50|101|152)v2", "conv1_conv", "resnet_v2", "tf"),
    (r"xception", "block1_conv1", "xception", "tf"),
    (r"inception_v3", None, "inception_v3", "tf"),
    (r"inception_resnet_v2", None, "inception_resnet_v2", "tf"),
    (r"mobilenet_[0-9.]+_[0-9]+", "conv1", "mobilenet", "tf"),
    (r"mobilenetv2_[0-9.]+_[0-9]+", "Conv1", "mobilenet_v2", "tf"),
    (r"densenet(121|169|201)", "conv1_conv", "densenet", "torch"),
    (r"nasnet_(mobile|large)", "stem_conv1", "nasnet", "tf"),
)
# What each mode's `preprocess_input` makes of pixels in [0, 255].
_MODE_INPUTS = {
    "caffe": "BGR pixels with the ImageNet mean subtracted, about [-124, 152]",
    "tf": "pixels scaled to [-1, 1]",
    "torch": "pixels standardized with ImageNet's mean and std, about [-2.1, 2.6]",
}


def _application(facts: InputFacts) -> tuple[str, str, str] | None:
    """(name, module, mode) of the frozen keras.applications backbone the
    input reaches first, None when there is none."""
    import re

    if facts.frozen_backbone is None:
        return None
    name, first = facts.frozen_backbone
    for pattern, first_layer, module, mode in _APPLICATIONS:
        if re.fullmatch(pattern, name) and first_layer in (None, first):
            return name, module, mode
    return None


# Integer division (pixels // 255) leaves 0 everywhere but the saturated
# pixels, which become 1 (1/256 of uniform ones). Images of only 0 and 1 that
# are this often 0 are read so; MNIST is 81% black. One-hot and multi-hot
# rows (a feature axis, not two spatial ones) are not images of this kind.
NEARLY_ALL_ZERO = 0.99


def _zeroed_share(values, low: float, high: float, shape: tuple) -> float | None:
    """1.0 for images of one value; the share of 0 in images of only 0 and
    1 (two spatial axes at least) when it reaches `NEARLY_ALL_ZERO`; None
    otherwise."""
    import numpy as np

    if low == high:
        return 1.0
    if low != 0 or high != 1 or len(shape) < 2:
        return None
    zeros = np.count_nonzero(values == 0) / values.size
    if zeros < NEARLY_ALL_ZERO or not np.all((values == 0) | (values == 1)):
        return None
    return zeros


def _problem(facts: InputFacts) -> str | None:
    import numpy as np

    values = np.asarray(facts.values)
    if facts.reads_indices or not _is_image(facts):
        return None
    if values.size == 0 or not np.all(np.isfinite(values)):
        return None
    low, high = float(values.min()), float(values.max())
    where = f"'{facts.layer}'" if facts.layer else "the first layer"
    zeroed = _zeroed_share(values, low, high, facts.shape)
    if zeroed is not None and len(values) >= 2:
        held = (
            f"the one value {low:g} in every pixel"
            if zeroed == 1.0
            else f"0 in {100 * zeroed:.4g}% of the pixels and 1 in the rest"
        )
        return (
            f"Input '{facts.name}' holds {held} of the {len(values)} images "
            f"read: {where} and every layer after it learn next to nothing "
            "from it. Scaling integer images in place or with integer "
            "division (x // 255, or / 255 into an int array) makes every pixel "
            "0 but the saturated ones, which become 1: cast them to float32 "
            "first."
        )
    raw_pixels = (
        low >= 0
        and high <= RAW_PIXEL_MAX
        and (high > RAW_PIXEL_SEEN or (facts.integer and high > 1))
    )
    application = _application(facts)
    if (
        application is not None
        and facts.scaling is None
        and not facts.normalizes
        and low >= 0
        and (raw_pixels or high <= 1.0)
    ):
        name, module, mode = application
        held = "raw pixels" if raw_pixels else "values"
        return (
            f"Input '{facts.name}' holds {held} in [{low:g}, {high:g}], but the "
            f"frozen, pretrained '{name}' it feeds was trained on "
            f"{_MODE_INPUTS[mode]}: its weights see inputs they never saw. Call "
            f"keras.applications.{module}.preprocess_input on pixels in "
            "[0, 255] first."
        )
    if facts.scaling is not None:
        scale, offset = facts.scaling
        if abs(scale) <= RAW_PIXEL_SCALE and high <= 1.0 and low >= -1.0:
            return (
                f"Input '{facts.name}' holds values in [{low:g}, {high:g}], already "
                f"scaled, but the model rescales it by {scale:.4g} (offset "
                f"{offset:g}) before {where}: it expects raw pixels in [0, 255], "
                "so the network sees values near zero."
            )
        return None
    if facts.normalizes or not raw_pixels:
        return None
    return (
        f"Input '{facts.name}' holds raw pixel values in [{low:g}, {high:g}] and "
        f"reaches {where} with no Rescaling or Normalization in between: "
        "weights initialized for unit-scale inputs see values 255 times larger."
    )


# A Normalization's output, per feature, should be near mean 0 and spread 1
# on data like the data it was adapted on. Ten standard deviations away (a
# batch mean no sample of that data reaches in practice), or a spread a
# hundred times too small or ten times too large, for the median feature,
# means it holds the statistics of other data: another scale, units or
# preprocessing (raw pixels against scaled ones: 255 times). The median
# keeps a drifting or heavy-tailed column quiet. Heavy tails shrink a
# batch's spread: for log-normal features of sigma 3 (a maximum a million
# times the median), batches of 32 spread a median 0.033 times the data's
# standard deviation, so the lower bound stays at 0.01.
FAR_OFFSET = 10.0
SPREAD_TOO_LARGE = 10.0
SPREAD_TOO_SMALL = 0.01
# One feature alone: normalized, the N rows it was adapted on have a mean
# square of 1, so a batch of b of them spreads at most sqrt(N / b): over
# 1000 needs more than 32 million rows for a batch of 32. A feature past it
# was divided by a variance at Keras' floor (constant where it was adapted).
EXPLODED_SPREAD = 1000.0


def _normalization_problem(facts: NormalizationFacts) -> str | None:
    import numpy as np

    spreads = np.asarray(facts.spreads if facts.spreads is not None else [])
    exploded = int(np.count_nonzero(spreads > EXPLODED_SPREAD))
    if exploded:
        return (
            f"Normalization '{facts.layer}' divides {exploded} of its "
            f"{facts.features} features by a variance near 0: on this batch "
            f"they spread up to {float(spreads.max()):.3g} times as they should (a "
            "batch of the data it was adapted on cannot spread over "
            f"{EXPLODED_SPREAD:g} times). They were constant where it was "
            "adapted (as the border pixels of digits are), and Keras divides by "
            "epsilon there: drop those features, or adapt it on data in which "
            "they vary."
        )
    spread = facts.spread
    wrong = []
    if facts.offset > FAR_OFFSET:
        wrong.append(f"a mean {facts.offset:.3g} standard deviations from 0")
    if spread is not None and spread > SPREAD_TOO_LARGE:
        wrong.append(f"a spread {spread:.3g} times too large")
    elif spread is not None and spread < SPREAD_TOO_SMALL:
        wrong.append(f"a spread of {spread:.2g}, nearly constant")
    if not wrong:
        return None
    each = (
        "its feature"
        if facts.features == 1
        else f"the median of its {facts.features} features"
    )
    pixels = ""
    if spread is not None and 1 / 400 < spread < 1 / 150:
        pixels = (
            " The data is about 255 times smaller than its statistics: "
            "pixels in [0, 1] where they describe [0, 255]."
        )
    elif spread is not None and 150 < spread < 400:
        pixels = (
            " The data is about 255 times larger than its statistics: "
            "pixels in [0, 255] where they describe [0, 1]."
        )
    if facts.explicit:
        advice = (
            "It was given the mean and variance of data of another scale: feed "
            "it data in that scale, or give it this data's statistics."
        )
    else:
        advice = (
            "Adapted by you: adapt it on the data as fit receives it; loaded "
            "with a pretrained model: feed it the input range that model expects."
        )
    return (
        f"Normalization '{facts.layer}' holds statistics of other data: on "
        f"this batch its output should have mean 0 and spread 1, but {each} has "
        f"{' and '.join(wrong)}.{pixels} {advice}"
    )


def _cnn_example(
    title: str, values: tuple, front: tuple, expect: tuple[str, ...] = ()
) -> DataExample:
    """A small CNN on 32 images of 8 x 8 x 3, `front` layers first: `values`
    is `("pixels",)` or `("uniform", low, high)`."""
    shape = (32, 8, 8, 3)
    return DataExample(
        title=title,
        layers=(
            *front,
            ("Conv2D", {"filters": 4, "kernel_size": 3, "name": "conv"}),
            ("GlobalAveragePooling2D", {"name": "pool"}),
            ("Dense", {"units": 3, "activation": "softmax", "name": "head"}),
        ),
        input_shape=shape[1:],
        loss=("CategoricalCrossentropy", {}),
        x=(values[0], shape, *values[1:]),
        y=("onehot", 32, 3),
        expect=expect,
    )


def _image_example(
    title: str, values: tuple, rescale: bool, expect: tuple[str, ...] = ()
) -> DataExample:
    """`_cnn_example`; `rescale` puts a Rescaling(1/255) first."""
    rescaling = (("Rescaling", {"scale": 1 / 255, "name": "rescale"}),)
    return _cnn_example(title, values, rescaling if rescale else (), expect)


def _normalized_example(
    title: str,
    statistics: dict,
    expect: tuple[str, ...] = (),
    values: tuple = ("uniform", 0.0, 1.0),
) -> DataExample:
    """`_cnn_example` behind a Normalization of the given `mean` and
    `variance`."""
    normalization = (("Normalization", {**statistics, "name": "norm"}),)
    return _cnn_example(title, values, normalization, expect)


class InputsNotScaled(DataRule):
    """## What it does
    Compares the range of each image input in the user's data (up to 4
    batches) with what the model's first layers expect. An image input is
    height x width (x depth) x channels, with 1, 3 or 4 channels at either
    end, or uint8 data of height x width (both at least 8: MNIST's
    (28, 28) as `keras.datasets` ships it) or flattened to 64 values or
    more, or float data of height x width (both at least 16) that holds
    whole numbers up to 255, some above 128 (8-bit pixels cast to float, not
    yet scaled). An input read by an `Embedding` holds indices and is never
    judged:

    - raw pixels (non-negative values up to 255, or integer images) that
      reach the first weight layer with no `Rescaling`, `Normalization` or
      other preprocessing layer in between;
    - already scaled images (within [-1, 1]) fed to a model that rescales by
      1/255 or 1/127.5 itself, as keras.applications' EfficientNet,
      EfficientNetV2, ConvNeXt and MobileNetV3 do (they expect raw pixels).

    - images in [0, 1] or raw pixels fed to a frozen keras.applications
      backbone that builds no preprocessing in and expects its
      `preprocess_input`: ResNet and VGG (caffe: BGR, mean subtracted),
      ResNetV2, Xception, Inception, MobileNet and NASNet ([-1, 1]),
      DenseNet (standardized). It is recognized by its default name and
      first layer; frozen (`trainable=False`) means pretrained weights, as
      in transfer learning. A backbone that trains from scratch may take
      any input scale and is not judged.

    - a `Normalization` (adapted, or given `mean` and `variance`) whose
      statistics do not describe the data it receives, on any input,
      tabular ones too: normalized, the first batch's median feature lies
      more than 10 standard deviations from 0, or spreads more than 10 or
      less than 0.01 times as much as it should. It was adapted on other
      data: raw pixels against scaled ones, other units, another
      preprocessing. A batch of the data it was adapted on does not come
      near these bounds; the median over features keeps one drifting or
      heavy-tailed column quiet. One feature alone is judged when it
      spreads over 1000 times as it should: it was constant where the
      layer was adapted (zero variance, which Keras replaces by epsilon),
      and a batch of the adapt data cannot spread that much.
    - an image input that holds one value in every pixel read, or only 0
      and 1 with 0 in 99% of the pixels or more (two spatial axes at
      least): integer division (x // 255) zeroes every pixel but the
      saturated ones. MNIST is 81% black; one-hot and multi-hot rows are
      not images of this kind;

    Mean-subtracted inputs (caffe-style `preprocess_input` of ResNet50 and
    VGG, with negative values) and tabular features are not judged by
    their range: an unscaled feature column is ordinary, and a model with
    its own normalization layer or a custom first layer decides its own
    scale.

    ## Why is this bad?
    Initializers (Glorot, He) assume inputs of unit scale. Pixels in
    [0, 255] make the first activations 255 times too large, saturate
    sigmoids and softmaxes, and slow or stop training; images scaled twice
    reach the network as near-constant values, and the pretrained weights of
    an application model see inputs they were never trained on.

    ## Example
    ```python
    model = keras.Sequential([keras.Input((32, 32, 3)),
        keras.layers.Conv2D(8, 3), ...])
    model.fit(images_uint8, y)
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.Input((32, 32, 3)),
        keras.layers.Rescaling(1 / 255), keras.layers.Conv2D(8, 3), ...])
    ```
    For keras.applications models, use the application's `preprocess_input`
    or feed raw pixels to the ones that preprocess themselves.
    A `Normalization` is adapted on the data as `fit` receives it
    (`norm.adapt(x_train)` after the same preprocessing).

    ## References
    - LeCun et al., "Efficient BackProp", 1998 (input normalization).
    - Keras applications: https://keras.io/api/applications/
    """

    code = "KO302"
    name = "inputs-not-scaled"
    severity = "warning"
    fix = (
        "Add a Rescaling(1/255) or Normalization layer, use the application's "
        "preprocess_input, or feed raw pixels to models that rescale themselves."
    )
    reference = "LeCun et al. 1998, Efficient BackProp; Keras applications docs"

    VALID = (
        _image_example("raw pixels with a Rescaling layer", ("pixels",), True),
        _normalized_example(
            "images in [0, 1] into a Normalization holding their statistics",
            {"mean": 0.5, "variance": 0.08},
        ),
        DataExample(
            title="unscaled tabular features into a Normalization adapted on them",
            layers=(
                ("Normalization", {"mean": 2500.0, "variance": 2.1e6, "name": "norm"}),
                ("Dense", {"units": 1, "name": "head"}),
            ),
            input_shape=(4,),
            loss=("MeanSquaredError", {}),
            x=("uniform", (32, 4), 0.0, 5000.0),
            y=("normal", (32, 1), 0.0, 1.0),
        ),
        DataExample(
            title="MNIST's (28, 28) uint8 pixels with a Rescaling layer",
            layers=(
                ("Rescaling", {"scale": 1 / 255, "name": "rescale"}),
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 10, "activation": "softmax", "name": "head"}),
            ),
            input_shape=(28, 28),
            loss=("SparseCategoricalCrossentropy", {}),
            x=("pixels", (32, 28, 28)),
            y=("index", 32, 10),
        ),
        DataExample(
            title="unscaled tabular features",
            layers=(("Dense", {"units": 1, "name": "head"}),),
            input_shape=(4,),
            loss=("MeanSquaredError", {}),
            x=("uniform", (32, 4), 0.0, 5000.0),
            y=("normal", (32, 1), 0.0, 1.0),
        ),
    )
    INVALID = (
        _image_example("raw pixels into a Conv2D", ("pixels",), False, ("conv",)),
        _normalized_example(
            "images in [0, 1] into a Normalization holding raw-pixel statistics",
            {"mean": 120.0, "variance": 4900.0},
            ("norm",),
        ),
        _normalized_example(
            "raw pixels into a Normalization holding statistics of [0, 1] images",
            {"mean": 0.5, "variance": 0.08},
            ("norm",),
            values=("pixels",),
        ),
        DataExample(
            title="MNIST as keras.datasets ships it: (28, 28) uint8, no channel axis",
            layers=(
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 16, "activation": "relu", "name": "dense"}),
                ("Dense", {"units": 10, "activation": "softmax", "name": "head"}),
            ),
            input_shape=(28, 28),
            loss=("SparseCategoricalCrossentropy", {}),
            x=("pixels", (32, 28, 28)),
            y=("index", 32, 10),
            expect=("dense",),
        ),
        DataExample(
            title="MNIST pixels cast to float32, not scaled, no channel axis",
            layers=(
                ("Flatten", {"name": "flatten"}),
                ("Dense", {"units": 16, "activation": "relu", "name": "dense"}),
                ("Dense", {"units": 10, "activation": "softmax", "name": "head"}),
            ),
            input_shape=(28, 28),
            loss=("SparseCategoricalCrossentropy", {}),
            x=("pixels", (32, 28, 28), "float32"),
            y=("index", 32, 10),
            expect=("dense",),
        ),
        _image_example(
            "images zeroed by integer division", ("uniform", 0.0, 0.0), True, ("conv",)
        ),
        _normalized_example(
            "a Normalization whose variance is 0 (constant where it was adapted)",
            {"mean": 0.5, "variance": 0.0},
            ("norm",),
        ),
        _image_example(
            "images scaled to [0, 1] for a model that rescales by 1/255",
            ("uniform", 0.0, 1.0),
            True,
            ("conv",),
        ),
    )

    @classmethod
    def check_data(cls, facts: PreflightFacts) -> Iterator[Finding]:
        found = False
        for entry in facts.inputs:
            message = _problem(entry)
            if message is not None:
                found = True
                yield cls.finding((entry.layer,) if entry.layer else (), message)
        if found and len(facts.inputs) == 1:
            return  # One cause: a Normalization after it sees the same data.
        for normalization in facts.normalizations:
            message = _normalization_problem(normalization)
            if message is not None:
                yield cls.finding((normalization.layer,), message)

"""MobileNetV2 fed `cv2.imread` pixels in 0-255: accuracy close to 0%.

The report: ImageNet MobileNetV2 predicts almost nothing right on
`cv2.imread` images resized to 224x224, while VGG does well on the same
arrays; the answer: MobileNetV2 needs its `preprocess_input` (the reporter:
"input needs to be in the [0,1] range as opposed to [0,255]"; MobileNetV2's
own preprocessing maps the pixels to [-1, 1]). Transcribed with
`MobileNetV2(weights=None)` (no download; the bug is in the data) and eight
random 224x224x3 uint8 images, as `cv2.imread` returns them; the fix passes
them through `mobilenet_v2.preprocess_input`. Eight images rather than the
report's one, so that BatchNormalization's batch is not what is judged.
"""

SOURCE = "https://github.com/keras-team/keras/issues/13293"
RULE = "KO302"
SLOW = True


def _build(preprocess: bool):
    import keras
    import numpy as np

    model = keras.applications.MobileNetV2(weights=None)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(8, 224, 224, 3), dtype=np.uint8)
    if preprocess:
        x = keras.applications.mobilenet_v2.preprocess_input(x.astype("float32"))
    return model, x, None, 8


def build_buggy():
    return _build(preprocess=False)


def build_fixed():
    return _build(preprocess=True)

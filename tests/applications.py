"""The keras.applications models of the test suite and the lint benchmark.

Model name -> the square input size it is built with (`weights=None`): the
smallest size each architecture accepts, so that building stays cheap.
"""

from __future__ import annotations

APPLICATION_SIZES = {
    "ResNet50": 64,
    "ResNet50V2": 64,
    "DenseNet121": 64,
    "MobileNet": 64,
    "MobileNetV2": 64,
    "MobileNetV3Small": 64,
    "EfficientNetB0": 64,
    "EfficientNetV2B0": 64,
    "InceptionV3": 75,
    "Xception": 71,
    "NASNetMobile": 224,
    "VGG16": 32,
    "ConvNeXtTiny": 32,
}

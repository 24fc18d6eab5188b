"""Which Keras wrote a model config: 2 (tf_keras, or Keras before 3) or 3.

Keras 2 and Keras 3 run the same graph differently: a hard-coded
`training=` on a layer call holds in Keras 2, while Keras 3's `fit`,
`evaluate` and `predict` replace it (KO130). Pure Python, no keras import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def keras_major(config: Mapping[str, Any]) -> int | None:
    """2 or 3 for a serialized model, None when the config does not say.

    `model.to_json()` and live tf_keras models record `keras_version`; a
    `.keras` config.json and an `.h5` model_config do not, so the layout
    decides: Keras 2 lists inbound nodes as lists and records input shapes
    as `batch_input_shape`, Keras 3 writes dicts and `batch_shape`.
    """
    version = config.get("keras_version")
    if isinstance(version, str) and version.split(".", 1)[0].isdigit():
        return int(version.split(".", 1)[0])
    model_config = config.get("config")
    layers = model_config.get("layers") if isinstance(model_config, Mapping) else None
    if not isinstance(layers, list):
        return None
    for layer in layers:
        if not isinstance(layer, Mapping):
            continue
        nodes = layer.get("inbound_nodes")
        if isinstance(nodes, list) and any(isinstance(node, list) for node in nodes):
            return 2
        layer_config = layer.get("config")
        if isinstance(layer_config, Mapping):
            if "batch_input_shape" in layer_config:
                return 2
            if "batch_shape" in layer_config:
                return 3
        if isinstance(nodes, list) and any(isinstance(n, Mapping) for n in nodes):
            return 3
    return None

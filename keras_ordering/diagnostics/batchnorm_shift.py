"""`BatchNormShift`: the variance shift measured at one BN layer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class BatchNormShift:
    """Li et al.'s variance shift at one BatchNormalization.

    Attributes:
        layer: the BN's path (`outer/inner` inside nested models).
        layer_class: `"BatchNormalization"` or `"BNActDropout"`.
        shift: mean over channels of inference input variance / moving
            variance. 1 means no shift; for zero-mean input behind a dropout
            with keep probability p it is about p.
        input_variance: per-channel variance of the BN's input over the data,
            with the model in inference mode.
        moving_variance: the BN's per-channel moving variance.
        ratio: per-channel input_variance / moving_variance.
        noise_layers: noise layers upstream of the BN with no other BN in
            between: the likely cause of a shift.
    """

    layer: str
    layer_class: str
    shift: float
    input_variance: np.ndarray = field(repr=False)
    moving_variance: np.ndarray = field(repr=False)
    ratio: np.ndarray = field(repr=False)
    noise_layers: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "layer": self.layer,
            "layer_class": self.layer_class,
            "shift": self.shift,
            "input_variance": self.input_variance.tolist(),
            "moving_variance": self.moving_variance.tolist(),
            "ratio": self.ratio.tolist(),
            "noise_layers": list(self.noise_layers),
        }

"""keras-ordering: keep BatchNormalization, activations and Dropout in order.

Importing this package is cheap: it loads neither keras nor any backend.
Public names resolve on first use through a module-level ``__getattr__``
(PEP 562), so light tools such as the command line can import the package
without paying for TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import attach

__version__ = "0.1.0.dev0"

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "BNActDropout": ".layers.bn_act_dropout",
    },
)

if TYPE_CHECKING:
    from .layers.bn_act_dropout import BNActDropout  # noqa: F401

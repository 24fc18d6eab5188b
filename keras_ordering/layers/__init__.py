"""Keras layers of keras-ordering, resolved lazily like the top-level package."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "BNActDropout": ".bn_act_dropout",
    },
)

if TYPE_CHECKING:
    from .bn_act_dropout import BNActDropout  # noqa: F401

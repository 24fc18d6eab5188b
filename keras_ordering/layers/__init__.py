"""Keras layers of keras-ordering, resolved lazily like the top-level package.

`LAYERS` is the one list of the package's public layers: the top-level
package exports them too, and imports their modules as soon as keras is
imported so that saved models holding them load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

# Public layer -> its module, relative to this package.
LAYERS = {
    "BNActDropout": ".bn_act_dropout",
    "MonteCarloDropout": ".monte_carlo_dropout",
}

__getattr__, __dir__, __all__ = attach(__name__, LAYERS)

if TYPE_CHECKING:
    from .bn_act_dropout import BNActDropout  # noqa: F401
    from .monte_carlo_dropout import MonteCarloDropout  # noqa: F401

"""keras-ordering: keep BatchNormalization, activations and Dropout in order.

Importing this package is cheap: it loads neither keras nor any backend.
Public names resolve on first use through a module-level ``__getattr__``
(PEP 562), so light tools such as the command line can import the package
without paying for TensorFlow. The package's layers are registered with
Keras as soon as keras is imported (at once if it already is), so
`keras.saving.load_model` reads models that hold them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import attach, register_when_keras_loads
from .layers import LAYERS

__version__ = "0.1.0.dev0"

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        **{name: f".layers{module}" for name, module in LAYERS.items()},
        "Finding": ".lint.finding",
        "LintCallback": ".callbacks",
        "LintError": ".lint.lint_error",
        "LintReport": ".lint.report",
        "OrderingWarning": ".lint.ordering_warning",
        "check": ".lint.api",
        "fix_model": ".rewrite.fix",
        "freeze_batchnorm": ".rewrite.freeze",
        "fuse_model": ".rewrite.fuse",
        "unfuse_model": ".rewrite.fuse",
        "lint_file": ".lint.api",
        "lint_model": ".lint.api",
        "rules": ".lint.api",
    },
)
register_when_keras_loads([f"{__name__}.layers{module}" for module in LAYERS.values()])

if TYPE_CHECKING:
    from .callbacks import LintCallback  # noqa: F401
    from .layers.bn_act_dropout import BNActDropout  # noqa: F401
    from .layers.monte_carlo_dropout import MonteCarloDropout  # noqa: F401
    from .lint.api import check, lint_file, lint_model, rules  # noqa: F401
    from .lint.finding import Finding  # noqa: F401
    from .lint.lint_error import LintError  # noqa: F401
    from .lint.ordering_warning import OrderingWarning  # noqa: F401
    from .lint.report import LintReport  # noqa: F401
    from .rewrite.fix import fix_model  # noqa: F401
    from .rewrite.freeze import freeze_batchnorm  # noqa: F401
    from .rewrite.fuse import fuse_model, unfuse_model  # noqa: F401

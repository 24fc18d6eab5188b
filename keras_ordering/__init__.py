"""keras-ordering: keep BatchNormalization, activations and Dropout in order.

Importing this package is cheap: it loads neither keras nor any backend.
Public names resolve on first use through a module-level ``__getattr__``
(PEP 562), so light tools such as the command line can import the package
without paying for TensorFlow. The package's layers are registered with
Keras as soon as keras is imported (at once if it already is), so
`keras.saving.load_model` reads models that hold them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import attach, register_when_keras_loads
from .layers import LAYERS

_lazy_getattr, __dir__, __all__ = attach(
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
        "preflight": ".preflight_run",
        "rules": ".lint.api",
    },
)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    return _lazy_getattr(name)


def _version() -> str:
    """The installed distribution's version: pyproject.toml is the one source."""
    from importlib import metadata

    try:
        version = metadata.version("keras-ordering")
    except metadata.PackageNotFoundError:  # A source tree that is not installed.
        version = "0+unknown"
    globals()["__version__"] = version  # Later lookups skip __getattr__.
    return version


register_when_keras_loads([f"{__name__}.layers{module}" for module in LAYERS.values()])

if TYPE_CHECKING:
    __version__: str
    from .callbacks import LintCallback  # noqa: F401
    from .layers.bn_act_dropout import BNActDropout  # noqa: F401
    from .layers.monte_carlo_dropout import MonteCarloDropout  # noqa: F401
    from .lint.api import check, lint_file, lint_model, rules  # noqa: F401
    from .lint.finding import Finding  # noqa: F401
    from .lint.lint_error import LintError  # noqa: F401
    from .lint.ordering_warning import OrderingWarning  # noqa: F401
    from .lint.report import LintReport  # noqa: F401
    from .preflight_run import preflight  # noqa: F401
    from .rewrite.fix import fix_model  # noqa: F401
    from .rewrite.freeze import freeze_batchnorm  # noqa: F401
    from .rewrite.fuse import fuse_model, unfuse_model  # noqa: F401

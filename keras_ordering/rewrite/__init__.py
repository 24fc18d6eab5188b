"""Model rewrites: `fix_model`, `fuse_model`, `unfuse_model`, `freeze_batchnorm`.

They share `graph.kinds` with the linter, so a rewrite and the rule it fixes
agree on what each layer is. Names resolve lazily; using them imports keras.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "Change": ".change",
        "ChangeList": ".change",
        "fix_model": ".fix",
        "freeze_batchnorm": ".freeze",
        "fuse_model": ".fuse",
        "unfuse_model": ".fuse",
    },
)

if TYPE_CHECKING:
    from .change import Change, ChangeList  # noqa: F401
    from .fix import fix_model  # noqa: F401
    from .freeze import freeze_batchnorm  # noqa: F401
    from .fuse import fuse_model, unfuse_model  # noqa: F401

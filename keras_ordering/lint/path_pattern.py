"""The old import path of `PathPattern`, kept for code that imports it;
the layer and path patterns live in `lint/patterns.py`."""

from .patterns import PathPattern

__all__ = ["PathPattern"]

"""PEP 562 lazy attributes, shared by the package and its subpackages.

Kept dependency-free: importing it must never load keras or a backend.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def attach(
    package: str, attributes: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Returns ``__getattr__``, ``__dir__`` and ``__all__`` for ``package``.

    Args:
        package: the ``__name__`` of the package that exposes the names.
        attributes: public name -> module defining it, relative to ``package``.
    """
    module_globals = importlib.import_module(package).__dict__

    def lazy_getattr(name: str) -> Any:
        module_name = attributes.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name, package), name)
        module_globals[name] = value  # Later lookups skip __getattr__.
        return value

    def lazy_dir() -> list[str]:
        return sorted(set(module_globals) | set(attributes))

    return lazy_getattr, lazy_dir, sorted(attributes)

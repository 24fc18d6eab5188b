"""PEP 562 lazy attributes, shared by the package and its subpackages, and
the hook that registers the package's Keras layers once keras is imported.

Kept dependency-free: importing it must never load keras or a backend.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from types import ModuleType
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


def register_when_keras_loads(modules: Sequence[str], keras: str = "keras") -> None:
    """Imports ``modules`` as soon as keras is imported, or now if it already is.

    ``keras`` names the module to wait for (tests use a stand-in).
    Importing a layer module registers its layers with Keras'
    serialization, so `keras.saving.load_model` finds them by name. Doing it
    at once would make `import keras_ordering` load keras and a backend, so
    while keras is absent a finder on `sys.meta_path` waits for it instead.
    """
    loaded = sys.modules.get(keras)
    if loaded is not None and not _initializing(loaded):
        _import_all(modules)
        return
    for finder in sys.meta_path:
        if isinstance(finder, _KerasImportHook) and finder.target == keras:
            finder.modules = tuple(dict.fromkeys((*finder.modules, *modules)))
            return
    sys.meta_path.insert(0, _KerasImportHook(keras, modules))


def _initializing(module: ModuleType) -> bool:
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _import_all(modules: Sequence[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # Never break the user's `import keras`.
            warnings.warn(
                f"keras_ordering could not register the layers of {name} with "
                f"Keras ({type(error).__name__}: {error}); saved models holding "
                f"them will not load until `import {name}` succeeds.",
                RuntimeWarning,
                stacklevel=3,
            )


class _KerasImportHook(importlib.abc.MetaPathFinder):
    """Runs `_import_all(modules)` right after the top-level `target` executes.

    It finds keras' real spec through the other finders and wraps only its
    loader's `exec_module`; the original loader is put back as soon as keras
    has run, and the hook leaves `sys.meta_path` on its first match.
    """

    def __init__(self, target: str, modules: Sequence[str]) -> None:
        self.target = target
        self.modules = tuple(modules)
        self._lock = threading.Lock()

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.target:
            return None
        with self._lock:
            if self not in sys.meta_path:
                return None
            sys.meta_path.remove(self)  # Also keeps find_spec below from recursing.
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _RegisteringLoader(spec.loader, self.modules)
        return spec


class _RegisteringLoader(importlib.abc.Loader):
    def __init__(self, loader: Any, modules: Sequence[str]) -> None:
        self.loader = loader
        self.modules = modules

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        create = getattr(self.loader, "create_module", None)
        return None if create is None else create(spec)  # None: the default.

    def exec_module(self, module: ModuleType) -> None:
        # Keras and tools reading `__loader__` see its own loader from now on.
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        _import_all(self.modules)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.loader, name)

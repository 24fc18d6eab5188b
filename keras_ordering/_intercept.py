"""The one interception of `keras.layers.Layer.__call__`.

Tracing (`graph/trace.py`) and the diagnostics (`diagnostics/_observe.py`,
`diagnostics/training_flag.py`) see every layer call of a model run through
`intercepting_layer_calls`. It is thread-safe and reentrant:

- one dispatcher is installed on `Layer.__call__` while any thread has an
  interception open (a count under a lock), and the original is restored
  when the last one closes, on an exception too;
- each thread keeps its own stack of interceptions, so a call is seen only
  by the interceptions its own thread opened: two lints (or a lint and a
  diagnostic) running at once in two threads never see each other's calls;
- interceptions nest: the innermost one sees a call first, and its `call`
  goes on to the next one out (or, when `exclusive`, straight to the layer).

Patching `Layer.__call__` is the only thing here that reaches into Keras;
the attribute is public, so no private API is used.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

LayerCall = Callable[..., Any]
Wrapper = Callable[[Any, LayerCall, tuple, dict, tuple], Any]


@dataclass(eq=False)
class _Interception:
    wrapper: Wrapper
    exclusive: bool
    # The layers whose calls this interception saw start and not yet end.
    stack: list[Any] = field(default_factory=list)


_lock = threading.Lock()
_open = 0  # Interceptions open in all threads together.
# `Layer.__call__` before the dispatcher. Kept after the last interception
# closes: a call another thread started through the dispatcher just then
# still finds it.
_original: LayerCall | None = None
_local = threading.local()  # `.active`: this thread's interceptions.


def _active() -> list[_Interception]:
    active = getattr(_local, "active", None)
    if active is None:
        active = _local.active = []
    return active


def _call_through(
    active: list[_Interception], level: int, layer: Any, args: tuple, kwargs: dict
) -> Any:
    """Runs one call through this thread's interceptions from `level` down."""
    if level < 0:
        return _original(layer, *args, **kwargs)  # type: ignore[misc]
    interception = active[level]
    below = -1 if interception.exclusive else level - 1
    enclosing = tuple(interception.stack)
    interception.stack.append(layer)
    try:
        return interception.wrapper(
            layer,
            lambda *a, **k: _call_through(active, below, layer, a, k),
            args,
            kwargs,
            enclosing,
        )
    finally:
        interception.stack.pop()


def _dispatch(layer: Any, *args: Any, **kwargs: Any) -> Any:
    """`Layer.__call__` while interceptions are open somewhere."""
    active = getattr(_local, "active", None)
    if not active:  # Another thread's interception: this call is not seen.
        return _original(layer, *args, **kwargs)  # type: ignore[misc]
    return _call_through(active, len(active) - 1, layer, args, kwargs)


def _install() -> None:
    global _open, _original
    import keras

    with _lock:
        current = keras.layers.Layer.__call__
        if _open == 0 and current is not _dispatch:
            _original = current
            keras.layers.Layer.__call__ = _dispatch
        _open += 1


def _uninstall() -> None:
    global _open
    import keras

    with _lock:
        _open -= 1
        # Someone may have wrapped the dispatcher meanwhile: then it stays in
        # their chain, where it passes every call straight through.
        if _open == 0 and keras.layers.Layer.__call__ is _dispatch:
            keras.layers.Layer.__call__ = _original


@contextlib.contextmanager
def intercepting_layer_calls(
    wrapper: Wrapper, exclusive: bool = False
) -> Iterator[None]:
    """Routes this thread's `Layer.__call__`s through `wrapper` while the block runs.

    `wrapper(layer, call, args, kwargs, enclosing)` must return the call's
    outputs; `call(*args, **kwargs)` runs the layer (through the next
    interception out, if this thread has one open), and `enclosing` holds
    the layers whose calls this interception saw start around this one,
    outermost first. With `exclusive`, `call` runs the layer itself, past
    any interception already open in this thread (a trace nested in another
    one, or in a diagnostic).
    """
    interception = _Interception(wrapper, exclusive)
    _install()
    active = _active()
    active.append(interception)
    try:
        yield
    finally:
        # Identity, not position: a context left out of order still leaves
        # the others in place.
        for index in range(len(active) - 1, -1, -1):
            if active[index] is interception:
                del active[index]
                break
        _uninstall()


def call_path(layer: Any, enclosing: tuple, root: Any) -> str:
    """The graph path of a layer call: its enclosing layers, the root model
    excepted (some backends call the root's `call` directly, so it may or
    may not be on the stack)."""
    return "/".join([*(o.name for o in enclosing if o is not root), layer.name])

"""examples/multi_device.py, imported as a module for its helpers."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "examples" / "multi_device.py"
_spec = importlib.util.spec_from_file_location("multi_device_example", _PATH)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)

free_ports = _module.free_ports

"""The benchmark scripts import only names that exist (they are not run here)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = sorted((ROOT / "benchmarks").glob("bench_*.py"))


def _defined_names(module: Path) -> set[str]:
    """Top-level functions, classes, assignments and imports of a module."""
    names = set()
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _local_module(name: str) -> Path | None:
    """A sibling benchmark (`bench_lint`) or a repository module (`tests.x`)."""
    for candidate in (
        ROOT / "benchmarks" / f"{name}.py",
        ROOT / f"{name.replace('.', '/')}.py",
    ):
        if candidate.is_file():
            return candidate
    return None


def test_there_are_benchmarks():
    assert len(BENCHMARKS) >= 5, BENCHMARKS


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.name)
def test_benchmark_imports_resolve(script):
    for node in ast.walk(ast.parse(script.read_text())):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        module = _local_module(node.module)
        if module is None:
            continue  # keras, keras_ordering, the standard library.
        missing = {a.name for a in node.names} - _defined_names(module)
        assert not missing, f"{script.name} imports {missing} from {node.module}"

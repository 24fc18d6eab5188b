"""The pre-commit hook's environment holds only what static lint imports.

pre-commit installs a `language: python` hook with
`pip install . <additional_dependencies>`; the hook passes `--no-deps`, so
its environment holds this package plus the packages it lists, and neither
keras nor a backend.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _hook() -> dict:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    return hook


def _name(requirement: str) -> str:
    return re.split(r"[ ;<>=!~\[]", requirement, maxsplit=1)[0].lower()


def test_hook_installs_the_package_without_keras():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dependencies = _hook()["additional_dependencies"]
    assert dependencies[0] == "--no-deps"
    listed = {_name(requirement) for requirement in dependencies[1:]}
    # Everything the package needs, minus keras, plus h5py for .h5 files.
    needed = {_name(r) for r in project["dependencies"]} - {"keras"}
    needed |= {_name(r) for r in project["optional-dependencies"]["h5"]}
    assert listed == needed
    assert "--no-deps" not in dependencies[1:]


# Runs the hook's entry point with every import outside the standard library,
# this package and the hook's listed packages refused, as in the hook's
# environment.
_BLOCKED_RUN = textwrap.dedent(
    """
    import json, sys

    allowed = set(json.loads(sys.argv[1]))
    ok_before = {name.split(".")[0] for name in sys.modules}

    class Refuse:
        def find_spec(self, name, path=None, target=None):
            top = name.split(".")[0]
            if (
                top in sys.stdlib_module_names
                or top in allowed
                or top in ok_before
                or top == "keras_ordering"
            ):
                return None
            raise ModuleNotFoundError(f"not in the hook environment: {name}")

    sys.meta_path.insert(0, Refuse())
    from keras_ordering.cli import run

    sys.argv = ["keras-ordering", *sys.argv[2:]]
    run()
    """
)


def _import_names(distribution: str) -> set[str]:
    """Top-level modules that an installed distribution provides."""
    provided = importlib.metadata.packages_distributions()
    return {
        module
        for module, owners in provided.items()
        if any(_name(owner) == distribution for owner in owners)
    }


def test_static_lint_runs_with_only_the_hook_environment(model_files, tmp_path):
    import keras

    listed = [_name(r) for r in _hook()["additional_dependencies"][1:]]
    # tomli is only needed (and only installed) before Python 3.11.
    allowed = set().union(*(_import_names(d) for d in listed if d != "tomli"))
    assert "keras" not in allowed
    h5_file = tmp_path / "warning.h5"
    keras.saving.load_model(model_files["warning"]).save(h5_file)
    command = [sys.executable, "-c", _BLOCKED_RUN, json.dumps(sorted(allowed))]
    entry = _hook()["entry"].split()[1:]  # `lint`, after the console script.
    result = subprocess.run(
        [*command, *entry, str(model_files["warning"]), str(h5_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "not in the hook environment" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("KO101") == 2, result.stdout

    # The blocker does refuse what the hook lacks: the live path needs keras.
    live = subprocess.run(
        [*command, "fuse", str(model_files["warning"]), str(tmp_path / "out.keras")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert live.returncode != 0
    assert "not in the hook environment: keras" in live.stdout + live.stderr


def test_the_hook_runs_on_model_files_json_included():
    hook = _hook()
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def runs_on(name: str) -> bool:
        return bool(files.search(name)) and not exclude.search(name)

    for name in ("m.keras", "m.h5", "m.hdf5", "model.json", "a/b/config.json"):
        assert runs_on(name), name
    for name in ("m.weights.h5", "m.weights.json", "notes.txt", "m.py"):
        assert not runs_on(name), name
    # pre-commit names every staged .json file: other JSON is skipped.
    assert "--skip-non-models" in hook["entry"].split()


def test_the_documented_recipes_name_no_release_and_no_index():
    """Nothing is published: the docs install from this repository."""
    text = (ROOT / "docs" / "ci.md").read_text()
    assert "pip install keras-ordering" not in text
    assert "rev: v0." not in text
    assert "git rev-parse HEAD" in text


def _copy_of_this_checkout(destination: Path) -> None:
    destination.mkdir()
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)


@pytest.mark.slow
def test_pre_commit_installs_the_hook_without_keras_and_it_lints(model_files, tmp_path):
    """The recipe of docs/ci.md, end to end: pre-commit installs the hook
    from a local clone at a commit (no release tag exists), without keras,
    and it lints the staged .keras and .json models, skipping other JSON
    (needs pre-commit and a package index)."""
    pytest.importorskip("pre_commit")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    upstream = tmp_path / "upstream"
    _copy_of_this_checkout(upstream)
    subprocess.run([*git, "init", "-q"], cwd=upstream, check=True)
    subprocess.run([*git, "add", "-A"], cwd=upstream, check=True)
    subprocess.run([*git, "commit", "-qm", "hook"], cwd=upstream, check=True)
    clone = tmp_path / "keras-ordering"
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(model_files["warning"], project / "warning.keras")
    import zipfile

    with zipfile.ZipFile(model_files["warning"]) as archive:
        (project / "warning.json").write_bytes(archive.read("config.json"))
    (project / "package.json").write_text('{"name": "web"}')
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {clone}\n    rev: {rev}\n"
        "    hooks:\n      - id: keras-ordering\n        args: [--fail-on, warning]\n"
    )
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    cache = tmp_path / "cache"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(cache)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    # Both models, the .json one included; package.json skipped, no KO001.
    assert result.stdout.count("KO101") == 2, result.stdout
    assert "KO001" not in result.stdout, result.stdout
    (site_packages,) = cache.glob("repo*/py_env-*/lib/python*/site-packages")
    installed = {path.name.lower() for path in site_packages.iterdir()}
    assert "keras_ordering" in installed
    assert "keras" not in installed
    assert not any(
        name.startswith(("optree", "rich", "ml_dtypes")) for name in installed
    )

"""The README's two commands are the ones CI and newcomers run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART_COMMAND = 'pip install -e ".[tensorflow]" && python examples/quickstart.py'
TEST_COMMAND = 'pip install -e ".[tensorflow,test]" && pytest'


def _bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, re.S)]


def test_readme_quickstart_has_exactly_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quickstart = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert _bash_blocks(quickstart) == [QUICKSTART_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command():
    ci_script = (ROOT / ".ci" / "run").read_text()
    assert TEST_COMMAND in ci_script
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run is not executable"


# Runs pytest twice in subprocesses (about 6 s).
@pytest.mark.slow
def test_the_test_command_leaves_out_slow_tests_and_pytest_m_slow_runs_them(tmp_path):
    """The default `pytest` stays fast; `pytest -m slow` (run by CI) selects
    exactly the slow tests, with this repository's pytest settings."""
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_sample.py").write_text(
        "import pytest\n\n\n"
        "def test_fast():\n    pass\n\n\n"
        "@pytest.mark.slow\ndef test_slow():\n    pass\n"
    )

    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    default_run = run()
    assert "test_fast PASSED" in default_run
    assert "test_slow" not in default_run
    slow_run = run("-m", "slow")
    assert "test_slow PASSED" in slow_run
    assert "test_fast" not in slow_run


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_docs_link_only_inside_the_repository():
    for document in _documents():
        for target in re.findall(r"\]\(([^)\s]+)\)", document.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # A web address or an anchor on the same page.
            resolved = (document.parent / target.split("#")[0]).resolve()
            assert resolved.is_relative_to(ROOT), f"{document.name}: {target}"


def test_no_pointer_outside_the_repository_or_placeholder():
    text_files = [
        path
        for folder in ("keras_ordering", "tests", "docs", "examples", "benchmarks")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".md", ".yaml", ".toml"}
        and (ROOT / "tests" / "data") not in path.parents  # Third-party files.
    ]
    # Spelled in two parts so that this file does not match itself.
    outside, placeholder = "../" + "shared", "OWN" + "ER"
    for path in [*text_files, ROOT / "README.md", ROOT / "pyproject.toml"]:
        text = path.read_text()
        assert outside not in text, path
        assert placeholder not in text, path


def test_readme_is_short_and_pre_commit_revs_are_tags_or_commits():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    configs = [*_documents(), ROOT / ".pre-commit-config.yaml"]
    revs = [
        rev for path in configs for rev in re.findall(r"rev: (\S+)", path.read_text())
    ]
    assert revs, "no pre-commit configuration found"
    for rev in revs:
        # A release tag of another project's hooks, or a commit: keras-ordering
        # has no release tag yet, so its recipes pin a commit (docs/ci.md).
        assert re.fullmatch(r"v\d+(\.\d+)+", rev) or re.fullmatch(
            r"[0-9a-f]{40}", rev
        ), f"rev {rev!r} is neither a release tag nor a commit"


def test_ci_runs_slow_tests_static_checks_and_every_backend():
    ci_script = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci_script.splitlines()]
    for command in (
        "pytest -m slow",
        "ruff check .",
        "ruff format --check .",
        "mypy",
        "KERAS_BACKEND=jax pytest",
        "KERAS_BACKEND=torch pytest",
    ):
        assert any(line.startswith(command) for line in commands), command
    assert "apt-get install" in ci_script and "chromium" in ci_script
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'\[tool\.mypy\]\npackages = \["keras_ordering"\]', pyproject)

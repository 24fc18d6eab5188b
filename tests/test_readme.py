"""The README's two commands are the ones CI and newcomers run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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

"""The README's two commands are the ones CI and newcomers run."""

from __future__ import annotations

import re
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

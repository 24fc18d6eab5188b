"""The keras-ordering command line: exit codes, formats, bad input, safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from keras_ordering import cli

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([*argv, "--isolated"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_not_linted(code: int, out: str, err: str, path, expected: str) -> None:
    """A file not linted, in text output: one `FILE: KO001 problem` line on
    stdout, exit 1 (as ruff's E902), nothing on stderr, no traceback."""
    assert code == 1, out + err
    lines = [line for line in out.splitlines() if " KO001 " in line]
    assert len(lines) == 1 and lines[0].startswith(f"{path}: KO001 "), out
    assert expected in lines[0], lines[0]
    assert err == "" and "Traceback" not in out


# --- Exit codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "flags", "expected"),
    [
        ("clean", [], 0),
        ("info", [], 0),
        ("info", ["--fail-on", "info"], 1),
        ("warning", [], 1),
        ("warning", ["--fail-on", "error"], 0),
        ("warning", ["--exit-zero"], 0),
        ("warning", ["--ignore", "KO101"], 0),
        ("warning", ["--select", "KO102", "--fail-on", "info"], 1),
        ("error", ["--fail-on", "error"], 1),
        ("error", ["--exit-zero"], 0),
    ],
)
def test_exit_code_matrix(capsys, model_files, model, flags, expected):
    code, _, err = run_cli(capsys, "lint", str(model_files[model]), *flags)
    assert code == expected, err
    assert err == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "x.keras", "--output-format", "xml"],
        ["lint", "x.keras", "--no-such-flag"],
        ["frobnicate"],
        ["lint"],
        ["rule"],
        ["rule", "KO999"],
        ["rules", "extra"],
        ["lint", "x.keras", "--select", "KO999"],
    ],
)
def test_usage_errors_exit_2_in_one_line(capsys, argv, model_files):
    argv = [str(model_files["clean"]) if a == "x.keras" else a for a in argv]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.startswith("keras-ordering: error: ")
    assert "Traceback" not in err + out


def test_no_arguments_prints_usage_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "usage: keras-ordering lint PATH" in capsys.readouterr().out
    assert cli.main(["--help"]) == 0


def test_rules_and_rule_commands(capsys):
    code, out, _ = run_cli(capsys, "rules")
    assert code == 0
    assert out.splitlines()[0].split() == [
        "KO101",
        "warning",
        "dropout-before-batchnorm",
    ]
    assert "KO120  info     dropout-feeds-batchnorm  (opt-in)" in out
    code, out, _ = run_cli(capsys, "rule", "dropout-before-batchnorm")
    assert code == 0
    assert out.startswith("# KO101 dropout-before-batchnorm")
    assert "## Why is this bad?" in out


# --- Formats ----------------------------------------------------------------------


def test_text_output(capsys, model_files):
    code, out, _ = run_cli(capsys, "lint", str(model_files["warning"]))
    assert code == 1
    assert f"{model_files['warning']}: Model 'warning': 2 findings" in out
    assert "KO101  warning   dropout-before-batchnorm" in out
    assert out.rstrip().endswith(
        "Found 2 findings (0 errors, 1 warning, 1 info) in 1 file."
    )


def test_a_file_named_twice_is_linted_once(capsys, model_files, monkeypatch):
    path = model_files["warning"]
    monkeypatch.chdir(path.parent)
    code, out, _ = run_cli(capsys, "lint", str(path), path.name, f"./{path.name}")
    assert code == 1
    assert out.rstrip().endswith(
        "Found 2 findings (0 errors, 1 warning, 1 info) in 1 file."
    ), out


@pytest.mark.parametrize(
    ("selection", "warning"),
    [("", "no rule is selected"), ("KO301,KO306", "(KO301, KO306) need data")],
)
def test_a_selection_that_checks_nothing_in_a_file_is_a_warning(
    capsys, model_files, selection, warning
):
    """`--select ""` from an empty CI variable, or only data-aware rules:
    0 findings would read as a clean model."""
    code, out, err = run_cli(
        capsys, "lint", str(model_files["warning"]), "--select", selection
    )
    assert code == 0 and "0 findings" in out
    assert "keras-ordering: warning: " in err and warning in err, err


def test_json_output(capsys, model_files):
    code, out, _ = run_cli(
        capsys,
        "lint",
        str(model_files["warning"]),
        str(model_files["error"]),
        "--output-format",
        "json",
    )
    assert code == 1
    entries = json.loads(out)
    # One entry per file: the file, then exactly LintReport.to_dict().
    from keras_ordering.lint.api import lint_file

    assert [Path(e["file"]).stem for e in entries] == ["warning", "error"]
    for entry, stem in zip(entries, ["warning", "error"], strict=True):
        report = lint_file(model_files[stem])
        assert entry == {"file": str(model_files[stem]), **report.to_dict()}
    assert [
        (Path(e["file"]).stem, f["code"]) for e in entries for f in e["findings"]
    ] == [
        ("warning", "KO102"),
        ("warning", "KO101"),
        ("error", "KO201"),
    ]
    finding = entries[0]["findings"][1]
    assert set(finding) == {
        "code",
        "name",
        "severity",
        "layers",
        "message",
        "fix",
        "reference",
        "targets",
        "call_sites",
    }
    assert finding["layers"] == ["dropout", "bn"]


def test_sarif_output_validates_against_the_schema(capsys, model_files, tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_text("not a zip")
    code, out, _ = run_cli(
        capsys,
        "lint",
        str(model_files["warning"]),
        str(bad),
        "--output-format",
        "sarif",
    )
    assert code == 1
    log = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    driver_rules = run["tool"]["driver"]["rules"]
    catalogue = sys.modules["keras_ordering"].rules()  # Every rule, opt-in too.
    assert [rule["id"] for rule in driver_rules] == [
        *(r["code"] for r in catalogue),
        "KO001",  # The file not linted: a result like the others.
    ]
    assert all(
        rule["help"]["text"].startswith("## What it does") for rule in driver_rules[:-1]
    )
    # The alert title is the rule's short name; the sentence goes below it.
    ko101 = driver_rules[0]
    assert ko101["shortDescription"]["text"] == "Dropout before batchnorm"
    assert ko101["fullDescription"]["text"].startswith("Finds")
    assert driver_rules[-1]["shortDescription"]["text"] == "File not linted"
    result = next(r for r in run["results"] if r["ruleId"] == "KO101")
    assert result["level"] == "warning"
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "warning.keras"
    )
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "dropout -> bn"
    assert {r["level"] for r in run["results"]} == {"warning", "note", "error"}
    (not_linted,) = (r for r in run["results"] if r["ruleId"] == "KO001")
    assert not_linted["level"] == "error" and "not a zip" in str(not_linted)
    assert driver_rules[not_linted["ruleIndex"]]["id"] == "KO001"
    assert all(r["partialFingerprints"] for r in run["results"])
    notification = run["invocations"][0]["toolExecutionNotifications"][0]
    assert "not a zip" in notification["message"]["text"]
    assert run["invocations"][0]["executionSuccessful"] is False


def test_github_annotations(capsys, model_files):
    code, out, _ = run_cli(
        capsys, "lint", str(model_files["warning"]), "--output-format", "github"
    )
    assert code == 1
    lines = out.splitlines()
    title = "title=KO102 batchnorm-after-activation::"
    assert lines[0].startswith(f"::notice file={model_files['warning']},{title}")
    assert lines[1].startswith("::warning file=")
    assert "%0A" not in lines[1] and "\n" not in lines[1]


# --- Bad input --------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _bad_inputs(tmp_path: Path, model_files) -> dict[str, tuple[Path, str]]:
    not_zip = tmp_path / "not_zip.keras"
    not_zip.write_text("hello")
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(model_files["clean"].read_bytes()[:200])
    no_config = _zip(tmp_path / "no_config.keras", {"metadata.json": b"{}"})
    not_model = tmp_path / "not_model.json"
    not_model.write_text('{"hello": [1, 2, 3]}')
    invalid_json = tmp_path / "invalid.json"
    invalid_json.write_text("{nope")
    a_directory = tmp_path / "folder.keras"
    a_directory.mkdir()
    empty = tmp_path / "empty_dir"
    empty.mkdir()
    (empty / "notes.txt").write_text("no models here")
    missing = tmp_path / "missing.keras"
    return {
        "not a zip": (not_zip, "not a zip file"),
        "truncated zip": (truncated, "truncated or corrupt archive"),
        "no config.json": (no_config, "no config.json in the archive"),
        "JSON that is not a model config": (not_model, "not a Keras model config"),
        "invalid JSON": (invalid_json, "invalid JSON"),
        "a missing file": (missing, "no such file"),
        "a directory named like a model": (a_directory, "no model files"),
        "a directory with no model files": (empty, "no model files"),
    }


def test_each_bad_input_is_one_ko001_line(capsys, model_files, tmp_path):
    for label, (path, message) in _bad_inputs(tmp_path, model_files).items():
        if path.is_dir():
            continue
        code, out, err = run_cli(capsys, "lint", str(path))
        assert_not_linted(code, out, err, path, message)
        # Nothing claims "0 findings" for a run that linted nothing.
        assert out.splitlines()[-1] == "1 file could not be linted (KO001).", label
        code, out, err = run_cli(capsys, "lint", str(path), "--exit-zero")
        assert code == 0 and f"{path}: KO001 " in out, label
        # Machine formats carry it in the document, and say it on stderr.
        code, out, err = run_cli(capsys, "lint", str(path), "--output-format", "json")
        assert code == 1 and json.loads(out)[0]["code"] == "KO001", label
        assert err.count("\n") == 1 and message in err, (label, err)


def test_a_directory_with_no_models_warns_and_exits_0(capsys, model_files, tmp_path):
    for label, (path, message) in _bad_inputs(tmp_path, model_files).items():
        if not path.is_dir():
            continue
        for output_format in ("text", "sarif"):
            code, out, err = run_cli(
                capsys, "lint", str(path), "--output-format", output_format
            )
            assert code == 0, label
            if output_format == "sarif":
                assert json.loads(out)["runs"][0]["results"] == [], label
            assert err == f"keras-ordering: warning: {path}: {message} " + (
                "(.keras, .h5, .hdf5, .json) found\n"
            ), (label, err)


def test_unreadable_file(capsys, tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("{}")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, out, err = run_cli(capsys, "lint", str(path))
    assert_not_linted(code, out, err, path, "cannot read the file (Permission denied)")


def test_one_bad_file_does_not_hide_the_others(capsys, model_files, tmp_path):
    bad = tmp_path / "bad.keras"
    bad.write_text("junk")
    code, out, err = run_cli(capsys, "lint", str(bad), str(model_files["warning"]))
    assert code == 1
    assert "KO101" in out and "; 1 file could not be linted (KO001)." in out
    assert f"{bad}: KO001 not a .keras archive" in out and err == ""


def test_directories_are_searched_recursively(capsys, model_files, tmp_path):
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "model.keras").write_bytes(model_files["warning"].read_bytes())
    (tmp_path / "a" / "package.json").write_text('{"name": "web"}')
    code, out, err = run_cli(capsys, "lint", str(tmp_path))
    assert code == 1
    assert "model.keras: Model 'warning'" in out
    assert err == ""
    code, out, err = run_cli(capsys, "lint", str(tmp_path), "--verbose")
    assert code == 1
    assert f"skipped {tmp_path / 'a' / 'package.json'}: not a Keras model" in err


# --- Safety -----------------------------------------------------------------------


def test_lambda_code_in_a_file_is_never_executed(capsys, tmp_path):
    import keras

    marker = tmp_path / "pwned.txt"
    model = keras.Sequential(
        [
            keras.Input((4,)),
            # The path is a constant in the lambda's bytecode.
            keras.layers.Lambda(
                eval(f"lambda t: (open({str(marker)!r}, 'w').close(), t)[1]"),
                name="evil",
            ),
        ]
    )
    path = tmp_path / "lambda.keras"
    model.save(path)
    assert "__lambda__" in zipfile.ZipFile(path).read("config.json").decode()
    # The bytecode is live: an unsafe load runs it and creates the file.
    marker.unlink(missing_ok=True)
    keras.saving.load_model(path, safe_mode=False)
    assert marker.exists()
    marker.unlink()
    code, out, _ = run_cli(capsys, "lint", str(path))
    assert code == 0
    assert not marker.exists()
    assert "evil (Lambda): a Lambda layer runs arbitrary code" in out


def _fails_if_decompressed(monkeypatch):
    from keras_ordering.graph import model_files

    def refuse(*args, **kwargs):
        raise AssertionError("the archive was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    monkeypatch.setattr(model_files, "_inflate_member", refuse)


def test_zip_bombs_are_refused_before_decompression(capsys, tmp_path, monkeypatch):
    oversized = _zip(
        tmp_path / "oversized.keras",
        {"config.json": b" " * (65 * 1024 * 1024)},
        compression=zipfile.ZIP_DEFLATED,
    )
    ratio = _zip(
        tmp_path / "ratio.keras",
        {"config.json": b"0" * (8 * 1024 * 1024)},
        compression=zipfile.ZIP_DEFLATED,
    )
    _fails_if_decompressed(monkeypatch)
    code, out, err = run_cli(capsys, "lint", str(oversized))
    assert_not_linted(code, out, err, oversized, "over the 67,108,864-byte limit")
    code, out, err = run_cli(capsys, "lint", str(ratio))
    assert_not_linted(code, out, err, ratio, "zip bomb")


def test_path_traversal_and_member_count_are_refused(capsys, tmp_path, monkeypatch):
    traversal = _zip(
        tmp_path / "traversal.keras", {"../../evil.py": b"x", "config.json": b"{}"}
    )
    crowded = _zip(tmp_path / "crowded.keras", {f"m{i}": b"" for i in range(1_001)})
    _fails_if_decompressed(monkeypatch)
    code, out, err = run_cli(capsys, "lint", str(traversal))
    assert_not_linted(code, out, err, traversal, "path traversal")
    code, out, err = run_cli(capsys, "lint", str(crowded))
    assert_not_linted(code, out, err, crowded, "1,001 members")


# --- Entry points and the light static path -----------------------------------


HEAVY = ("keras", "tensorflow", "jax", "torch")


def test_static_path_imports_no_ml_framework(model_files):
    probe = (
        "import json, sys\n"
        "from keras_ordering import cli\n"
        f"code = cli.main(['lint', {str(model_files['warning'])!r}, '--isolated',"
        " '--output-format', 'sarif'])\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stderr.strip().splitlines()[-1]) == {
        "code": 1,
        "heavy": [],
    }


def test_console_script_and_module_entry_points(model_files):
    # This checkout's package, whichever copy the console script was built for.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    for command in (
        [sys.executable, "-m", "keras_ordering"],
        [str(Path(sys.executable).parent / "keras-ordering")],
    ):
        result = subprocess.run(
            [*command, "lint", str(model_files["warning"]), "--isolated"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 1, result.stderr
        assert "KO101" in result.stdout
        result = subprocess.run(
            [*command, "lint", "--output-format=yaml", "x"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 2
        assert result.stderr == (
            "keras-ordering: error: argument --output-format: invalid choice: "
            "'yaml' (choose from 'text', 'concise', 'json', 'sarif', 'github')\n"
        )


def test_pre_commit_hook_lints_staged_model_files(model_files):
    import re
    import shlex

    import yaml

    hooks = yaml.safe_load(
        (Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text()
    )
    (hook,) = hooks
    assert hook["id"] == "keras-ordering"
    assert hook["language"] == "python"
    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ("a.keras", "dir/b.h5", "c.hdf5", "d.json"))
    assert not any(pattern.search(n) for n in ("a.keras.bak", "model.py"))
    assert re.search(hook["exclude"], "m/model.weights.h5")
    assert not re.search(hook["exclude"], "m/model.h5")
    # pre-commit runs `entry` with the staged file names appended.
    entry = shlex.split(hook["entry"])
    executable = str(Path(sys.executable).parent / entry[0])
    result = subprocess.run(
        [
            executable,
            *entry[1:],
            str(model_files["warning"]),
            str(model_files["clean"]),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "KO101" in result.stdout


# --- fix / fuse / unfuse ---------------------------------------------------------


def test_fix_fuse_and_unfuse_commands(capsys, tmp_path):
    import keras

    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False, name="dense"),
            keras.layers.Dropout(0.3, name="drop"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(name="relu"),
            keras.layers.Dense(2, name="head"),
        ]
    )
    source = tmp_path / "risky.keras"
    model.save(source)
    fixed, fused, unfused = (
        tmp_path / f"{n}.keras" for n in ("fixed", "fused", "back")
    )

    code, out, err = run_cli(capsys, "fix", str(source), str(fixed))
    assert code == 0, err
    assert "fixed KO101: moved 'drop' after 'relu'" in out
    assert f"wrote {fixed}" in out
    assert cli.main(["lint", str(fixed), "--isolated"]) == 0
    capsys.readouterr()

    code, out, _ = run_cli(capsys, "fuse", str(fixed), str(fused))
    assert code == 0 and "fixed fuse: bn -> relu -> drop -> BNActDropout 'bn'" in out
    code, out, _ = run_cli(capsys, "unfuse", str(fused), str(unfused))
    assert code == 0 and "BNActDropout 'bn' -> BN, activation, dropout" in out

    x = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    predictions = [
        keras.saving.load_model(path).predict(x, verbose=0)
        for path in (fixed, fused, unfused)
    ]
    np.testing.assert_allclose(predictions[1], predictions[0], atol=1e-5)
    np.testing.assert_allclose(predictions[2], predictions[0], atol=1e-5)


def test_fix_exit_code_follows_what_remains(capsys, tmp_path):
    import keras

    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(4, name="dense"),
            keras.layers.Dropout(0.5, name="drop"),
            keras.layers.Activation("sigmoid", name="sigmoid"),
            keras.layers.Dense(1, name="head"),
        ]
    )
    source = tmp_path / "sigmoid.keras"
    model.save(source)
    code, out, _ = run_cli(capsys, "fix", str(source), str(tmp_path / "out.keras"))
    assert code == 1  # KO103 has no automatic fix and is a warning.
    assert "left  KO103" in out
    assert (
        run_cli(
            capsys,
            "fix",
            str(source),
            str(tmp_path / "out.keras"),
            "--fail-on",
            "error",
        )[0]
        == 0
    )
    # --ignore is honoured too: the ignored finding no longer counts.
    code, out, _ = run_cli(
        capsys, "fix", str(source), str(tmp_path / "out.keras"), "--ignore", "KO103"
    )
    assert code == 0 and "KO103" not in out


def test_fix_refuses_unsafe_files_and_bad_arguments(capsys, tmp_path):
    import keras

    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2.0, name="double")]
    )
    source = tmp_path / "lambda.keras"
    model.save(source)
    code, _, err = run_cli(capsys, "fix", str(source), str(tmp_path / "out.keras"))
    assert code == 2
    assert "needs unsafe deserialization" in err and err.count("\n") == 1
    code, _, err = run_cli(capsys, "fuse", str(source), str(tmp_path / "out.txt"))
    assert code == 2 and "must be a .keras" in err
    code, _, err = run_cli(
        capsys, "fix", str(tmp_path / "missing.keras"), str(tmp_path / "out.keras")
    )
    assert code == 2 and "no such file" in err
    code, _, err = run_cli(capsys, "fix", str(source))
    assert code == 2 and "the following arguments are required: OUT" in err

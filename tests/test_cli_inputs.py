"""The static `lint` command against bad, mixed and ordinary inputs, and the
subcommand interface. In-process; no model is built here."""

from __future__ import annotations

import json
import os
from importlib.metadata import version
from pathlib import Path

import jsonschema
import pytest

from keras_ordering import cli
from keras_ordering.lint.output import sarif

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FORMATS = ("text", "concise", "json", "sarif", "github")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([*argv, "--isolated"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_line_error(err: str, path: Path, expected: str) -> None:
    assert err.count("\n") == 1, err
    assert err.startswith(f"keras-ordering: error: {path}: "), err
    assert expected in err, err
    assert "Traceback" not in err


def _not_linted(code: int, out: str, err: str, path: Path, expected: str) -> None:
    """One `FILE: KO001 problem` line on stdout, exit 1, as ruff's E902."""
    assert code == 1, out + err
    lines = [line for line in out.splitlines() if " KO001 " in line]
    assert len(lines) == 1 and lines[0].startswith(f"{path}: KO001 "), out
    assert expected in lines[0] and "Traceback" not in out + err, lines[0]
    assert err == ""


def _functional(layers: list, output: str, name: str = "m") -> dict:
    return {
        "class_name": "Functional",
        "config": {
            "name": name,
            "input_layers": [["in", 0, 0]],
            "output_layers": [[output, 0, 0]],
            "layers": [
                {"class_name": "InputLayer", "name": "in", "config": {"name": "in"}},
                *layers,
            ],
        },
    }


def _call(class_name: str, name: str, source: str, history=None, **config) -> dict:
    tensor = {
        "class_name": "__keras_tensor__",
        "config": {"shape": [None, 4], "keras_history": history or [source, 0, 0]},
    }
    return {
        "class_name": class_name,
        "name": name,
        "config": {"name": name, **config},
        "inbound_nodes": [{"args": [tensor], "kwargs": {}}],
    }


def _dropout_bn_model() -> dict:
    """KO101 only: Dropout -> BN, then a Dense head."""
    return _functional(
        [
            _call("Dropout", "drop", "in", rate=0.5),
            _call("BatchNormalization", "bn", "drop"),
            _call("Dense", "head", "bn", units=2),
        ],
        "head",
    )


def _write_json(path: Path, document) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


# --- Every bad input is one KO001 line, exit 1 ---------------------------------------


def test_hostile_configs_are_one_ko001_line(capsys, tmp_path):
    h5py = pytest.importorskip("h5py")
    import numpy as np

    cases = {
        "layers.json": (
            '{"class_name": "Functional", "config": {"layers": [1]}}',
            "is a int",
        ),
        "rate.json": (
            '{"class_name": "Sequential", "config": {"layers": [{"class_name": '
            f'"Dropout", "config": {{"name": "d", "rate": {"9" * 400}}}}}]}}}}',
            "rate = 999",
        ),
        "deep.json": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        "history.json": (
            json.dumps(_functional([_call("Dense", "d", "in", ["in", 1e999, 0])], "d")),
            "inf is not an integer",
        ),
    }
    for name, (text, expected) in cases.items():
        path = _write_json(tmp_path / name, text)
        code, out, err = run_cli(capsys, "lint", str(path))
        _not_linted(code, out, err, path, expected)
    training = tmp_path / "training.h5"
    with h5py.File(training, "w") as h5:
        h5.attrs["model_config"] = json.dumps(
            _functional([_call("Dense", "d", "in")], "d")
        )
        h5.attrs["training_config"] = np.arange(4)
    deep = tmp_path / "deep.h5"
    with h5py.File(deep, "w") as h5:
        h5.attrs["model_config"] = "[" * 100_000 + "]" * 100_000
    for path, expected in ((training, "training_config"), (deep, "nested too deeply")):
        code, out, err = run_cli(capsys, "lint", str(path))
        _not_linted(code, out, err, path, expected)


@pytest.mark.parametrize("toml", ["tool = 1\n", "[tool]\nkeras_ordering = [1]\n"])
def test_a_pyproject_with_a_wrong_tool_type_is_one_line(capsys, tmp_path, toml):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(toml)
    model = _write_json(
        tmp_path / "m.json", _functional([_call("Dense", "d", "in")], "d")
    )
    code = cli.main(["lint", str(model), "--config", str(pyproject)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and str(pyproject) in err and "Traceback" not in err


# --- One bad file never hides the others --------------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_bad_file_never_hides_a_good_one(capsys, tmp_path, output_format):
    good = _write_json(tmp_path / "good.json", _dropout_bn_model())
    bad = _write_json(
        tmp_path / "bad.json", '{"class_name": "X", "config": {"layers": [1]}}'
    )
    code, out, err = run_cli(
        capsys, "lint", str(bad), str(good), "--output-format", output_format
    )
    assert code == 1
    if output_format in ("text", "concise"):
        assert err == "" and f"{bad}: KO001 " in out
        assert "not a layer config" in out.split(f"{bad}: KO001 ", 1)[1]
    else:  # Inside a document: also one line on stderr.
        _one_line_error(err, bad, "not a layer config")
    if output_format == "json":
        entries = json.loads(out)
        assert [e["file"] for e in entries] == [str(good), str(bad)]
        assert entries[0]["findings"][0]["code"] == "KO101"
        assert "not a layer config" in entries[1]["error"]
        assert entries[1]["code"] == "KO001"
    elif output_format == "sarif":
        run = json.loads(out)["runs"][0]
        assert [r["ruleId"] for r in run["results"]] == ["KO101", "KO001"]
        assert "not a layer config" in run["results"][1]["message"]["text"]
        assert (
            "not a layer config"
            in (
                run["invocations"][0]["toolExecutionNotifications"][0]["message"][
                    "text"
                ]
            )
        )
    elif output_format == "github":
        assert f"::warning file={good}," in out
        assert f"::error file={bad},title=KO001 file-not-linted::" in out
    elif output_format == "concise":
        assert f"{good}: drop -> bn: KO101 " in out
        assert "; 1 file could not be linted (KO001)." in out
    else:
        assert f"{good}: Model 'm': 1 finding" in out
        assert "; 1 file could not be linted (KO001)." in out


def test_an_unreadable_subdirectory_is_an_error(capsys, tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    good = _write_json(
        tmp_path / "m.json", _functional([_call("Dense", "d", "in")], "d")
    )
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run_cli(capsys, "lint", str(tmp_path))
    assert f"{good}: Model 'm'" in out
    _not_linted(
        code,
        out,
        err,
        tmp_path / "locked",
        "cannot read the directory (Permission denied)",
    )


# --- Ordinary repositories lint cleanly ---------------------------------------------


def _repository(root: Path) -> Path:
    h5py = pytest.importorskip("h5py")
    model = _dropout_bn_model()
    (root / "models").mkdir()
    _write_json(root / "models" / "risky.json", model)
    (root / "web").mkdir()
    _write_json(
        root / "web" / "tsconfig.json", '{\n  // comments are fine here\n  "a": 1\n}\n'
    )
    _write_json(root / "web" / "package.json", '{"name": "web"}')
    with h5py.File(root / "models" / "risky.weights.h5", "w") as h5:
        h5["dense/kernel"] = [[1.0]]
    with h5py.File(root / "models" / "legacy_weights.h5", "w") as h5:
        h5["kernel"] = [[1.0]]
    for excluded in ("venv", "node_modules", ".git"):
        (root / excluded).mkdir()
        (root / excluded / "junk.keras").write_text("not a zip")
    # A model saved with zipped=False: the folder a .keras archive unpacks to.
    saved = root / "unzipped_model"
    saved.mkdir()
    _write_json(saved / "config.json", model)
    _write_json(saved / "metadata.json", '{"keras_version": "3.15.1"}')
    with h5py.File(saved / "model.weights.h5", "w") as h5:
        h5["vars"] = [1.0]
    (root / "ignored").mkdir()
    (root / "ignored" / "junk.keras").write_text("not a zip")
    (root / "scratch.keras").write_text("not a zip")
    (root / ".gitignore").write_text("# local files\n/ignored/\n*.keras\n!keep.keras\n")
    return root


def test_an_ordinary_repository_lints_cleanly(capsys, tmp_path):
    root = _repository(tmp_path)
    code, out, err = run_cli(capsys, "lint", str(root))
    assert code == 1, err  # The two risky models; nothing else is an error.
    assert err == ""
    assert f"{root / 'models' / 'risky.json'}: Model 'm'" in out
    assert f"{root / 'unzipped_model' / 'config.json'}: Model 'm'" in out
    # Skipped: tsconfig, package, 2 weights, legacy weights, metadata, venv,
    # node_modules, .git, ignored/, scratch.keras.
    assert "in 2 files; 11 skipped (--verbose lists them)." in out
    code, _, err = run_cli(capsys, "lint", str(root), "--verbose")
    assert code == 1
    for path, why in [
        ("web/tsconfig.json", "invalid JSON"),
        ("web/package.json", "not a Keras model config"),
        ("models/risky.weights.h5", "a Keras weights file"),
        ("models/legacy_weights.h5", "no model_config attribute"),
        ("unzipped_model/metadata.json", "not a Keras model config"),
        ("venv", "excluded by 'venv'"),
        ("node_modules", "excluded by 'node_modules'"),
        (".git", "hidden directory"),
        ("ignored", "ignored by .gitignore pattern '/ignored/'"),
        ("scratch.keras", "ignored by .gitignore pattern '*.keras'"),
    ]:
        assert f"skipped {root / path}: {why}" in err, path
    # Files named on the command line are always read, and fail loudly.
    for named in ("web/tsconfig.json", "models/risky.weights.h5", "scratch.keras"):
        code, out, _ = run_cli(capsys, "lint", str(root / named))
        assert code == 1 and f"{root / named}: KO001 " in out, named
    # Without .gitignore, the ignored junk is searched and is not linted.
    code, out, _ = run_cli(capsys, "lint", str(root), "--no-respect-gitignore")
    assert code == 1 and "scratch.keras: KO001 not a .keras archive" in out


def test_exclude_and_extend_exclude(capsys, tmp_path):
    root = _repository(tmp_path)
    (root / ".gitignore").unlink()
    code, _, err = run_cli(
        capsys, "lint", str(root), "--extend-exclude", "scratch.*,ignored"
    )
    assert code == 1, err
    code, out, _ = run_cli(capsys, "lint", str(root), "--exclude", "scratch.keras")
    assert code == 1  # --exclude replaced the defaults: venv/ is searched.
    assert "venv/junk.keras: KO001" in out and "scratch.keras" not in out


def test_gitignore_patterns(tmp_path):
    from keras_ordering.graph.model_files import _GitIgnore

    def ignored(lines: str, relative: str, is_dir: bool = False) -> bool:
        (tmp_path / ".gitignore").write_text(lines)
        ignore = _GitIgnore.empty().extended(tmp_path)
        return ignore.match(tmp_path / relative, is_dir) is not None

    assert ignored("*.keras", "a/b/m.keras")
    assert not ignored("/m.keras", "a/m.keras") and ignored("/m.keras", "m.keras")
    assert ignored("a/*.keras", "a/m.keras") and not ignored("a/*.keras", "b/a/m.keras")
    assert ignored("out/", "x/out", is_dir=True) and not ignored("out/", "x/out")
    assert ignored("**/cache/*.h5", "a/b/cache/m.h5")
    assert ignored("logs/**", "logs/a/b.json")
    assert not ignored("*.keras\n!keep.keras", "keep.keras")
    assert ignored("m[0-9].keras", "m3.keras") and not ignored(
        "m[!0-9].keras", "m3.keras"
    )
    assert not ignored("# *.keras\n\n", "m.keras")


# --- Opaque layers and URIs in every format -----------------------------------------


@pytest.mark.parametrize("output_format", FORMATS)
def test_opaque_layers_are_reported_in_every_format(capsys, tmp_path, output_format):
    path = _write_json(
        tmp_path / "custom.json",
        _functional(
            [_call("MyBlock", "block", "in"), _call("Dense", "d", "block")], "d"
        ),
    )
    code, out, _ = run_cli(capsys, "lint", str(path), "--output-format", output_format)
    assert code == 0
    reason = "MyBlock is not a layer class the linter knows"
    if output_format == "json":
        (entry,) = json.loads(out)
        assert entry["opaque_layers"] == [
            {"layer": "block", "class": "MyBlock", "reason": reason}
        ]
    elif output_format == "sarif":
        run = json.loads(out)["runs"][0]
        (note,) = run["invocations"][0]["toolExecutionNotifications"]
        assert note["level"] == "note" and reason in note["message"]["text"]
        assert run["invocations"][0]["executionSuccessful"] is True
        assert run["properties"]["opaqueLayers"][0]["layer"] == "block"
    elif output_format == "github":
        assert out.startswith(
            f"::notice file={path},title=opaque layer::block (MyBlock)"
        )
    else:
        assert f"block (MyBlock): {reason}" in out


def test_sarif_uris_are_percent_encoded(capsys, tmp_path, monkeypatch):
    directory = tmp_path / "my models"
    directory.mkdir()
    model = _dropout_bn_model()
    _write_json(directory / "a b%#1.json", model)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "lint", "my models", "--output-format", "sarif")
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    (result,) = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "my%20models/a%20b%25%231.json"
    code, out, _ = run_cli(
        capsys, "lint", str(directory / "a b%#1.json"), "--output-format", "sarif"
    )
    uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]
    assert uri["physicalLocation"]["artifactLocation"]["uri"] == (
        (directory / "a b%#1.json").as_uri()
    )


def test_github_and_sarif_levels_come_from_one_table(capsys, tmp_path, monkeypatch):
    path = _write_json(
        tmp_path / "m.json",
        _functional(
            [
                _call("Dense", "dense", "in", units=4, use_bias=True),
                _call("BatchNormalization", "bn", "dense"),
                _call("Dense", "head", "bn", units=2),
            ],
            "head",
        ),
    )  # KO106: info.
    levels = dict(sarif.OUTPUT_LEVELS)
    _, out, _ = run_cli(capsys, "lint", str(path), "--output-format", "github")
    assert out.startswith("::notice ")
    _, out, _ = run_cli(capsys, "lint", str(path), "--output-format", "sarif")
    assert json.loads(out)["runs"][0]["results"][0]["level"] == "note"
    monkeypatch.setitem(sarif.OUTPUT_LEVELS, "info", ("warning", "warning"))
    monkeypatch.setattr(
        sarif, "LEVELS", {k: v[0] for k, v in sarif.OUTPUT_LEVELS.items()}
    )
    _, out, _ = run_cli(capsys, "lint", str(path), "--output-format", "github")
    assert out.startswith("::warning ")
    assert levels["info"] == ("note", "notice")


# --- Subcommands ---------------------------------------------------------------------


def test_version_comes_from_the_package_metadata(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"keras-ordering {version('keras-ordering')}\n"


@pytest.mark.parametrize("command", ["lint", "rules", "rule", "fix", "fuse", "unfuse"])
def test_every_command_has_its_own_help(capsys, command):
    assert cli.main([command, "-h"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: keras-ordering {command} ")
    for internal in ("--flagfile", "--undefok", "--helpfull", "--helpshort"):
        assert internal not in out
    assert ("--output-format" in out) == (command in ("lint", "rules", "rule"))
    assert ("--select" in out) == (command in ("lint", "fix"))


def test_flags_belong_to_their_command(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "rules", "--output-format", "json")
    assert code == 0
    assert json.loads(out)[0]["code"] == "KO101"
    code, out, _ = run_cli(capsys, "rule", "KO101", "--output-format", "json")
    assert code == 0 and json.loads(out)["name"] == "dropout-before-batchnorm"
    for argv in (
        ["rules", "--output-format", "sarif"],
        ["rules", "--select", "KO101"],
        ["fuse", "a.keras", "b.keras", "--select", "KO101"],
        ["unfuse", "a.keras", "b.keras", "--output-format", "json"],
    ):
        code, _, err = run_cli(capsys, *argv)
        assert code == 2, argv
        assert err.startswith("keras-ordering: error: ") and err.count("\n") == 1


def _risky(tmp_path: Path) -> Path:
    return _write_json(
        tmp_path / "risky.json",
        _functional(
            [
                _call("Dense", "dense", "in", use_bias=False),
                _call("Dropout", "drop", "dense", rate=0.5),
                _call("BatchNormalization", "bn", "drop"),
                _call("Dense", "out", "bn", units=2),
                _call("Dropout", "head_drop", "out", rate=0.5),
            ],
            "head_drop",
        ),
    )


def test_output_file_statistics_quiet_and_per_layer_ignores(capsys, tmp_path):
    path = _risky(tmp_path)
    code, out, _ = run_cli(capsys, "lint", str(path))
    assert code == 1
    codes = [line.split()[0] for line in out.splitlines() if line.startswith("KO")]
    assert codes == ["KO101", "KO110"]
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    code, out, _ = run_cli(
        capsys, "lint", str(path), "-o", str(report), "--output-format", "json"
    )
    assert code == 1 and out == ""
    assert json.loads(report.read_text())[0]["file"] == str(path)
    code, out, _ = run_cli(capsys, "lint", str(path), "--statistics")
    assert out.splitlines() == [
        "    1  KO101  warning  dropout-before-batchnorm",
        "    1  KO110  warning  dropout-after-output",
    ]
    code, out, _ = run_cli(
        capsys, "lint", str(path), "--statistics", "--output-format", "json"
    )
    assert {row["code"]: row["count"] for row in json.loads(out)} == {
        "KO101": 1,
        "KO110": 1,
    }
    code, out, _ = run_cli(capsys, "lint", str(path), "-q")
    assert "Found" not in out and "KO101" in out
    clean = _write_json(
        tmp_path / "clean.json", _functional([_call("Dense", "d", "in")], "d")
    )
    code, out, _ = run_cli(capsys, "lint", str(clean), "-q")
    assert code == 0 and out == ""
    code, out, _ = run_cli(
        capsys,
        "lint",
        str(path),
        "--per-layer-ignores",
        "head_*:KO110",
        "--per-layer-ignores",
        "b?:KO1",
    )
    assert code == 0
    assert (
        "suppressed by per-layer-ignores" in out
        and "KO101" not in out.split("suppressed by")[0]
    )
    code, _, err = run_cli(capsys, "lint", str(path), "--per-layer-ignores", "KO110")
    assert code == 2 and "expected GLOB:SELECTOR" in err
    code, _, err = run_cli(
        capsys,
        "lint",
        str(tmp_path / "missing" / "r.json"),
        "-o",
        str(tmp_path / "nowhere" / "r.txt"),
    )
    assert code == 2 and "cannot write the output" in err


def test_flags_may_follow_or_precede_paths(capsys, tmp_path):
    path = _risky(tmp_path)
    clean = _write_json(
        tmp_path / "clean.json", _functional([_call("Dense", "d", "in")], "d")
    )
    code, out, _ = run_cli(capsys, "lint", str(path), "--select", "KO110", str(clean))
    assert code == 1
    assert "in 2 files" in out and "KO101" not in out


def test_an_internal_error_on_one_file_never_hides_the_others(
    capsys, tmp_path, monkeypatch
):
    from keras_ordering.lint import api

    good = _write_json(tmp_path / "good.json", _dropout_bn_model())
    buggy = _write_json(tmp_path / "buggy.json", _dropout_bn_model())
    real_lint_file = api.lint_file

    def lint_file(path, **options):
        if Path(path).name == "buggy.json":
            raise RuntimeError("a bug\nover two lines")
        return real_lint_file(path, **options)

    monkeypatch.setattr(api, "lint_file", lint_file)
    code, out, err = run_cli(capsys, "lint", str(buggy), str(good))
    assert code == 2 and err == ""  # A bug is exit 2, even with --exit-zero.
    assert f"{good}: Model 'm': 1 finding" in out
    assert (
        f"{buggy}: KO001 internal error (RuntimeError: a bug over two lines); "
        "please report it\n"
    ) in out
    assert cli.main(["lint", str(buggy), "--isolated", "--exit-zero"]) == 2

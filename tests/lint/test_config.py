"""[tool.keras_ordering] discovery, validation and precedence."""

from __future__ import annotations

import textwrap

import keras
import pytest

from keras_ordering import cli, lint_model
from keras_ordering.lint.config import ConfigError, find_pyproject, load_config


def write_pyproject(directory, body: str):
    path = directory / "pyproject.toml"
    path.write_text(textwrap.dedent(body))
    return path


def test_nearest_pyproject_is_found_upward(tmp_path, monkeypatch):
    write_pyproject(tmp_path, '[tool.keras_ordering]\nselect = ["KO101"]\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert find_pyproject() == tmp_path / "pyproject.toml"
    options, source = load_config()
    assert options == {"select": ["KO101"]}
    assert source == tmp_path / "pyproject.toml"
    # A nearer pyproject without the table wins, and gives no options.
    write_pyproject(nested, "[project]\nname = 'x'\n")
    assert load_config() == ({}, nested / "pyproject.toml")


def test_every_key_is_read(tmp_path):
    path = write_pyproject(
        tmp_path,
        """
        [tool.keras_ordering]
        select = ["KO1"]
        ignore = ["consecutive-dropout"]
        extend-select = ["KO120"]
        convention = "ic"
        fail-on = "info"
        per-layer-ignores = { "stochastic_depth_*" = ["KO101"] }
        """,
    )
    options, _ = load_config(path)
    assert options == {
        "select": ["KO1"],
        "ignore": ["consecutive-dropout"],
        "extend_select": ["KO120"],
        "convention": "ic",
        "fail_on": "info",
        "per_layer_ignores": {"stochastic_depth_*": ["KO101"]},
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("selekt = ['KO101']", r"unknown key 'selekt'"),
        ("select = ['KO999']", r"Unknown rule selector 'KO999'.*select"),
        ("ignore = 'KO1X'", r"Unknown rule selector 'KO1X'"),
        ("select = [101]", r"select must be a list"),
        ("convention = 'pre'", r"convention must be one of"),
        ("fail-on = 'fatal'", r"fail-on must be one of"),
        ("per-layer-ignores = ['x']", r"per-layer-ignores must map"),
        ("per-layer-ignores = { 'x*' = ['KO77'] }", r"'KO77'.*per-layer-ignores.x\*"),
    ],
)
def test_invalid_config_is_an_error_naming_the_key(tmp_path, body, message):
    path = write_pyproject(tmp_path, f"[tool.keras_ordering]\n{body}\n")
    with pytest.raises(ConfigError, match=message) as raised:
        load_config(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('tool = "x"', "a string"),
        ("tool = 3", "an integer"),
        ("tool = [1]", "an array"),
    ],
)
def test_tool_that_is_not_a_table_is_a_one_line_error(tmp_path, body, kind):
    path = write_pyproject(tmp_path, f"{body}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert (
        message == f"{path}: `tool` must be a table ([tool.keras_ordering]), not {kind}"
    )


def test_broken_toml_is_an_error(tmp_path):
    path = write_pyproject(tmp_path, "[tool.keras_ordering\n")
    with pytest.raises(ConfigError, match="cannot read TOML"):
        load_config(path)


def test_cli_flags_override_the_file(tmp_path, monkeypatch, capsys, model_files):
    write_pyproject(
        tmp_path,
        """
        [tool.keras_ordering]
        select = ["KO102"]
        fail-on = "info"
        """,
    )
    monkeypatch.chdir(tmp_path)
    warning_model = str(model_files["warning"])

    assert cli.main(["lint", warning_model, "--output-format", "json"]) == 1
    assert '"code": "KO101"' not in capsys.readouterr().out  # select from file

    assert cli.main(["lint", warning_model, "--select", "KO101"]) == 1
    out = capsys.readouterr().out
    assert "KO101" in out and "KO102" not in out  # the flag wins

    assert cli.main(["lint", warning_model, "--fail-on", "warning"]) == 0  # KO102 only

    assert cli.main(["lint", warning_model, "--isolated"]) == 1
    out = capsys.readouterr().out
    assert "KO101" in out and "KO102" in out  # no file at all


def test_cli_reports_a_bad_config_in_one_line(
    tmp_path, monkeypatch, capsys, model_files
):
    write_pyproject(tmp_path, "[tool.keras_ordering]\nconvention = 'xyz'\n")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["lint", str(model_files["clean"])]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "convention must be one of" in err
    other = write_pyproject(
        tmp_path / "..", "[tool.keras_ordering]\nselect = ['KO2']\n"
    )
    assert cli.main(["lint", str(model_files["error"]), "--config", str(other)]) == 1


def test_per_layer_ignores_in_lint_model_and_cli(
    tmp_path, monkeypatch, capsys, model_files
):
    model = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(8, use_bias=False),
            keras.layers.Dropout(0.2, name="stochastic_depth_1"),
            keras.layers.BatchNormalization(name="bn_1"),
            keras.layers.Dense(8, use_bias=False),
            keras.layers.Dropout(0.2, name="dropout"),
            keras.layers.BatchNormalization(name="bn_2"),
            keras.layers.Dense(2),
        ]
    )
    report = lint_model(model, per_layer_ignores={"stochastic_depth_*": ["KO101"]})
    assert [f.layers for f in report] == [("dropout", "bn_2")]
    assert [f.layers for f in report.suppressed] == [("stochastic_depth_1", "bn_1")]
    assert "1 finding suppressed by per-layer-ignores" in str(report)
    with pytest.raises(ValueError, match="Unknown rule selector 'KO9'"):
        lint_model(model, per_layer_ignores={"x": ["KO9"]})

    write_pyproject(
        tmp_path, '[tool.keras_ordering]\nper-layer-ignores = { "drop*" = ["KO1"] }\n'
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["lint", str(model_files["warning"])]) == 0
    assert "2 findings suppressed" in capsys.readouterr().out

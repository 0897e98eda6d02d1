"""`broadsheet config --path | --init`, `--version`, and complete `--help` for every command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tui.cli import build_parser, main
from tui.config import DEFAULT_CONFIG_TEXT, load_config

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_config_path_prints_broadsheet_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROADSHEET_CONFIG", str(tmp_path / "a" / "config.toml"))
    assert run_cli(capsys, "config", "--path") == (0, f"{tmp_path / 'a' / 'config.toml'}\n", "")
    assert not (tmp_path / "a").exists()  # printing the path creates nothing
    other = tmp_path / "b.toml"
    assert run_cli(capsys, "--config", str(other), "config", "--path") == (0, f"{other}\n", "")
    assert run_cli(capsys, "config", "--path", "--config", str(other)) == (0, f"{other}\n", "")


def test_config_path_defaults_to_the_platform_config_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BROADSHEET_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    code, out, _ = run_cli(capsys, "config", "--path")
    assert code == 0 and out == f"{tmp_path / 'xdg' / 'broadsheet' / 'config.toml'}\n"


def test_config_init_writes_a_commented_default_and_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new" / "config.toml"
    code, out, err = run_cli(capsys, "config", "--init", "--config", str(path))
    assert (code, out, err) == (0, f"Wrote the default settings to {path}\n", "")
    assert path.read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT
    assert DEFAULT_CONFIG_TEXT.count("\n#") > 10  # commented
    assert load_config(path, {})[1] == []

    path.write_text("# mine\ntheme = 'broadsheet-light'\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "config", "--init", "--config", str(path))
    assert code == 2 and out == ""
    assert err == f"broadsheet: {path} already exists; add --force to replace it with the default\n"
    assert path.read_text(encoding="utf-8") == "# mine\ntheme = 'broadsheet-light'\n"

    assert run_cli(capsys, "config", "--init", "--force", "--config", str(path))[0] == 0
    assert path.read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT


@pytest.mark.parametrize(
    "args, message",
    [
        (["config"], "one of the arguments --path --init is required"),
        (["config", "--path", "--init"], "not allowed with argument"),
        (["config", "--path", "--force"], "--force only goes with --init"),
        (["config", "--path", "--config", " "], "--config needs a file"),
    ],
)
def test_config_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("broadsheet: ")


def test_config_init_into_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "dir.toml").mkdir()
    code, _out, err = run_cli(capsys, "config", "--init", "--force", "--config", str(tmp_path / "dir.toml"))
    assert code == 2 and err.count("\n") == 1 and err.startswith("broadsheet: ")


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--version"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == f"broadsheet {version('broadsheet')}\n"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (group,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(group.choices)


def test_every_command_and_option_has_help_text() -> None:
    parser = build_parser()
    assert parser.description and parser.epilog
    commands = subcommands()
    assert {"list", "show", "bookmark", "import", "search", "export", "reindex", "config", "fetch", "add"} <= set(commands)
    for name, sub in [("broadsheet", parser), *commands.items()]:
        assert sub.description, name
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                assert all(choice.help for choice in action._choices_actions), name
            else:
                assert action.help and action.help.strip(), f"{name}: {action.option_strings or action.dest}"


@pytest.mark.parametrize("command", ["", *sorted(subcommands())])
def test_help_for_each_command_prints_and_exits_0(capsys: pytest.CaptureFixture[str], command: str) -> None:
    args = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: broadsheet")
    assert "--home DIR" in out and "--config FILE" in out
    if not command:
        assert "config" in out and "--version" in out and "BROADSHEET_" in out and "NO_COLOR" in out

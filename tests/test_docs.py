"""The README is the contract: every setting and every command must be documented there."""

from __future__ import annotations

from pathlib import Path

import click

from tracktwo.cli import main
from tracktwo.kernel.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`TRACKTWO_{name.upper()}`" in README, f"TRACKTWO_{name.upper()} is undocumented"


def _commands(group: click.Group, prefix: str = "tracktwo") -> list[str]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


def test_every_command_is_documented() -> None:
    commands = _commands(main)
    assert "tracktwo db upgrade" in commands
    for command in commands:
        assert command in README, f"`{command}` is not in the README"


def test_the_readme_names_the_two_setup_commands_and_ci_calls_one() -> None:
    assert "make demo" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()

"""The docs stay honest: every command has help text and appears in the README."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from tests.conftest import REPO
from tmdb_collector.cli import cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    assert isinstance(cli, click.Group)
    names = sorted(cli.commands)
    assert {"collect", "status", "export", "update", "simulate", "demo", "serve"} <= set(names)
    runner = CliRunner()
    for name in names:
        command = cli.commands[name]
        assert command.help, name
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert f"`{name}`" in README, f"README does not document `{name}`"


def test_every_option_has_help() -> None:
    for name, command in cli.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, f"{name} {param.opts}"


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^\$ (.+?)(?:\s+#.*)?$", quick, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]

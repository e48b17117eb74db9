"""The docs stay honest: every command has help text and appears in the README, every command
line in the docs names real flags, the README's table of folders names every sub-package and
its config file is one the collector reads."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import REPO
from tmdb_collector.cli import cli
from tmdb_collector.fetch.settings import build_client_settings
from tmdb_collector.history.tables import HISTORY_TABLES
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.config import build_plan, read_config

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
                # an empty default list read "(default )" (companies' and networks' parts)
                assert not re.search(r"\(default\s*\)", param.help), param.help


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^\$ (.+?)(?:\s+#.*)?$", quick, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]


DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
COMMAND_LINE = re.compile(r"tmdb-collector ([a-z]+)\b([^\n`|#]*)")
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
INLINE = re.compile(r"`([a-z]+) (--[^`]*)`")


def _unknown_flags(
    path: Path, command: click.Command, name: str, rest: str, line: str
) -> list[str]:
    return [
        f"{path.name}: {name} has no {flag}: {line.strip()}"
        for flag in FLAG.findall(rest)
        if flag not in _flags(command)
    ]


def _flags(command: click.Command) -> set[str]:
    found = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            found |= {*param.opts, *param.secondary_opts}
    return found


def test_every_command_line_in_the_docs_names_real_flags() -> None:
    """``tmdb-collector COMMAND --flag ...`` in README.md and docs/: the command exists and
    takes every flag written after it (continuation lines included)."""
    wrong, seen = [], 0
    for path in DOCS:
        text = re.sub(r"\\\n\s*", " ", path.read_text(encoding="utf-8"))
        for match in COMMAND_LINE.finditer(text):
            name, rest = match.groups()
            command = cli.commands.get(name)
            if command is None:
                if rest.lstrip().startswith("-"):  # not prose such as "tmdb-collector keeps"
                    wrong.append(f"{path.name}: no command {name!r}: {match.group(0)}")
                continue
            seen += 1
            wrong += _unknown_flags(path, command, name, rest, match.group(0))
        for match in INLINE.finditer(text):  # `update --max-age DAYS` in a sentence
            name, rest = match.groups()
            if name in cli.commands:
                seen += 1
                wrong += _unknown_flags(path, cli.commands[name], name, rest, match.group(0))
    assert seen > 100  # the patterns find the docs' command lines
    assert not wrong, "\n".join(wrong)


def test_the_readme_names_every_folder_of_the_package() -> None:
    package = REPO / "src" / "tmdb_collector"
    folders = sorted(p.name for p in package.iterdir() if (p / "__init__.py").exists())
    assert "store" in folders
    missing = [name for name in folders if f"| `{name}/` |" not in README]
    assert not missing, f"README's table of folders lacks {missing}"


def test_the_readme_config_file_is_one_the_collector_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its ```toml block: every [plan] and [client] key known, every value accepted (its
    ``ca_file`` is read: here a PEM file of one of the system's CAs)."""
    blocks = re.findall(r"^```toml\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)
    assert blocks
    monkeypatch.chdir(tmp_path)
    system_cas = ssl.create_default_context().get_ca_certs(binary_form=True)
    if not system_cas:
        pytest.skip("no system CA certificates to stand for the README's ca_file")
    for number, block in enumerate(blocks):
        path = tmp_path / f"readme-{number}.toml"
        path.write_text(block, encoding="utf-8")
        config = read_config(path)
        if "ca_file" in config.client:
            pem = ssl.DER_cert_to_PEM_cert(system_cas[0])
            Path(config.client["ca_file"]).write_text(pem, encoding="ascii")
        assert config.plan
        assert config.client
        plan = build_plan(config, {})
        settings = build_client_settings(config.client, {}, env={})
        assert plan.parts == tuple(config.plan["parts"])
        assert settings.rate == config.client["rate"]


TABLES_DOC = (REPO / "docs" / "tables.md").read_text(encoding="utf-8")
DOC_KINDS = {
    "int64": "int",
    "float64": "float",
    "bool": "bool",
    "string": "str",
    "date32": "date",
    "timestamp": "timestamp",
    "list\\<string\\>": "list_str",
    "list\\<int64\\>": "list_int",
}


def _documented_columns() -> dict[str, list[tuple[str, str]]]:
    """``{table: [(column, kind)]}`` of every ``## table`` section of docs/tables.md with a
    ``| Column | Type |`` table (crew's "first ten columns ... as in `cast`" included)."""
    found: dict[str, list[tuple[str, str]]] = {}
    sections = re.split(r"^#{2,3} ", TABLES_DOC, flags=re.MULTILINE)
    for section in sections:
        name, _, body = section.partition("\n")
        rows = re.findall(r"^\| (`[^|]+?) \| ([^|]+?) \|", body, flags=re.MULTILINE)
        if not re.fullmatch(r"\w+", name) or not rows:
            continue
        listed = []
        if same := re.search(r"first (\w+) columns are the same as in `(\w+)`", body):
            count = {"ten": 10}[same.group(1)]
            listed += found[same.group(2)][:count]
        for cell, kind in rows:
            named = re.findall(r"`(\w+)`", cell.split("(TV:")[0])
            listed += [(column, DOC_KINDS.get(kind.split(" (")[0], kind)) for column in named]
        found[name] = listed
    return found


def test_the_documented_movie_columns_are_the_exported_ones() -> None:
    """docs/tables.md's column tables list each movie (and history) table's columns in the
    order and with the types the export writes (``videos`` had ``type`` before ``size``)."""
    documented = _documented_columns()
    declared = {**MOVIE.tables.tables, **HISTORY_TABLES}
    assert {"movies", "crew", "videos", "availability", "part_versions"} <= set(documented)
    wrong = {
        name: (columns, [(c.name, c.kind) for c in declared[name]])
        for name, columns in documented.items()
        if columns != [(c.name, c.kind) for c in declared[name]]
    }
    assert not wrong, wrong


def test_the_readme_names_every_table_a_movie_export_writes() -> None:
    """Its "Analysis-ready exports" list (it left out the history tables, written always)."""
    section = README.split("## Analysis-ready exports", 1)[1].split("\n## ", 1)[0]
    written = [*MOVIE.tables.names(MOVIE.part_names), *HISTORY_TABLES]
    missing = [name for name in written if f"`{name}`" not in section]
    assert not missing, missing

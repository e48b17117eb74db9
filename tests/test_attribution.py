"""Licence and TMDB attribution: the LICENSE file, the package metadata, README, --help, page."""

from __future__ import annotations

import tomllib
from importlib import resources

import click
from click.testing import CliRunner

from tests.conftest import REPO
from tmdb_collector import ATTRIBUTION
from tmdb_collector.cli import cli

TMDB_SENTENCE = "This product uses the TMDB API but is not endorsed or certified by TMDB."


def test_the_attribution_is_tmdbs_sentence_word_for_word() -> None:
    assert ATTRIBUTION == TMDB_SENTENCE


def test_mit_licence_file_and_metadata() -> None:
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "Copyright (c) 2026 the tmdb-collector authors" in licence
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    assert "LICENSE" in project["license-files"]


def test_readme_has_an_attribution_section_with_the_sentence() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Attribution\n", 1)[1].split("\n## ", 1)[0]
    assert TMDB_SENTENCE in section


def test_help_of_the_tool_and_of_every_command_ends_with_the_attribution() -> None:
    runner = CliRunner()
    assert isinstance(cli, click.Group)
    for args in [[], *([name] for name in sorted(cli.commands))]:
        result = runner.invoke(cli, [*args, "--help"], terminal_width=200)
        assert result.exit_code == 0, args
        assert result.output.rstrip().endswith(TMDB_SENTENCE), args


def test_the_dashboard_page_has_the_attribution_in_its_footer() -> None:
    page = resources.files("tmdb_collector.dashboard").joinpath("static/index.html").read_text()
    footer = page.split("<footer", 1)[1].split("</footer>", 1)[0]
    assert " ".join(TMDB_SENTENCE.split()) in " ".join(footer.split())

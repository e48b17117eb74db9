"""A distinctive key must appear nowhere: output, logs, database, exports, error messages.

The dashboard's pages and responses are scanned by tests/test_dashboard.py
(test_the_api_key_never_reaches_the_page)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.cli_helpers import SMALL_PLAN, cli_env, collect_args, run_cli, simulator

SECRET = "zz-distinctive-secret-8c1f2e7d9b"
TINY = ["--popular-pages", "1", "--genre-pages", "0", "--linked-cast", "3", "--linked-crew", "none"]


def test_the_key_never_leaks(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    log = tmp_path / "run.log"
    outputs: list[str] = []
    env = cli_env(api_key=SECRET)
    with simulator("--fault-rate", "0.1", "--slow-ms", "800", api_key=SECRET) as sim:
        steps = [
            [
                "collect",
                "--db",
                str(db),
                "--base-url",
                sim.base_url,
                "-vv",
                "--log-file",
                str(log),
                "--rate",
                "300",
                "--timeout",
                "0.5",
                *SMALL_PLAN,
            ],
            ["status", "--db", str(db)],
            ["status", "--db", str(db), "--json"],
            ["export", "--db", str(db), "--out", str(tmp_path / "movies.json")],
            ["export", "--db", str(db), "--format", "jsonl", "--out", str(tmp_path / "m.jsonl")],
            ["export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "csv")],
            ["export", "--db", str(db), "--format", "parquet", "--out", str(tmp_path / "pq")],
            ["export", "--db", str(db), "--format", "duckdb", "--out", str(tmp_path / "m.duckdb")],
            ["update", "--db", str(db), "--base-url", sim.base_url, "-vv", "--progress", "json"],
            ["images", "--db", str(db), "--out", str(tmp_path / "img"), "--rate", "500",
             "--base-url", sim.base_url, "--progress", "json"],
        ]  # fmt: skip
        for step in steps:
            result = run_cli(step, env=env)
            outputs += [result.stdout, result.stderr]
            assert result.returncode in (0, 3), result.stderr
        # The read access token (Bearer) instead of the key, with the linked stage.
        bearer = cli_env(api_key=None, TMDB_READ_ACCESS_TOKEN=SECRET)
        linked = [*collect_args(tmp_path / "t.db", sim.base_url, *TINY), "--linked", "people"]
        result = run_cli([*linked, "-vv", "--progress", "json"], env=bearer)
        assert result.returncode == 0, result.stderr
        outputs += [result.stdout, result.stderr]
        entities = ["export", "--db", str(tmp_path / "t.db"), "--entity", "people", "--out"]
        assert run_cli([*entities, str(tmp_path / "people.json")], env=bearer).returncode == 0
        # Errors that name URLs: an unreachable server and a refused key.
        quick = tmp_path / "quick.toml"
        quick.write_text("[client]\nmax_attempts = 2\n")
        for base_url, key in (("http://127.0.0.1:9/3", SECRET), (sim.base_url, SECRET + "x")):
            result = run_cli(
                [
                    "collect",
                    "--db",
                    str(tmp_path / "e.db"),
                    "--base-url",
                    base_url,
                    "-vv",
                    "--config",
                    str(quick),
                    "--timeout",
                    "1",
                    *SMALL_PLAN,
                ],
                env=cli_env(api_key=key),
            )
            assert result.returncode == 1
            outputs += [result.stdout, result.stderr]
    joined = "".join(outputs)
    assert "GET /genre/movie/list" in joined  # the unreachable server's message names the path
    assert "status_code 7" in joined  # the refused key's message
    assert '"event": "finish"' in joined  # the --progress json events were scanned
    for text in outputs:
        assert SECRET not in text
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert log in files
    assert db in files
    assert len(files) >= 10
    assert {"m.duckdb", "people.json", "t.db"} <= {path.name for path in files}
    assert any(path.parent.parent.name == "img" for path in files)  # an image file or two
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path


def test_a_logged_traceback_is_redacted(tmp_path: Path) -> None:
    """An unexpected error is logged with its traceback (cli/app.py, -v and --log-file): the
    traceback's text passes through the redaction as the message does."""
    from tmdb_collector.credentials import Credentials
    from tmdb_collector.logs import LOGGER, configure

    Credentials(api_key=SECRET)  # registers it, as a run does
    log = tmp_path / "run.log"
    root = logging.getLogger(LOGGER)
    before = (list(root.handlers), root.propagate, root.level)
    configure(verbose=1, log_file=log, console=False)
    try:
        raise ValueError(f"bad URL https://api.example/3/movie/1?api_key={SECRET}")
    except ValueError as exc:
        root.info("unexpected error", exc_info=exc)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:], root.propagate = before[0], before[1]
        root.setLevel(before[2])
    text = log.read_text(encoding="utf-8")
    assert "ValueError: bad URL https://api.example/3/movie/1?api_key=[REDACTED]" in text
    assert SECRET not in text


def test_a_plain_notice_is_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """``tell`` (a failed image, a hint on stderr) passes what it prints through the redaction,
    as the JSON events and the error line do."""
    from tmdb_collector.credentials import Credentials
    from tmdb_collector.engine.events import tell

    Credentials(bearer_token=SECRET)
    tell(None, f"failed: /t/p/w342/a.jpg?token={SECRET}: HTTP 500")
    assert capsys.readouterr().err == "failed: /t/p/w342/a.jpg?token=[REDACTED]: HTTP 500\n"


@pytest.mark.parametrize("variable", ["TMDB_API_KEY", "TMDB_READ_ACCESS_TOKEN"])
def test_a_key_with_a_line_break_is_bad_input_and_never_shown(
    tmp_path: Path, variable: str
) -> None:
    """A token pasted over two lines failed the first request as an "unexpected error ...
    re-run the same command to resume" (a header cannot hold a line break), exit 1."""
    env = cli_env()
    env.pop("TMDB_API_KEY", None)
    env[variable] = f"{SECRET}\nsecond-line"
    db = tmp_path / "c.db"
    result = run_cli(
        ["collect", "--db", str(db), "--base-url", "http://127.0.0.1:9/3", *TINY], env=env
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"error: {variable} holds a line break or another control character; set it to the"
        " key or token alone, on one line"
    )
    assert SECRET not in result.stdout + result.stderr
    assert not db.exists()

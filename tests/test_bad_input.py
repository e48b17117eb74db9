"""Bad input: one clear line, the right exit code, no traceback, nothing damaged."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.cli_helpers import (
    SMALL_PLAN,
    TEST_KEY,
    collect_args,
    export_json,
    one_line_error,
    run_cli,
)


@pytest.fixture(scope="module")
def collected(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("bad") / "c.db"
    result = run_cli(collect_args(db, sim_url, "--popular-pages", "2", "--genre-pages", "0"))
    assert result.returncode == 0, result.stderr
    return db


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--popular-pages", "-3"], "popular-pages"),
        (["--genre-pages", "many"], "--genre-pages must be a whole number or 'all'"),
        (["--rate", "0"], "rate must be a number greater than 0"),
        (["--concurrency", "0"], "concurrency"),
        (["--base-url", "htp:/nowhere"], "malformed base URL"),
        (["--genres", "28,12345"], "unknown genre id 12345"),
        (["--language", "german"], "--language must be a language code, xx or xx-YY"),
        (["--timeout", "-1"], "timeout"),
        (["--no-such-flag"], "no-such-flag"),
    ],
)
def test_invalid_flags(tmp_path: Path, flags: list[str], message: str) -> None:
    db = tmp_path / "x.db"
    result = run_cli(["collect", "--db", str(db), *flags])
    assert result.returncode == 2
    assert message in one_line_error(result)
    assert not db.exists()


def test_invalid_config_file(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[plan]\ngenre_pages = -1\n")
    result = run_cli(["collect", "--db", str(tmp_path / "x.db"), "--config", str(config)])
    assert result.returncode == 2
    assert "genre_pages" in one_line_error(result)


@pytest.mark.parametrize(
    ("flags", "config", "message"),
    [
        (["--timeout", "0"], None, "timeout must be a number greater than 0"),
        (["--rate", "-1"], None, "rate must be a number greater than 0"),
        ([], "[client]\nconcurrency = 0\n", "concurrency must be a whole number"),
        ([], "[client]\nspeed = 3\n", "unknown setting 'speed'"),
    ],
)
def test_update_takes_the_client_flags_and_config(
    collected: Path, tmp_path: Path, flags: list[str], config: str | None, message: str
) -> None:
    if config is not None:
        (tmp_path / "c.toml").write_text(config)
        flags = [*flags, "--config", str(tmp_path / "c.toml")]
    before = collected.read_bytes()
    result = run_cli(["update", "--db", str(collected), *flags])
    assert result.returncode == 2
    assert message in one_line_error(result)
    assert collected.read_bytes() == before


def test_unknown_export_format(collected: Path, tmp_path: Path) -> None:
    result = run_cli(
        ["export", "--db", str(collected), "--format", "xml", "--out", str(tmp_path / "m.xml")]
    )
    assert result.returncode == 2
    assert "unknown export format 'xml'" in one_line_error(result)


@pytest.mark.parametrize("command", ["collect", "status", "export"])
def test_db_that_is_not_ours_is_left_alone(tmp_path: Path, command: str) -> None:
    precious = tmp_path / "thesis.docx"
    precious.write_bytes(b"PK\x03\x04 my thesis " * 1000)
    before = precious.read_bytes()
    args = {
        "collect": ["--no-progress"],
        "status": [],
        "export": ["--out", str(tmp_path / "m.json")],
    }[command]
    result = run_cli([command, "--db", str(precious), *args])
    assert result.returncode == 2
    assert "not a tmdb-collector database" in one_line_error(result)
    assert precious.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


def test_foreign_sqlite_database_is_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.execute("INSERT INTO notes VALUES ('keep me')")
    connection.commit()
    connection.close()
    before = other.read_bytes()
    result = run_cli(["collect", "--db", str(other), "--no-progress"])
    assert result.returncode == 2
    assert "not a tmdb-collector database" in one_line_error(result)
    assert other.read_bytes() == before


def test_corrupt_database(collected: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    data = bytearray(collected.read_bytes())
    data[:100] = bytes(100)
    broken.write_bytes(bytes(data))
    result = run_cli(["status", "--db", str(broken)])
    assert result.returncode == 2
    assert "not a tmdb-collector database" in one_line_error(result)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "duckdb", "parquet", "csv"])
def test_an_export_onto_a_pipe_or_standard_output_is_refused(
    collected: Path, tmp_path: Path, fmt: str
) -> None:
    """Renamed over a pipe (or /dev/null, /dev/stdout), an export replaced the device itself;
    ``--out -`` made a file (or a table export's folder) named ``-``. Both are refused, the
    pipe left a pipe."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    refused = "is not a regular file" if fmt in ("json", "jsonl", "duckdb") else "one file per"
    for out, message in [(str(pipe), refused), ("-", "(standard output) is not supported")]:
        result = run_cli(
            ["export", "--db", str(collected), "--format", fmt, "--out", out], cwd=tmp_path
        )
        assert result.returncode == 2, result.stderr
        assert message in one_line_error(result)
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["pipe"]


def test_a_damaged_page_met_by_a_read_names_the_database(collected: Path, tmp_path: Path) -> None:
    """A database whose header and items are sound but one table's page is garbage opens, and
    ``status`` met the damage on a read: "unexpected error ... re-run the same command to
    resume", which cannot help. It is a damaged database, named."""
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(collected.read_bytes())
    with contextlib.closing(sqlite3.connect(damaged)) as connection:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'linked_ids'"
        ).fetchone()
    with damaged.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    result = run_cli(["status", "--db", str(damaged)])
    assert result.returncode == 1, result.stderr
    message = one_line_error(result)
    assert message.startswith(f"error: {damaged} is damaged (database disk image is malformed)")
    assert "unexpected" not in message


def test_plan_change_is_explained(collected: Path, sim_url: str) -> None:
    result = run_cli(
        [
            "collect",
            "--db",
            str(collected),
            "--base-url",
            sim_url,
            "--popular-pages",
            "3",
            "--genre-pages",
            "0",
        ]
    )
    assert result.returncode == 2
    line = one_line_error(result)
    assert "popular_pages: 2 -> 3" in line
    assert "--force-plan" in line
    assert "new --db" in line


def test_export_takes_no_progress_as_the_other_commands_do(collected: Path, tmp_path: Path) -> None:
    from tmdb_collector.cli.app import cli

    out = tmp_path / "movies.json"
    result = run_cli(["export", "--db", str(collected), "--out", str(out), "--no-progress"])
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))
    for name in ("collect", "update", "compact", "export"):
        assert any("--no-progress" in param.opts for param in cli.commands[name].params), name


@pytest.mark.parametrize(("fmt", "name"), [("csv", "credits.csv"), ("parquet", "movies.PARQUET")])
def test_a_table_export_to_a_file_name_is_refused(
    collected: Path, tmp_path: Path, fmt: str, name: str
) -> None:
    """csv and parquet write a directory of tables: ``--out x/credits.csv`` is a file name,
    not a directory to make (it made one)."""
    out = tmp_path / name
    result = run_cli(["export", "--db", str(collected), "--format", fmt, "--out", str(out)])
    assert result.returncode == 2
    line = one_line_error(result)
    assert f"--out {out} names a file" in line
    assert f"--out {tmp_path}" in line
    assert not out.exists()


def test_output_paths(collected: Path, tmp_path: Path) -> None:
    existing = tmp_path / "movies.json"
    existing.write_text("{}")
    cases = [
        (tmp_path / "missing" / "movies.json", "does not exist"),
        (tmp_path, "is a directory"),
    ]
    for out, message in cases:
        result = run_cli(["export", "--db", str(collected), "--out", str(out)])
        assert result.returncode == 2
        assert message in one_line_error(result)
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        result = run_cli(["export", "--db", str(collected), "--out", str(readonly / "m.json")])
        if result.returncode != 0:  # root may write anywhere; others must get a clear error
            assert result.returncode in (1, 2)
            assert "writ" in one_line_error(result)
    finally:
        readonly.chmod(0o700)
    assert existing.read_text() == "{}"


def test_the_log_file_has_each_run_and_the_error_that_ended_it(
    sim_url: str, tmp_path: Path
) -> None:
    db, log = tmp_path / "c.db", tmp_path / "run.log"
    plan = ["--popular-pages", "1", "--genre-pages", "0", "--log-file", str(log)]
    assert run_cli(collect_args(db, sim_url, *plan)).returncode == 0
    changed = [*plan[:1], "2", *plan[2:]]
    result = run_cli(collect_args(db, sim_url, *changed))
    assert result.returncode == 2
    lines = log.read_text().splitlines()
    assert " INFO tmdb_collector.engine.collector: run started: movies from " in lines[0]
    assert "run ended (complete): " in lines[1]
    assert lines[2].endswith(one_line_error(result).removeprefix("error: "))
    assert " ERROR " in lines[2]
    assert "different plan" in lines[2]
    for taken in (db, tmp_path / "movies.json"):
        if taken.suffix == ".json":
            taken.write_text("{}\n")
        refused = run_cli(collect_args(db, sim_url, *plan[:-1], str(taken)))
        assert refused.returncode == 2
        assert "--log-file" in one_line_error(refused)
    assert (tmp_path / "movies.json").read_text() == "{}\n"
    json_events = run_cli(collect_args(db, sim_url, *changed, "--progress", "json"))
    assert json_events.returncode == 2
    assert "different plan" in log.read_text().splitlines()[-1]  # with JSON events too
    assert len(log.read_text().splitlines()) == 4
    assert TEST_KEY not in log.read_text()


def test_an_export_of_nothing_never_replaces_an_earlier_export(
    collected: Path, tmp_path: Path
) -> None:
    """No movie has `alternative_titles` (never collected): refused over existing files, and
    written (as an honest empty export) where there were none."""
    for fmt, out in (("json", tmp_path / "m.json"), ("parquet", tmp_path / "tables")):
        assert (
            run_cli(
                ["export", "--db", str(collected), "--format", fmt, "--out", str(out)]
            ).returncode
            == 0
        )
        before = sorted((p.name, p.read_bytes()) for p in [out, *out.glob("*")] if p.is_file())
        again = ["export", "--db", str(collected), "--format", fmt, "--out", str(out)]
        result = run_cli([*again, "--parts", "alternative_titles"])
        assert result.returncode == 2
        assert "no collected movie to export with every part asked" in one_line_error(result)
        after = sorted((p.name, p.read_bytes()) for p in [out, *out.glob("*")] if p.is_file())
        assert after == before
    fresh = tmp_path / "fresh.json"
    export = [
        "export",
        "--db",
        str(collected),
        "--out",
        str(fresh),
        "--parts",
        "alternative_titles",
    ]
    written = run_cli(export)
    assert written.returncode == 0, written.stderr
    assert fresh.read_text().split() == ["{", "}"]
    assert f"{fresh} holds no movie: an empty export is written only where" in written.stderr
    assert "it never replaces an earlier export" in written.stderr


def test_export_never_overwrites_its_own_database(collected: Path, tmp_path: Path) -> None:
    db = tmp_path / "movies.parquet"  # a name a table export would write
    db.write_bytes(collected.read_bytes())
    before = db.read_bytes()
    (tmp_path / "link.json").symlink_to(db)
    cases = [
        ["--out", str(db)],
        ["--format", "jsonl", "--out", str(db)],
        ["--format", "duckdb", "--out", str(db)],
        ["--out", str(tmp_path / "link.json")],
        ["--out", f"{db}-wal"],
        ["--format", "parquet", "--out", str(tmp_path)],
    ]
    for case in cases:
        result = run_cli(["export", "--db", str(db), *case])
        assert result.returncode == 2, case
        assert "would overwrite the collection's database" in one_line_error(result)
    assert db.read_bytes() == before
    assert run_cli(["status", "--db", str(db)]).returncode == 0


def test_missing_db_for_status_and_export(tmp_path: Path) -> None:
    for args in (["status"], ["export", "--out", str(tmp_path / "m.json")]):
        result = run_cli([*args, "--db", str(tmp_path / "none.db")])
        assert result.returncode == 2
        assert "no collection database" in one_line_error(result)


def _limit_file_size(limit: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_disk_full_during_export_keeps_the_old_file(collected: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.cli_helpers import cli_env

    out = tmp_path / "movies.json"
    full = export_json(collected, out)
    before = out.read_bytes()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tmdb_collector",
            "export",
            "--db",
            str(collected),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=cli_env(),
        check=False,
        preexec_fn=lambda: _limit_file_size(len(before) // 2),
    )
    assert result.returncode == 1
    assert "unchanged" in one_line_error(result)
    assert out.read_bytes() == before
    assert len(full) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "movies.json",
        "movies.json.manifest.json",
    ]


def test_disk_full_during_collect_keeps_what_was_committed(sim_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.cli_helpers import cli_env

    db = tmp_path / "full.db"
    args = collect_args(db, sim_url, *SMALL_PLAN)
    result = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        check=False,
        preexec_fn=lambda: _limit_file_size(400_000),
    )
    assert result.returncode == 1, result.stderr
    assert "re-run the same command to resume" in one_line_error(result)
    # Space is back: the same command resumes and completes.
    resumed = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr


@pytest.mark.parametrize("command", ["status", "export"])
def test_a_database_that_cannot_be_opened_here_is_not_called_foreign(
    collected: Path, tmp_path: Path, command: str
) -> None:
    """Opening a WAL database writes its -shm beside it. When that write fails (here the file
    size limit; a read-only directory or a full disk alike), the database was called "not a
    tmdb-collector database; choose another --db" (exit 2): it is ours, and cannot be opened
    here."""
    import shutil
    import subprocess
    import sys

    from tests.cli_helpers import cli_env

    db = tmp_path / "c.db"
    shutil.copyfile(collected, db)
    result = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", command, "--db", str(db)],
        capture_output=True,
        text=True,
        env=cli_env(),
        cwd=tmp_path,
        check=False,
        preexec_fn=lambda: _limit_file_size(1000),
    )
    assert result.returncode == 1, result.stderr
    message = one_line_error(result)
    assert message.startswith(f"error: cannot write to {db} (disk I/O error)")
    assert "not a tmdb-collector database" not in message


def test_a_path_the_system_refuses_is_bad_input(collected: Path, tmp_path: Path) -> None:
    """A name longer than the file system allows, or a loop of symbolic links, was an
    "unexpected error ... re-run the same command to resume" (an OSError, or the
    RuntimeError of resolving the loop)."""
    too_long = tmp_path / ("a" * 300 + ".db")
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "back")
    (tmp_path / "back").symlink_to(loop)
    cases = [
        (["collect", "--db", str(too_long), *SMALL_PLAN], 2, "File name too long"),
        (["export", "--db", str(too_long), "--out", str(tmp_path / "m.json")], 2, "too long"),
        (["export", "--db", str(collected), "--out", str(loop)], 0, ""),
    ]
    for args, code, message in cases:
        result = run_cli(args)
        assert result.returncode == code, result.stderr
        assert "unexpected" not in result.stderr
        if message:
            assert message in one_line_error(result)


def test_unusable_paths_and_addresses_are_usage_errors(tmp_path: Path) -> None:
    """Bad input, not a crash: one line, exit 2, and no "unexpected error"."""
    import socket

    a_file = tmp_path / "file.txt"
    a_file.write_text("not a directory")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        cases = [
            (["collect", "--db", str(a_file / "c.db")], "file.txt is not a directory"),
            (
                ["collect", "--db", str(tmp_path / "c.db"), "--log-file", str(a_file / "x")],
                "cannot write --log-file",
            ),
            (["demo", "--out", str(a_file / "demo")], "cannot create --out"),
            (["simulate", "--port", port], f"cannot listen on 127.0.0.1:{port}"),
        ]
        for args, message in cases:
            result = run_cli(args)
            assert result.returncode == 2, args
            line = one_line_error(result)
            assert message in line
            assert "unexpected" not in line


def test_a_demo_directory_is_resumed_only_from_its_own_catalogue(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    small = ["demo", "--out", str(out), "--catalog-size", "120"]
    assert run_cli(small).returncode == 0
    before = (out / "movies.json").read_bytes()
    again = run_cli(small)
    assert again.returncode == 0
    assert "0 requests" in again.stdout  # resumed: nothing left to fetch
    for other, message in (
        (["--seed", "7"], "another simulated catalogue (--seed 42 --catalog-size 120)"),
        (["--media", "tv"], "holds a demo of movies; use another --out for --media tv"),
    ):
        result = run_cli([*small, *other])
        assert result.returncode == 2
        assert message in one_line_error(result)
    assert (out / "movies.json").read_bytes() == before


def test_a_paused_demo_exits_130_and_writes_no_export(tmp_path: Path) -> None:
    """Ctrl-C during a demo pauses it: exit 130, and no partial movies.json replaces (or
    stands in for) the full one."""
    import signal

    from tests.cli_helpers import start_cli
    from tests.support.hold import held_after, pause_stopped
    from tests.support.lines import Lines

    out = tmp_path / "demo"
    demo = start_cli(["demo", "--out", str(out), "--catalog-size", "1500", "--rate", "20"])
    assert demo.stderr is not None
    lines = Lines(demo.stderr)
    sim_url = lines.wait_for("Simulated TMDB running at ").split()[-1]
    with held_after(sim_url, 3) as gate:
        gate.wait_held(1)  # 3 more movies answered; the collection is under way
        stderr = pause_stopped(demo, gate, signal.SIGINT, lines)
    assert demo.returncode == 130, stderr
    assert "Run the same command to resume" in stderr
    assert not (out / "movies.json").exists()

"""``tmdb-collector images`` end to end, against the simulator in its own process: the files
land at DIR/<size>/<file_path> and decode at that width, the manifest says what they are, a
rerun asks for nothing, a kill midway leaves no partial file and a rerun finishes, an outage
is waited out, bad input writes nothing, and a full disk leaves no partial file."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.cli_helpers import (
    collect_args,
    kill,
    one_line_error,
    run_cli,
    sim_stats,
    simulator,
    start_cli,
)
from tests.forward_proxy import forward_proxy
from tests.support.changes import Changes
from tests.support.durable import Durability
from tests.support.hold import Gate, held_after
from tests.support.outage import start_outage, stop_outage
from tmdb_collector import api
from tmdb_collector.errors import EXIT_PAUSED, ImageWriteError
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.images import files as image_files
from tmdb_collector.simulator.images import is_missing
from tmdb_collector.simulator.process import SimulatorProcess
from tmdb_collector.store.images import DONE, NOT_FOUND
from tmdb_collector.store.store import Store

TINY = ["--popular-pages", "2", "--genre-pages", "0"]
HANG_GUARD = 120.0


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorProcess]:
    with simulator("--latency-ms", "2", "--image-latency-ms", "5") as running:
        yield running


@pytest.fixture(scope="module")
def collected(sim: SimulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("images-collection") / "collection.db"
    result = run_cli(collect_args(db, sim.base_url, *TINY))
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def db(collected: Path, tmp_path: Path) -> Path:
    """A copy of the collection: each test writes its own manifest."""
    copy = tmp_path / "collection.db"
    source = sqlite3.connect(collected)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def images_args(db: Path, out: Path, sim: SimulatorProcess, *extra: str) -> list[str]:
    return ["images", "--db", str(db), "--out", str(out), "--base-url", sim.base_url, *extra]


def named_paths(db: Path, *fields: str) -> set[str]:
    """The paths the titles' details name in ``fields``, read the way users read them."""
    with api.Collection.open(db) as collection:
        return {
            record["details"][field]
            for record in collection.items()
            for field in fields
            if record["details"].get(field)
        }


def decoded(path: Path) -> Image.Image:
    picture = Image.open(io.BytesIO(path.read_bytes()))
    picture.load()  # every byte decoded: a partial file fails here
    return picture


def manifest(db: Path) -> list[dict[str, Any]]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute("SELECT * FROM image_files")]
    finally:
        connection.close()


def files_under(out: Path) -> list[Path]:
    return sorted(path for path in out.rglob("*") if path.is_file())


def test_posters_and_backdrops_download_at_the_size_and_a_rerun_asks_nothing(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "images"
    paths = named_paths(db, "poster_path", "backdrop_path")
    present = {path for path in paths if not is_missing(path)}
    args = images_args(db, out, sim, "--kinds", "poster,backdrop", "--size", "w780")
    result = run_cli([*args, "--no-progress"])
    assert result.returncode == 0, result.stderr
    written = files_under(out)
    assert {"/" + path.name for path in written} == present
    for path in written:
        assert path.parent == out / "w780"
        assert decoded(path).width == 780
    rows = {row["file_path"]: row for row in manifest(db) if row["status"] == "done"}
    assert set(rows) == present
    for path in written:
        row = rows["/" + path.name]
        assert (row["size"], row["bytes"]) == ("w780", path.stat().st_size)
        assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert row["entity"] == "movie"
        assert row["kind"] in ("poster", "backdrop")
    missing = len(paths - present)
    assert f"{len(present):,} files downloaded" in result.stdout
    assert f"{missing:,} not found on TMDB" in result.stdout

    before = sim_stats(sim)["requests"]
    again = run_cli([*args, "--progress", "json"])
    assert again.returncode == 0, again.stderr
    assert sim_stats(sim)["requests"] == before + 1  # /configuration alone: no image asked
    finish = json.loads(again.stderr.splitlines()[-1])
    assert finish["event"] == "finish"
    assert (finish["files"], finish["requests"], finish["not_found"]) == (0, 0, missing)
    assert finish["skipped"] == len(present)

    status = run_cli(["status", "--db", str(db), "--json"])
    held = json.loads(status.stdout)["images"]
    assert held["poster"]["held"] + held["backdrop"]["held"] == len(present)


def test_faults_and_429s_are_retried_and_no_broken_file_is_kept(db: Path, tmp_path: Path) -> None:
    """The CDN answers 5xx, resets, truncated bodies and, past 10 files/s, 429: every file
    still lands whole (a truncated body is never renamed into place)."""
    out = tmp_path / "images"
    faulty = ["--image-fault-rate", "0.3", "--slow-ms", "20", "--image-rate-limit", "10"]
    with simulator(*faulty) as cdn:
        expected = {path for path in named_paths(db, "poster_path") if not is_missing(path)}
        result = run_cli(images_args(db, out, cdn, "--rate", "40", "--no-progress"))
        stats = sim_stats(cdn)
    assert result.returncode == 0, result.stderr
    assert stats["by_status"].get("429", 0) > 0
    assert stats["faults"].get("truncated", 0) + stats["faults"].get("reset", 0) > 0
    written = files_under(out)
    assert {"/" + path.name for path in written} == expected
    rows = {row["file_path"]: row for row in manifest(db) if row["status"] == "done"}
    for path in written:
        assert decoded(path).width == 342
        assert rows["/" + path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_kill_midway_leaves_no_partial_file_and_a_rerun_finishes(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "images"
    expected = {path for path in named_paths(db, "poster_path") if not is_missing(path)}
    args = images_args(db, out, sim, "--concurrency", "3", "--no-progress")
    with held_after(sim.base_url, 4) as gate:  # images too: the fifth on are held half-sent
        process = start_cli(args)
        try:
            three_half_written(gate, out, process)
            kill(process)
        finally:
            if process.poll() is None:
                kill(process)
    assert process.returncode != 0
    complete = [path for path in files_under(out) if path.parent.name == "w342"]
    assert len(complete) == 4
    for path in complete:
        assert decoded(path).width == 342

    result = run_cli(args)
    assert result.returncode == 0, result.stderr
    assert not partial(out)  # the killed run's temporary files were removed
    written = files_under(out)
    assert {"/" + path.name for path in written} == expected
    assert all(decoded(path).width == 342 for path in written)
    assert "4 skipped" in result.stdout
    assert len([row for row in manifest(db) if row["status"] == "done"]) == len(expected)


def test_sigterm_midway_drops_the_half_downloads_and_keeps_the_finished_ones(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "images"
    args = images_args(db, out, sim, "--concurrency", "3", "--no-progress")
    with held_after(sim.base_url, 4) as gate:
        process = start_cli(args)
        try:
            three_half_written(gate, out, process)
            kill(process, signal.SIGTERM)
        finally:
            if process.poll() is None:
                kill(process)
    assert process.returncode == EXIT_PAUSED
    assert not (out / image_files.PARTIAL_DIR).exists()  # removed on the way out
    finished = files_under(out)
    assert len(finished) == 4
    done = {row["file_path"] for row in manifest(db) if row["status"] == "done"}
    assert done == {"/" + path.name for path in finished}


def partial(out: Path) -> list[Path]:
    where = out / image_files.PARTIAL_DIR
    return [path for path in where.iterdir() if path.stat().st_size] if where.exists() else []


def three_half_written(gate: Gate, out: Path, process: subprocess.Popen[str]) -> None:
    """Once the run with ``--concurrency 3`` is blocked mid-body, three downloads half-written
    to temporary files: the simulator says when it holds the three (a wait on the server),
    the kernel when the run writes to them (tests/support/changes.py)."""
    gate.wait_held(3)
    with Changes(out / image_files.PARTIAL_DIR) as changes:
        assert changes.wait(lambda: len(partial(out)) == 3, process), "the run ended"


def test_an_outage_of_the_image_server_is_waited_out(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "images"
    expected = {path for path in named_paths(db, "poster_path") if not is_missing(path)}
    args = images_args(db, out, sim, "--concurrency", "2", "--progress", "json")
    with held_after(sim.base_url, 2) as gate:
        process = start_cli(args)
        try:
            gate.wait_held(2)
            start_outage(sim, "html503")  # what comes next meets a CDN's HTML 503
            gate.release()
            assert process.stderr is not None
            for line in process.stderr:  # waits on the run's own events, no sleeping
                if json.loads(line)["event"] == "outage_start":
                    break
            stop_outage(sim)
            stdout, stderr = process.communicate(timeout=HANG_GUARD)
        finally:
            stop_outage(sim)
            if process.poll() is None:
                kill(process)
    assert process.returncode == 0, stderr
    assert {"/" + path.name for path in files_under(out)} == expected
    assert "0 failed" in stdout


@pytest.mark.parametrize(
    ("extra", "phrase"),
    [
        (["--kinds", "poster,banner"], "valid kinds are poster, backdrop, logo, still, profile"),
        (["--size", "w999"], "valid sizes are w92, w154, w185, w342, w500, w780, original"),
        (["--kinds", "backdrop", "--size", "w342"], "valid sizes are w300, w780, w1280"),
        (["--per-title", "2"], "--per-title reads the images part"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    sim: SimulatorProcess, db: Path, tmp_path: Path, extra: list[str], phrase: str
) -> None:
    out = tmp_path / "images"
    result = run_cli(images_args(db, out, sim, *extra))
    assert result.returncode == 2
    assert phrase in one_line_error(result)
    assert not out.exists()
    assert not manifest_exists(db)


def test_an_unwritable_out_is_refused_and_writes_nothing(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a directory")
    for out in (a_file, a_file / "images", Path("/proc/tmdb-collector-images")):
        result = run_cli(images_args(db, out, sim))
        assert result.returncode == 2
        assert f"--out {out}" in one_line_error(result)
    assert a_file.read_text() == "not a directory"
    assert not manifest_exists(db)


def manifest_exists(db: Path) -> bool:
    connection = sqlite3.connect(db)
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'image_files'"
        ).fetchone()
    finally:
        connection.close()
    return found is not None


def test_a_404_is_asked_again_only_with_retry_missing(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    """A file recorded as 404 (here: one the CDN has, recorded so by hand, its file gone)
    is not asked again, unless retry_missing."""
    out = tmp_path / "images"
    settings = ClientSettings(base_url=sim.base_url)
    first = api.images(db, out, settings=settings, api_key="k")
    assert first.files > 0
    gone = files_under(out)[0]
    gone.unlink()
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE image_files SET status = ?, bytes = NULL, sha256 = NULL WHERE file_path = ?",
            (NOT_FOUND, "/" + gone.name),
        )
    connection.close()
    before = sim_stats(sim)["requests"]
    again = api.images(db, out, settings=settings, api_key="k")
    assert sim_stats(sim)["requests"] == before + 1  # /configuration: no 404 asked again
    assert (again.files, again.not_found) == (0, first.not_found + 1)
    asked = api.images(db, out, settings=settings, api_key="k", retry_missing=True)
    genuine = len({row["file_path"] for row in manifest(db) if row["status"] == NOT_FOUND})
    assert sim_stats(sim)["requests"] == before + 3 + genuine  # each 404 asked again too
    assert (asked.files, asked.not_found) == (1, first.not_found)
    assert gone.is_file()
    assert {row["status"] for row in manifest(db) if row["file_path"] == "/" + gone.name} == {DONE}


def test_the_records_are_read_once_and_the_list_of_images_removed(
    sim: SimulatorProcess, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The total is counted from the same read of the records the downloads take (their list
    spooled to a temporary file, removed after)."""
    reads: list[tuple[str, ...]] = []
    read = Store.iter_items

    def counted(store: Store, parts: Any, **options: Any) -> Any:
        reads.append(tuple(parts))
        return read(store, parts, **options)

    monkeypatch.setattr(Store, "iter_items", counted)
    out = tmp_path / "images"
    result = api.images(db, out, settings=ClientSettings(base_url=sim.base_url), api_key="k")
    assert len(reads) == 1
    assert result.total == result.files + result.not_found > 0
    assert not (out / image_files.PARTIAL_DIR).exists()


def test_each_file_is_on_disk_before_it_takes_its_name(
    sim: SimulatorProcess, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file in place is never fetched again: it must not be one a power cut left empty."""
    out = tmp_path / "images"
    durability = Durability(monkeypatch)
    api.images(db, out, settings=ClientSettings(base_url=sim.base_url), api_key="k")
    renamed = durability.replaced()
    assert {target for _, target in renamed} == {str(path) for path in files_under(out)}
    for source, _ in renamed:
        assert durability.synced_before(source)


class FullDisk(io.RawIOBase):
    """A file that takes a few bytes, then answers what a full disk answers."""

    def __init__(self, room: int) -> None:
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return len(data)


def test_a_full_disk_ends_the_run_with_a_clear_error_and_no_partial_file(
    sim: SimulatorProcess, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "images"
    opened = image_files.TempFile.__init__

    def cramped(self: image_files.TempFile, temp: Path, target: Path) -> None:
        opened(self, temp, target)
        assert self._handle is not None
        self._handle.close()
        self._handle = FullDisk(room=100)  # type: ignore[assignment]

    monkeypatch.setattr(image_files.TempFile, "__init__", cramped)
    with pytest.raises(ImageWriteError, match=r"the disk is full writing .*; no partial file"):
        api.images(db, out, settings=ClientSettings(base_url=sim.base_url), api_key="k")
    assert not files_under(out)  # no file in place, no temporary one left
    assert ImageWriteError.exit_code == 1


def test_the_out_dir_is_kept_when_the_db_is_missing(tmp_path: Path) -> None:
    result = run_cli(["images", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "o")])
    assert result.returncode == 2
    assert "no collection database" in one_line_error(result)
    assert not (tmp_path / "o").exists()


def test_configuration_and_images_go_through_the_proxy(
    sim: SimulatorProcess, db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "images"
    password = "proxy-secret-7f1"
    with forward_proxy(user="tester", password=password) as proxy:
        url = f"http://tester:{password}@127.0.0.1:{proxy.port}"
        result = run_cli([*images_args(db, out, sim, "--proxy", url, "--no-progress")])
    assert result.returncode == 0, result.stderr
    relayed = [line for line in proxy.relayed if "/t/p/w342/" in line]
    assert len(relayed) >= len(files_under(out)) > 0  # every image (404s too) through it
    assert any("/3/configuration" in line for line in proxy.relayed)
    assert password not in result.stdout + result.stderr

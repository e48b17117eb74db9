"""A wrong ``--ids-from URL`` whose file name says nothing (not TMDB's ``movie_ids_...``): its
content is what tells, and the refusal must leave nothing behind and name the URL given."""

from __future__ import annotations

import gzip
import signal
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli_helpers import collect_args, one_line_error, run_cli, start_cli, update_args
from tests.support.lines import HANG_GUARD, Lines

SERIES = gzip.compress(b'{"id":1,"original_name":"Pride","popularity":3.8}\n')
NOT_AN_EXPORT = b"<xml>not a daily export</xml>\n"


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    """``/series.json.gz`` (a TV daily export) and ``/data.bin`` (no export), on 127.0.0.1."""
    bodies = {"/series.json.gz": SERIES, "/data.bin": NOT_AN_EXPORT}

    class Serve(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("series.json.gz", "is not a movie daily ID export (its lines have 'original_name'"),
        ("data.bin", "line 1 is not JSON: not a TMDB daily ID export"),
        ("gone.json.gz", "the server answered HTTP 404"),
    ],
)
def test_a_wrong_url_leaves_no_collection_behind(
    files: str, sim_url: str, tmp_path: Path, name: str, message: str
) -> None:
    db = tmp_path / "c.db"
    url = f"{files}/{name}"
    result = run_cli(collect_args(db, sim_url, "--ids-from", url))
    assert result.returncode == 2, result.stderr
    line = one_line_error(result)
    assert message in line
    assert url in line  # the URL given, not the temporary download's path
    assert not db.exists()  # so the right --ids-from is not refused as another plan


def test_an_empty_file_stays_empty(files: str, sim_url: str, tmp_path: Path) -> None:
    """An empty file is no collection: refused, it is left as it was."""
    db = tmp_path / "c.db"
    db.touch()
    result = run_cli(collect_args(db, sim_url, "--ids-from", f"{files}/data.bin"))
    assert result.returncode == 2, result.stderr
    assert db.stat().st_size == 0
    assert sorted(path.name for path in tmp_path.iterdir()) == ["c.db"]


def test_update_names_the_url_it_refuses(files: str, sim_url: str, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    plan = ["--popular-pages", "1", "--genre-pages", "0"]
    assert run_cli(collect_args(db, sim_url, *plan)).returncode == 0
    before = db.read_bytes()
    for name in ("series.json.gz", "data.bin"):
        url = f"{files}/{name}"
        result = run_cli(update_args(db, sim_url, "--ids-from", url))
        assert result.returncode == 2, result.stderr
        line = one_line_error(result)
        assert f"error: {url} " in line
        assert "tmdb-ids-" not in line  # the temporary download
    assert db.read_bytes() == before


def test_the_dashboard_leaves_no_collection_behind(
    files: str, sim_url: str, tmp_path: Path
) -> None:
    """``serve`` makes its database before Start: a run that refuses the download (HTTP 404
    under a neutral name) has it removed when the dashboard stops, as ``collect`` does, and
    the refusal is the command's one-line error (exit 2)."""
    db = tmp_path / "c.db"
    url = f"{files}/gone.json.gz"
    args = ["serve", "--port", "0", "--db", str(db), "--base-url", sim_url, "--ids-from", url]
    process = start_cli(args)
    assert process.stdout is not None
    assert process.stderr is not None
    out, err = Lines(process.stdout), Lines(process.stderr)
    try:
        page = out.wait_for("Dashboard on ").split("Dashboard on ", 1)[1].strip()
        assert db.exists()  # made before Start: a URL is checked once downloaded
        assert httpx.post(f"{page}api/start", timeout=HANG_GUARD).status_code == 200
        err.wait_for("the server answered HTTP 404")  # the run refused it
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=HANG_GUARD) == 2, err.all()
    finally:
        if process.poll() is None:
            process.kill()
    out.close()
    err.close()
    lines = "".join(err.lines).splitlines()
    assert f"error: --ids-from {url}: the server answered HTTP 404" in lines[-1]
    assert "Traceback" not in "".join(lines)
    assert not db.exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == []

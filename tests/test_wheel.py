"""The built wheel works on a clean machine: a fresh virtualenv outside the checkout.

Builds the sdist and, from it, the wheel (as ``make dist`` does), checks that the wheel holds the
package and nothing of the tests (their helpers live in tests/support), installs the wheel with its
dependencies into a new virtualenv in a temporary directory, and from there runs ``demo`` on a
small simulated catalogue and serves the dashboard, fetching its page and assets, and collects
from Python as a notebook would, opening the result in DuckDB. Marked
``wheel``: ``make wheel-check`` (run by .ci/run) runs it; it takes about a minute, most of it
pip installing the dependencies.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tmdb_collector import ATTRIBUTION, __version__

pytestmark = pytest.mark.wheel
STATIC = REPO / "src" / "tmdb_collector" / "dashboard" / "static"


def _run(args: list[str], cwd: Path, timeout: float = 300) -> str:
    result = subprocess.run(
        args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that points Python back at the checkout."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("TMDB_")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clean-machine")
    dist = root / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], cwd=root)
    wheels = list(dist.glob("tmdb_collector-*.whl"))
    assert len(wheels) == 1, list(dist.iterdir())
    assert list(dist.glob("tmdb_collector-*.tar.gz"))
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    root = wheel.parent.parent
    env = root / "venv"
    _run([sys.executable, "-m", "venv", str(env)], cwd=root)
    _run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], root)
    return env


TEST_ONLY = {"testing", "tests", "test", "conftest.py"}


def test_the_wheel_holds_the_package_and_no_test_only_code(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"tmdb_collector", f"tmdb_collector-{__version__}.dist-info"}, tops
    test_only = [name for name in names if TEST_ONLY & set(name.split("/"))]
    test_only += [name for name in names if name.rsplit("/", 1)[-1].startswith("test_")]
    assert not test_only, test_only
    assert "tmdb_collector/api.py" in names


def test_installed_package_comes_from_the_wheel_with_its_licence(venv: Path) -> None:
    code = (
        "import importlib.metadata as m, json, tmdb_collector as t;"
        "d = m.distribution('tmdb-collector');"
        "print(json.dumps([t.__file__, d.version, d.metadata['License-Expression'],"
        " [str(f) for f in d.files if 'LICENSE' in str(f)]]))"
    )
    where, version, licence, files = json.loads(
        _run([str(venv / "bin" / "python"), "-c", code], cwd=venv.parent)
    )
    assert Path(where).is_relative_to(venv), where
    assert version == __version__
    assert licence == "MIT"
    assert files, "LICENSE is not in the wheel"


def test_demo_runs_and_the_dashboard_serves_its_page_and_assets(venv: Path) -> None:
    out = venv.parent / "demo"
    tool = str(venv / "bin" / "tmdb-collector")
    printed = _run(
        [tool, "demo", "--out", str(out), "--catalog-size", "300", "--no-progress"], cwd=venv.parent
    )
    assert "Demo finished" in printed
    movies = json.loads((out / "movies.json").read_text(encoding="utf-8"))
    assert len(movies) > 50
    server = subprocess.Popen(
        [tool, "serve", "--db", str(out / "tmdb_collection.db"), "--port", "0"],
        cwd=venv.parent,
        env=_clean_env(TMDB_API_KEY="unused-by-this-test"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _dashboard_url(server)
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200
        assert ATTRIBUTION in " ".join(page.text.split())
        for name in ("app.js", "style.css"):
            asset = httpx.get(f"{url}static/{name}", timeout=10)
            assert asset.status_code == 200, name
            assert asset.text == (STATIC / name).read_text(encoding="utf-8"), name
        state = httpx.get(f"{url}api/state", timeout=10).json()
        assert state["movies"] == len(movies)
    finally:
        server.terminate()
        server.communicate(timeout=30)


NOTEBOOK = """
import duckdb
from tmdb_collector import Collection, collect

result = collect("notebook.db", plan={"popular_pages": 1, "genre_pages": 0}, base_url=URL,
                 api_key="any-key-will-do")
with Collection.open("notebook.db") as collection:
    collection.export("notebook.duckdb", format="duckdb")
    count = len(collection)
with duckdb.connect("notebook.duckdb", read_only=True) as db:
    (summaries,) = db.execute("SELECT count(*) FROM movie_summary").fetchone()
print(result.outcome.status, result.outcome.movies, count, summaries)
"""


def test_a_notebook_collects_from_python_and_opens_the_result_in_duckdb(venv: Path) -> None:
    tool = str(venv / "bin" / "tmdb-collector")
    simulator = subprocess.Popen(
        [tool, "simulate", "--port", "0", "--catalog-size", "300"],
        cwd=venv.parent,
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _printed_url(simulator, "Simulated TMDB listening on ")
        code = NOTEBOOK.replace("URL", repr(url))
        printed = _run([str(venv / "bin" / "python"), "-c", code], cwd=venv.parent).split()
    finally:
        simulator.terminate()
        simulator.communicate(timeout=30)
    status, movies, count, summaries = printed
    assert status == "complete"
    assert int(movies) == int(count) == int(summaries) > 5


def _dashboard_url(server: subprocess.Popen[str]) -> str:
    return _printed_url(server, "Dashboard on ")


def _printed_url(server: subprocess.Popen[str], prefix: str) -> str:
    """Wait (generously) for ``PREFIX URL`` on the server's stdout."""
    lines: queue.Queue[str] = queue.Queue()
    assert server.stdout is not None
    stdout = server.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    while True:
        line = lines.get(timeout=60)
        if line.startswith(prefix):
            return line.removeprefix(prefix).strip()

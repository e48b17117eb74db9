"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright.

``tmdb-collector serve`` runs as a user runs it (a subprocess with the key in its environment)
against the simulated TMDB; the test clicks Start, Pause, reloads, resumes, downloads.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.support.hold import Gate, held_after
from tests.support.lines import HANG_GUARD
from tmdb_collector.simulator.process import SimulatorProcess, simulator_process

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
KEY = "browser-k3y-93d1c6a0f7-secret"
PLAN = ["--popular-pages", "5", "--genre-pages", "2", "--genres", "28,35"]
CONCURRENCY = 4
PACE = ["--rate", "25", "--concurrency", str(CONCURRENCY)]
# The simulator answers this many details requests, then holds the rest until the test has
# clicked Pause: the run stops midway whatever the machine's pace.
GRANTED = 10
READY_PREFIX = "Dashboard on "
COUNTERS = ("#movies", "#requests", "#errors")
# Playwright's waits are on a condition (the page's text, an attribute); this bound only fails
# a hung test instead of letting it hang.
HANG_MS = int(HANG_GUARD * 1000)
BARS = ("#bar-overall", "#bar-popular", "#bar-discover", "#bar-details")

# Where apt-get can install Chromium (as root: CI), a missing one is a failure, so CI never skips
# this test unnoticed; elsewhere `make test` warns and the test is skipped.
if not CHROMIUM.exists() and not (os.geteuid() == 0 and shutil.which("apt-get")):
    pytest.skip(
        f"BROWSER TEST SKIPPED: {CHROMIUM} is missing and apt-get needs root here; "
        "`sudo apt-get install chromium` runs it",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorProcess]:
    with simulator_process(["--latency-ms", "20"], api_key=KEY) as running:
        yield running


@pytest.fixture
def dashboard(sim: SimulatorProcess, tmp_path: Path) -> Iterator[str]:
    with serving(sim, tmp_path, *PLAN) as url:
        yield url


@contextmanager
def serving(sim: SimulatorProcess, tmp_path: Path, *plan: str) -> Iterator[str]:
    """``tmdb-collector serve --port 0`` in a subprocess; yields the URL it prints first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMDB_")}
    env["TMDB_API_KEY"] = KEY
    command = [sys.executable, "-m", "tmdb_collector", "serve", "--port", "0"]
    command += ["--db", str(tmp_path / "dash.db"), "--base-url", sim.base_url, *plan, *PACE]
    log = tmp_path / "serve.err"
    with (
        log.open("w") as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env) as process,
    ):
        try:
            yield _ready_url(process, log)
        finally:
            process.send_signal(signal.SIGTERM)  # serve pauses the run and exits
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _ready_url(process: subprocess.Popen[bytes], errors: Path, within: float = 30) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], within)
    line = process.stdout.readline().decode() if ready else ""
    assert line.startswith(READY_PREFIX), f"serve did not start: {errors.read_text()}"
    return line.removeprefix(READY_PREFIX).strip()


@pytest.fixture
def page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs it", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1100, "height": 1000}
        )
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def number(page: Page, selector: str) -> int:
    return int(page.locator(selector).get_attribute("data-value") or "-1")


def figures(page: Page) -> dict[str, object]:
    """What the page shows that must hold still while paused."""
    shown: dict[str, object] = {name: number(page, name) for name in COUNTERS}
    for bar in BARS:
        shown[bar] = page.locator(f"{bar} .count").inner_text()
    return shown


def wait_for_movies(page: Page) -> None:
    """Until the page shows a first movie saved."""
    movies = page.locator("#movies")
    expect(movies).to_have_attribute("data-value", re.compile(r"^[1-9]\d*$"), timeout=HANG_MS)


@pytest.fixture
def gate(sim: SimulatorProcess) -> Iterator[Gate]:
    """The simulator holding the details requests after GRANTED; released at the end."""
    with held_after(sim.base_url, GRANTED) as gate:
        yield gate


def test_start_pause_reload_resume_download(page: Page, dashboard: str, gate: Gate) -> None:
    page.goto(dashboard)
    state = page.locator("#state")
    expect(state).to_have_text("Idle")
    expect(page.locator("#download")).to_be_disabled()
    expect(page.locator("#bar-popular .count")).to_have_text("0 / 5")
    # The page's words are the collection's media's (a movie one here), filled in by app.js.
    expect(page.locator("#default-parts")).to_have_text("credits, keywords and recommendations")
    expect(page.locator(".media-word").first).to_have_text("movie")

    # (1) Start, and the counts rise.
    page.click("#start")
    expect(state).to_have_text("Running")
    wait_for_movies(page)
    expect(page.locator("#stage")).to_contain_text("Stage")

    # (2) Once the simulator holds every worker, Pause; the requests in flight then land, and
    # the counts hold.
    gate.wait_stopped(CONCURRENCY)
    page.click("#pause")
    expect(state).to_have_text("Pausing…")
    gate.release()
    expect(state).to_have_text("Paused", timeout=HANG_MS)
    held = figures(page)
    held_movies = number(page, "#movies")
    assert held_movies == GRANTED + CONCURRENCY, held  # and those in flight at the pause
    expect(page.locator("#download")).to_be_enabled()

    # (3) Reload: the same numbers, from the server: nothing moved while paused.
    page.reload()
    expect(page.locator("#connection")).to_have_text("live")
    expect(state).to_have_text("Paused")
    assert figures(page) == held

    # (4) Resume and run to completion.
    page.click("#start")
    expect(state).to_have_text("Complete", timeout=HANG_MS)
    shown = number(page, "#movies")
    assert shown > held_movies
    log = page.locator("#log")
    for line in ("Collection started", "Paused", "Collection resumed", "Collection complete!"):
        expect(log).to_contain_text(line)

    # (5) Download movies.json: as many movies as the page shows, in the seed's shape.
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == "movies.json"
    movies = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert len(movies) == shown
    record = next(iter(movies.values()))
    assert set(record) == {"id", "details", "credits", "keywords", "recommendations"}

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert KEY not in page.content()

    # (6) A state-changing request from a foreign origin, or for a foreign host, is refused.
    port = dashboard.rstrip("/").rsplit(":", 1)[1]
    foreign = [{"Origin": "http://evil.example"}, {"Host": f"evil.example:{port}"}]
    for headers in foreign:
        response = httpx.post(dashboard + "api/start", headers=headers, timeout=10)
        assert response.status_code == 403
    assert httpx.get(dashboard + "api/state", timeout=10).json()["state"] == "complete"


@pytest.fixture(scope="module")
def small_sim() -> Iterator[SimulatorProcess]:
    """A small catalogue, whose people graph the simulator builds in a moment."""
    with simulator_process(["--catalog-size", "300"], api_key=KEY) as running:
        yield running


def test_the_linked_stage_has_its_bars(
    page: Page, small_sim: SimulatorProcess, tmp_path: Path
) -> None:
    linked = ["--popular-pages", "1", "--genre-pages", "0", "--linked", "people,collections"]
    with serving(
        small_sim, tmp_path, *linked, "--linked-cast", "2", "--linked-crew", "none"
    ) as url:
        page.goto(url)
        expect(page.locator("#bar-linked .bar-label")).to_have_text("Stage 4 · Linked entities")
        expect(page.locator("#bar-linked-person .bar-label")).to_have_text("People")
        expect(page.locator("#bar-linked-collection .bar-label")).to_have_text("Collections")
        page.click("#start")
        expect(page.locator("#state")).to_have_text("Complete", timeout=HANG_MS)
        people = page.locator("#bar-linked-person")
        expect(people).to_have_class("bar-row entity finished")
        done, total = people.locator(".count").inner_text().split(" / ")
        assert done == total != "0"
        expect(page.locator("#bar-linked")).to_have_class("bar-row finished")
        expect(page.locator("#stage")).to_have_text("All stages done")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-linked.png"), full_page=True)

"""``collect`` and ``update``: runs against TMDB, and the summary and exit status they end with."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tmdb_collector import api
from tmdb_collector.cli.options import (
    DATE,
    AttributedCommand,
    check_log_file,
    client_options,
    config_option,
    db_option,
    no_progress_option,
    plan_options,
    progress_option,
    resolve_client_settings,
    resolve_settings,
    run_view,
    verbosity_options,
)
from tmdb_collector.cli.reporting import reporting
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.events import ProgressEvents, progress_events, tell
from tmdb_collector.errors import (
    EXIT_FAILED_IDS,
    EXIT_PAUSED,
)
from tmdb_collector.media import MediaType, media_type
from tmdb_collector.plan.stages import HARVEST_STAGES
from tmdb_collector.status import format_status

if TYPE_CHECKING:  # the engine (and its HTTP client) loads only when a run starts
    from tmdb_collector.engine.collector import RunOutcome


@click.command(cls=AttributedCommand)
@db_option
@plan_options
@click.option("--force-plan", is_flag=True, help="Adopt a changed plan for an existing --db.")
@click.option("--retry-failed", is_flag=True, help="Retry ids that failed in earlier runs.")
@click.option(
    "--harvest-only", is_flag=True, help="Stop after stages 1-2: harvest ids, fetch no details."
)
@click.option(
    "--reharvest",
    type=click.Choice([*HARVEST_STAGES, "all"]),
    is_flag=False,
    flag_value="all",
    help="Fetch a stage's list pages again (alone: both stages) and add the ids they missed.",
)
@no_progress_option
@progress_option
@verbosity_options
def collect(
    db: Path,
    force_plan: bool,
    retry_failed: bool,
    harvest_only: bool,
    reharvest: str | None,
    no_progress: bool,
    progress_mode: str,
    verbose: int,
    log_file: Path | None,
    **options: Any,
) -> None:
    """Collect the plan's movies (or, with --media tv, series) into --db; re-running resumes
    where it stopped.

    Needs TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in the environment.
    """
    check_log_file(log_file, db)
    events = progress_events("collect", progress_mode, verbose, log_file)
    with reporting(events):
        plan, settings = resolve_settings(options, db, force_plan=force_plan)
        result = api.collect(
            db,
            plan,
            settings=settings,
            credentials=Credentials.from_env(),
            force_plan=force_plan,
            retry_failed=retry_failed,
            harvest_only=harvest_only,
            reharvest=_reharvest_stages(reharvest),
            view=run_view(no_progress, progress_mode, events),
        )
        if retry_failed:
            tell(events, f"Retrying {result.retried} failed ids.")
        if reharvest:
            stages = ", ".join(_reharvest_stages(reharvest))
            tell(events, f"Reharvested {stages}: {result.reharvested} list pages fetched again.")
        _finish(result.outcome, result.status, events)
        _harvest_note(result.status, harvest_only)


def _reharvest_stages(choice: str | None) -> tuple[str, ...]:
    if choice is None:
        return ()
    return HARVEST_STAGES if choice == "all" else (choice,)


def _harvest_note(report: dict[str, Any], harvest_only: bool) -> None:
    if harvest_only:
        pending = report["ids"]["pending"]
        click.echo(f"{pending:,} ids await details; run without --harvest-only to fetch them.")


def _finish(
    outcome: RunOutcome, report: dict[str, Any], events: ProgressEvents | None = None
) -> None:
    """The run's summary, then its exit status; ``report`` is the status after it."""
    if outcome.status == "nothing-to-do":
        what = "harvest" if report["ids"]["pending"] else "collection"
        click.echo(f"The {what} is complete; nothing to fetch.")
        click.echo(format_status(report))
    elif outcome.error is not None:
        raise outcome.error
    else:
        click.echo(summary_line(outcome, media_type(report["media"])))
    if outcome.status == "paused":
        tell(events, "Paused. Run the same command to resume.")
        sys.exit(EXIT_PAUSED)
    if outcome.failed_pages:
        tell(
            events,
            f"{outcome.failed_pages} harvest pages failed; re-running the command retries them.",
        )
    if outcome.failed:
        tell(
            events,
            f"{outcome.failed} ids failed; `tmdb-collector collect --retry-failed` retries them.",
        )
    if outcome.failed or outcome.failed_pages:
        sys.exit(EXIT_FAILED_IDS)


def summary_line(outcome: RunOutcome, media: MediaType) -> str:
    rate = outcome.requests / outcome.elapsed if outcome.elapsed > 0 else 0.0
    linked = ", ".join(media_type(name).counted(n) for name, n in outcome.linked.items())
    return (
        f"{media.counted(outcome.collected)} collected ({outcome.not_found} not found, "
        f"{outcome.failed} failed){f'; linked: {linked}' if linked else ''}; "
        f"{outcome.requests:,} requests in {outcome.elapsed:.1f} s "
        f"({rate:.1f} req/s, {outcome.throttled} rate-limited)"
    )


@click.command(cls=AttributedCommand)
@db_option
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    help="Also refetch items fetched more than DAYS days ago.",
    metavar="DAYS",
)
@click.option(
    "--since",
    type=DATE,
    help="Read the changes from DATE (YYYY-MM-DD) instead of from the last sync.",
)
@click.option(
    "--ids-from",
    metavar="FILE_OR_URL",
    help="Also follow this daily ID export: queue its new ids, mark vanished ones removed.",
)
@click.option(
    "--refresh-parts",
    metavar="LIST",
    help="Refetch these parts (comma-separated) of every held title, whatever the feed says.",
)
@config_option
@client_options
@no_progress_option
@progress_option
@verbosity_options
def update(
    db: Path,
    max_age: int | None,
    since: Any,
    ids_from: str | None,
    refresh_parts: str | None,
    no_progress: bool,
    progress_mode: str,
    verbose: int,
    log_file: Path | None,
    **options: Any,
) -> None:
    """Refetch the movies (or series) TMDB reports as changed since the last sync."""
    check_log_file(log_file, db)
    events = progress_events("update", progress_mode, verbose, log_file)
    with reporting(events):
        result = api.update(
            db,
            max_age=max_age,
            since=since,
            ids_from=ids_from,
            refresh_parts=[p.strip() for p in (refresh_parts or "").split(",") if p.strip()],
            settings=resolve_client_settings(options),
            credentials=Credentials.from_env(),
            view=run_view(no_progress, progress_mode, events),
        )
        catalogue = result.catalogue
        if catalogue is not None:
            click.echo(
                f"Daily export: {catalogue.added:,} new ids queued, "
                f"{catalogue.removed:,} ids marked removed, "
                f"{catalogue.restored:,} listed again."
            )
            if result.status["plan"]["ids_from"] is None:
                tell(
                    events,
                    "New ids are only queued for a collection built with --ids-from;"
                    " `collect --reharvest` finds this one's.",
                )
        if refresh_parts:
            click.echo(
                f"Parts {refresh_parts} refetched for {result.refreshed:,} held"
                f" {media_type(result.status['media']).noun(result.refreshed)}."
            )
        else:
            click.echo(
                f"Changes {result.since}..{result.until}: {result.changed:,} ids changed on TMDB;"
                f" {result.refreshed:,} collected"
                f" {media_type(result.status['media']).noun(result.refreshed)}"
                f" refetched ({result.stale:,} for age)."
            )
        _finish(result.outcome, result.status, events)

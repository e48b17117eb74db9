"""Harvest progress read from the store: one computation behind status and the dashboard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tmdb_collector.dashboard.checkpoint import progress_from_store
from tmdb_collector.plan.plan import Plan
from tmdb_collector.status import collection_status
from tmdb_collector.store.harvest_progress import StagePages, harvest_progress
from tmdb_collector.store.store import Store

PLAN = Plan(popular_pages=3, genre_pages=2, genres=(28, 35))


def test_stage_pages_and_open_queries(db_path: Path) -> None:
    popular, action, comedy = PLAN.harvest_queries()
    with Store.create_or_open(db_path, PLAN) as store:
        progress = harvest_progress(store)
        assert [q.key for q in progress.unstarted] == [popular.key, action.key, comedy.key]
        assert progress.stage("popular") == StagePages(done=0, total=3)  # the estimates
        assert progress.stage("discover") == StagePages(done=0, total=4)

        store.add_query(popular)
        store.save_page(popular, 1, [1, 2], 10, 200)  # 10 pages exist; the plan wants 3
        store.save_page(popular, 2, [3], 10, 200)
        store.add_query(action)
        store.save_page(action, 1, [4], 900, 18_000)  # too many pages: split by date
        halves = [
            action.with_dates(dt.date(1970, 1, 1), dt.date(1997, 6, 30)),
            action.with_dates(dt.date(1997, 7, 1), dt.date(2024, 12, 31)),
        ]
        store.split_query(action.key, halves)

        progress = harvest_progress(store)
        assert [q.key for q in progress.unstarted] == [comedy.key]
        assert progress.stage("popular") == StagePages(done=2, total=3)
        # action wants only the page it did before the split; each half and comedy: estimates
        assert progress.stage("discover") == StagePages(done=1, total=1 + 2 + 2 + 2)
        assert progress.queries_open == 3  # popular and both halves; the split one is done
        assert progress.pages_done == 3
        assert progress.harvesting

        status = collection_status(store)
        assert status["stage"] == "harvest"
        assert status["harvest"]["queries"] == 4
        assert status["harvest"]["queries_open"] == 3
        view = progress_from_store(store)
        for stage in ("popular", "discover"):
            pages = progress.stage(stage)
            assert (view.stages[stage].done, view.stages[stage].total) == (pages.done, pages.total)


def test_a_finished_harvest(db_path: Path) -> None:
    plan = Plan(popular_pages=2, genre_pages=0)
    (popular,) = plan.harvest_queries()
    with Store.create_or_open(db_path, plan) as store:
        store.add_query(popular)
        store.save_page(popular, 1, [1], 1, 1)  # TMDB has one page only
        progress = harvest_progress(store)
        assert progress.stage("popular") == StagePages(done=1, total=1)
        assert progress.queries_open == 0
        assert not progress.harvesting
        assert collection_status(store)["stage"] == "details"  # id 1 awaits its details

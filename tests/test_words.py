"""Counts in summaries and status speak each entity type's own words, singular for one
("1 company", not "1 companies"), for titles and linked entities alike."""

from __future__ import annotations

from tmdb_collector.cli import summary_line
from tmdb_collector.engine.collector import RunOutcome
from tmdb_collector.media import COMPANY, MOVIE, PERSON, TV
from tmdb_collector.status import linked_line


def outcome(movies: int, linked: dict[str, int]) -> RunOutcome:
    return RunOutcome("complete", movies, 0, 0, 12, 0, 2.0, linked=linked)


def test_one_of_a_type_is_singular() -> None:
    assert COMPANY.counted(1) == "1 company"
    assert COMPANY.counted(2_000) == "2,000 companies"
    assert PERSON.counted(1) == "1 person"
    assert TV.counted(1) == "1 series"
    line = linked_line("companies", {"held": 1, "lacking": 0, "failed": 0, "not_found": 0})
    assert line.startswith("linked:    1 company held,")


def test_the_run_summary_counts_the_linked_entities_in_their_words() -> None:
    line = summary_line(outcome(1, {"company": 1, "person": 3}), MOVIE)
    linked = "; linked: 1 company, 3 people;"
    assert line.startswith(f"1 movie collected (0 not found, 0 failed){linked}")
    assert summary_line(outcome(2, {}), MOVIE).startswith("2 movies collected (0 not found, 0")


def test_nouns_follow_the_count() -> None:
    assert MOVIE.noun(1) == "movie"
    assert MOVIE.noun(0) == "movies"
    assert PERSON.noun(2) == "people"

"""TMDB's v3 endpoints (every method and path template of its OpenAPI spec) and how the
simulator answers a request that none of its routes serves.

A path that matches one of TMDB's endpoints the simulator does not serve answers **501**
with :func:`.responses.not_simulated` naming the endpoint, so a client can tell "not
simulated" from "no such id"; a path that TMDB does not have at all, or a missing id on a
served endpoint, answers TMDB's own 404 (code 34).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# fmt: off
TMDB_ENDPOINTS: tuple[str, ...] = (
    "GET /3/account/{account_id}",
    "POST /3/account/{account_id}/favorite",
    "GET /3/account/{account_id}/favorite/movies",
    "GET /3/account/{account_id}/favorite/tv",
    "GET /3/account/{account_id}/lists",
    "GET /3/account/{account_id}/rated/movies",
    "GET /3/account/{account_id}/rated/tv",
    "GET /3/account/{account_id}/rated/tv/episodes",
    "POST /3/account/{account_id}/watchlist",
    "GET /3/account/{account_id}/watchlist/movies",
    "GET /3/account/{account_id}/watchlist/tv",
    "GET /3/authentication",
    "GET /3/authentication/guest_session/new",
    "DELETE /3/authentication/session",
    "POST /3/authentication/session/convert/4",
    "POST /3/authentication/session/new",
    "GET /3/authentication/token/new",
    "POST /3/authentication/token/validate_with_login",
    "GET /3/certification/movie/list",
    "GET /3/certification/tv/list",
    "GET /3/collection/{collection_id}",
    "GET /3/collection/{collection_id}/images",
    "GET /3/collection/{collection_id}/translations",
    "GET /3/company/{company_id}",
    "GET /3/company/{company_id}/alternative_names",
    "GET /3/company/{company_id}/images",
    "GET /3/configuration",
    "GET /3/configuration/countries",
    "GET /3/configuration/jobs",
    "GET /3/configuration/languages",
    "GET /3/configuration/primary_translations",
    "GET /3/configuration/timezones",
    "GET /3/credit/{credit_id}",
    "GET /3/discover/movie",
    "GET /3/discover/tv",
    "GET /3/find/{external_id}",
    "GET /3/genre/movie/list",
    "GET /3/genre/tv/list",
    "GET /3/guest_session/{guest_session_id}/rated/movies",
    "GET /3/guest_session/{guest_session_id}/rated/tv",
    "GET /3/guest_session/{guest_session_id}/rated/tv/episodes",
    "GET /3/keyword/{keyword_id}",
    "GET /3/keyword/{keyword_id}/movies",
    "POST /3/list",
    "DELETE /3/list/{list_id}",
    "GET /3/list/{list_id}",
    "POST /3/list/{list_id}/add_item",
    "POST /3/list/{list_id}/clear",
    "GET /3/list/{list_id}/item_status",
    "POST /3/list/{list_id}/remove_item",
    "GET /3/movie/changes",
    "GET /3/movie/latest",
    "GET /3/movie/now_playing",
    "GET /3/movie/popular",
    "GET /3/movie/top_rated",
    "GET /3/movie/upcoming",
    "GET /3/movie/{movie_id}",
    "GET /3/movie/{movie_id}/account_states",
    "GET /3/movie/{movie_id}/alternative_titles",
    "GET /3/movie/{movie_id}/changes",
    "GET /3/movie/{movie_id}/credits",
    "GET /3/movie/{movie_id}/external_ids",
    "GET /3/movie/{movie_id}/images",
    "GET /3/movie/{movie_id}/keywords",
    "GET /3/movie/{movie_id}/lists",
    "DELETE /3/movie/{movie_id}/rating",
    "POST /3/movie/{movie_id}/rating",
    "GET /3/movie/{movie_id}/recommendations",
    "GET /3/movie/{movie_id}/release_dates",
    "GET /3/movie/{movie_id}/reviews",
    "GET /3/movie/{movie_id}/similar",
    "GET /3/movie/{movie_id}/translations",
    "GET /3/movie/{movie_id}/videos",
    "GET /3/movie/{movie_id}/watch/providers",
    "GET /3/network/{network_id}",
    "GET /3/network/{network_id}/alternative_names",
    "GET /3/network/{network_id}/images",
    "GET /3/person/changes",
    "GET /3/person/latest",
    "GET /3/person/popular",
    "GET /3/person/{person_id}",
    "GET /3/person/{person_id}/changes",
    "GET /3/person/{person_id}/combined_credits",
    "GET /3/person/{person_id}/external_ids",
    "GET /3/person/{person_id}/images",
    "GET /3/person/{person_id}/movie_credits",
    "GET /3/person/{person_id}/tagged_images",
    "GET /3/person/{person_id}/translations",
    "GET /3/person/{person_id}/tv_credits",
    "GET /3/review/{review_id}",
    "GET /3/search/collection",
    "GET /3/search/company",
    "GET /3/search/keyword",
    "GET /3/search/movie",
    "GET /3/search/multi",
    "GET /3/search/person",
    "GET /3/search/tv",
    "GET /3/trending/all/{time_window}",
    "GET /3/trending/movie/{time_window}",
    "GET /3/trending/person/{time_window}",
    "GET /3/trending/tv/{time_window}",
    "GET /3/tv/airing_today",
    "GET /3/tv/changes",
    "GET /3/tv/episode/{episode_id}/changes",
    "GET /3/tv/episode_group/{tv_episode_group_id}",
    "GET /3/tv/latest",
    "GET /3/tv/on_the_air",
    "GET /3/tv/popular",
    "GET /3/tv/season/{season_id}/changes",
    "GET /3/tv/top_rated",
    "GET /3/tv/{series_id}",
    "GET /3/tv/{series_id}/account_states",
    "GET /3/tv/{series_id}/aggregate_credits",
    "GET /3/tv/{series_id}/alternative_titles",
    "GET /3/tv/{series_id}/changes",
    "GET /3/tv/{series_id}/content_ratings",
    "GET /3/tv/{series_id}/credits",
    "GET /3/tv/{series_id}/episode_groups",
    "GET /3/tv/{series_id}/external_ids",
    "GET /3/tv/{series_id}/images",
    "GET /3/tv/{series_id}/keywords",
    "GET /3/tv/{series_id}/lists",
    "DELETE /3/tv/{series_id}/rating",
    "POST /3/tv/{series_id}/rating",
    "GET /3/tv/{series_id}/recommendations",
    "GET /3/tv/{series_id}/reviews",
    "GET /3/tv/{series_id}/screened_theatrically",
    "GET /3/tv/{series_id}/season/{season_number}",
    "GET /3/tv/{series_id}/season/{season_number}/account_states",
    "GET /3/tv/{series_id}/season/{season_number}/aggregate_credits",
    "GET /3/tv/{series_id}/season/{season_number}/credits",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/account_states",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/credits",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/external_ids",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/images",
    "DELETE /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/rating",
    "POST /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/rating",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/translations",
    "GET /3/tv/{series_id}/season/{season_number}/episode/{episode_number}/videos",
    "GET /3/tv/{series_id}/season/{season_number}/external_ids",
    "GET /3/tv/{series_id}/season/{season_number}/images",
    "GET /3/tv/{series_id}/season/{season_number}/translations",
    "GET /3/tv/{series_id}/season/{season_number}/videos",
    "GET /3/tv/{series_id}/season/{season_number}/watch/providers",
    "GET /3/tv/{series_id}/similar",
    "GET /3/tv/{series_id}/translations",
    "GET /3/tv/{series_id}/videos",
    "GET /3/tv/{series_id}/watch/providers",
    "GET /3/watch/providers/movie",
    "GET /3/watch/providers/regions",
    "GET /3/watch/providers/tv",
)
# fmt: on


class Endpoint(NamedTuple):
    method: str
    template: str  # TMDB's path template, e.g. ``/3/movie/{movie_id}``


def _literal_segments(template: str) -> int:
    return sum(1 for part in template.split("/") if not part.startswith("{"))


def _compile(template: str) -> re.Pattern[str]:
    pieces = ("[^/]+" if part.startswith("{") else re.escape(part) for part in template.split("/"))
    return re.compile("/".join(pieces))


# Most literal segments first: /3/movie/now_playing before /3/movie/{movie_id}.
_COMPILED: tuple[tuple[Endpoint, re.Pattern[str]], ...] = tuple(
    sorted(
        (
            (Endpoint(*line.split(" ", 1)), _compile(line.split(" ", 1)[1]))
            for line in TMDB_ENDPOINTS
        ),
        key=lambda pair: -_literal_segments(pair[0].template),
    )
)


def tmdb_endpoint(method: str, path: str) -> Endpoint | None:
    """The TMDB endpoint ``method path`` is a call of (the most specific template that
    matches), or ``None`` when TMDB has no such endpoint."""
    for endpoint, pattern in _COMPILED:
        if endpoint.method == method and pattern.fullmatch(path):
            return endpoint
    return None

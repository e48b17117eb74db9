"""tmdb-collector: harvest a movie dataset from The Movie Database (TMDB) API."""

__version__ = "0.1.0"

"""tmdb-collector: harvest a movie dataset from The Movie Database (TMDB) API."""

__version__ = "0.1.0"

# TMDB's terms of use ask every product built on its API to carry this sentence.
ATTRIBUTION = "This product uses the TMDB API but is not endorsed or certified by TMDB."

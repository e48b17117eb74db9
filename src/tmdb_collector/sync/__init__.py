"""``tmdb-collector sync``: the collection's tables kept in a PostgreSQL schema (sync/run.py)."""

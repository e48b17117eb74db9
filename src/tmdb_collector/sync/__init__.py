"""``tmdb-collector sync``: the collection's tables kept in a PostgreSQL schema (sync/run.py)."""

DEFAULT_SCHEMA = "tmdb"  # sync --schema: the PostgreSQL schema the tables go in

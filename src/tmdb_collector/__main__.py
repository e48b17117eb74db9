"""``python -m tmdb_collector`` runs the CLI."""

from tmdb_collector.cli import main

if __name__ == "__main__":
    main()

"""Helpers for tmdb-collector's own tests and ``scripts/stress.py``, kept out of the wheel; the
collector never imports them. ``cli`` runs the real command line, ``checks`` reads and verifies
a checkpoint database and compares exports, ``crash`` kills ``collect`` at chosen moments and
resumes it, ``outage`` is a proxy that can refuse connections for a while."""

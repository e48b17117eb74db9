"""The local web dashboard: the seed's Start / Pause / Download page, served by aiohttp.

``tmdb-collector serve`` runs one :class:`~tmdb_collector.dashboard.session.CollectionSession`
(the collector, in this process and event loop) behind a small JSON + Server-Sent-Events API.
The page and its assets ship in ``static/``; nothing is fetched from elsewhere.
"""

from tmdb_collector.dashboard.server import create_app, dashboard_url, serve_dashboard
from tmdb_collector.dashboard.session import CollectionSession

__all__ = ["CollectionSession", "create_app", "dashboard_url", "serve_dashboard"]

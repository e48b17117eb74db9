"""Fetch: talking to TMDB at its rate ceiling: settings, transport, rate limiter, retries, the
client and the records it returns.
"""

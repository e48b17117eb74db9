"""Plan: which queries to harvest and which ids to fetch (the seed's plan by default), from flags,
TOML or a daily ID export.
"""

"""Store: the SQLite checkpoint that holds the plan, the harvest and every collected body."""

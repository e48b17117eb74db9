"""Export: movies.json / jsonl documents and normalized parquet / csv tables, written atomically
from the store.
"""

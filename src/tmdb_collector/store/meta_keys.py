"""The keys of the database's ``meta`` table: every module that reads or writes one names it here.

Renaming a value would orphan what databases made by earlier releases hold under it.
"""

APP = "app"  # APP_NAME: the file is one of ours
SCHEMA_VERSION = "schema_version"  # the schema the file is at (store/schema.py migrates it)
MEDIA = "media"  # the media type the collection holds
PLAN = "plan"  # the plan, as Plan.to_dict wrote it
CREATED_AT = "created_at"  # when the collection was created
LAST_SYNC = "last_sync"  # the last day the collection is up to date with TMDB's changes
BASE_URL = "base_url"  # the API the collection was made from, without credentials or query
IDS_LOADED = "ids_loaded"  # the daily ID export whose ids are all queued
REHARVEST_AFTER = "reharvest_after"  # the harvest order of the last id seen before a reharvest
DEMO_CATALOGUE = "demo_catalogue"  # the simulator arguments a demo collected from
REFRESH_PARTS = "refresh_parts"  # the parts an unfinished `update --refresh-parts` refetches
VERSIONS = "versions"  # "off": refetches keep no part versions (`tmdb-collector versions --off`)
PG_SYNC = "pg_sync"  # `sync --to postgresql://...`: each target's last sync point (JSON)

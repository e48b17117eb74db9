"""Every TV network fact: TMDB's ``/network/{id}``, ids from
``tv_network_ids_MM_DD_YYYY.json.gz``, the table ``networks`` (see :mod:`.studio`)."""

from __future__ import annotations

from tmdb_collector.media.studio import studio_type

NETWORK = studio_type(
    name="network",
    word="network",
    plural="networks",
    label="Network",
    table="networks",
    export_prefix="tv_network_ids",
    own="id:int name:str headquarters:str homepage:str logo_path:str origin_country:str",
)

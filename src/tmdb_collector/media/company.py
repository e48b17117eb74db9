"""Every production company fact: TMDB's ``/company/{id}``, ids from
``production_company_ids_MM_DD_YYYY.json.gz``, the table ``companies`` (see
:mod:`.studio`)."""

from __future__ import annotations

from tmdb_collector.media.studio import studio_type

COMPANY = studio_type(
    name="company",
    word="company",
    plural="companies",
    label="Company",
    table="companies",
    export_prefix="production_company_ids",
    own=(
        "id:int name:str description:str headquarters:str homepage:str logo_path:str"
        " origin_country:str parent_company_id:int parent_company_name:str"
    ),
)

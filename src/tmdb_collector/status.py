"""What ``tmdb-collector status`` reports: stage, counts and failures, from the store alone."""

from __future__ import annotations

from typing import Any

from tmdb_collector.media import MEDIA_TYPES, media_type
from tmdb_collector.plan.stages import DETAILS_STAGE, LINKED_STAGE
from tmdb_collector.store import meta_keys
from tmdb_collector.store.harvest_progress import (
    StageConsistency,
    harvest_consistency,
    harvest_progress,
)
from tmdb_collector.store.store import Store


def collection_status(store: Store) -> dict[str, Any]:
    counts = store.counts()
    plan = store.plan()
    harvest = harvest_progress(store)
    if harvest.harvesting:
        stage = "harvest"
    elif counts.pending:
        stage = DETAILS_STAGE
    else:
        stage = "complete"
    linked = _linked(store)
    if stage == "complete" and any(counts["lacking"] for counts in linked.values()):
        stage = LINKED_STAGE
    report = {
        "database": str(store.path),
        "media": store.media_type.name,
        "stage": stage,
        "plan": plan.to_dict(),
        "harvest": {
            "queries": len(harvest.queries),
            "queries_open": harvest.queries_open,
            "pages_done": counts.pages_done,
            "pages_failed": counts.pages_failed,
            "consistency": {
                stage: _consistency(check) for stage, check in harvest_consistency(store).items()
            },
            "reharvest_added": store.ids_since_reharvest(),
        },
        "ids": {
            "total": counts.ids,
            "done": counts.done,
            "pending": counts.pending,
            "not_found": counts.not_found,
            "failed": counts.failed,
            "removed": counts.removed,
        },
        "movies": store.item_count(),
        "parts": {"chosen": list(plan.parts), "items_with": store.part_counts()},
        "last_sync": store.meta(meta_keys.LAST_SYNC),
        "compact": store.compact_advice(),
        "failures": [
            {"id": item_id, "status": status, "reason": reason}
            for item_id, status, reason in store.failures()
        ],
        "page_failures": [
            {"query": key, "page": page, "reason": reason}
            for key, page, reason in store.page_failures()
        ],
    }
    if linked:
        report["linked"] = linked
    images = store.image_counts()
    if images:  # `tmdb-collector images` ran: files held per kind (store/images.py)
        report["images"] = images
    return report


def _linked(store: Store) -> dict[str, dict[str, int]]:
    """Per linked entity type held (plural word): held, lacking (queued), failed, not found."""
    return {
        media_type(entity).plural: {
            "held": statuses.get("done", 0),
            "lacking": statuses.get("pending", 0),
            "failed": statuses.get("failed", 0),
            "not_found": statuses.get("not_found", 0),
        }
        for entity, statuses in sorted(store.linked_counts().items())
    }


def _consistency(check: StageConsistency) -> dict[str, Any]:
    if not check.finished:
        return {"finished": False, "duplicates": None, "missed_estimate": None}
    return {
        "finished": True,
        "duplicates": check.duplicates,
        "missed_estimate": check.missed,
        "pages_not_counted": check.unrecorded,
    }


def _consistency_lines(harvest: dict[str, Any]) -> list[str]:
    lines = []
    for stage, check in harvest["consistency"].items():
        if not check["finished"]:
            line = "counted once its pages are done"
        else:
            line = (
                f"{check['duplicates']} ids listed on two pages, "
                f"~{check['missed_estimate']} missed (estimate)"
            )
            if check["pages_not_counted"]:
                line += f"; {check['pages_not_counted']} older pages not counted"
        lines.append(f"  {stage + ':':<9} {line}")
    if lines and harvest["reharvest_added"] is not None:
        lines.append(f"  reharvest added {harvest['reharvest_added']} ids")
    return ["lists:", *lines] if lines else []


def _harvest_line(plan: dict[str, Any], harvest: dict[str, Any]) -> str:
    if plan.get("ids_from"):  # stages 1-2 replaced by TMDB's daily export
        return f"harvest:   ids from the daily export {plan['ids_from']}"
    return (
        f"harvest:   {harvest['pages_done']} pages done, {harvest['pages_failed']} failed, "
        f"{harvest['queries_open']} of {harvest['queries']} queries open"
    )


def format_status(report: dict[str, Any]) -> str:
    ids, harvest = report["ids"], report["harvest"]
    media = media_type(report["media"])
    lines = [
        f"database:  {report['database']}",
        f"media:     {media.name} ({media.plural})",
        f"stage:     {report['stage']}",
        _harvest_line(report["plan"], harvest),
        *_consistency_lines(harvest),
        f"ids:       {ids['total']} harvested: {ids['done']} collected, {ids['pending']} pending, "
        f"{ids['not_found']} not found, {ids['failed']} failed, "
        f"{ids['removed']} removed",
    ]
    parts = report["parts"]
    counts = parts["items_with"]
    chosen = ", ".join(f"{name} {counts.get(name, 0)}" for name in parts["chosen"])
    if not chosen:
        chosen = "none (details only)"
    else:
        chosen += f" ({media.plural} with each)"
    lines.append(f"parts:     {chosen}")
    others = sorted(set(counts) - set(parts["chosen"]))
    if others:
        lines.append("           also stored: " + ", ".join(f"{n} {counts[n]}" for n in others))
    lines += [linked_line(plural, held) for plural, held in report.get("linked", {}).items()]
    for kind, held in report.get("images", {}).items():
        lines.append(
            f"images:    {held['held']} {kind} files held ({held['bytes'] / 1e6:,.1f} MB),"
            f" {held['not_found']} not found"
        )
    if report.get("last_sync"):
        lines.append(f"last sync: {report['last_sync']}")
    if report.get("compact"):
        lines.append(
            f"storage:   {report['compact']}: `tmdb-collector compact --db"
            f" {report['database']}` would shrink it"
        )
    for failure in report["failures"]:
        lines.append(f"  {failure['status']:<9} {failure['id']}: {failure['reason']}")
    for failure in report["page_failures"]:
        lines.append(
            f"  page failed {failure['query']} page {failure['page']}: {failure['reason']}"
        )
    return "\n".join(lines)


def linked_line(plural: str, held: dict[str, int]) -> str:
    """A linked entity type's counts (the report's, keyed by its plural) in its own words."""
    entity = next(m for m in MEDIA_TYPES.values() if m.plural == plural)
    return (
        f"linked:    {entity.counted(held['held'])} held, {held['lacking']} lacking,"
        f" {held['failed']} failed, {held['not_found']} not found"
    )

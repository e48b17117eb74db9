"""The stages of a run, by name: the harvest's list pages (stages 1-2), each item's details
(stage 3) and the linked entities (``collect --linked``).

The names key the run's progress (:class:`~tmdb_collector.engine.run_progress.RunProgress`),
the harvest queries of the store and the ``collect --reharvest`` choice, so each is spelled here
only.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

HarvestStage = Literal["popular", "discover"]  # the stages whose list pages give the ids
POPULAR: Final = "popular"
DISCOVER: Final = "discover"
HARVEST_STAGES: tuple[HarvestStage, ...] = get_args(HarvestStage)
DETAILS_STAGE: Final = "details"  # stage 3: an item's details and parts
LINKED_STAGE: Final = "linked"  # after the details, in a run with `--linked` alone

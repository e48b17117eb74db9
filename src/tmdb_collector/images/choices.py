"""What an ``images`` run downloads: the kinds, the size of each, and the image base URL.

The sizes and the base come from TMDB's ``/configuration`` (``images.<kind>_sizes``,
``images.secure_base_url``), asked through the same client as the API (base URL, proxy, CAs);
``--image-base-url`` overrides the base. A kind or a size TMDB does not list is refused with
the valid ones named, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tmdb_collector.errors import BadResponseError, UsageError
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import check_base_url
from tmdb_collector.media.base import CONFIGURATION_PATH
from tmdb_collector.media.images import DEFAULT_KINDS, DEFAULT_SIZES, IMAGE_KINDS, sizes_key


def parse_kinds(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"poster,backdrop"`` or a list -> kinds in TMDB's order; unknown ones refused."""
    if value is None:
        return DEFAULT_KINDS
    names = [name.strip() for name in value.split(",")] if isinstance(value, str) else value
    unknown = [name for name in names if name not in IMAGE_KINDS]
    if unknown or not names:
        shown = repr(unknown[0]) if unknown else "(none)"
        raise UsageError(f"unknown image kind {shown}; valid kinds are {', '.join(IMAGE_KINDS)}")
    return tuple(kind for kind in IMAGE_KINDS if kind in names)


@dataclass(frozen=True)
class ImageChoices:
    base_url: str  # ends with "/": <base_url><size><file_path>
    sizes: Mapping[str, str]  # kind -> size

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.sizes)


def choose(
    configuration: Mapping[str, Any],
    kinds: Sequence[str],
    size: str | None,
    image_base_url: str | None,
) -> ImageChoices:
    """The base and each kind's size from a ``/configuration`` body; ``size`` (None: each
    kind's default) must be one the kind lists."""
    images = configuration.get("images")
    if not isinstance(images, dict):
        raise BadResponseError("the configuration lacks 'images'", path=CONFIGURATION_PATH)
    sizes: dict[str, str] = {}
    for kind in kinds:
        listed = images.get(sizes_key(kind))
        if not isinstance(listed, list) or not listed:
            raise BadResponseError(
                f"the configuration lists no {sizes_key(kind)}", path=CONFIGURATION_PATH
            )
        chosen = size if size is not None else DEFAULT_SIZES[kind]
        if chosen not in listed:
            if size is None:  # TMDB dropped our default: the nearest it lists
                chosen = str(listed[len(listed) // 2])
            else:
                raise UsageError(
                    f"size {size!r} is not one TMDB has for {kind} images; valid sizes are"
                    f" {', '.join(map(str, listed))}"
                )
        sizes[kind] = chosen
    base = image_base_url or images.get("secure_base_url")
    if not isinstance(base, str):
        raise BadResponseError(
            "the configuration lacks images.secure_base_url", path=CONFIGURATION_PATH
        )
    try:
        base = check_base_url(base)
    except UsageError as exc:
        raise UsageError(f"image base URL: {exc}") from None
    return ImageChoices(base + "/", sizes)


async def read_configuration(client: TMDBClient) -> dict[str, Any]:
    response = await client.get_json(CONFIGURATION_PATH)
    return response.body

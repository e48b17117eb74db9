"""The image CDN: ``/t/p/<size>/<file_path>`` as ``image.tmdb.org`` serves it.

Every path the simulated bodies name (``poster_path``, ``file_path``...) is an image here: real,
decodable JPEG bytes (PNG for a ``.png`` path, as TMDB's logos are), the width the size names
(``w342``: 342 pixels wide; ``h632``: 632 high; ``original``: a full-size picture, 2000 x 3000
for a JPEG). The picture is drawn from a hash of the path, so the same URL always answers the
same bytes, and the last :data:`CACHED` renderings are kept. About one path in
:data:`MISSING_ONE_IN` answers 404, as a few of TMDB's do (:func:`is_missing`), so a client's
handling of a missing file can be seen.

The aspect follows the size and the file type: a logo (``.png``) is wide, a size only
backdrops and stills have (``w300``, ``w1280``) is 16:9, anything else a poster's 2:3.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import re

from aiohttp import web
from PIL import Image, ImageDraw

from tmdb_collector.simulator.handlers import CONFIGURATION, STATE

IMAGE_ROUTE = "/t/p/{size}/{name}"
IMAGE_PREFIX = "/t/p/"
CACHED = 512  # renderings kept
MISSING_ONE_IN = 97  # about 1% of the paths answer 404
ORIGINAL_JPEG = (2000, 3000)  # a poster's usual full size
_NAME = re.compile(r"[A-Za-z0-9]{1,64}\.(jpg|png)")
_WIDE_ONLY = {"w300", "w1280"}  # sizes of backdrops and stills alone: 16:9


def all_sizes() -> frozenset[str]:
    """Every size /configuration lists, for any kind."""
    images = CONFIGURATION["images"]
    return frozenset(
        size for key, sizes in images.items() if key.endswith("_sizes") for size in sizes
    )


def _seed(path: str) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "big")


def is_missing(path: str) -> bool:
    """Whether the CDN answers 404 for ``path`` (``/abc.jpg``), whatever the size."""
    return _seed(path) % MISSING_ONE_IN == 0


def geometry(size: str, path: str) -> tuple[int, int]:
    """Width and height of ``path`` at ``size``."""
    logo = path.endswith(".png")
    ratio = (0.25 + (_seed(path) % 36) / 100) if logo else 1.5  # height / width
    if size == "original":
        return (1000, round(1000 * ratio)) if logo else ORIGINAL_JPEG
    if size in _WIDE_ONLY and not logo:
        ratio = 9 / 16
    number = int(size[1:])
    if size.startswith("h"):
        return max(1, round(number / ratio)), number
    return number, max(1, round(number * ratio))


@functools.lru_cache(maxsize=CACHED)
def render(size: str, path: str) -> bytes:
    """The file's bytes: a few coloured shapes on a coloured ground, from the path's hash."""
    width, height = geometry(size, path)
    seed = _seed(path)
    colours = [
        ((seed >> (8 * i)) & 0xFF, (seed >> (8 * i + 3)) & 0xFF, (seed >> (8 * i + 5)) & 0xFF)
        for i in range(4)
    ]
    logo = path.endswith(".png")
    picture = Image.new(
        "RGBA" if logo else "RGB", (width, height), colours[0] + ((0,) if logo else ())
    )
    draw = ImageDraw.Draw(picture)
    for i, colour in enumerate(colours[1:], start=1):
        left = (seed >> (i * 7)) % max(1, width // 2)
        top = (seed >> (i * 11)) % max(1, height // 2)
        box = (left, top, left + width // (i + 1), top + height // (i + 1))
        fill = colour + ((255,) if logo else ())
        (draw.ellipse if i % 2 else draw.rectangle)(box, fill=fill)
    out = io.BytesIO()
    if logo:
        picture.save(out, "PNG", optimize=False)
    else:
        picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def content_type(path: str) -> str:
    return "image/png" if path.endswith(".png") else "image/jpeg"


async def image(request: web.Request) -> web.StreamResponse:
    """``GET /t/p/<size>/<file_path>``: the picture, or a 404 for an unknown size or path.

    While the hold (:mod:`.hold`) is closed, an image past its allowance is sent half (the
    headers and the first half of the bytes) and the rest waits for the release: a client
    killed meanwhile has a half-written download."""
    size, name = request.match_info["size"], request.match_info["name"]
    path = "/" + name
    if size not in all_sizes() or not _NAME.fullmatch(name) or is_missing(path):
        return web.Response(status=404, text="Not Found", content_type="text/plain")
    loop = asyncio.get_running_loop()
    body = await loop.run_in_executor(None, render, size, path)
    headers = {"Cache-Control": "public, max-age=31536000"}
    hold = request.app[STATE].hold
    if not hold.closed:
        return web.Response(body=body, content_type=content_type(path), headers=headers)
    stream = web.StreamResponse(headers=headers)
    stream.content_type = content_type(path)
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    await hold.admit()
    await stream.write(body[len(body) // 2 :])
    await stream.write_eof()
    return stream

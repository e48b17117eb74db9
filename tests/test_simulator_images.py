"""The simulator's image CDN (``/t/p/<size>/<file_path>``): real JPEG and PNG bytes at the width
the size names, the same bytes for the same URL, its own rate limit and faults, and a
/configuration whose image base is the simulator itself."""

from __future__ import annotations

import io

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image

from tests.conftest import load_sample
from tests.test_simulator_faults import TOKEN, ManualClock
from tmdb_collector.simulator import SimulatorConfig, build_app
from tmdb_collector.simulator.handlers import STATE
from tmdb_collector.simulator.images import MISSING_ONE_IN, is_missing
from tmdb_collector.simulator.ratelimit import TokenBucket

SMALL = 1500
POSTER = "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg"
LOGO = "/hUzeosd33nzE5MCNsZxCGEKTXaQ.png"


def _decoded(body: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(body))
    picture.load()  # decodes every byte: a truncated file fails here
    return picture


async def test_each_size_is_a_decodable_picture_that_wide() -> None:
    assert not is_missing(POSTER)
    assert not is_missing(LOGO)
    async with TestClient(TestServer(build_app(SimulatorConfig(catalog_size=SMALL)))) as client:
        for size, width in (("w92", 92), ("w342", 342), ("w780", 780), ("w1280", 1280)):
            response = await client.get(f"/t/p/{size}{POSTER}")
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/jpeg"
            picture = _decoded(await response.read())
            assert (picture.format, picture.width) == ("JPEG", width)
        original = _decoded(await (await client.get(f"/t/p/original{POSTER}")).read())
        assert original.width >= 1000
        assert original.height > original.width
        profile = _decoded(await (await client.get(f"/t/p/h632{POSTER}")).read())
        assert profile.height == 632
        logo = await client.get(f"/t/p/w300{LOGO}")
        assert logo.headers["Content-Type"] == "image/png"
        picture = _decoded(await logo.read())
        assert (picture.format, picture.width) == ("PNG", 300)


async def test_the_same_url_gives_the_same_bytes_and_paths_differ() -> None:
    async with TestClient(TestServer(build_app(SimulatorConfig(catalog_size=SMALL)))) as client:
        first = await (await client.get(f"/t/p/w185{POSTER}")).read()
        again = await (await client.get(f"/t/p/w185{POSTER}")).read()
        other = await (await client.get("/t/p/w185/aaaaaaaaaaaaaaaaaaaaaaaaaaa.jpg")).read()
    assert first == again != other


async def test_unknown_sizes_and_missing_paths_answer_404() -> None:
    missing = next(f"/m{n}.jpg" for n in range(10 * MISSING_ONE_IN) if is_missing(f"/m{n}.jpg"))
    async with TestClient(TestServer(build_app(SimulatorConfig(catalog_size=SMALL)))) as client:
        assert (await client.get(f"/t/p/w999{POSTER}")).status == 404
        assert (await client.get(f"/t/p/w342{missing}")).status == 404
        assert (await client.get("/t/p/w342/not-a-path.gif")).status == 404


async def test_configuration_names_the_simulator_as_image_base() -> None:
    async with TestClient(TestServer(build_app(SimulatorConfig(catalog_size=SMALL)))) as client:
        body = await (await client.get("/3/configuration", headers=TOKEN)).json()
        base = str(client.make_url("/t/p/"))
        assert body["images"]["secure_base_url"] == base
        assert body["images"]["base_url"] == base
        # Everything else is TMDB's own answer (the spec's example).
        sample = load_sample("spec_examples/configuration.json")
        images = {**body["images"], "base_url": sample["images"]["base_url"]}
        images["secure_base_url"] = sample["images"]["secure_base_url"]
        assert {**body, "images": images} == sample
        # Images need no key, as on TMDB's CDN.
        assert (await client.get(f"/t/p/w92{POSTER}")).status == 200


async def test_images_have_their_own_rate_limit_and_faults() -> None:
    config = SimulatorConfig(catalog_size=SMALL, image_rate_limit=3.0)
    app = build_app(config)
    app[STATE].image_gate.bucket = TokenBucket(3.0, clock=ManualClock())
    async with TestClient(TestServer(app)) as client:
        statuses = [(await client.get(f"/t/p/w92{POSTER}")).status for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        # The API is not limited by the images' bucket.
        api = [(await client.get("/3/configuration", headers=TOKEN)).status for _ in range(5)]
        assert api == [200] * 5
    faulty = SimulatorConfig(catalog_size=SMALL, image_fault_rate=1.0, fault_kinds=("error",))
    async with TestClient(TestServer(build_app(faulty))) as client:
        assert (await client.get(f"/t/p/w92{POSTER}")).status >= 500
        assert (await client.get("/3/configuration", headers=TOKEN)).status == 200

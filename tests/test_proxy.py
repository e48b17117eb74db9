"""Issue 14, point 1: reaching TMDB through a forward proxy (flag, config or environment, with
NO_PROXY), one that demands credentials and one that refuses, and trusting a custom CA. The
key and the proxy password never appear in any output."""

from __future__ import annotations

import contextlib
import json
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.cli_helpers import TEST_KEY, cli_env, collect_args, one_line_error, run_cli
from tests.forward_proxy import TlsFront, forward_proxy
from tmdb_collector.errors import ConfigError
from tmdb_collector.fetch.network import proxy_for, shown
from tmdb_collector.fetch.settings import ClientSettings

PLAN = ["--popular-pages", "2", "--genre-pages", "0"]
PASSWORD = "pr0xy-s3cret-pw"
NO_ENV_PROXY = {"HTTP_PROXY": "", "HTTPS_PROXY": "", "NO_PROXY": "", "http_proxy": "",
                "https_proxy": "", "no_proxy": ""}  # fmt: skip


def env(**extra: str) -> dict[str, str]:
    return cli_env(**{**NO_ENV_PROXY, **extra})


def everything_written(result: subprocess.CompletedProcess[str], tmp_path: Path) -> str:
    """stdout, stderr, and every file the run left (database, logs, exports)."""
    text = result.stdout + result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text += path.read_bytes().decode("latin-1")
    return text


def collected(db: Path) -> int:
    status = run_cli(["status", "--db", str(db), "--json"], env=env())
    return int(json.loads(status.stdout)["movies"])


def test_proxy_resolution() -> None:
    https, http = "https://api.tmdb.org/3", "http://127.0.0.1:8000/3"
    environ = {"HTTPS_PROXY": "http://corp:3128", "http_proxy": "http://u:p%40ss@local:8080"}
    assert proxy_for(https, None, {}) is None
    chosen = proxy_for(https, None, environ)
    assert chosen is not None
    assert (chosen.url, chosen.authorization) == ("http://corp:3128", None)
    plain = proxy_for(http, None, environ)
    assert plain is not None
    assert plain.url == "http://local:8080"
    assert plain.headers() == {"Proxy-Authorization": "Basic dTpwQHNz"}  # u:p@ss
    assert "p@ss" not in repr(plain)
    explicit = proxy_for(https, "http://flag:1", environ)
    assert explicit is not None
    assert explicit.url == "http://flag:1"
    for no_proxy in ("tmdb.org", ".tmdb.org", "x, api.tmdb.org", "*", "tmdb.org:443"):
        assert proxy_for(https, "http://flag:1", {**environ, "NO_PROXY": no_proxy}) is None
    for no_proxy in ("themoviedb.org", "tmdb.org:80", "i.tmdb.org"):
        assert proxy_for(https, None, {**environ, "no_proxy": no_proxy}) is not None
    assert shown("http://u:secret@h:1") == "http://u:[REDACTED]@h:1"


@pytest.mark.parametrize("bad", ["ftp://h:1", "not a url", "http://h:99999", 5])
def test_bad_proxy_settings(bad: object) -> None:
    with pytest.raises(ConfigError):
        ClientSettings(proxy=bad)  # type: ignore[arg-type]


def test_collect_through_an_authenticating_proxy_leaks_neither_secret(
    sim_url: str, tmp_path: Path
) -> None:
    db, log = tmp_path / "c.db", tmp_path / "run.log"
    with forward_proxy(user="tester", password=PASSWORD) as proxy:
        url = f"http://tester:{PASSWORD}@127.0.0.1:{proxy.port}"
        args = collect_args(db, sim_url, *PLAN, "--proxy", url, "-vv", "--log-file", str(log))
        result = run_cli(args, env=env())
        assert result.returncode == 0, result.stderr
        assert collected(db) > 0
        assert len(proxy.relayed) >= collected(db)  # every request went through it
        assert proxy.denied == 0
        out = tmp_path / "movies.json"
        exported = run_cli(["export", "--db", str(db), "--out", str(out)], env=env())
        status = run_cli(["status", "--db", str(db)], env=env())
    text = everything_written(result, tmp_path) + exported.stdout + status.stdout
    assert PASSWORD not in text
    assert TEST_KEY not in text


def test_the_environment_and_the_config_file_name_the_proxy_too(
    sim_url: str, tmp_path: Path
) -> None:
    with forward_proxy(user="tester", password=PASSWORD) as proxy:
        url = f"http://tester:{PASSWORD}@127.0.0.1:{proxy.port}"
        by_env = run_cli(collect_args(tmp_path / "a.db", sim_url, *PLAN), env=env(HTTP_PROXY=url))
        assert by_env.returncode == 0, by_env.stderr
        through_env = len(proxy.relayed)
        assert through_env > 0
        config = tmp_path / "client.toml"
        config.write_text(f'[client]\nproxy = "{url}"\n')
        args = collect_args(tmp_path / "b.db", sim_url, *PLAN, "--config", str(config))
        by_config = run_cli(args, env=env())
        assert by_config.returncode == 0, by_config.stderr
        assert len(proxy.relayed) > through_env
        # NO_PROXY exempts the simulator's host: nothing more goes through the proxy.
        relayed = len(proxy.relayed)
        exempt = env(HTTP_PROXY=url, NO_PROXY="localhost,127.0.0.1")
        direct = run_cli(collect_args(tmp_path / "c.db", sim_url, *PLAN), env=exempt)
        assert direct.returncode == 0, direct.stderr
        assert len(proxy.relayed) == relayed
    assert PASSWORD not in by_env.stderr + by_config.stderr + config.read_text().replace(url, "")


@pytest.mark.parametrize(
    ("options", "credentials", "expected"),
    [
        ({"user": "tester", "password": PASSWORD}, "tester:wrong-password-42@", "407"),
        ({"user": "tester", "password": PASSWORD}, "", "407"),
        ({"refuse": True}, f"tester:{PASSWORD}@", "403"),
    ],
)
def test_a_proxy_that_says_no_ends_the_run_with_one_line(
    sim_url: str,
    tmp_path: Path,
    options: dict[str, object],
    credentials: str,
    expected: str,
) -> None:
    db = tmp_path / "c.db"
    with forward_proxy(**options) as proxy:
        url = f"http://{credentials}127.0.0.1:{proxy.port}"
        result = run_cli(collect_args(db, sim_url, *PLAN, "--proxy", url), env=env())
        assert proxy.denied == 1  # the first request, alone, and nothing after it
        assert proxy.relayed == []
    assert result.returncode == 1
    line = one_line_error(result)
    assert f"HTTP {expected}" in line
    assert f"the proxy http://127.0.0.1:{proxy.port} refused" in line
    assert PASSWORD not in everything_written(result, tmp_path)
    assert "wrong-password-42" not in everything_written(result, tmp_path)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, as a TLS-intercepting proxy's CA would be."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "ca.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@contextlib.contextmanager
def https_tmdb(sim_url: str, certificate: tuple[Path, Path]) -> Iterator[str]:
    """The session's simulator behind TLS: its https base URL."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    origin = urlsplit(sim_url)
    front = TlsFront(context, origin.port or 80)
    front.start()
    try:
        yield f"https://127.0.0.1:{front.port}{origin.path}"
    finally:
        front.stop()


def test_https_through_a_proxy_tunnel_with_its_ca(
    sim_url: str, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert = str(certificate[0])
    with https_tmdb(sim_url, certificate) as base, forward_proxy() as proxy:
        port = urlsplit(base).port
        args = collect_args(tmp_path / "a.db", base, *PLAN, "--proxy", proxy.url)
        untrusted = run_cli(args, env=env())
        assert untrusted.returncode == 1
        line = one_line_error(untrusted)
        assert "TLS certificate is not trusted" in line
        assert "--ca-file" in line
        trusted = run_cli([*args, "--ca-file", cert], env=env())
        assert trusted.returncode == 0, trusted.stderr
        assert set(proxy.relayed) == {f"CONNECT 127.0.0.1:{port}"}
        direct = collect_args(tmp_path / "b.db", base, *PLAN)
        by_env = run_cli(direct, env=env(SSL_CERT_FILE=cert))
        assert by_env.returncode == 0, by_env.stderr
    assert collected(tmp_path / "a.db") == collected(tmp_path / "b.db") > 0
    missing = run_cli([*direct, "--ca-file", str(tmp_path / "nope.pem")], env=env())
    assert missing.returncode == 2
    assert "nope.pem: no such file" in one_line_error(missing)


def test_a_bad_ca_file_is_refused_before_a_collection_is_made(tmp_path: Path) -> None:
    """A missing or non-PEM --ca-file is exit 2 with one line, and leaves no database (the
    file was read only when the client started, after the new database was made)."""
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n", encoding="utf-8")
    for ca_file, said in ((tmp_path / "nope.pem", "no such file"), (junk, "not a PEM")):
        db = tmp_path / "new.db"
        done = run_cli(
            [*collect_args(db, "http://127.0.0.1:9/3", *PLAN), "--ca-file", str(ca_file)]
        )
        assert done.returncode == 2, done.stderr
        assert said in one_line_error(done)
        assert not db.exists()


def test_the_daily_export_is_downloaded_through_the_proxy_flag_too(
    sim_url: str, tmp_path: Path
) -> None:
    db = tmp_path / "ids.db"
    export_url = sim_url.removesuffix("/3") + "/p/exports/movie_ids_11_24_2026.json.gz"
    with forward_proxy(user="tester", password=PASSWORD) as proxy:
        url = f"http://tester:{PASSWORD}@127.0.0.1:{proxy.port}"
        args = collect_args(db, sim_url, "--ids-from", export_url, "--harvest-only")
        result = run_cli([*args, "--proxy", url, "--min-popularity", "50"], env=env())
        assert result.returncode == 0, result.stderr
        assert f"GET {export_url}" in proxy.relayed
        assert proxy.denied == 0
    status = json.loads(run_cli(["status", "--db", str(db), "--json"], env=env()).stdout)
    assert status["ids"]["pending"] > 0
    assert PASSWORD not in everything_written(result, tmp_path)

"""Small deterministic hashing helpers (no dependence on PYTHONHASHSEED)."""

from __future__ import annotations

import base64
import random

MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15

# Salts that keep the independent random streams of one movie apart.
SALT_DELETED = 1
SALT_DRIFT = 2
SALT_DETAILS = 3
SALT_CREDITS = 4
SALT_KEYWORDS = 5
SALT_RECS = 6
SALT_SIMILAR = 7
SALT_TITLE = 8
SALT_PERSON = 9
SALT_DAY = 10
SALT_FAULTS = 11
SALT_CATALOGUE = 12
SALT_PARTS = 13
SALT_TV = 14
SALT_DRIFT_RANK = 15


def mix64(x: int) -> int:
    """SplitMix64 finaliser: a fast, well-spread 64-bit integer hash."""
    x = (x + _GOLDEN) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def hash_ints(*parts: int) -> int:
    """Combine integers into one 64-bit hash, order-sensitive."""
    h = 0x243F6A8885A308D3
    for part in parts:
        h = mix64(h ^ (part & MASK64))
    return h


def unit(h: int) -> float:
    """Map a 64-bit hash to a float in [0, 1)."""
    return (h >> 11) * (1.0 / (1 << 53))


def rng_for(*parts: int) -> random.Random:
    """A private ``random.Random`` stream for the given key."""
    return random.Random(hash_ints(*parts))


_B64_TO_ALNUM = bytes.maketrans(b"+/", b"xQ")
_BITS168 = (1 << 168) - 1


def image_path(rng: random.Random, ext: str = ".jpg") -> str:
    """A relative TMDB-style image path such as ``/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg``."""
    return image_path_from(rng.getrandbits(168), ext)


def image_path_from(bits: int, ext: str = ".jpg") -> str:
    """Image path from 168 random bits (27 alphanumeric characters)."""
    raw = base64.b64encode((bits & _BITS168).to_bytes(21, "little")).translate(_B64_TO_ALNUM)
    return "/" + raw[:27].decode("ascii") + ext


def hex24(*parts: int) -> str:
    """A 24-hex-digit id (like TMDB ``credit_id``) derived from the key."""
    h1 = hash_ints(*parts)
    h2 = mix64(h1)
    return f"{h1 & 0xFFFFFFFFFFFF:012x}{h2 & 0xFFFFFFFFFFFF:012x}"


def number(value: float) -> float | int:
    """TMDB emits integral floats without a decimal point: 7.0 -> 7."""
    if value == int(value):
        return int(value)
    return value

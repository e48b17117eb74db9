"""TMDB credentials from the environment, and the redaction that keeps them out of output.

The key is only ever held in memory: it is sent on the wire and nowhere else. As a second
line of defence every log record and user-facing message passes through :func:`redact`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from tmdb_collector.errors import MissingCredentialsError, UsageError

API_KEY_ENV = "TMDB_API_KEY"
TOKEN_ENV = "TMDB_READ_ACCESS_TOKEN"
REDACTED = "[REDACTED]"

_known_secrets: set[str] = set()


MIN_SECRET_LENGTH = 6  # shorter values would blank ordinary words; real keys are 32+ chars


def register_secret(value: str) -> None:
    """Remember a secret so :func:`redact` blanks it wherever it shows up."""
    if len(value) >= MIN_SECRET_LENGTH:
        _known_secrets.add(value)


def redact(text: str) -> str:
    for secret in _known_secrets:
        text = text.replace(secret, REDACTED)
    return text


@dataclass(frozen=True)
class Credentials:
    """Either a v3 API key (query parameter) or a read access token (Bearer header)."""

    api_key: str | None = field(default=None, repr=False)
    bearer_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for value in (self.api_key, self.bearer_token):
            if value:
                register_secret(value)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if env is None else env
        api_key = env.get(API_KEY_ENV, "").strip()
        token = env.get(TOKEN_ENV, "").strip()
        if not api_key and not token:
            raise MissingCredentialsError()
        for name, value in ((API_KEY_ENV, api_key), (TOKEN_ENV, token)):
            if any(ord(char) < 32 or ord(char) == 127 for char in value):
                # Sent as it is, it fails every request as "unexpected" (a header cannot hold
                # a line break); the message never shows the value.
                raise UsageError(
                    f"{name} holds a line break or another control character; set it to the"
                    " key or token alone, on one line"
                )
        return cls(api_key=api_key or None, bearer_token=token or None)

    def query_params(self) -> dict[str, str]:
        return {"api_key": self.api_key} if self.api_key and not self.bearer_token else {}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.bearer_token}"} if self.bearer_token else {}

    def __repr__(self) -> str:
        kind = "bearer token" if self.bearer_token else "api key"
        return f"Credentials({kind}={REDACTED})"


class RedactingFilter(logging.Filter):
    """Rewrites every record so no registered secret reaches a handler: its message, and the
    traceback and stack it carries (an exception's text can hold a URL with ``api_key``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info:  # formatted here, so the handler prints the redacted text
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

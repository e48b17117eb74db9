"""The CLI's commands by name, each imported when first asked for, so that a command's run
loads its own modules only (a ``sync`` not the collector's HTTP client)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's ``commands``: name -> (module, attribute), the command loaded on first use."""

    def __init__(self, where: dict[str, tuple[str, str]]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, attribute = self._where[name]  # KeyError: no such command
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module}.{attribute} is not a click command")
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where.setdefault(name, ("", ""))
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

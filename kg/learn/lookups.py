"""Lookup tables a model keeps beside its weights (place names, personal names): stored as
JSON objects that map each value, written as a string, to the sorted words that have it."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping
from typing import TypeVar

__all__ = ["versions", "grouped", "ungrouped"]

V = TypeVar("V")


def versions(*packages: str) -> dict[str, str]:
    """The installed version of each package a table comes from ("?" if it is missing)."""
    out = {}
    for name in packages:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - declared dependencies
            out[name] = "?"
    return out


def grouped(table: Mapping[str, V], key: Callable[[V], str]) -> dict[str, list[str]]:
    """``{key(value): [words, sorted]}``, keys sorted: a stable, compact file."""
    out: dict[str, list[str]] = {}
    for word, value in table.items():
        out.setdefault(key(value), []).append(word)
    return {k: sorted(v) for k, v in sorted(out.items())}


def ungrouped(data: object, value: Callable[[str], V]) -> dict[str, V]:
    """The table of :func:`grouped`'s output; ``value`` turns a key back into the value (and raises
    ``ValueError`` for a key it cannot read). ``ValueError`` if ``data`` is no such object."""
    if not isinstance(data, dict):
        raise ValueError("expected an object of word lists")
    out: dict[str, V] = {}
    for k, words in data.items():
        if not isinstance(words, list) or not set(map(type, words)) <= {str}:
            raise ValueError(f"expected a list of words for {k!r}")
        out.update(dict.fromkeys(words, value(k)))
    return out

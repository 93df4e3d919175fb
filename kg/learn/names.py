"""Given names and family names a model knows, from the names-dataset package.

A candidate span whose first word is a common given name, or whose last word is a common
family name, gets features saying so ("fname=1": among the 300 most common given names of
some country, "fname=2": among the 3,000 most common); the entity classifier learns how far
to trust them ("Apple" and "Paris" are given names somewhere too). Like the place names
(:mod:`kg.learn.places`), the table is built when a model is trained and saved with it
(``names.json``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from kg.learn.lookups import grouped, ungrouped, versions

__all__ = ["Names", "build", "sources", "to_json", "from_json", "COMMON", "KNOWN"]

#: Folded word -> (given-name bucket, family-name bucket): "1" (rank <= COMMON in some
#: country), "2" (rank <= KNOWN), "" (neither).
Names = Mapping[str, tuple[str, str]]

COMMON = 300
KNOWN = 3000


def sources() -> dict[str, str]:
    """The library the table comes from, with its version."""
    return versions("names-dataset")


def _bucket(entry: dict[str, Any] | None) -> str:
    if not entry:
        return ""
    ranks = [r for r in entry.get("rank", {}).values() if r]
    if not ranks:
        return ""
    best = min(ranks)
    return "1" if best <= COMMON else "2" if best <= KNOWN else ""


@functools.cache
def build() -> Names:
    """The table from the installed names-dataset (about ten seconds and 2 GB while it loads;
    done once per training)."""
    from names_dataset import NameDataset

    from kg.extract.lexicon import fold  # (kg.extract imports spaCy, which loading a model does not need)

    data = NameDataset()
    out: dict[str, list[str]] = {}
    for k, table in enumerate((data.first_names, data.last_names)):
        for name, entry in table.items():
            b = _bucket(entry)
            if b:
                key = fold(name)
                out.setdefault(key, ["", ""])[k] = min(b, out.get(key, ["", ""])[k] or b)
    del data
    return {k: (v[0], v[1]) for k, v in out.items()}


def to_json(names: Names) -> dict[str, list[str]]:
    """``{"given bucket/family bucket": [words, sorted]}``: a stable, compact file."""
    return grouped(names, lambda buckets: "/".join(buckets))


def _buckets(key: str) -> tuple[str, str]:
    parts = key.split("/")
    if len(parts) != 2:
        raise ValueError(f"expected 'given/family' buckets, not {key!r}")
    return parts[0], parts[1]


def from_json(data: object) -> dict[str, tuple[str, str]]:
    """The table of :func:`to_json`'s output; ``ValueError`` if it is not one."""
    return ungrouped(data, _buckets)

"""Materialised views: answers of the named questions that read the whole graph, kept with the Oxigraph store.

Some named queries aggregate or list the whole graph when asked without a name
(``top-entities``, ``investments`` or ``training`` of every organisation...):
their cost grows with the graph (seconds at ten million quads), however the
query is written. When a build writes its Oxigraph store, :func:`write_views`
runs each of them once on the new store (:func:`view_cases`: every named query
whose parameters are all optional, without parameters, and for each class of
entity when the parameter names a class) and keeps the answers in the store's
folder (``kg-views/``). Stores are never changed once written, so a view is
always the answer of the store it sits in.

:class:`Views` answers a query from a view only when the query text and the
bound parameters are exactly those the view was computed for (a sha-256 of
both is the key), so any other query, or any other value, runs as usual. The
answers are identical by construction; a view spares the evaluation.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kg.results import QueryResult, Term

__all__ = ["VIEWS_DIR", "Views", "view_cases", "view_key", "write_views"]

#: The folder of views inside an Oxigraph store's folder.
VIEWS_DIR = "kg-views"
_INDEX = "index.json"
_FORMAT = 1


def view_key(sparql: str, params: Mapping[str, Term]) -> str:
    """The key of a query and its bound parameters (sha-256 of both)."""
    bound = sorted([name, *params[name]] for name in params)
    return hashlib.sha256(json.dumps([_FORMAT, sparql, bound], ensure_ascii=False).encode("utf-8")).hexdigest()


def view_cases() -> Iterator[tuple[str, dict[str, Term]]]:
    """The named queries (and parameters) kept as views: those that read the whole graph when asked without a name."""
    from kg.explorer.data import NODE_CLASSES
    from kg.query import named_queries

    for name, spec in named_queries().items():
        if any(p.required for p in spec.parameters):
            continue
        yield name, {}
        for p in spec.parameters:
            if "Class" in p.kinds:
                for cls in NODE_CLASSES:
                    yield name, {p.name: Term("literal", cls)}


def _encode(term: Term | None) -> Any:
    return None if term is None else list(term)


def _decode(value: Any) -> Term | None:
    return None if value is None else Term(*value)


def write_views(store_dir: str | os.PathLike[str], engine: Any) -> int:
    """Run each of :func:`view_cases` on ``engine`` (the store in ``store_dir``) and keep the answers there.

    Returns:
        The number of views written.
    """
    from kg.engine import execute
    from kg.query import named_query

    folder = Path(store_dir) / VIEWS_DIR
    folder.mkdir(exist_ok=True)
    index = {}
    for name, params in view_cases():
        sparql = named_query(name).sparql
        result = execute(engine, sparql, params)
        if result.type != "SELECT":
            continue
        key = view_key(sparql, params)
        data = {"query": name, "params": {k: list(v) for k, v in params.items()}, "type": result.type,
                "vars": list(result.vars), "rows": [[_encode(t) for t in row] for row in result.bindings]}  # fmt: skip
        (folder / f"{key}.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
        index[key] = {"query": name, "params": data["params"], "rows": len(result.bindings)}
    (folder / _INDEX).write_text(json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    return len(index)


class Views:
    """The views of one store folder, read when first asked for (each kept in memory once read)."""

    def __init__(self, store_dir: str | os.PathLike[str]) -> None:
        self.folder = Path(store_dir) / VIEWS_DIR
        try:
            self.keys = frozenset(json.loads((self.folder / _INDEX).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            self.keys = frozenset()
        self._loaded: dict[str, QueryResult] = {}
        self._lock = threading.Lock()

    def get(self, sparql: str, params: Mapping[str, Term]) -> QueryResult | None:
        """The answer kept for this query and these parameters, or None."""
        if not self.keys:
            return None
        key = view_key(sparql, params)
        if key not in self.keys:
            return None
        with self._lock:
            result = self._loaded.get(key)
            if result is None:
                try:
                    data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    return None
                rows = [tuple(_decode(v) for v in row) for row in data["rows"]]
                result = self._loaded[key] = QueryResult("SELECT", tuple(data["vars"]), rows)
        return QueryResult("SELECT", result.vars, list(result.bindings))

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

The questions about one named entity (``partners-of org=Microsoft``...) cost
seconds too when the entity is named in thousands of documents. For them the
store keeps, by entity, the rows that the question asked about every entity at
once gives (:data:`ENTITY_VIEWS`: the named query without its parameter, or a
companion query in ``ontology/queries/views``), and every name, alias and
preferred name in lower case with the entities it names (``entities.sqlite``).
Asked with a name, :class:`Views` finds the entities the query would find (the
name in lower case, as the query's ``LCASE`` compares them: both follow
Unicode's full lowercase mapping) and answers with their rows, in the order of
the question about every entity, which is the query's ``ORDER BY``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.results import QueryResult, Term

__all__ = ["ENTITY_VIEWS", "VIEWS_DIR", "EntityView", "Views", "view_cases", "view_key", "write_views"]

#: The folder of views inside an Oxigraph store's folder.
VIEWS_DIR = "kg-views"
_INDEX = "index.json"
_ENTITIES = "entities.sqlite"
_FORMAT = 1


@dataclass(frozen=True)
class EntityView:
    """A named question about one named entity, kept by entity.

    ``query`` is answered, for ``param`` = a name, by the rows of ``source``
    (a query over every entity: a file of ``ontology/queries/views``, or None
    for the named query itself without its parameter) whose ``column`` holds an
    entity of that name. ``drop``: that column is not part of the answer (rows
    then equal for several entities of the name are given once, as the
    query's grouping does).
    """

    query: str
    param: str
    column: str
    source: str | None = None
    drop: bool = False


#: The named questions about one entity that are kept by entity.
ENTITY_VIEWS = (
    EntityView("investments", "investor", "investor_iri"),
    EntityView("partners-of", "org", "who", source="partners-of", drop=True),
    EntityView("quotes-by", "person", "speaker_iri", source="quotes-by"),
    EntityView("training", "org", "trainer_iri"),
    EntityView("works-for", "org", "organization_iri"),
)

#: Every name of an entity, as the named queries look entities up.
_NAMES = "SELECT DISTINCT ?entity ?name WHERE { ?entity rdfs:label|skos:prefLabel|skos:altLabel ?name }"


def _sparql_key(sparql: str) -> str:
    return hashlib.sha256(sparql.encode("utf-8")).hexdigest()


def _name_key(term: Term) -> str:
    """A name as the named queries compare names: ``LCASE(STR(?name))``."""
    return term.value.lower()


def source_query(view: EntityView) -> str:
    """The query over every entity that ``view`` keeps by entity."""
    from importlib.resources import files

    from kg.query import named_query

    if view.source is None:
        return named_query(view.query).sparql
    return files("kg.ontology").joinpath("queries", "views", f"{view.source}.rq").read_text(encoding="utf-8")


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
    whole: dict[str, QueryResult] = {}  # the answers without parameters, by query
    for name, params in view_cases():
        sparql = named_query(name).sparql
        result = execute(engine, sparql, params)
        if result.type != "SELECT":
            continue
        if not params:
            whole[name] = result
        key = view_key(sparql, params)
        data = {"query": name, "params": {k: list(v) for k, v in params.items()}, "type": result.type,
                "vars": list(result.vars), "rows": [[_encode(t) for t in row] for row in result.bindings]}  # fmt: skip
        (folder / f"{key}.json").write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")
        index[key] = {"query": name, "params": data["params"], "rows": len(result.bindings)}
    _write_entity_views(folder / _ENTITIES, engine, whole)
    (folder / _INDEX).write_text(json.dumps(index, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    return len(index)


def _write_entity_views(path: Path, engine: Any, whole: Mapping[str, QueryResult]) -> None:
    """Keep the rows of :data:`ENTITY_VIEWS` by entity, and every name's entities, in ``path`` (SQLite)."""
    from kg.engine import execute
    from kg.query import named_query

    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(
            """
            CREATE TABLE names (name TEXT NOT NULL, entity TEXT NOT NULL, PRIMARY KEY (name, entity)) WITHOUT ROWID;
            CREATE TABLE views (query TEXT PRIMARY KEY, sparql TEXT NOT NULL, param TEXT NOT NULL,
                                vars TEXT NOT NULL, drop_column INTEGER);
            CREATE TABLE rows (query TEXT NOT NULL, entity TEXT NOT NULL, rows TEXT NOT NULL,
                               PRIMARY KEY (query, entity)) WITHOUT ROWID;
            """
        )
        names = execute(engine, _NAMES, {})
        db.executemany(
            "INSERT OR IGNORE INTO names VALUES (?, ?)",
            (
                (_name_key(name), entity.value)
                for entity, name in names.bindings
                if entity is not None and entity.kind == "uri" and name is not None
            ),
        )
        for view in ENTITY_VIEWS:
            result = whole.get(view.query) if view.source is None else execute(engine, source_query(view), {})
            if result is None or result.type != "SELECT" or view.column not in result.vars:
                continue
            column = result.vars.index(view.column)
            keep = [i for i in range(len(result.vars)) if not (view.drop and i == column)]
            by_entity: dict[str, list[Any]] = {}
            for position, row in enumerate(result.bindings):
                entity = row[column]
                if entity is None or entity.kind != "uri":
                    continue
                by_entity.setdefault(entity.value, []).append([position, [_encode(row[i]) for i in keep]])
            db.execute(
                "INSERT INTO views VALUES (?, ?, ?, ?, ?)",
                (view.query, _sparql_key(named_query(view.query).sparql), view.param,
                 json.dumps([result.vars[i] for i in keep]), int(view.drop)),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO rows VALUES (?, ?, ?)",
                ((view.query, entity, json.dumps(rows, ensure_ascii=False, separators=(",", ":"))) for entity, rows in by_entity.items()),
            )  # fmt: skip
        db.commit()
    finally:
        db.close()
    os.replace(tmp, path)


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
        self._db: sqlite3.Connection | None = None
        self._entity_views: dict[str, tuple[str, str, tuple[str, ...], bool]] | None = None

    def get(self, sparql: str, params: Mapping[str, Term]) -> QueryResult | None:
        """The answer kept for this query and these parameters, or None."""
        if not self.keys:
            return None
        key = view_key(sparql, params)
        if key not in self.keys:
            return self._by_entity(sparql, params)
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

    def _open(self) -> dict[str, tuple[str, str, tuple[str, ...], bool]]:
        """The entity views of this store by the hash of their query's text (read once; empty without any)."""
        if self._entity_views is None:
            self._entity_views = {}
            path = self.folder / _ENTITIES
            if path.is_file():
                try:
                    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
                    for query, sparql, param, names, drop in db.execute("SELECT * FROM views"):
                        self._entity_views[sparql] = (query, param, tuple(json.loads(names)), bool(drop))
                    self._db = db
                except (sqlite3.Error, ValueError):
                    self._entity_views = {}
        return self._entity_views

    def _by_entity(self, sparql: str, params: Mapping[str, Term]) -> QueryResult | None:
        """The answer of a question about the entities of one name, from the rows kept by entity (or None)."""
        with self._lock:
            views = self._open()
            if not views or len(params) != 1:
                return None
            found = views.get(_sparql_key(sparql))
            if found is None:
                return None
            query, param, names, drop = found
            term = params.get(param)
            if term is None or term.kind not in ("literal", "uri") or self._db is None:
                return None
            try:
                entities = [
                    e for (e,) in self._db.execute("SELECT entity FROM names WHERE name = ?", (_name_key(term),))
                ]
                kept: list[Any] = []
                for entity in entities:
                    for (text,) in self._db.execute(
                        "SELECT rows FROM rows WHERE query = ? AND entity = ?", (query, entity)
                    ):
                        kept.extend(json.loads(text))
            except (sqlite3.Error, ValueError):
                return None
        if len(entities) > 1:
            kept.sort(key=lambda item: item[0])  # the order of the question about every entity
        rows: list[tuple[Term | None, ...]] = []
        seen: set[tuple[Term | None, ...]] = set()
        for _, values in kept:
            row = tuple(_decode(v) for v in values)
            if drop and len(entities) > 1:
                if row in seen:
                    continue
                seen.add(row)
            rows.append(row)
        return QueryResult("SELECT", names, rows)

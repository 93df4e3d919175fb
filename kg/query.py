"""Read-only SPARQL over a built graph: :func:`open_graph`, :func:`query` and named queries.

The default graph of a query is the union of the document graphs; ``GRAPH ?g``
ranges over the document graphs. The ontology's prefix and the usual
vocabularies are predeclared (:data:`PREFIXES`). Guard rails: updates are
refused, and so are ``SERVICE``, ``LOAD`` and ``FROM`` a graph the store does
not hold, unless ``allow_network=True``; with a ``timeout`` the query runs in
a child process that is killed when the time is up.

Parameters bind variables wherever they stand (triple patterns, ``FILTER``,
``BIND``, ``OPTIONAL``, subqueries, ``HAVING``...) as RDF terms, in ``VALUES``
blocks (:mod:`kg.params`), never by pasting text into the query: a ``str`` is
a literal, however many quotes it holds. A parameter the query does not
mention is an error.

>>> {"kg", "schema", "prov", "skos"} <= set(PREFIXES)
True
>>> parse_param('org=x" || "1" = "1')
('org', Term(kind='literal', value='x" || "1" = "1', datatype=None, lang=None))

Typical use::

    g = kg.open_graph("kg-out")
    for row in g.query("SELECT ?who WHERE { ?who kg:worksFor ?org . ?org rdfs:label ?l FILTER(STR(?l) = ?name) }",
                       params={"name": "Microsoft"}):
        print(row["who"])
    g.named("partners-of", {"org": "Microsoft"}).to_dataframe()

Named queries live in ``ontology/queries/NAME.rq``. Each starts with a comment
header: what it answers, a ``Question:`` line (the query as a question, each
parameter written ``{name}``), then a ``Parameters:`` line followed by one line
per parameter (``#   name [Kind]  what it is``, with ``(optional…)`` for
optional ones; the kind, ``Organization``, ``Person``, ``Document``... says what
the value names, and is optional). An
optional parameter that is not given (or given as ``""``) is left unbound,
which the query reads as "no restriction" (``FILTER(!BOUND(?org) || …)``).
A column ``x_iri`` holds the IRI of the entity (or document) named in column
``x`` (or ``x_name``), so that the query page can link it.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from types import EllipsisType
from typing import Any

from kg.errors import QueryError
from kg.results import QueryResult, Term
from kg.sparql import PREDECLARED, QueryRefused, QueryTimeout

__all__ = [
    "PREFIXES",
    "KnowledgeGraph",
    "NamedQuery",
    "Parameter",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "Term",
    "named_queries",
    "named_query",
    "open_graph",
    "parse_param",
    "query",
    "to_term",
]

#: Prefixes predeclared in every query: prefix -> namespace IRI.
PREFIXES: dict[str, str] = dict(PREDECLARED)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM_LINE = re.compile(r"^\s+([A-Za-z_][A-Za-z0-9_]*)\s+(?:\[([^\]]*)\]\s+)?(.*)$")


def to_term(value: Any) -> Term:
    """A parameter value as a term: ``str`` -> plain literal, numbers, booleans and dates -> typed literals.

    rdflib and pyoxigraph terms are taken as they are (IRIs stay IRIs).

    >>> to_term(3)
    Term(kind='literal', value='3', datatype='http://www.w3.org/2001/XMLSchema#integer', lang=None)
    """
    if isinstance(value, Term):
        return value
    if isinstance(value, bool):
        return Term("literal", "true" if value else "false", _XSD + "boolean")
    if isinstance(value, int):
        return Term("literal", str(value), _XSD + "integer")
    if isinstance(value, float):
        return Term("literal", repr(value), _XSD + "double")
    if isinstance(value, Decimal):
        return Term("literal", format(value, "f"), _XSD + "decimal")
    if isinstance(value, dt.datetime):
        return Term("literal", value.isoformat(), _XSD + "dateTime")
    if isinstance(value, dt.date):
        return Term("literal", value.isoformat(), _XSD + "date")
    module = type(value).__module__
    if module.startswith("rdflib") or module.startswith("pyoxigraph"):
        return _foreign_term(value)
    if isinstance(value, str):
        return Term("literal", value)
    raise QueryError(f"cannot bind a {type(value).__name__} ({value!r}) as a query parameter")


def _foreign_term(value: Any) -> Term:
    name = type(value).__name__
    if name == "URIRef":
        return Term("uri", str(value))
    if name == "NamedNode":
        return Term("uri", value.value)
    if name == "Literal":
        if hasattr(value, "toPython"):  # rdflib
            dtype = str(value.datatype) if value.datatype is not None else None
            return Term("literal", str(value), None if dtype == _XSD + "string" else dtype, value.language)
        dtype = value.datatype.value
        return Term(
            "literal", value.value, None if value.language or dtype == _XSD + "string" else dtype, value.language
        )
    raise QueryError(f"cannot bind a {name} ({value!r}) as a query parameter: use an IRI or a literal")


def parse_param(text: str) -> tuple[str, Term]:
    """Parse ``NAME=VALUE`` (the CLI's ``--param``): ``<…>`` is an IRI, anything else a literal.

    >>> parse_param("org=<https://w3id.org/kg-news/id/organization/microsoft>")[1].kind
    'uri'

    Raises:
        QueryError: no ``=``, a name that is not a SPARQL variable name, or an invalid IRI.
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _NAME.match(name):
        raise QueryError(f"parameter {text!r}: expected NAME=VALUE, NAME a SPARQL variable name")
    if value.startswith("<") and value.endswith(">") and len(value) > 1:
        import pyoxigraph

        try:
            pyoxigraph.NamedNode(value[1:-1])
        except ValueError as exc:
            raise QueryError(f"parameter {name}: {value} is not a valid absolute IRI ({exc})") from exc
        return name, Term("uri", value[1:-1])
    return name, Term("literal", value)


@dataclass(frozen=True)
class Parameter:
    """A parameter of a named query.

    ``kinds`` say what the value names, for the query page's completion: entity
    classes (``Organization``, ``Person``, ...), ``Document`` (a document id) or
    ``Class`` (a class name).
    """

    name: str
    description: str
    required: bool = True
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedQuery:
    """A query shipped in ``ontology/queries/NAME.rq``.

    ``question`` is the query as a question, each parameter written ``{name}``.
    """

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str
    question: str = ""

    def arguments(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``params`` checked against the parameters, without the optional ones left empty.

        Raises:
            QueryError: a missing (or empty) required parameter, or an unknown one.
        """
        given = {k.lstrip("?$") for k in params or {}}
        known = {p.name for p in self.parameters}
        required = {p.name for p in self.parameters if p.required}
        missing = [p.name for p in self.parameters if p.required and p.name not in given]
        if missing:
            raise QueryError(f"named query {self.name!r} needs " + ", ".join(f"--param {m}=…" for m in missing))
        unknown = sorted(given - known)
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise QueryError(f"named query {self.name!r} has no parameter {', '.join(unknown)} (parameters: {allowed})")
        bound: dict[str, Any] = {}
        for key, value in (params or {}).items():
            key = key.lstrip("?$")
            text = value.value if isinstance(value, Term) and value.kind == "literal" else value
            if value is None or (isinstance(text, str) and not text.strip()):
                if key in required:
                    raise QueryError(f"named query {self.name!r}: parameter {key} needs a value")
                continue  # an optional parameter left empty: no restriction
            bound[key] = value
        return bound


def _parse_header(name: str, text: str) -> NamedQuery:
    description: list[str] = []
    parameters: list[Parameter] = []
    question = ""
    in_params = False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].rstrip()
        stripped = body.strip()
        if stripped.lower().startswith("parameters:"):
            in_params = True
        elif stripped.lower().startswith("question:"):
            question = stripped.split(":", 1)[1].strip()
        elif not stripped or stripped.lower().startswith("example"):
            continue
        elif in_params:
            match = _PARAM_LINE.match(body)
            if match:
                what = match.group(3).strip()
                optional = re.search(r"\s*\(optional[^)]*\)", what)
                what = what.replace(optional.group(0), "") if optional else what
                kinds = tuple((match.group(2) or "").replace("|", " ").split())
                parameters.append(Parameter(match.group(1), what.strip(), optional is None, kinds))
        else:
            description.append(stripped)
    return NamedQuery(name, " ".join(description), tuple(parameters), text, question)


@functools.lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """The named queries shipped with kg, by name (sorted)."""
    folder = files("kg.ontology").joinpath("queries")
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            out[name] = _parse_header(name, entry.read_text(encoding="utf-8"))
    return out


def named_query(name: str) -> NamedQuery:
    """The named query ``name``.

    Raises:
        QueryError: there is no such query (the message lists the known ones).
    """
    queries = named_queries()
    if name not in queries:
        raise QueryError(f"no named query {name!r}; known: {', '.join(queries)}")
    return queries[name]


class KnowledgeGraph:
    """A built graph opened for queries; see :func:`open_graph`."""

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        store: str | None = None,
        timeout: float | None = None,
        allow_network: bool = False,
        workers: int = 1,
        source: str | os.PathLike[str] | None = None,
    ) -> None:
        from kg.store import STORES, detect_store

        self.out_dir = Path(out_dir)
        #: A pinned graph to read instead of the folder's current one (see :mod:`kg.snapshot`).
        self.source = source
        detected = detect_store(self.out_dir) if store in (None, "auto") else store
        if detected not in STORES:
            raise QueryError(f"unknown store {store!r}; expected one of auto, {', '.join(STORES)}")
        self.store: str = detected
        self.timeout, self.allow_network, self.workers = timeout, allow_network, workers
        self._engine: Any = None
        self._pool: Any = None
        self._lock = threading.Lock()

    def _local_engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                from kg.engine import open_engine

                self._engine = open_engine(self.out_dir, self.store, self.source)
            return self._engine

    def pool(self) -> Any:
        """The :class:`kg.worker.WorkerPool` that runs queries with a time limit (started on first use)."""
        with self._lock:
            if self._pool is None:
                from kg.worker import WorkerPool

                self._pool = WorkerPool(self.out_dir, self.store, self.workers, source=self.source)
            return self._pool

    def query(
        self,
        sparql: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None | EllipsisType = ...,
        allow_network: bool | None = None,
    ) -> QueryResult:
        """Run ``sparql``; ``params`` maps variable names to values (see :func:`to_term`).

        Args:
            sparql: a SELECT, ASK, CONSTRUCT or DESCRIBE query.
            params: values bound to ``?name`` before evaluation.
            timeout: seconds before the query is stopped (``None``: no limit,
                run in this process); defaults to the graph's ``timeout``.
            allow_network: let ``SERVICE`` and remote ``FROM`` through.

        Returns:
            A :class:`~kg.results.QueryResult`: iterate it for rows.

        Raises:
            QueryRefused: an update or a network access.
            QueryTimeout: the time limit was reached.
            QueryError: an invalid query or parameter.
        """
        bound = {name.lstrip("?$"): to_term(value) for name, value in (params or {}).items()}
        for name in bound:
            if not _NAME.match(name):
                raise QueryError(f"parameter {name!r} is not a SPARQL variable name")
        limit = self.timeout if timeout is ... else timeout
        network = self.allow_network if allow_network is None else allow_network
        if limit is None:
            from kg.engine import execute

            return execute(self._local_engine(), sparql, bound, allow_network=network)
        if limit <= 0:
            raise QueryError(f"timeout must be positive, not {limit}")
        return self.pool().run(sparql, bound, allow_network=network, timeout=limit)

    def named(self, name: str, params: Mapping[str, Any] | None = None, **options: Any) -> QueryResult:
        """Run the named query ``name`` (see :func:`named_queries`) with ``params``.

        Raises:
            QueryError: unknown query, a missing required parameter or an unknown one.
        """
        spec = named_query(name)
        return self.query(spec.sparql, spec.arguments(params), **options)

    def close(self) -> None:
        """Stop the worker processes and drop the loaded graph."""
        with self._lock:
            pool, self._pool, self._engine = self._pool, None, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<KnowledgeGraph {str(self.out_dir)!r} store={self.store!r}>"


def open_graph(
    out_dir: str | os.PathLike[str],
    *,
    store: str | None = None,
    timeout: float | None = None,
    allow_network: bool = False,
    workers: int = 1,
) -> KnowledgeGraph:
    """Open the graph built in ``out_dir`` for queries.

    Args:
        out_dir: an output folder of ``kg build``.
        store: ``"memory"`` (rdflib, from ``graph.trig``), ``"oxigraph"`` (the
            store of ``kg build --store oxigraph``), or ``None`` / ``"auto"``:
            Oxigraph when the build kept one, else memory.
        timeout: default time limit of queries in seconds; ``None`` runs them in
            this process with no limit.
        allow_network: default for :meth:`KnowledgeGraph.query`.
        workers: worker processes for queries with a time limit.

    Raises:
        GraphError: no graph in ``out_dir``, or a stale Oxigraph store.
    """
    return KnowledgeGraph(out_dir, store=store, timeout=timeout, allow_network=allow_network, workers=workers)


def query(
    out_dir: str | os.PathLike[str],
    sparql: str,
    params: Mapping[str, Any] | None = None,
    *,
    store: str | None = None,
    timeout: float | None = None,
    allow_network: bool = False,
) -> list[dict[str, Any]]:
    """Run ``sparql`` on the graph in ``out_dir`` and return its rows.

    Rows map variable names to Python values (``None`` when unbound); ASK gives
    ``[{"ask": bool}]`` and CONSTRUCT / DESCRIBE one ``{"s", "p", "o"}`` per triple.
    """
    with open_graph(out_dir, store=store, timeout=timeout, allow_network=allow_network) as graph:
        return graph.query(sparql, params).rows()

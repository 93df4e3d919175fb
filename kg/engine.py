"""The two query engines behind :func:`kg.open_graph`: rdflib in memory, and Oxigraph on disk.

Both answer the same query the same way: the default graph is the union (the
RDF merge, without duplicates) of the document graphs, ``GRAPH ?g`` ranges
over the document graphs, ``FROM`` / ``FROM NAMED`` may name document graphs,
``DESCRIBE`` gives the triples whose subject is the resource (and the blank
nodes below it), and parameters are bound the same way for both: as RDF terms
in ``VALUES`` blocks (:func:`kg.params.bind`), never pasted into the query as
text. Results come back as :class:`kg.results.QueryResult`.

- ``memory``: an rdflib :class:`~rdflib.Dataset` parsed from ``graph.trig``.
- ``oxigraph``: the pyoxigraph store that ``kg build --store oxigraph`` keeps in
  ``OUT_DIR/oxigraph``, opened read-only. Its default graph holds the union
  of the document graphs (written at build time), so no work is spent on
  merging at query time.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.errors import GraphError, QueryError
from kg.params import bind
from kg.results import XSD_STRING, QueryResult, Term, canonical_lexical
from kg.sparql import PREDECLARED, QueryInfo, QueryRefused, inspect_query

__all__ = ["Engine", "MemoryEngine", "OxigraphEngine", "execute", "open_engine", "STORES"]

#: The stores a built graph can be queried from.
STORES = ("memory", "oxigraph")


class Engine:
    """A loaded graph that runs read-only queries (see the module docstring)."""

    store = ""

    def graph_names(self) -> frozenset[str]:
        """IRIs of the document graphs."""
        raise NotImplementedError

    def run(self, sparql: str, info: QueryInfo) -> QueryResult:
        """Run ``sparql`` (already checked by :func:`kg.sparql.inspect_query`, parameters bound)."""
        raise NotImplementedError

    def check_dataset(self, info: QueryInfo, allow_network: bool) -> None:
        """Refuse ``FROM`` / ``FROM NAMED`` graphs this store does not hold (they would be downloaded)."""
        if allow_network:
            return
        names = self.graph_names()
        for iri in (*info.from_graphs, *info.from_named):
            if iri not in names:
                raise QueryRefused(
                    f"FROM <{iri}> is refused: it names no graph of this store, and remote graphs are not "
                    "loaded (allow it with --allow-network)"
                )


def open_engine(out_dir: str | os.PathLike[str], store: str, source: str | os.PathLike[str] | None = None) -> Engine:
    """Load the graph of ``out_dir`` into the engine of ``store`` (``memory`` or ``oxigraph``).

    ``source`` pins the graph read (a TriG file for ``memory``, a store folder for
    ``oxigraph``, see :mod:`kg.snapshot`) instead of the folder's current one.

    Raises:
        GraphError: the graph (or the Oxigraph store) is missing or unreadable.
    """
    if store == "memory":
        return MemoryEngine(out_dir, source)
    if store == "oxigraph":
        return OxigraphEngine(out_dir, source)
    raise GraphError(f"unknown store {store!r}; expected one of {', '.join(STORES)}")


@functools.lru_cache(maxsize=512)
def _inspect(sparql: str, allow_network: bool) -> QueryInfo:
    return inspect_query(sparql, allow_network=allow_network)


def execute(engine: Engine, sparql: str, params: Mapping[str, Term], *, allow_network: bool = False) -> QueryResult:
    """Check ``sparql`` against the guard rails, then run it on ``engine`` with ``params`` bound.

    Raises:
        QueryRefused: an update, a network access without ``allow_network``.
        QueryError: invalid query, a parameter that names no variable of the query (or one it
            assigns with ``AS``), or a failure.
    """
    info = _inspect(sparql, allow_network)
    for name in params:
        if name not in info.variables:
            raise QueryError(f"parameter {name!r}: the query has no variable ?{name}")
    engine.check_dataset(info, allow_network)
    views = getattr(engine, "views", None)
    if views is not None:  # an answer kept when the store was written (kg.views), for this very query
        kept = views.get(sparql, params)
        if kept is not None:
            return kept
    result = engine.run(bind(sparql, params), info)
    if info.star and result.type == "SELECT":
        result = _in_query_order(result, info.order)
    return result


def _in_query_order(result: QueryResult, order: tuple[str, ...]) -> QueryResult:
    """The columns of a ``SELECT *`` result in the order the query first names them (stores differ)."""
    rank = {name: i for i, name in enumerate(order)}
    columns = sorted(range(len(result.vars)), key=lambda k: (rank.get(result.vars[k], len(rank)), result.vars[k]))
    if columns == list(range(len(result.vars))):
        return result
    names = tuple(result.vars[k] for k in columns)
    return QueryResult("SELECT", names, [tuple(row[k] for k in columns) for row in result.bindings])


# --- rdflib -------------------------------------------------------------------------------------------------


def _union_dataset() -> Any:
    from rdflib import BNode, Dataset, Graph

    class UnionDataset(Dataset):
        """A Dataset whose default graph is the union, and whose DESCRIBE follows Oxigraph's."""

        def cbd(self, resource: Any, *, target_graph: Graph | None = None, include_reifications: bool = True) -> Graph:
            target = target_graph if target_graph is not None else Graph()
            todo, seen = [resource], set()
            while todo:
                node = todo.pop()
                if node in seen:
                    continue
                seen.add(node)
                for _, p, o in self.triples((node, None, None)):
                    target.add((node, p, o))
                    if isinstance(o, BNode):
                        todo.append(o)
            return target

    return UnionDataset(default_union=True)


_BAG_JOIN = "KgBagJoin"


def _bag_join(ctx: Any, part: Any) -> Any:
    """rdflib evaluation of :data:`_BAG_JOIN`: a join that keeps duplicate solutions.

    rdflib joins a part it cannot evaluate lazily against a ``set`` of the other
    part's solutions, which drops duplicates (a subquery that returns a row twice
    returns it once); SPARQL joins multisets, as Oxigraph does. And its lazy join
    evaluates the right part with the left part's bindings, which is wrong for a
    subquery (an aggregate then counts for every outer row, even with nothing to
    count): a subquery is joined here too.
    """
    if part.name != _BAG_JOIN:
        raise NotImplementedError
    from rdflib.plugins.sparql.evaluate import evalPart

    right = list(evalPart(ctx, part.p2))
    return (x.merge(y) for x in evalPart(ctx, part.p1) for y in right if x.compatible(y))


def _keep_duplicates(algebra: Any) -> None:
    """Mark rdflib's eager joins in ``algebra`` to be evaluated by :func:`_bag_join`."""
    from rdflib.plugins.sparql import CUSTOM_EVALS

    CUSTOM_EVALS.setdefault("kg_bag_join", _bag_join)
    for node in _walk(algebra):
        if getattr(node, "name", "") == "Join" and (not node.get("lazy") or _has_subquery(node.p2)):
            node.name = _BAG_JOIN


def _has_subquery(part: Any) -> bool:
    return any(getattr(n, "name", "") in ("Project", "Group", "AggregateJoin") for n in _walk(part))


@functools.lru_cache(maxsize=256)
def _prepare(sparql: str) -> Any:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(sparql, initNs=PREDECLARED)
    except ParseException as exc:
        raise QueryError(f"invalid SPARQL query: {exc}") from exc
    except Exception as exc:  # rdflib raises assorted types for bad queries (unknown prefix, ...)
        raise QueryError(f"invalid SPARQL query: {exc}") from exc
    _keep_duplicates(prepared.algebra)
    return prepared


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _walk(v)


def _from_rdflib(term: Any) -> Term | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return Term("uri", str(term))
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype is not None else None
        if dt == XSD_STRING:
            dt = None
        return Term("literal", canonical_lexical(str(term), dt) if dt else str(term), dt, term.language)
    if isinstance(term, BNode):
        return Term("bnode", str(term))
    raise QueryError(f"unsupported term in a result: {term!r}")


class MemoryEngine(Engine):
    """rdflib in memory, loaded from ``graph.trig``."""

    store = "memory"

    def __init__(self, out_dir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> None:
        from kg.store import GRAPH_FILE, quiet_rdflib

        path = Path(source) if source is not None else Path(out_dir) / GRAPH_FILE
        if not path.is_file():
            raise GraphError(f"{path}: graph file not found (build the graph first)")
        self.dataset = _union_dataset()
        try:
            with quiet_rdflib():
                self.dataset.parse(source=str(path), format="trig")
        except Exception as exc:  # rdflib raises parser-specific exception types
            raise GraphError(f"{path}: cannot parse TriG: {exc}") from exc
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        self._names = frozenset(
            str(g.identifier) for g in self.dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        )

    def graph_names(self) -> frozenset[str]:
        return self._names

    def run(self, sparql: str, info: QueryInfo) -> QueryResult:
        from kg.store import quiet_rdflib

        prepared = _prepare(sparql)
        if not info.service and any(getattr(n, "name", "") == "ServiceGraphPattern" for n in _walk(prepared.algebra)):
            raise QueryRefused("SERVICE is refused: a query may not reach the network (allow it with --allow-network)")
        try:
            with quiet_rdflib():
                result = self.dataset.query(prepared)
                if result.type == "ASK":
                    return QueryResult("ASK", boolean=bool(result.askAnswer))
                if result.type in ("CONSTRUCT", "DESCRIBE"):
                    triples = [(_from_rdflib(s), _from_rdflib(p), _from_rdflib(o)) for s, p, o in result]
                    return QueryResult(result.type, triples=triples)  # type: ignore[arg-type]
                names = tuple(str(v) for v in result.vars or ())
                rows = [tuple(_from_rdflib(v) for v in row) for row in result]
        except QueryError:
            raise
        except Exception as exc:  # evaluation errors: type errors, unknown functions, ...
            raise QueryError(f"query failed: {type(exc).__name__}: {exc}") from exc
        return QueryResult("SELECT", names, rows)


# --- Oxigraph -----------------------------------------------------------------------------------------------


class OxigraphEngine(Engine):
    """pyoxigraph, on the on-disk store ``store.json`` names, read-only.

    The engine holds a lease on the store (:mod:`kg.snapshot`), so a later build
    leaves it in place until the engine is gone.
    """

    store = "oxigraph"

    def __init__(self, out_dir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None) -> None:
        import pyoxigraph as ox

        from kg.snapshot import lease_path, lease_store

        self._lease = lease_path(source) if source is not None else lease_store(out_dir)
        path = self._lease.path
        try:
            self.store_ = ox.Store.read_only(str(path))
        except OSError as exc:
            self._lease.close()
            raise GraphError(f"{path}: cannot open the Oxigraph store: {exc}") from exc
        from kg.views import Views

        self.views = Views(path)
        self._ox = ox
        self._names: frozenset[str] | None = None
        self._convert = _oxigraph_converter(ox)

    def close(self) -> None:
        """Close the store and let it go (its lease ends)."""
        self.store_ = None
        self._lease.close()

    def graph_names(self) -> frozenset[str]:
        if self._names is None:
            self._names = frozenset(g.value for g in self.store_.named_graphs())
        return self._names

    def run(self, sparql: str, info: QueryInfo) -> QueryResult:
        ox = self._ox
        try:
            result = self.store_.query(sparql, prefixes=PREDECLARED)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult("ASK", boolean=bool(result))
            convert = self._convert
            if isinstance(result, ox.QueryTriples):
                triples = [(convert(t.subject), convert(t.predicate), convert(t.object)) for t in result]
                return QueryResult(
                    info.form if info.form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", triples=triples
                )
            names = tuple(v.value for v in result.variables)
            rows = [tuple(map(convert, solution)) for solution in result]
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL query: {exc}") from exc
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            raise QueryError(f"query failed: {exc}") from exc
        return QueryResult("SELECT", names, rows)  # type: ignore[arg-type]


def _oxigraph_converter(ox: Any) -> Any:
    """A fast pyoxigraph term -> :class:`Term` function (called once per cell)."""
    named, literal, blank = ox.NamedNode, ox.Literal, ox.BlankNode
    plain = {XSD_STRING}

    def convert(term: Any) -> Term | None:
        kind = type(term)
        if kind is named:
            return Term("uri", term.value)
        if kind is literal:
            lang = term.language
            if lang:
                return Term("literal", term.value, None, lang)
            dt = term.datatype.value
            if dt in plain:
                return Term("literal", term.value)
            return Term("literal", canonical_lexical(term.value, dt), dt)
        if term is None:
            return None
        if kind is blank:
            return Term("bnode", term.value)
        raise QueryError(f"unsupported term in a result: {term!r}")

    return convert

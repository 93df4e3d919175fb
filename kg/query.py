"""Read-only SPARQL over a built graph (the union of its document graphs).

The ontology's prefix and the usual vocabularies are predeclared. Queries that
would reach the network (``SERVICE``, ``FROM <…>``) are refused, and updates
cannot run: only query forms are parsed.

>>> {"kg", "schema", "prov", "skos"} <= set(PREFIXES)
True
"""

from __future__ import annotations

import os
from typing import Any

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace

from kg.errors import QueryError
from kg.vocab import BASE, KG

__all__ = ["PREFIXES", "query", "prepare"]

PREFIXES: dict[str, Any] = {
    "kg": Namespace(str(KG._NS)),
    "kgr": Namespace(BASE),
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": Namespace("https://schema.org/"),
}


def _walk(node: Any) -> Any:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _walk(v)


def prepare(sparql: str) -> Any:
    """Parse a query, refusing updates and anything that would reach the network."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        q = prepareQuery(sparql, initNs=PREFIXES)
    except ParseException as exc:
        raise QueryError(f"invalid SPARQL query (updates are not allowed): {exc}") from exc
    except Exception as exc:
        raise QueryError(f"invalid SPARQL query: {exc}") from exc
    for node in _walk(q.algebra):
        name = getattr(node, "name", "")
        if name == "ServiceGraphPattern":
            raise QueryError("SERVICE is refused: a query may not reach the network")
    if getattr(q.algebra, "datasetClause", None):
        raise QueryError("FROM / FROM NAMED are refused: the query runs on the built graph only")
    return q


def query(out_dir: str | os.PathLike[str], sparql: str) -> list[dict[str, Any]]:
    """Run ``sparql`` on the graph in ``out_dir``.

    Returns a list of rows (variable name -> Python value) for SELECT, a
    one-row list ``[{"ask": bool}]`` for ASK, and one row per triple
    ``{"s", "p", "o"}`` for CONSTRUCT / DESCRIBE.
    """
    from kg.store import load_dataset, union_graph

    q = prepare(sparql)
    graph = union_graph(load_dataset(out_dir))
    try:
        result = graph.query(q)
    except Exception as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if result.type == "ASK":
        return [{"ask": bool(result.askAnswer)}]
    if result.type in {"CONSTRUCT", "DESCRIBE"}:
        return [{"s": s, "p": p, "o": o} for s, p, o in result]
    names = [str(v) for v in result.vars or []]
    return [{n: (row[i].toPython() if row[i] is not None else None) for i, n in enumerate(names)} for row in result]

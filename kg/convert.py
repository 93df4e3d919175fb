"""RDF -> networkx: the graph of a build as a :class:`networkx.MultiDiGraph`, for notebooks and analyses.

:func:`to_networkx` reads the entities, documents and ``kg:Statement`` nodes of
a graph (with :func:`kg.explorer.data.read_graph`, the reader of the explorer
page) and returns:

- one node per entity or group of people, keyed by IRI, with ``label``,
  ``class``, ``aliases``, ``documents`` (ids of the documents that name it or
  state a fact about it), ``doc_count`` and, for a group, its head ``count``;
- one edge per (subject, property, object), keyed by the property's local name
  (``G[s][o]["investsIn"]``), with ``property``, ``weight`` (the number of
  statements), ``confidence`` (the highest), ``documents``, ``symmetric`` and
  ``facts``: one dict per statement with its provenance (``statement`` IRI,
  ``document``, ``date``, ``sentence``, ``rule``, ``confidence``) and its
  qualifiers (``amount`` as :class:`~decimal.Decimal`, ``currency``, ``count``,
  ``year``, ``role``) where present;
- ``G.graph["documents"]``: document id -> ``{"iri", "title", "date", "url", "lang"}``.

A symmetric property (``partnersWith``) gives one edge per pair, from the
smaller IRI to the larger, whichever way the sentences put it. Quotations
(``said``) are left out unless ``include_quotes=True``. Nodes and edges are
added in sorted order, so the same graph always gives the same networkx graph.

>>> from rdflib import Graph
>>> G = to_networkx(Graph())
>>> G.number_of_nodes(), G.graph["documents"]
(0, {})
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from kg.errors import AnalysisError
from kg.explorer.data import NODE_CLASSES  # the node classes (``Quotation`` too with ``include_quotes=True``)

__all__ = ["to_networkx", "graph_data", "flatten_attributes", "parse_day", "NODE_CLASSES"]


_YEAR = re.compile(r"^-?\d{4,}")
_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_QUOTE_LABEL = 60


def graph_data(graph: Any) -> Any:
    """Read ``graph`` into :class:`kg.explorer.data.GraphData` records.

    Args:
        graph: an output folder of ``kg build`` (``str`` or path), the object
            returned by :func:`kg.open_graph`, an rdflib ``Dataset`` (its graphs
            are merged) or ``Graph``, or a ``GraphData`` (returned as is).

    Raises:
        GraphError: the output folder has no readable graph.
        TypeError: ``graph`` is none of the above.
    """
    from rdflib import Dataset, Graph

    from kg.explorer.data import GraphData, read_graph
    from kg.query import KnowledgeGraph
    from kg.store import UnionView, union_graph

    if isinstance(graph, GraphData):
        return graph
    if isinstance(graph, KnowledgeGraph):
        graph = graph.out_dir
    if isinstance(graph, (str, os.PathLike)):  # Oxigraph parses and holds a large graph at a fraction of rdflib's cost
        return read_graph(UnionView.load(graph))
    if isinstance(graph, Dataset):
        return read_graph(union_graph(graph))
    if isinstance(graph, Graph):
        return read_graph(graph)
    raise TypeError(
        f"expected an output folder, kg.open_graph(...), an rdflib Dataset or Graph, not {type(graph).__name__}"
    )


def parse_day(value: str | dt.date | None, *, end: bool = False) -> dt.date | None:
    """A date filter as a :class:`datetime.date`: ``YYYY-MM-DD``, or ``YYYY-MM`` / ``YYYY`` for a whole month / year.

    A partial date stands for its first day, or its last day with ``end=True``.

    >>> parse_day("2024"), parse_day("2024-02", end=True)
    (datetime.date(2024, 1, 1), datetime.date(2024, 2, 29))

    Raises:
        AnalysisError: ``value`` is not such a date.
    """
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    match = _PARTIAL.match(str(value).strip())
    try:
        if not match:
            raise ValueError("expected YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = match.group(1), match.group(2), match.group(3)
        y = int(year)
        m = int(month) if month else (12 if end else 1)
        d = int(day) if day else (calendar.monthrange(y, m)[1] if end else 1)
        return dt.date(y, m, d)
    except ValueError as exc:
        raise AnalysisError(f"invalid date {value!r}: {exc}") from exc


def _doc_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _names(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _check(given: list[str] | None, known: Iterable[str], what: str) -> set[str] | None:
    if given is None:
        return None
    known = tuple(known)
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise AnalysisError(f"unknown {what} {', '.join(map(repr, unknown))}; expected one of {', '.join(known)}")
    return set(given)


def _qualifiers(attrs: dict[str, str]) -> dict[str, Any]:
    """The statement's qualifiers as Python values (a value that cannot be read is kept as text)."""
    out: dict[str, Any] = {}
    for name, text in sorted(attrs.items()):
        try:
            if name == "amount":
                out[name] = Decimal(text)
            elif name == "count":
                out[name] = int(Decimal(text))
            elif name == "year":
                match = _YEAR.match(text.strip())
                out[name] = int(match.group()) if match else text
            else:
                out[name] = text
        except (InvalidOperation, ValueError):
            out[name] = text
    return out


def to_networkx(
    graph: Any,
    *,
    classes: str | Iterable[str] | None = None,
    properties: str | Iterable[str] | None = None,
    documents: str | Iterable[str] | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    min_confidence: float = 0.0,
    include_quotes: bool = False,
    isolates: bool = True,
) -> Any:
    """The graph as a :class:`networkx.MultiDiGraph` (see the module docstring for its attributes).

    Args:
        graph: an output folder, :func:`kg.open_graph` of one, or an rdflib
            ``Dataset`` / ``Graph`` (see :func:`graph_data`).
        classes: keep only nodes of these classes (:data:`NODE_CLASSES`, and
            ``Quotation`` with ``include_quotes``).
        properties: keep only facts of these properties (``partnersWith``...).
        documents: keep only facts stated in these documents (ids such as
            ``en-01-microsoft-openai``, or document IRIs), and only nodes these
            documents name.
        since, until: keep only facts of documents dated in this range
            (inclusive; ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, or a
            :class:`datetime.date`), and only nodes these documents name.
            Undated documents are left out when either is given.
        min_confidence: keep only facts at or above this confidence.
        include_quotes: add quotations as nodes (class ``Quotation``, with
            ``text``), the objects of ``said`` edges.
        isolates: keep nodes that no remaining fact touches.

    Returns:
        A ``networkx.MultiDiGraph``; ``G.graph`` also holds ``"documents"``
        (the documents left by the filters) and ``"filters"``.

    Raises:
        AnalysisError: an unknown class, property or document, a bad date or confidence.
        GraphError: the output folder has no readable graph.

    Example::

        G = kg.to_networkx("kg-out", properties=["investsIn"], min_confidence=0.7, isolates=False)
        for s, o, data in G.edges(data=True):
            print(G.nodes[s]["label"], "->", G.nodes[o]["label"], [f.get("amount") for f in data["facts"]])
    """
    import networkx as nx

    from kg.model import PREDICATES

    data = graph_data(graph)
    class_names = NODE_CLASSES + (("Quotation",) if include_quotes else ())
    keep_classes = _check(_names(classes), class_names, "class")
    keep_props = _check(_names(properties), PREDICATES, "property")
    try:
        threshold = float(min_confidence)
    except (TypeError, ValueError):
        threshold = float("nan")
    if not 0.0 <= threshold <= 1.0:
        raise AnalysisError(f"min_confidence must be between 0 and 1, not {min_confidence!r}")
    start, stop = parse_day(since), parse_day(until, end=True)
    if start and stop and start > stop:
        raise AnalysisError(f"since ({start}) is after until ({stop})")

    by_ident = {d.ident: iri for iri, d in data.docs.items()}
    selected = set(data.docs)
    wanted_docs = _names(documents)
    if wanted_docs is not None:
        unknown = sorted(d for d in wanted_docs if d not in by_ident and d not in data.docs)
        if unknown:
            known = ", ".join(sorted(by_ident)) or "none"
            raise AnalysisError(f"unknown document {', '.join(map(repr, unknown))}; known: {known}")
        selected = {by_ident.get(d, d) for d in wanted_docs}
    if start or stop:
        days = {iri: _doc_day(d.date) for iri, d in data.docs.items()}
        selected = {
            iri for iri in selected
            if days[iri] is not None and (not start or days[iri] >= start) and (not stop or days[iri] <= stop)
        }  # fmt: skip
    doc_filter = wanted_docs is not None or bool(start or stop)

    G = nx.MultiDiGraph()
    G.graph["documents"] = {
        d.ident: {"iri": d.iri, "title": d.title, "date": d.date or None, "url": d.url or None, "lang": d.lang}
        for d in sorted(data.docs.values(), key=lambda d: (d.ident, d.iri))
        if d.iri in selected
    }
    G.graph["filters"] = {
        "classes": sorted(keep_classes) if keep_classes is not None else None,
        "properties": sorted(keep_props) if keep_props is not None else None,
        "documents": sorted(data.docs[iri].ident for iri in selected) if doc_filter else None,
        "since": start.isoformat() if start else None,
        "until": stop.isoformat() if stop else None,
        "min_confidence": threshold,
        "include_quotes": include_quotes,
    }
    ident = {iri: d.ident for iri, d in data.docs.items()}

    def node_attrs(cls: str, label: str, names: Iterable[str], docs: Iterable[str]) -> dict[str, Any]:
        doc_ids = sorted({ident[d] for d in docs if d in ident})
        aliases = [n for n in dict.fromkeys(names) if n != label]
        return {"label": label, "class": cls, "aliases": aliases, "documents": doc_ids, "doc_count": len(doc_ids)}

    for iri, ent in data.entities.items():  # sorted by IRI
        if keep_classes is not None and ent.cls not in keep_classes:
            continue
        if doc_filter and not ent.docs & selected:
            continue
        attrs = node_attrs(ent.cls, ent.label, ent.names, ent.docs)
        if ent.count is not None:
            attrs["count"] = ent.count
        G.add_node(iri, **attrs)

    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    quotes: dict[str, tuple[str, set[str]]] = {}
    for fact in data.facts:
        if keep_props is not None and fact.p not in keep_props:
            continue
        if fact.confidence < threshold or (doc_filter and fact.doc not in selected):
            continue
        s, o = fact.s, fact.o
        if o is None:  # a quotation
            if not include_quotes or (keep_classes is not None and "Quotation" not in keep_classes):
                continue
            o = fact.target
            quotes.setdefault(o, (fact.quote, set()))[1].add(fact.doc)
        elif o not in G:
            continue
        if s not in G:
            continue
        symmetric = fact.p in data.symmetric
        if symmetric and o < s:
            s, o = o, s
        doc = data.docs.get(fact.doc)
        record: dict[str, Any] = {
            "statement": fact.iri,
            "document": doc.ident if doc else None,
            "date": (doc.date or None) if doc else None,
            "sentence": fact.sentence,
            "rule": fact.rule,
            "confidence": fact.confidence,
        }
        record.update(_qualifiers(fact.attrs))
        if fact.quote:
            record["quote"] = fact.quote
        edges.setdefault((s, fact.p, o), []).append(record)

    for iri, (text, docs) in sorted(quotes.items()):
        label = text if len(text) <= _QUOTE_LABEL else text[: _QUOTE_LABEL - 1].rstrip() + "…"
        G.add_node(iri, **node_attrs("Quotation", label, [], docs), text=text)
    for (s, p, o), facts in sorted(edges.items()):
        facts.sort(key=lambda f: (f["date"] is None, f["date"] or "", f["document"] or "", f["statement"]))
        doc_ids = sorted({f["document"] for f in facts if f["document"]})
        G.add_edge(
            s, o, key=p, property=p, symmetric=p in data.symmetric, weight=len(facts),
            confidence=max(f["confidence"] for f in facts), documents=doc_ids, facts=facts,
        )  # fmt: skip
    if not isolates:
        G.remove_nodes_from([n for n in list(G) if G.degree(n) == 0])
    return G


def _xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (C0 controls, lone surrogates)."""
    return _XML_BAD.sub("", text)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _scalar(value: Any) -> Any:
    """``value`` as a GraphML / GEXF attribute: str, int, float or bool; ``None`` when it has no value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if isinstance(value, (set, frozenset)):
            value = sorted(value, key=str)
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_value)
        return _xml_text(text)
    return _xml_text(str(value))


def flatten_attributes(G: Any) -> Any:
    """A copy of ``G`` whose attributes are all scalars that GraphML and GEXF accept.

    Lists and dicts become JSON text, ``Decimal`` a float, dates ISO text,
    ``None`` is dropped, and characters XML cannot hold are removed from
    texts (the writers escape ``<``, ``&`` and quotes). Each edge gets a
    unique ``id`` (``e0``, ``e1``... in edge order) and a ``label`` (its
    property, or its key), since both formats need unique edge ids and
    Gephi and yEd show labels.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="p", facts=[{"n": 1}])
    'p'
    >>> dict(flatten_attributes(G).edges["a", "b", "p"])
    {'facts': '[{"n": 1}]', 'id': 'e0', 'label': 'p'}
    """
    import networkx as nx

    out = nx.MultiDiGraph() if G.is_directed() else nx.MultiGraph()
    out.graph.update({k: v for k, v in ((k, _scalar(v)) for k, v in G.graph.items()) if v is not None})
    for node, attrs in G.nodes(data=True):
        out.add_node(node, **{k: v for k, v in ((k, _scalar(v)) for k, v in attrs.items()) if v is not None})
    edges = G.edges(keys=True, data=True) if G.is_multigraph() else ((u, v, None, d) for u, v, d in G.edges(data=True))
    for number, (u, v, key, attrs) in enumerate(edges):
        flat = {k: v for k, v in ((k, _scalar(v)) for k, v in attrs.items()) if v is not None}
        flat["id"] = f"e{number}"
        flat.setdefault("label", _scalar(attrs.get("property", key)) or "")
        out.add_edge(u, v, key=key if key is not None else number, **flat)
    return out

"""Export an output folder's graph as RDF files or as gold-format JSON.

Formats (:data:`FORMATS`):

- ``trig``: every document's named graph (same content as ``graph.trig``);
- ``nquads``: the same, one quad per line, lines sorted;
- ``jsonld``: the same as compacted JSON-LD (kg prefixes in ``@context``);
- ``turtle``: the union of all document graphs as one graph;
- ``gold-json``: one ``<doc_id>.json`` per document in the format of the
  evaluation guideline (``shared/eval/GUIDELINE.md``), for ``score.py``;
- ``graphml`` and ``gexf``: the entity graph of :func:`kg.to_networkx` for
  Gephi, yEd or Cytoscape (node ids are the IRIs; lists and dicts such as
  ``aliases`` and the edges' ``facts`` are written as JSON text, since both
  formats only hold scalars; see :func:`serialize_network`).

Every output is deterministic: the same graph gives byte-identical files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.errors import ExportError, GraphError
from kg.model import ENTITY_TYPES
from kg.store import atomic_write, load_dataset, quiet_rdflib, serialize_dataset, union_graph
from kg.vocab import KG, PREFIXES, SCHEMA, bind_prefixes

__all__ = ["FORMATS", "NETWORK_FORMATS", "export", "gold_json", "serialize_network"]

#: Accepted values of ``fmt`` in :func:`export`.
FORMATS: tuple[str, ...] = ("gold-json", "turtle", "trig", "nquads", "jsonld", "graphml", "gexf")
#: The formats written from the networkx graph rather than from RDF.
NETWORK_FORMATS: tuple[str, ...] = ("graphml", "gexf")

_QUOTE_WORDS = 6
_KG = str(KG._NS)
_QUALIFIERS = ("amount", "currency", "count", "year", "role")
_YEAR = re.compile(r"^-?\d{4,}")


def _local_name(iri: Node) -> str:
    text = str(iri)
    if text.startswith(_KG):
        return text[len(_KG) :]
    return unquote(re.split(r"[/#]", text.rstrip("/#"))[-1])


def _label(graph: Graph, node: Node) -> str:
    """The document-local label of ``node``.

    The longest if there are several (two entity keys of a document may share
    an IRI); the IRI's last segment if there is none.
    """
    labels = sorted({str(label) for label in graph.objects(node, RDFS.label)}, key=lambda t: (-len(t), t))
    return labels[0] if labels else _local_name(node)


def _object_label(graph: Graph, node: Node) -> str:
    if (node, RDF.type, KG.Quotation) in graph:
        text = graph.value(node, SCHEMA.text)
        return " ".join(str(text or "").split()[:_QUOTE_WORDS])
    return _label(graph, node)


def _number(literal: Literal) -> int | float:
    value = Decimal(str(literal))
    if not value.is_finite():
        raise InvalidOperation(str(literal))
    return int(value) if value == value.to_integral_value() else float(value)


def _qualifier(name: str, literal: Literal) -> Any:
    if name == "amount":
        return _number(literal)
    if name == "count":
        return int(Decimal(str(literal)))
    if name == "year":
        match = _YEAR.match(str(literal).strip())
        if not match:
            raise ValueError(f"not a year: {literal!s}")
        return int(match.group())
    return str(literal)


def _fact(graph: Graph, statement: Node, doc_id: str) -> dict[str, Any] | None:
    subject = graph.value(statement, RDF.subject)
    predicate = graph.value(statement, RDF.predicate)
    obj = graph.value(statement, RDF.object)
    if subject is None or predicate is None or obj is None:
        return None
    fact: dict[str, Any] = {"s": _label(graph, subject), "p": _local_name(predicate), "o": _object_label(graph, obj)}
    for name in _QUALIFIERS:
        value = graph.value(statement, KG[name])
        if value is None:
            continue
        try:
            fact[name] = _qualifier(name, value)
        except (ValueError, ArithmeticError) as exc:
            raise ExportError(f"document {doc_id!r}, statement {statement}: bad kg:{name} {value!s}") from exc
    return fact


def _fact_key(fact: dict[str, Any]) -> tuple[str, str, str, str]:
    rest = {k: v for k, v in fact.items() if k not in ("s", "p", "o")}
    return (fact["s"], fact["p"], fact["o"], json.dumps(rest, sort_keys=True))


def _tidy_facts(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop repeated facts, as the guideline lists each fact once.

    Exact duplicates go; so does a fact whose qualifiers are a strict subset of
    those of another fact with the same subject, predicate and object
    ("trains workers" next to "trains workers, count 10000000"); and of
    ``A partnersWith B`` / ``B partnersWith A`` (symmetric) the second in
    label order goes.
    """
    unique = {_fact_key(f): f for f in facts}
    items = [f for _, f in sorted(unique.items())]
    kept = []
    for fact in items:
        quals = {k: v for k, v in fact.items() if k not in ("s", "p", "o")}.items()
        if any(
            other is not fact
            and (other["s"], other["p"], other["o"]) == (fact["s"], fact["p"], fact["o"])
            and quals < {k: v for k, v in other.items() if k not in ("s", "p", "o")}.items()
            for other in items
        ):
            continue
        kept.append(fact)
    pairs = {(f["s"], f["o"]) for f in kept if f["p"] == "partnersWith"}
    return [f for f in kept if not (f["p"] == "partnersWith" and f["s"] > f["o"] and (f["o"], f["s"]) in pairs)]


def _gold_document(graph: Graph, doc: Node, doc_id: str) -> dict[str, Any]:
    entities = []
    for type_ in ENTITY_TYPES:
        for node in set(graph.subjects(RDF.type, KG[type_])):
            label = _label(graph, node)
            names = {str(n) for prop in (RDFS.label, SKOS.altLabel) for n in graph.objects(node, prop)}
            aliases = sorted(names - {label})
            entities.append({"label": label, "type": type_, "aliases": aliases, "iri": str(node)})
    entities.sort(key=lambda e: (e["label"], e["type"], e["iri"]))
    facts = [f for st in set(graph.subjects(RDF.type, KG.Statement)) if (f := _fact(graph, st, doc_id))]
    return {
        "doc": doc_id,
        "lang": str(graph.value(doc, DCTERMS.language) or ""),
        "entities": entities,
        "facts": _tidy_facts(facts),
    }


def gold_json(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """Return ``doc_id -> document`` in the gold format of ``shared/eval/GUIDELINE.md``.

    Labels are those of each document's own named graph. Entities are sorted by
    label, facts by subject, predicate and object; the object of ``said`` is
    the first six words of the quotation; qualifiers appear only where the
    graph has them (``amount`` an int when integral, ``year`` an int).

    Raises:
        ExportError: a document appears in two graphs, or a qualifier cannot be read.
    """
    out: dict[str, dict[str, Any]] = {}
    for graph in dataset.graphs():
        for doc in sorted(set(graph.subjects(RDF.type, KG.Document))):
            identifier = graph.value(doc, DCTERMS.identifier)
            doc_id = str(identifier) if identifier is not None else _local_name(doc)
            if doc_id in out:
                raise ExportError(f"document {doc_id!r} appears in more than one graph")
            out[doc_id] = _gold_document(graph, doc, doc_id)
    return dict(sorted(out.items()))


def _sort_jsonld(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sort_jsonld(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(dataset: Dataset) -> bytes:
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    with quiet_rdflib():
        text = dataset.serialize(format="json-ld", context=context, auto_compact=True)
    data = _sort_jsonld(json.loads(text))
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _serialize(dataset: Dataset, fmt: str) -> bytes:
    if fmt == "trig":
        return serialize_dataset(dataset, "trig")
    if fmt == "nquads":
        lines = serialize_dataset(dataset, "nquads").decode("utf-8").splitlines()
        return "".join(f"{line}\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")
    if fmt == "jsonld":
        return _jsonld(dataset)
    union = bind_prefixes(union_graph(dataset))
    with quiet_rdflib():
        return union.serialize(format="turtle", encoding="utf-8")


def serialize_network(G: Any, fmt: str) -> bytes:
    """Write a networkx graph (e.g. :func:`kg.to_networkx`) as GraphML or GEXF bytes.

    Attributes are made scalar first (:func:`kg.convert.flatten_attributes`):
    lists and dicts become JSON text, decimals floats, dates ISO text, and
    characters XML cannot hold are removed; the XML writers escape the rest,
    so a label such as ``<b>A & "B"</b>`` is written as text. Each edge gets a
    unique id (``e0``, ``e1``...) and keeps its property as ``property`` and
    ``label``. The GEXF file carries no modification date, so the same graph
    gives the same bytes.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://example.org/a", label='<A & "B">')
    >>> b'label="&lt;A &amp; &quot;B&quot;&gt;"' in serialize_network(G, "gexf")
    True

    Raises:
        ExportError: ``fmt`` is not ``graphml`` or ``gexf``, or the graph cannot be written.
    """
    import io

    import networkx as nx

    from kg.convert import flatten_attributes

    if fmt not in NETWORK_FORMATS:
        raise ExportError(f"unknown network format {fmt!r}; expected one of {', '.join(NETWORK_FORMATS)}")
    flat = flatten_attributes(G)
    buffer = io.BytesIO()
    try:
        if fmt == "graphml":
            nx.write_graphml(flat, buffer, edge_id_from_attribute="id")
        else:
            from networkx.readwrite.gexf import GEXFWriter

            writer = GEXFWriter(encoding="utf-8", prettyprint=True)
            meta = writer.xml.find("meta")
            if meta is not None:
                meta.attrib.pop("lastmodifieddate", None)
            writer.add_graph(flat)
            writer.write(buffer)
    except (TypeError, ValueError, nx.NetworkXError) as exc:
        raise ExportError(f"cannot write the graph as {fmt}: {exc}") from exc
    return buffer.getvalue()


def _safe_filename(doc_id: str) -> str:
    name = f"{doc_id}.json"
    if doc_id in (".", "..") or any(c in doc_id for c in "/\\\x00") or Path(name).name != name:
        raise ExportError(f"document id {doc_id!r} cannot be used as a file name")
    return name


def export(out_dir: str | os.PathLike[str], fmt: str, dest: str | os.PathLike[str]) -> Path:
    """Export the graph of the output folder ``out_dir`` to ``dest``.

    Args:
        out_dir: an output folder holding ``graph.trig``.
        fmt: one of :data:`FORMATS`.
        dest: a file path for RDF, GraphML and GEXF; a folder (created if
            needed) for ``gold-json``, which writes ``<doc_id>.json`` files
            into it and leaves other files there alone.

    Returns:
        ``dest`` as a :class:`~pathlib.Path`.

    Raises:
        ExportError: unknown format, unusable destination, or a write failed.
        GraphError: ``out_dir`` has no readable ``graph.trig``.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    target = Path(dest)
    dataset = load_dataset(out_dir)
    try:
        if fmt == "gold-json":
            if target.exists() and not target.is_dir():
                raise ExportError(f"{target}: gold-json needs a folder, and this is a file")
            for doc_id, document in gold_json(dataset).items():
                data = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
                atomic_write(target / _safe_filename(doc_id), data.encode("utf-8"))
            target.mkdir(parents=True, exist_ok=True)
            return target
        if target.is_dir():
            raise ExportError(f"{target}: {fmt} export needs a file path, and this is a folder")
        if fmt in NETWORK_FORMATS:
            from kg.convert import to_networkx

            atomic_write(target, serialize_network(to_networkx(dataset), fmt))
        else:
            atomic_write(target, _serialize(dataset, fmt))
    except GraphError as exc:
        raise ExportError(str(exc)) from exc
    return target

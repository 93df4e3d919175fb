"""Mint the triples of a document's named graph: the only module that does.

One :class:`~kg.model.Extraction` becomes one :class:`rdflib.Graph` whose
identifier is the document's IRI. Facts follow Wikidata's model: a "truthy"
triple ``s kg:p o`` for simple queries plus a ``kg:Statement`` node that carries
the qualifiers (amount, currency, count, year, role) and the provenance
(document, sentence, offsets, rule, confidence).

Every IRI is deterministic and valid for ``pyoxigraph.NamedNode``.

This module raises :class:`~kg.errors.GraphError` only when it cannot write
well-formed RDF (unknown type, predicate or entity key, non-numeric amount,
bad language tag...). Content rules (a count >= 0, a confidence in [0, 1], a
three-letter currency code...) are the SHACL shapes' job (:mod:`kg.validate`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from urllib.parse import quote

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.errors import GraphError
from kg.model import ENTITY_TYPES, OBJECT_KINDS, PREDICATES, Extraction, Fact
from kg.vocab import BASE, KG, SCHEMA, bind_prefixes

__all__ = ["entity_iri", "document_iri", "document_graph", "document_triples", "clean_literal"]

_SLUG_MAX = 60
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LANG_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_MILLI = Decimal("0.001")


def clean_literal(text: str) -> str:
    """Return ``text`` without C0 control characters (``\\n`` and ``\\t`` kept) or lone surrogates.

    >>> clean_literal("Micro\\x00soft\\tCorp\\n")
    'Microsoft\\tCorp\\n'
    """
    return _SURROGATE.sub("", _CONTROL.sub("", text))


def _clean_keep_offsets(text: str) -> str:
    """Like :func:`clean_literal` but replace instead of delete, so character offsets still hold."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _segment(text: str) -> str:
    """Percent-encode ``text`` as one IRI path segment (``.`` and ``..`` included)."""
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return quote(text, safe="", errors="surrogatepass")


def _named_node(iri: str, what: str) -> URIRef:
    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as exc:
        raise GraphError(f"invalid IRI for {what}: {iri!r} ({exc})") from exc
    return URIRef(iri)


def _slug(label: str) -> tuple[str, bool]:
    """Return the ASCII slug of ``label`` and whether it lost information on the way."""
    lost = False
    chars = []
    for ch in unicodedata.normalize("NFKD", label.casefold()):
        if ch.isascii():
            chars.append(ch)
        elif unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
            continue  # accents: "é" -> "e"
        else:
            lost = lost or ch.isalnum()  # a letter or digit with no ASCII form (CJK, "ø")
            chars.append("-")
    slug = _NON_ALNUM.sub("-", "".join(chars).lower()).strip("-")
    if len(slug) > _SLUG_MAX:
        slug, lost = slug[:_SLUG_MAX].rstrip("-"), True
    return slug, lost or not slug


def entity_iri(label: str, type_: str) -> URIRef:
    """Return the deterministic IRI of an entity: ``{BASE}id/{type}/{slug}``.

    The slug is the label folded to lower-case ASCII with runs of other
    characters turned into ``-``, cut to 60 characters. When the slug is empty,
    was cut, or lost letters or digits that have no ASCII form (CJK, "ø"), the
    first 10 hex digits of the SHA-1 of the NFC label are appended, so that
    distinct names keep distinct IRIs.

    Args:
        label: the entity's name.
        type_: one of :data:`kg.model.ENTITY_TYPES`.

    Raises:
        GraphError: ``type_`` is not an entity type of the ontology.

    >>> entity_iri("Société Générale", "Organization")
    rdflib.term.URIRef('https://w3id.org/kg-news/id/organization/societe-generale')
    >>> entity_iri("北京大学", "Organization")
    rdflib.term.URIRef('https://w3id.org/kg-news/id/organization/-f0f0378d0e')
    """
    if type_ not in ENTITY_TYPES:
        raise GraphError(f"unknown entity type {type_!r} for {label!r}; expected one of {ENTITY_TYPES}")
    slug, needs_hash = _slug(label)
    if needs_hash:
        slug = f"{slug}-{_sha1(unicodedata.normalize('NFC', label))[:10]}"
    return URIRef(f"{BASE}id/{type_.lower()}/{slug}")


def document_iri(doc_id: str) -> URIRef:
    """Return the IRI of a document, which also names its graph: ``{BASE}doc/{doc_id}``.

    >>> document_iri("000_c6c4 ca0f")
    rdflib.term.URIRef('https://w3id.org/kg-news/doc/000_c6c4%20ca0f')
    """
    if not doc_id:
        raise GraphError("empty document id")
    return URIRef(f"{BASE}doc/{_segment(doc_id)}")


def _local_iri(kind: str, doc_id: str, *parts: object) -> URIRef:
    digest = _sha1("|".join(str(p) for p in (doc_id, *parts)))[:16]
    return URIRef(f"{BASE}{kind}/{_segment(doc_id)}/{digest}")


def _date_literal(value: str) -> Literal:
    """``xsd:date`` or ``xsd:dateTime`` when ``value`` is ISO 8601, else a plain string."""
    text = value.strip()
    try:
        return Literal(dt.date.fromisoformat(text).isoformat(), datatype=XSD.date)
    except ValueError:
        pass
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return Literal(clean_literal(value))
    offset = stamp.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        return Literal(clean_literal(value))  # xsd:dateTime has no seconds in time zones
    return Literal(stamp.isoformat(), datatype=XSD.dateTime)


def _decimal(value: object, what: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise GraphError(f"{what}: {value!r} is not a number") from exc
    if isinstance(value, bool) or not number.is_finite():
        raise GraphError(f"{what}: {value!r} is not a finite number")
    return number


def _integer(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphError(f"{what}: {value!r} is not an integer")
    return value


def _decimal_literal(number: Decimal) -> Literal:
    """Canonical ``xsd:decimal`` (``13000000000.0``, ``0.9``): it survives a Turtle round trip unchanged."""
    lexical = format(number, "f")
    if "." in lexical:
        lexical = lexical.rstrip("0")
    if lexical.endswith(".") or "." not in lexical:
        lexical = lexical.rstrip(".") + ".0"
    if lexical.startswith("-") and not lexical.strip("-0."):
        lexical = "0.0"
    return Literal(lexical, datatype=XSD.decimal)


def _rounded(number: Decimal) -> Decimal:
    """``number`` rounded to 3 decimal places (unchanged when too large to round)."""
    try:
        return number.quantize(_MILLI, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return number


def _year_literal(year: int) -> Literal:
    lexical = f"{year:04d}" if year >= 0 else f"-{-year:04d}"
    return Literal(lexical, datatype=XSD.gYear)


def _qualifiers(fact: Fact, where: str) -> list[tuple[URIRef, Literal]]:
    """The statement's (property, literal) qualifiers, in a fixed order, for the ones present."""
    out: list[tuple[URIRef, Literal]] = []
    if fact.amount is not None:
        out.append((KG.amount, _decimal_literal(_decimal(fact.amount, f"{where}: amount"))))
    if fact.currency is not None:
        out.append((KG.currency, Literal(clean_literal(fact.currency).strip().upper())))
    if fact.count is not None:
        out.append((KG.count, Literal(_integer(fact.count, f"{where}: count"), datatype=XSD.integer)))
    if fact.year is not None:
        out.append((KG.year, _year_literal(_integer(fact.year, f"{where}: year"))))
    if fact.role is not None and clean_literal(fact.role).strip():
        out.append((KG.role, Literal(clean_literal(fact.role).strip())))
    return out


def _document_node(graph: _Triples, extraction: Extraction, node: URIRef, lang: str) -> None:
    doc = extraction.document
    add = graph.add
    add((node, RDF.type, KG.Document))
    add((node, DCTERMS.identifier, Literal(clean_literal(doc.doc_id))))
    add((node, DCTERMS.language, Literal(doc.lang)))
    add((node, KG.sha256, Literal(clean_literal(doc.sha256))))
    add((node, KG.path, Literal(clean_literal(doc.path))))
    add((node, KG.text, Literal(_clean_keep_offsets(doc.text))))
    if doc.title and clean_literal(doc.title).strip():
        add((node, DCTERMS.title, Literal(clean_literal(doc.title).strip(), lang=lang)))
    if doc.date and doc.date.strip():
        add((node, DCTERMS.date, _date_literal(doc.date)))
    if doc.url and clean_literal(doc.url).strip():
        add((node, SCHEMA.url, Literal(clean_literal(doc.url).strip(), datatype=XSD.anyURI)))
    if doc.source and clean_literal(doc.source).strip():
        add((node, DCTERMS.source, Literal(clean_literal(doc.source).strip())))


def _entity_nodes(
    graph: _Triples, extraction: Extraction, entity_iris: Mapping[str, URIRef], doc_node: URIRef, lang: str
) -> dict[str, URIRef]:
    doc_id = extraction.document.doc_id
    nodes: dict[str, URIRef] = {}
    for entity in extraction.entities:
        where = f"document {doc_id!r}, entity {entity.key!r}"
        if entity.key in nodes:
            raise GraphError(f"{where}: duplicate entity key")
        if entity.type not in ENTITY_TYPES:
            raise GraphError(f"{where}: unknown entity type {entity.type!r}; expected one of {ENTITY_TYPES}")
        given = entity_iris.get(entity.key)
        node = _named_node(str(given), where) if given is not None else entity_iri(entity.label, entity.type)
        nodes[entity.key] = node
        label = clean_literal(entity.label).strip()
        graph.add((node, RDF.type, KG[entity.type]))
        graph.add((node, RDFS.label, Literal(label, lang=lang)))
        for alias in entity.aliases:
            alias = clean_literal(alias).strip()
            if alias and alias != label:
                graph.add((node, SKOS.altLabel, Literal(alias, lang=lang)))
        graph.add((doc_node, SCHEMA.mentions, node))
    return nodes


def _object_node(graph: _Triples, fact: Fact, nodes: Mapping[str, URIRef], doc_id: str, lang: str, where: str) -> URIRef:
    """The object of ``fact``: an entity's IRI, or a new group or quotation node of the document."""
    if fact.object_kind == "entity":
        if fact.object not in nodes:
            raise GraphError(f"{where}: object {fact.object!r} is not an entity key of the document")
        return nodes[fact.object]
    if fact.object_kind == "group":
        noun = clean_literal(fact.object).strip()
        count = None if fact.count is None else _integer(fact.count, f"{where}: count")
        node = _local_iri("group", doc_id, noun, "" if count is None else count)
        graph.add((node, RDF.type, KG.Group))
        graph.add((node, RDFS.label, Literal(noun, lang=lang)))
        if count is not None:
            graph.add((node, KG.count, Literal(count, datatype=XSD.integer)))
        return node
    if fact.object_kind == "quote":
        text = clean_literal(fact.object).strip()
        node = _local_iri("quote", doc_id, text)
        graph.add((node, RDF.type, KG.Quotation))
        graph.add((node, SCHEMA.text, Literal(text)))
        return node
    raise GraphError(f"{where}: unknown object kind {fact.object_kind!r}; expected one of {OBJECT_KINDS}")


def _statement_rank(fact: Fact) -> tuple:
    prov = fact.provenance
    return (_decimal(prov.confidence, "confidence"), prov.rule, prov.sentence)


def document_graph(
    extraction: Extraction,
    entity_iris: Mapping[str, URIRef],
    pref_labels: Mapping[str, str] | None = None,
) -> Graph:
    """Return the named graph of one document.

    Args:
        extraction: the document and what was extracted from it.
        entity_iris: entity key -> IRI, as chosen across documents by entity
            resolution. Keys missing from it get :func:`entity_iri` of the
            entity's label and type.
        pref_labels: IRI -> the preferred label of the entity across the
            corpus (``skos:prefLabel``, the same in every document graph).

    Returns:
        A graph identified by :func:`document_iri` holding the document node,
        the entities it mentions, and for each fact a truthy triple and a
        ``kg:Statement`` node. Facts that mint the same statement IRI (same
        subject, predicate, object, offsets and qualifiers) are written once,
        with the provenance of the most confident one.

    Raises:
        GraphError: the extraction cannot be written as valid RDF; the message
            names the document and the offending entity or fact.

    >>> from kg.model import Document, Entity
    >>> doc = Document("d1", "d1.txt", "Microsoft.", "en", "0" * 64)
    >>> g = document_graph(Extraction(doc, (Entity("e1", "Microsoft", "Organization"),)), {})
    >>> str(g.identifier), len(g)
    ('https://w3id.org/kg-news/doc/d1', 9)
    """
    name, triples = document_triples(extraction, entity_iris, pref_labels)
    graph = bind_prefixes(Graph(identifier=name))
    for triple in triples:
        graph.add(triple)
    return graph


class _Triples:
    """Collects triples like a Graph does (each once), in the order they come, without a store."""

    def __init__(self) -> None:
        self.items: dict[tuple, None] = {}

    def add(self, triple: tuple) -> None:
        self.items[triple] = None


def document_triples(
    extraction: Extraction,
    entity_iris: Mapping[str, URIRef],
    pref_labels: Mapping[str, str] | None = None,
) -> tuple[URIRef, list[tuple]]:
    """The name and the triples of the graph :func:`document_graph` returns, without building an rdflib Graph.

    A build writes these straight to ``graph.trig``; an rdflib Graph per document
    would cost more than everything else around the parse.

    Raises:
        GraphError: as :func:`document_graph`.
    """
    doc = extraction.document
    doc_node = document_iri(doc.doc_id)
    if not _LANG_TAG.match(doc.lang or ""):
        raise GraphError(f"document {doc.doc_id!r}: invalid language {doc.lang!r}")
    lang = doc.lang
    graph = _Triples()
    _document_node(graph, extraction, doc_node, lang)
    nodes = _entity_nodes(graph, extraction, entity_iris, doc_node, lang)
    for node in sorted(set(nodes.values())):
        pref = (pref_labels or {}).get(str(node))
        if pref:
            graph.add((node, SKOS.prefLabel, Literal(clean_literal(pref).strip())))

    chosen: dict[URIRef, tuple[Fact, URIRef, URIRef, URIRef, list]] = {}
    for index, fact in enumerate(extraction.facts):
        shown = fact.object if len(fact.object) <= 40 else fact.object[:40] + "..."
        where = f"document {doc.doc_id!r}, fact {index} ({fact.subject} {fact.predicate} {shown!r})"
        if fact.predicate not in PREDICATES:
            raise GraphError(f"{where}: unknown predicate {fact.predicate!r}; expected one of {PREDICATES}")
        if fact.subject not in nodes:
            raise GraphError(f"{where}: subject {fact.subject!r} is not an entity key of the document")
        subject, predicate = nodes[fact.subject], KG[fact.predicate]
        obj = _object_node(graph, fact, nodes, doc.doc_id, lang, where)
        prov = fact.provenance
        start, end = _integer(prov.start, f"{where}: start"), _integer(prov.end, f"{where}: end")
        _decimal(prov.confidence, f"{where}: confidence")
        qualifiers = _qualifiers(fact, where)
        node = _local_iri(
            "stmt", doc.doc_id, subject, fact.predicate, obj, start, end, fact.object,
            *(str(value) for _, value in qualifiers),
        )  # fmt: skip
        previous = chosen.get(node)
        if previous is None or _statement_rank(fact) > _statement_rank(previous[0]):
            chosen[node] = (fact, subject, predicate, obj, qualifiers)

    for node, (fact, subject, predicate, obj, qualifiers) in chosen.items():
        prov = fact.provenance
        confidence = _rounded(_decimal(prov.confidence, "confidence"))
        graph.add((subject, predicate, obj))
        for triple in (
            (node, RDF.type, KG.Statement),
            (node, RDF.subject, subject),
            (node, RDF.predicate, predicate),
            (node, RDF.object, obj),
            (node, PROV.wasDerivedFrom, doc_node),
            (node, KG.sentence, Literal(_clean_keep_offsets(prov.sentence))),
            (node, KG.start, Literal(prov.start, datatype=XSD.integer)),
            (node, KG.end, Literal(prov.end, datatype=XSD.integer)),
            (node, KG.rule, Literal(clean_literal(prov.rule))),
            (node, KG.confidence, _decimal_literal(confidence)),
        ):
            graph.add(triple)
        for prop, value in qualifiers:
            graph.add((node, prop, value))
    return doc_node, list(graph.items)

"""Read a kg graph into plain records for the explorer: entities, documents, facts.

Everything is sorted by IRI, so the same graph always gives the same records.
Texts are kept as they are (untrusted news text): the page inserts them as
text, never as markup.

>>> from rdflib import Graph
>>> read_graph(Graph()).facts
[]
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = ["Entity", "Doc", "Fact", "GraphData", "read_graph", "fold", "find_marks"]

#: Classes drawn as nodes, in legend order. Quotations are listed with their speaker instead.
NODE_CLASSES = ("Person", "Organization", "Product", "Program", "Place", "Event", "Group")


@dataclass
class Entity:
    """A node: an entity, or a group of people (``cls == "Group"``, with its ``count``)."""

    iri: str
    cls: str
    label: str
    names: list[str]
    docs: set[str] = field(default_factory=set)
    count: int | None = None


@dataclass(frozen=True)
class Doc:
    """A source document (``url`` only when it is an http(s) URL)."""

    iri: str
    ident: str
    title: str
    date: str
    url: str
    lang: str


@dataclass
class Fact:
    """One ``kg:Statement``: ``s p o`` (``o`` is None for a quotation, whose text is ``quote``)."""

    iri: str
    s: str
    p: str
    o: str | None
    quote: str
    doc: str
    sentence: str
    confidence: float
    attrs: dict[str, str]
    rule: str
    target: str = ""  # the IRI of rdf:object (the quotation node of a quote)


@dataclass
class GraphData:
    """What the explorer shows, read from a graph."""

    entities: dict[str, Entity]
    docs: dict[str, Doc]
    facts: list[Fact]
    symmetric: set[str]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFD", ch)[0].lower()
    if ch in "\u2019\u2018\u02bc":
        return "'"
    return base if len(base) == 1 else ch


def fold(text: str) -> str:
    """Lower-case ``text`` and drop accents, one character for one (offsets still hold).

    >>> fold("Société GÉNÉRALE’s")
    "societe generale's"
    """
    return "".join(_fold_char(ch) for ch in text)


def find_marks(sentence: str, names_by_role: list[tuple[str, list[str]]]) -> list[tuple[int, int, str]]:
    """Spans of ``sentence`` that name an entity: ``(start, end, role)``, sorted, not overlapping.

    Matching ignores case and accents and only takes whole words; longer names
    win over shorter ones, then earlier roles over later ones.

    >>> find_marks("Microsoft a investi dans OpenAI.", [("s", ["Microsoft"]), ("o", ["openai"])])
    [(0, 9, 's'), (25, 31, 'o')]
    """
    folded = fold(sentence)
    taken: list[tuple[int, int, str]] = []
    wanted = {
        (fold(n.strip()), rank, role)
        for rank, (role, names) in enumerate(names_by_role)
        for n in names
        if len(n.strip()) >= 2
    }
    for name, _, role in sorted(wanted, key=lambda w: (-len(w[0]), w[1], w[0])):
        start = folded.find(name)
        while start >= 0:
            end = start + len(name)
            whole = (start == 0 or not folded[start - 1].isalnum()) and (
                end == len(folded) or not folded[end].isalnum()
            )
            if whole and all(end <= a or start >= b for a, b, _ in taken):
                taken.append((start, end, role))
            start = folded.find(name, start + 1)
    return sorted(taken)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _pick_label(labels: list[str], fallback: str) -> str:
    """The label to show when there is no ``skos:prefLabel``: most accents, then most capitals, then first."""
    if not labels:
        return fallback
    return min(labels, key=lambda s: (-sum(not c.isascii() for c in s), -sum(c.isupper() for c in s), s))


@lru_cache(maxsize=1)
def _symmetric_properties() -> frozenset[str]:
    """Local names of the ontology's symmetric properties (kg.ttl parsed once per process)."""
    from rdflib import RDF
    from rdflib.namespace import OWL

    from kg.vocab import ontology_graph

    return frozenset(str(p).rsplit("#", 1)[-1] for p in ontology_graph().subjects(RDF.type, OWL.SymmetricProperty))


def read_graph(graph) -> GraphData:
    """Read the entities, groups, documents and statements of a kg graph (an rdflib Graph)."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS, PROV, SKOS

    from kg.vocab import KG, SCHEMA

    classes = {KG[c]: c for c in NODE_CLASSES}
    entities: dict[str, Entity] = {}
    for node, _, cls in graph.triples((None, RDF.type, None)):
        if cls in classes and isinstance(node, URIRef):
            entities.setdefault(str(node), Entity(str(node), classes[cls], "", []))
    for iri, ent in entities.items():
        node = URIRef(iri)
        labels = sorted({str(x) for x in graph.objects(node, RDFS.label) if isinstance(x, Literal)})
        aliases = sorted({str(x) for x in graph.objects(node, SKOS.altLabel) if isinstance(x, Literal)})
        preferred = sorted({str(x) for x in graph.objects(node, SKOS.prefLabel) if isinstance(x, Literal)})
        ent.label = preferred[0] if preferred else _pick_label(labels, iri.rstrip("/").rsplit("/", 1)[-1])
        ent.names = [ent.label] + [n for n in labels + aliases if n != ent.label]
        ent.names = list(dict.fromkeys(ent.names))
        count = graph.value(node, KG["count"])
        if ent.cls == "Group" and count is not None:
            try:
                ent.count = int(count)
            except (TypeError, ValueError):
                ent.count = None

    docs: dict[str, Doc] = {}
    for node in sorted(set(graph.subjects(RDF.type, KG.Document)), key=str):
        url = _text(graph.value(node, SCHEMA.url)).strip()
        if not url.lower().startswith(("http://", "https://")):
            url = ""
        docs[str(node)] = Doc(
            iri=str(node),
            ident=_text(graph.value(node, DCTERMS.identifier)) or str(node).rsplit("/", 1)[-1],
            title=_text(graph.value(node, DCTERMS.title)),
            date=_text(graph.value(node, DCTERMS.date))[:10],
            url=url,
            lang=_text(graph.value(node, DCTERMS.language)),
        )
        for ent in graph.objects(node, SCHEMA.mentions):
            if str(ent) in entities:
                entities[str(ent)].docs.add(str(node))

    attr_names = {KG.amount: "amount", KG.currency: "currency", KG["count"]: "count", KG.year: "year"}
    attr_names.update({KG.role: "role", KG.date: "date"})
    facts: list[Fact] = []
    for node in sorted(set(graph.subjects(RDF.type, KG.Statement)), key=str):
        values: dict = {}
        for prop, value in graph.predicate_objects(node):
            values.setdefault(prop, value)
        s, p, o = values.get(RDF.subject), values.get(RDF.predicate), values.get(RDF.object)
        if s is None or p is None or o is None or str(s) not in entities:
            continue
        quote = ""
        if str(o) not in entities:
            quote = _text(graph.value(o, SCHEMA.text))
            if not quote:
                continue
        doc = str(values.get(PROV.wasDerivedFrom, ""))
        if doc in docs:
            entities[str(s)].docs.add(doc)
            if not quote:
                entities[str(o)].docs.add(doc)
        try:
            confidence = float(values.get(KG.confidence, 0))
        except (TypeError, ValueError):
            confidence = 0.0
        facts.append(
            Fact(
                iri=str(node),
                s=str(s),
                p=str(p).rsplit("#", 1)[-1],
                o=None if quote else str(o),
                quote=quote,
                doc=doc if doc in docs else "",
                sentence=_text(values.get(KG.sentence)),
                confidence=confidence,
                attrs={name: _text(values[prop]) for prop, name in attr_names.items() if prop in values},
                rule=_text(values.get(KG.rule)),
                target=str(o),
            )
        )
    symmetric = set(_symmetric_properties())
    return GraphData(entities=dict(sorted(entities.items())), docs=docs, facts=facts, symmetric=symmetric)

"""The names the query page completes and shows: entities (labels, aliases, class) and documents.

:class:`GraphIndex` is read once from the graph with three SPARQL queries and
kept in the server's memory: completion (:meth:`GraphIndex.complete`) and the
labels of the IRIs in a result (:meth:`GraphIndex.describe`) are then lookups,
not queries. Matching ignores case and accents, like the explorer's search.

>>> index = GraphIndex.from_rows(
...     [("https://e.org/ms", "Organization", "Microsoft", "label"), ("https://e.org/ms", "Organization", "MSFT", "alt")],
...     {"https://e.org/ms": 3},
...     [],
... )
>>> [(hit["value"], hit["match"]) for hit in index.complete("msf")]
[('Microsoft', 'MSFT')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.explorer.data import NODE_CLASSES, _pick_label, fold

__all__ = ["GraphIndex", "ENTITY_QUERY", "MENTION_QUERY", "DOCUMENT_QUERY"]

#: Every name of every entity of a node class.
ENTITY_QUERY = (
    "SELECT ?e ?class ?name ?kind WHERE { VALUES ?cls { "
    + " ".join(f"kg:{c}" for c in NODE_CLASSES)
    + " } ?e a ?cls . BIND(STRAFTER(STR(?cls), STR(kg:)) AS ?class) "
    '{ ?e rdfs:label ?name BIND("label" AS ?kind) } UNION { ?e skos:prefLabel ?name BIND("pref" AS ?kind) } '
    'UNION { ?e skos:altLabel ?name BIND("alt" AS ?kind) } }'
)
#: The number of documents that name each entity.
MENTION_QUERY = "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kg:Document ; schema:mentions ?e } GROUP BY ?e"
#: The documents, with what the page shows of them.
DOCUMENT_QUERY = (
    "SELECT ?d ?id ?title ?date ?url WHERE { ?d a kg:Document . OPTIONAL { ?d dcterms:identifier ?id } "
    "OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d dcterms:date ?date } OPTIONAL { ?d schema:url ?url } }"
)


@dataclass
class _Entity:
    iri: str
    cls: str
    label: str = ""
    names: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)
    documents: int = 0


@dataclass(frozen=True)
class _Document:
    iri: str
    ident: str
    title: str
    date: str
    url: str


def _rank(name: str, query: str) -> int:
    """0 exact, 1 prefix, 2 prefix of a word, 3 anywhere, 9 no match (both folded)."""
    at = name.find(query)
    if at < 0:
        return 9
    if name == query:
        return 0
    if at == 0:
        return 1
    while at > 0:
        if not name[at - 1].isalnum():
            return 2
        at = name.find(query, at + 1)
    return 3


class GraphIndex:
    """Entities and documents of a graph, for completion and for showing IRIs by name."""

    def __init__(self, entities: dict[str, _Entity], documents: dict[str, _Document]) -> None:
        self.entities = entities
        self.documents = documents
        self.by_ident = {d.ident: d for d in documents.values() if d.ident}

    @classmethod
    def from_rows(
        cls,
        names: Iterable[Sequence[Any]],
        mentions: dict[str, int],
        documents: Iterable[Sequence[Any]],
    ) -> GraphIndex:
        """Build from rows of :data:`ENTITY_QUERY` (iri, class, name, kind), mention counts and
        rows of :data:`DOCUMENT_QUERY` (iri, id, title, date, url), values as strings or ``None``."""
        labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        classes: dict[str, str] = {}
        for iri, klass, name, kind in names:
            if not iri or name is None:
                continue
            iri, name = str(iri), str(name)
            classes.setdefault(iri, str(klass))
            if name not in labels[iri][kind]:
                labels[iri][kind].append(name)
        entities: dict[str, _Entity] = {}
        for iri in sorted(labels):
            kinds = labels[iri]
            plain = sorted(kinds.get("label", []))
            pref = sorted(kinds.get("pref", []))
            label = pref[0] if pref else _pick_label(plain, iri.rstrip("/").rsplit("/", 1)[-1])
            all_names = list(dict.fromkeys([label, *pref, *plain, *sorted(kinds.get("alt", []))]))
            entities[iri] = _Entity(iri, classes[iri], label, all_names, [fold(n) for n in all_names])
            entities[iri].documents = int(mentions.get(iri, 0))
        docs: dict[str, _Document] = {}
        for iri, ident, title, date, url in documents:
            url = str(url or "").strip()
            docs[str(iri)] = _Document(
                str(iri),
                str(ident or str(iri).rsplit("/", 1)[-1]),
                str(title or ""),
                str(date or "")[:10],
                url if url.lower().startswith(("http://", "https://")) else "",
            )
        return cls(entities, docs)

    @classmethod
    def load(cls, run: Callable[[str], Any]) -> GraphIndex:
        """Read the index with ``run`` (a function that runs a query and returns a :class:`~kg.results.QueryResult`)."""

        def values(result: Any) -> list[tuple[str | None, ...]]:
            return [tuple(None if t is None else t.value for t in row) for row in result.bindings]

        names = values(run(ENTITY_QUERY))
        mentions = {iri: int(n) for iri, n in values(run(MENTION_QUERY)) if iri and n}
        return cls.from_rows(names, mentions, values(run(DOCUMENT_QUERY)))

    # --- completion -----------------------------------------------------------------------------------

    def complete(self, text: str, kinds: Sequence[str] = (), limit: int = 10) -> list[dict[str, Any]]:
        """The best matches of ``text`` among names of entities of ``kinds`` (entity classes,
        ``Document`` or ``Class``; none: every entity), best first.

        Each hit: ``value`` (what a field should hold), ``label``, ``match`` (the name that
        matched), ``class``, ``iri``, ``documents`` (documents naming it; for a document, its date).
        """
        query = " ".join(fold(text).split())
        wanted = set(kinds)
        hits: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        if "Class" in wanted:
            for name in NODE_CLASSES:
                rank = _rank(fold(name), query) if query else 1
                if rank < 9:
                    hits.append(((rank, name), {"value": name, "label": name, "match": name, "class": "Class"}))
        if "Document" in wanted:
            for doc in self.documents.values():
                rank = min(_rank(fold(doc.ident), query), _rank(fold(doc.title), query) + 1) if query else 1
                if rank < 9:
                    item = {"value": doc.ident, "label": doc.title or doc.ident, "match": doc.ident,
                            "class": "Document", "iri": doc.iri, "date": doc.date}  # fmt: skip
                    hits.append(((rank, doc.date, doc.ident), item))
        entity_kinds = wanted - {"Class", "Document"}
        if entity_kinds or not wanted:
            for ent in self.entities.values():
                if entity_kinds and ent.cls not in entity_kinds:
                    continue
                if not query:
                    best, name = 1, ent.label
                else:
                    best, name = 9, ""
                    for candidate, folded in zip(ent.names, ent.folded):
                        rank = _rank(folded, query)
                        if rank < best:
                            best, name = rank, candidate
                    if best == 9:
                        continue
                item = {"value": ent.label, "label": ent.label, "match": name, "class": ent.cls, "iri": ent.iri,
                        "documents": ent.documents}  # fmt: skip
                hits.append(((best, -ent.documents, fold(ent.label), ent.iri), item))
        hits.sort(key=lambda h: h[0])
        return [item for _, item in hits[: max(1, limit)]]

    # --- showing IRIs ---------------------------------------------------------------------------------

    def entity(self, iri: str) -> dict[str, Any] | None:
        """What the page shows of entity ``iri``: label, class, other names, documents; ``None`` if unknown."""
        ent = self.entities.get(iri)
        if ent is None:
            return None
        return {"iri": iri, "label": ent.label, "class": ent.cls, "names": ent.names, "documents": ent.documents}

    def describe(self, iris: Iterable[str]) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
        """Labels and classes of the entities among ``iris``, and titles, dates and URLs of the documents."""
        entities, documents = {}, {}
        for iri in iris:
            ent = self.entities.get(iri)
            if ent is not None:
                entities[iri] = {"l": ent.label, "c": ent.cls}
                continue
            doc = self.documents.get(iri)
            if doc is not None:
                documents[iri] = {"i": doc.ident, "t": doc.title, "d": doc.date, "u": doc.url}
        return entities, documents

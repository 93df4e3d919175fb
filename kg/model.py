"""Plain data passed between the stages of a build. No I/O here.

A :class:`Document` comes out of ingestion; extraction turns it into an
:class:`Extraction` (doc-local :class:`Entity` objects and :class:`Fact` objects
with :class:`Provenance`); the RDF layer mints triples from that.

Character offsets always refer to ``Document.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "ENTITY_TYPES",
    "PREDICATES",
    "SIGNATURES",
    "OBJECT_KINDS",
    "Document",
    "Mention",
    "Entity",
    "Provenance",
    "Fact",
    "Extraction",
]

#: Entity classes of the ontology (local names).
ENTITY_TYPES: tuple[str, ...] = ("Person", "Organization", "Product", "Program", "Place", "Event")

#: Object properties of the ontology (local names).
PREDICATES: tuple[str, ...] = (
    "partnersWith",
    "investsIn",
    "trains",
    "represents",
    "worksFor",
    "memberOf",
    "develops",
    "offers",
    "organizes",
    "said",
    "locatedIn",
)

#: Domain and range of each property (classes of subject and object), as in ontology/kg.ttl.
SIGNATURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "partnersWith": (frozenset({"Organization", "Person"}), frozenset({"Organization", "Person"})),
    "investsIn": (frozenset({"Organization", "Person"}), frozenset({"Organization"})),
    "trains": (frozenset({"Organization"}), frozenset({"Group"})),
    "represents": (frozenset({"Organization"}), frozenset({"Group", "Organization"})),
    "worksFor": (frozenset({"Person"}), frozenset({"Organization"})),
    "memberOf": (frozenset({"Organization", "Person"}), frozenset({"Organization"})),
    "develops": (frozenset({"Organization"}), frozenset({"Product"})),
    "offers": (frozenset({"Organization"}), frozenset({"Program"})),
    "organizes": (frozenset({"Organization", "Person"}), frozenset({"Event"})),
    "said": (frozenset({"Person"}), frozenset({"Quotation"})),
    "locatedIn": (frozenset({"Organization", "Event", "Person"}), frozenset({"Place"})),
}

#: What the object of a fact is: a doc-local entity key, a group of people
#: (common noun such as "workers"), or the text of a quotation.
OBJECT_KINDS: tuple[str, ...] = ("entity", "group", "quote")


@dataclass(frozen=True)
class Document:
    """One input file after ingestion.

    Attributes:
        doc_id: identifier unique within the corpus; the file stem unless two
            files share a stem.
        path: path of the file relative to the corpus root, POSIX style.
        text: the text that is analysed (title and article body, page chrome
            removed, Unicode NFC, ``\\n`` newlines). Offsets refer to it.
        lang: ``"fr"`` or ``"en"``.
        sha256: hex digest of the file's bytes.
        title, date, url, source: metadata (front matter, HTML head, or the
            first line of a plain text file for the title). ``date`` is ISO
            8601 (``YYYY-MM-DD`` or a full timestamp) when known.
        warnings: human-readable problems met while reading (kept in the report).
    """

    doc_id: str
    path: str
    text: str
    lang: str
    sha256: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A span of ``Document.text`` that names an entity."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """An entity as one document names it.

    ``key`` identifies it among the document's entities (facts point to it).
    ``label`` is the most complete name the document uses; ``aliases`` are its
    other surface forms in the same document. ``confidence`` is how sure the
    extractor is of the entity and its class (a probability; 1.0 when unknown).
    """

    key: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    confidence: float = 1.0


@dataclass(frozen=True)
class Provenance:
    """Where a fact comes from: the sentence and the rule that produced it."""

    sentence: str
    start: int
    end: int
    rule: str
    confidence: float


@dataclass(frozen=True)
class Fact:
    """One statement of the document.

    ``subject`` is an entity key. ``object`` is an entity key when
    ``object_kind == "entity"``, the group noun as written ("workers",
    "salariés") when ``"group"``, and the quotation's text when ``"quote"``.
    """

    subject: str
    predicate: str
    object: str
    provenance: Provenance
    object_kind: str = "entity"
    amount: Decimal | None = None
    currency: str | None = None
    count: int | None = None
    year: int | None = None
    role: str | None = None


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""

    document: Document
    entities: tuple[Entity, ...] = ()
    facts: tuple[Fact, ...] = field(default_factory=tuple)

    def entity(self, key: str) -> Entity:
        """Return the entity with ``key``; raise ``KeyError`` if there is none."""
        for e in self.entities:
            if e.key == key:
                return e
        raise KeyError(key)

"""The ontology's terms as Python names, and the prefixes used in output files.

:class:`KG` mirrors ``ontology/kg.ttl`` (the only source of class and property
IRIs); with ``_fail = True`` a misspelled term raises instead of minting a new
IRI. Instance IRIs (entities, documents, statements) live under :data:`BASE`.

>>> KG.Person
rdflib.term.URIRef('https://w3id.org/kg-news/ontology#Person')
>>> KG.Persn
Traceback (most recent call last):
...
AttributeError: term 'Persn' not in namespace 'https://w3id.org/kg-news/ontology#'
"""

from __future__ import annotations

from importlib.resources import files

from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

from kg.errors import GraphError

__all__ = [
    "KG",
    "BASE",
    "ONTOLOGY",
    "SCHEMA",
    "PREFIXES",
    "bind_prefixes",
    "ontology_graph",
    "shapes_graph",
]

#: Root of every instance IRI (``{BASE}id/...``, ``{BASE}doc/...``, ``{BASE}stmt/...``).
BASE = "https://w3id.org/kg-news/"

#: IRI of the ontology itself (``owl:Ontology``).
ONTOLOGY = URIRef("https://w3id.org/kg-news/ontology")

#: schema.org, in its ``https`` form (the one rdflib's ``SDO`` uses).
SCHEMA = SDO


class KG(DefinedNamespace):
    """Terms of the kg-news ontology (``ontology/kg.ttl``)."""

    _fail = True
    _NS = Namespace("https://w3id.org/kg-news/ontology#")

    # Classes
    Person: URIRef  # A named human being.
    Organization: URIRef  # A company, union, federation, party, agency or institution.
    Product: URIRef  # Software, AI model or app.
    Program: URIRef  # Initiative, training programme, certification, platform, academy.
    Place: URIRef  # Country, region or city.
    Event: URIRef  # Named or dated meeting, summit, workshop.
    Group: URIRef  # People named by a common noun ("workers"), with an optional count.
    Document: URIRef  # An input news article; also names its graph.
    Quotation: URIRef  # Words attributed to a person.
    Statement: URIRef  # One fact with its qualifiers and provenance (rdf:Statement).

    # Object properties (fact predicates)
    partnersWith: URIRef  # Partnership, alliance, collaboration (symmetric).
    investsIn: URIRef  # Invests in or funds an organization.
    trains: URIRef  # Trains, educates or certifies a group.
    represents: URIRef  # A union represents a group or an organization.
    worksFor: URIRef  # Holds a current role at an organization.
    memberOf: URIRef  # Belongs to a party, federation, group, parent company.
    develops: URIRef  # Makes a product.
    offers: URIRef  # Runs or offers a programme.
    organizes: URIRef  # Organises or hosts an event.
    said: URIRef  # A person is quoted.
    locatedIn: URIRef  # Based in, takes place in, comes from a place.

    # Datatype properties: qualifiers
    amount: URIRef  # xsd:decimal amount of money.
    currency: URIRef  # ISO 4217 code.
    count: URIRef  # Number of people.
    year: URIRef  # xsd:gYear the fact refers to.
    role: URIRef  # Role of a person (worksFor).
    date: URIRef  # xsd:date the fact refers to.

    # Datatype properties: provenance and documents
    sentence: URIRef  # Sentence the fact was read from.
    start: URIRef  # Start offset of the sentence in the document text.
    end: URIRef  # End offset (exclusive).
    rule: URIRef  # Extraction rule id.
    confidence: URIRef  # Confidence in [0, 1].
    sha256: URIRef  # Digest of the input file.
    path: URIRef  # Path of the input file relative to the corpus.
    text: URIRef  # Full analysed text of a document.


#: Prefixes bound in every graph and file kg writes.
PREFIXES: dict[str, Namespace] = {
    prefix: Namespace(str(namespace))
    for prefix, namespace in (
        ("kg", KG),
        ("schema", SCHEMA),
        ("prov", PROV),
        ("skos", SKOS),
        ("dcterms", DCTERMS),
        ("rdf", RDF),
        ("rdfs", RDFS),
        ("xsd", XSD),
        ("owl", OWL),
    )
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind :data:`PREFIXES` on ``graph`` (replacing other bindings of those names) and return it.

    >>> g = bind_prefixes(Graph())
    >>> g.namespace_manager.store.namespace("kg")
    rdflib.term.URIRef('https://w3id.org/kg-news/ontology#')
    """
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def _load(name: str) -> Graph:
    resource = files("kg.ontology").joinpath(name)
    try:
        data = resource.read_bytes()
    except OSError as exc:
        raise GraphError(f"{resource}: cannot read the ontology file: {exc}") from exc
    graph = Graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception as exc:  # rdflib raises several parser exception types
        raise GraphError(f"{resource}: cannot parse Turtle: {exc}") from exc
    return bind_prefixes(graph)


def ontology_graph() -> Graph:
    """Return a fresh :class:`~rdflib.Graph` of ``ontology/kg.ttl``.

    >>> (KG.Person, None, None) in ontology_graph()
    True
    """
    return _load("kg.ttl")


def shapes_graph() -> Graph:
    """Return a fresh :class:`~rdflib.Graph` of the SHACL shapes, ``ontology/shapes.ttl``."""
    return _load("shapes.ttl")

from __future__ import annotations

import pytest
import rdflib.namespace as ns
from rdflib import Graph, URIRef
from rdflib.collection import Collection

from kg import vocab
from kg.model import ENTITY_TYPES, PREDICATES
from kg.vocab import BASE, KG, ONTOLOGY, PREFIXES, bind_prefixes, ontology_graph, shapes_graph

# XSD and schema.org warn on unknown attributes, which pytest probes on module globals: no aliases.
OWL, RDF, RDFS, SH = ns.OWL, ns.RDF, ns.RDFS, ns.SH

NS = str(KG._NS)


def declared_terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(NS)}


def kg_terms() -> set[URIRef]:
    return {KG[name] for name in KG.__annotations__}


@pytest.mark.parametrize("graph", [ontology_graph()], ids=["kg.ttl"])
def test_every_term_of_the_ontology_is_in_KG_and_back(graph: Graph) -> None:
    in_ttl = declared_terms(graph)
    in_py = kg_terms()
    assert in_ttl - in_py == set(), "declared in kg.ttl but missing from kg.vocab.KG"
    assert in_py - in_ttl == set(), "in kg.vocab.KG but not declared in kg.ttl"
    used = {t for t in graph.all_nodes() if isinstance(t, URIRef) and str(t).startswith(NS)}
    assert used <= in_py, f"kg.ttl uses undeclared terms: {used - in_py}"


@pytest.mark.parametrize("term", sorted(kg_terms()), ids=lambda t: str(t).rsplit("#")[-1])
def test_every_term_has_english_and_french_label_and_comment(term: URIRef) -> None:
    graph = ontology_graph()
    for prop in (RDFS.label, RDFS.comment):
        langs = {lit.language for lit in graph.objects(term, prop)}
        assert {"en", "fr"} <= langs, f"{term} {prop} languages: {langs}"


@pytest.mark.parametrize("name", ["Persn", "partnerWith", "Organisation"])
def test_misspelled_term_fails(name: str) -> None:
    with pytest.raises(AttributeError):
        getattr(KG, name)


@pytest.mark.parametrize("kind,expected", [
    (OWL.ObjectProperty, set(PREDICATES)),
    (OWL.Class, {*ENTITY_TYPES, "Group", "Document", "Quotation", "Statement"}),
])  # fmt: skip
def test_ontology_matches_the_model(kind: URIRef, expected: set[str]) -> None:
    names = {str(t)[len(NS) :] for t in ontology_graph().subjects(RDF.type, kind) if str(t).startswith(NS)}
    assert names == expected


def _classes(graph: Graph, node) -> set[str]:
    members = graph.value(node, OWL.unionOf)
    nodes = list(Collection(graph, members)) if members is not None else [node]
    return {str(n)[len(NS) :] for n in nodes}


@pytest.mark.parametrize("predicate,domain,range_", [
    ("partnersWith", {"Organization", "Person"}, {"Organization", "Person"}),
    ("investsIn", {"Organization", "Person"}, {"Organization"}),
    ("trains", {"Organization"}, {"Group"}),
    ("represents", {"Organization"}, {"Group", "Organization"}),
    ("worksFor", {"Person"}, {"Organization"}),
    ("memberOf", {"Organization", "Person"}, {"Organization"}),
    ("develops", {"Organization"}, {"Product"}),
    ("offers", {"Organization"}, {"Program"}),
    ("organizes", {"Organization", "Person"}, {"Event"}),
    ("said", {"Person"}, {"Quotation"}),
    ("locatedIn", {"Organization", "Event", "Person"}, {"Place"}),
])  # fmt: skip
def test_domain_and_range_follow_the_guideline(predicate: str, domain: set[str], range_: set[str]) -> None:
    graph = ontology_graph()
    term = KG[predicate]
    assert _classes(graph, graph.value(term, RDFS.domain)) == domain
    assert _classes(graph, graph.value(term, RDFS.range)) == range_


@pytest.mark.parametrize("prop,datatype", [
    (KG.amount, ns.XSD.decimal), (KG.currency, ns.XSD.string), (KG.year, ns.XSD.gYear),
    (KG.confidence, ns.XSD.decimal), (KG.count, ns.XSD.nonNegativeInteger), (KG.date, ns.XSD.date),
])  # fmt: skip
def test_datatype_ranges(prop: URIRef, datatype: URIRef) -> None:
    assert ontology_graph().value(prop, RDFS.range) == datatype


@pytest.mark.parametrize("cls,parent", [
    (KG.Person, vocab.SCHEMA.Person), (KG.Organization, vocab.SCHEMA.Organization), (KG.Place, vocab.SCHEMA.Place),
    (KG.Event, vocab.SCHEMA.Event), (KG.Quotation, vocab.SCHEMA.Quotation), (KG.Document, vocab.SCHEMA.NewsArticle),
    (KG.Statement, RDF.Statement),
])  # fmt: skip
def test_alignment_with_standard_vocabularies(cls: URIRef, parent: URIRef) -> None:
    assert (cls, RDFS.subClassOf, parent) in ontology_graph()


@pytest.mark.parametrize("graph", [ontology_graph()], ids=["kg.ttl"])
def test_ontology_header(graph: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert (KG.partnersWith, RDF.type, OWL.SymmetricProperty) in graph


@pytest.mark.parametrize("shapes", [shapes_graph()], ids=["shapes.ttl"])
def test_shapes_list_exactly_the_predicates(shapes: Graph) -> None:
    lists = [
        {str(t)[len(NS) :] for t in Collection(shapes, node)}
        for shape in shapes.subjects(SH.path, RDF.predicate)
        for node in shapes.objects(shape, SH["in"])
    ]
    assert lists == [set(PREDICATES)]
    assert any(True for _ in shapes.subjects(SH.targetSubjectsOf, None))
    for predicate in PREDICATES:
        assert (None, SH.targetSubjectsOf, KG[predicate]) in shapes, predicate


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_bind_prefixes(prefix: str) -> None:
    graph = bind_prefixes(Graph())
    assert dict(graph.namespaces())[prefix] == URIRef(str(PREFIXES[prefix]))


@pytest.mark.parametrize("base", [BASE])
def test_base_is_the_parent_of_the_ontology_namespace(base: str) -> None:
    assert base.endswith("/") and NS.startswith(base)


@pytest.mark.parametrize("name", ["kg.ttl", "shapes.ttl"])
def test_ontology_files_parse_with_pyoxigraph(name: str) -> None:
    from importlib.resources import files

    import pyoxigraph

    data = files("kg.ontology").joinpath(name).read_bytes()
    triples = list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(ontology_graph() if name == "kg.ttl" else shapes_graph())

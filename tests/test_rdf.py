from __future__ import annotations

import dataclasses
import unicodedata
from decimal import Decimal

import pyoxigraph
import pytest
import rdflib.namespace as ns
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kg_samples import guideline_extraction, prov, rich_extraction, sha
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.errors import GraphError
from kg.model import ENTITY_TYPES, Document, Entity, Extraction, Fact, Provenance
from kg.rdf import clean_literal, document_graph, document_iri, entity_iri
from kg.vocab import BASE, KG

RDF, RDFS, SKOS, PROV, DCTERMS = ns.RDF, ns.RDFS, ns.SKOS, ns.PROV, ns.DCTERMS

ID = BASE + "id/"


def assert_isomorphic(got: Graph, expected: Graph) -> None:
    if isomorphic(got, expected):
        return
    _, only_got, only_expected = graph_diff(to_isomorphic(got), to_isomorphic(expected))
    pytest.fail(
        "graphs differ\n--- only in result:\n"
        + "\n".join(sorted(f"{t[0].n3()} {t[1].n3()} {t[2].n3()}" for t in only_got))
        + "\n--- only in expected:\n"
        + "\n".join(sorted(f"{t[0].n3()} {t[1].n3()} {t[2].n3()}" for t in only_expected))
    )


# ---------------------------------------------------------------- entity_iri


@pytest.mark.parametrize("label,type_,expected", [
    ("Microsoft", "Organization", ID + "organization/microsoft"),
    ("Société Générale", "Organization", ID + "organization/societe-generale"),
    ("AFL-CIO", "Organization", ID + "organization/afl-cio"),
    ("  Brad   Smith ", "Person", ID + "person/brad-smith"),
    ("L’Oréal", "Organization", ID + "organization/l-oreal"),
    ("Straße", "Place", ID + "place/strasse"),
    ("GPT-5", "Product", ID + "product/gpt-5"),
    ("Île-de-France", "Place", ID + "place/ile-de-france"),
])  # fmt: skip
def test_entity_iri_slug(label: str, type_: str, expected: str) -> None:
    assert entity_iri(label, type_) == URIRef(expected)


@pytest.mark.parametrize("label,type_,prefix", [
    ("北京大学", "Organization", ID + "organization/-"),
    ("Tencent 腾讯", "Organization", ID + "organization/tencent-"),
    ("Ørsted", "Organization", ID + "organization/rsted-"),
    ("", "Person", ID + "person/-"),
    ("!!!", "Event", ID + "event/-"),
    ("a" * 80, "Program", ID + "program/" + "a" * 60 + "-"),
])  # fmt: skip
def test_entity_iri_gets_a_hash_when_the_slug_loses_information(label: str, type_: str, prefix: str) -> None:
    iri = str(entity_iri(label, type_))
    assert iri.startswith(prefix)
    digest = iri[len(prefix) :]
    assert len(digest) == 10 and all(c in "0123456789abcdef" for c in digest)


@pytest.mark.parametrize(
    "first,second", [("北京大学", "清华大学"), ("a" * 70 + "x", "a" * 70 + "y"), ("Ørsted", "Ärsted")]
)
def test_entity_iri_keeps_distinct_names_apart(first: str, second: str) -> None:
    assert entity_iri(first, "Organization") != entity_iri(second, "Organization")


@pytest.mark.parametrize("label", ["Cafe\u0301", "Café"])
def test_entity_iri_hash_uses_the_nfc_label(label: str) -> None:
    assert entity_iri(label * 30, "Place") == entity_iri(unicodedata.normalize("NFC", label) * 30, "Place")


@pytest.mark.parametrize("type_", ["Group", "organization", "Thing", ""])
def test_entity_iri_rejects_unknown_types(type_: str) -> None:
    with pytest.raises(GraphError, match="unknown entity type"):
        entity_iri("Microsoft", type_)


@settings(max_examples=300, deadline=None)
@given(label=st.text(), type_=st.sampled_from(ENTITY_TYPES))
def test_entity_iri_is_a_valid_deterministic_iri(label: str, type_: str) -> None:
    iri = entity_iri(label, type_)
    pyoxigraph.NamedNode(str(iri))
    assert iri == entity_iri(label, type_)
    slug = str(iri).rsplit("/", 1)[1]
    assert len(slug) <= 71 and slug.isascii()


# ---------------------------------------------------------------- document_iri


@pytest.mark.parametrize("doc_id,expected", [
    ("000_c6c4ca0f03ca34c8", BASE + "doc/000_c6c4ca0f03ca34c8"),
    ("a b/c", BASE + "doc/a%20b%2Fc"),
    ("été#1", BASE + "doc/%C3%A9t%C3%A9%231"),
    ("..", BASE + "doc/%2E%2E"),
])  # fmt: skip
def test_document_iri(doc_id: str, expected: str) -> None:
    assert document_iri(doc_id) == URIRef(expected)


@pytest.mark.parametrize("doc_id", [""])
def test_document_iri_rejects_empty_ids(doc_id: str) -> None:
    with pytest.raises(GraphError):
        document_iri(doc_id)


def _all_iris(graph: Graph) -> set[str]:
    return {str(t) for triple in graph for t in triple if isinstance(t, URIRef)} | {str(graph.identifier)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc_id=st.text(min_size=1), label=st.text(), noun=st.text(), quote=st.text())
def test_every_minted_iri_is_valid_for_pyoxigraph(doc_id: str, label: str, noun: str, quote: str) -> None:
    text = f"{label} {noun} {quote}"
    doc = Document(doc_id, "x.txt", text, "en", sha(text), title=label, url=quote, source=noun, date=quote)
    p = Provenance(text, 0, len(text), "r", 0.5)
    ex = Extraction(
        doc,
        (Entity("a", label, "Organization", aliases=(noun,)), Entity("b", quote, "Person")),
        (
            Fact("a", "trains", noun, p, object_kind="group", count=3),
            Fact("b", "said", quote, p, object_kind="quote"),
            Fact("b", "worksFor", "a", p, role=label),
        ),
    )
    graph = document_graph(ex, {})
    for iri in _all_iris(graph):
        pyoxigraph.NamedNode(iri)
    data = graph.serialize(format="nt", encoding="utf-8")
    assert len(list(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES))) == len(graph)


# ---------------------------------------------------------------- document_graph

EXPECTED_SMALL = """
@prefix kg: <https://w3id.org/kg-news/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix doc: <https://w3id.org/kg-news/doc/> .
@prefix id: <https://w3id.org/kg-news/id/> .

doc:d1 a kg:Document ;
    dcterms:identifier "d1" ; dcterms:language "en" ; dcterms:title "Walmart news"@en ;
    dcterms:date "2024-05-03"^^xsd:date ; schema:url "https://example.org/w"^^xsd:anyURI ;
    dcterms:source "Example Times" ;
    kg:sha256 "SHA" ; kg:path "news/d1.txt" ; kg:text "TEXT" ;
    schema:mentions <https://w3id.org/kg-news/id/organization/walmart> .

<https://w3id.org/kg-news/id/organization/walmart> a kg:Organization ;
    rdfs:label "Walmart"@en ; skos:altLabel "Walmart Inc."@en ;
    kg:trains <GROUP> .

<GROUP> a kg:Group ; rdfs:label "workers"@en ; kg:count 10000000 .

<STMT> a kg:Statement ;
    rdf:subject <https://w3id.org/kg-news/id/organization/walmart> ;
    rdf:predicate kg:trains ; rdf:object <GROUP> ;
    prov:wasDerivedFrom doc:d1 ;
    kg:sentence "SENTENCE" ; kg:start 0 ; kg:end 55 ; kg:rule "train.en" ;
    kg:confidence "0.857"^^xsd:decimal ;
    kg:count 10000000 ; kg:year "2030"^^xsd:gYear .
"""


def small_extraction(**fact_changes) -> Extraction:
    text = "Walmart will train 10 million workers by 2030, it said."
    doc = Document(
        "d1", "news/d1.txt", text, "en", sha(text),
        title="Walmart news", date="2024-05-03", url="https://example.org/w", source="Example Times",
    )  # fmt: skip
    fact = Fact(
        "w", "trains", "workers", Provenance(text, 0, len(text), "train.en", 0.85678),
        object_kind="group", count=10_000_000, year=2030,
    )  # fmt: skip
    return Extraction(
        doc, (Entity("w", "Walmart", "Organization", ("Walmart Inc.",)),), (dataclasses.replace(fact, **fact_changes),)
    )


@pytest.mark.parametrize("extraction", [small_extraction()], ids=["walmart"])
def test_document_graph_matches_the_expected_triples(extraction: Extraction) -> None:
    graph = document_graph(extraction, {})
    group = next(graph.subjects(RDF.type, KG.Group))
    stmt = next(graph.subjects(RDF.type, KG.Statement))
    assert str(group).startswith(BASE + "group/d1/") and str(stmt).startswith(BASE + "stmt/d1/")
    turtle = (
        EXPECTED_SMALL.replace("<GROUP>", group.n3())
        .replace("<STMT>", stmt.n3())
        .replace('"SHA"', f'"{extraction.document.sha256}"')
        .replace('"TEXT"', f'"{extraction.document.text}"')
        .replace('"SENTENCE"', f'"{extraction.facts[0].provenance.sentence}"')
    )
    expected = Graph().parse(data=turtle, format="turtle")
    assert graph.identifier == document_iri("d1")
    assert_isomorphic(graph, expected)


@pytest.mark.parametrize("extraction", [guideline_extraction(), rich_extraction()], ids=["guideline", "rich"])
def test_document_graph_is_deterministic(extraction: Extraction) -> None:
    first = document_graph(extraction, {})
    shuffled = dataclasses.replace(
        extraction, entities=tuple(reversed(extraction.entities)), facts=tuple(reversed(extraction.facts))
    )
    assert set(first) == set(document_graph(extraction, {})) == set(document_graph(shuffled, {}))


@pytest.mark.parametrize("extraction", [rich_extraction()], ids=["rich"])
def test_one_truthy_triple_and_one_statement_per_fact(extraction: Extraction) -> None:
    graph = document_graph(extraction, {})
    statements = list(graph.subjects(RDF.type, KG.Statement))
    assert len(statements) == len(extraction.facts)
    for stmt in statements:
        s, p, o = (graph.value(stmt, prop) for prop in (RDF.subject, RDF.predicate, RDF.object))
        assert (s, p, o) in graph
        assert graph.value(stmt, PROV.wasDerivedFrom) == document_iri(extraction.document.doc_id)


@pytest.mark.parametrize("changes,prop,expected", [
    ({"amount": Decimal("13000000000"), "currency": "usd"}, KG.amount, Literal("13000000000.0", datatype=ns.XSD.decimal)),
    ({"amount": Decimal("12.50")}, KG.amount, Literal("12.5", datatype=ns.XSD.decimal)),
    ({"amount": Decimal("13E9")}, KG.amount, Literal("13000000000.0", datatype=ns.XSD.decimal)),
    ({"amount": 7}, KG.amount, Literal("7.0", datatype=ns.XSD.decimal)),
    ({"currency": " usd "}, KG.currency, Literal("USD")),
    ({"count": 0}, KG.count, Literal("0", datatype=ns.XSD.integer)),
    ({"year": 2030}, KG.year, Literal("2030", datatype=ns.XSD.gYear)),
    ({"year": 800}, KG.year, Literal("0800", datatype=ns.XSD.gYear)),
    ({"role": "Vice\x07 president"}, KG.role, Literal("Vice president")),
    ({"provenance": Provenance("s", 1, 2, "r", 1)}, KG.confidence, Literal("1.0", datatype=ns.XSD.decimal)),
    ({"provenance": Provenance("s", 1, 2, "r", 0.0005)}, KG.confidence, Literal("0.0", datatype=ns.XSD.decimal)),
    ({"provenance": Provenance("s", 1, 2, "r", 0.1235)}, KG.confidence, Literal("0.124", datatype=ns.XSD.decimal)),
])  # fmt: skip
def test_statement_qualifiers_are_typed_literals(changes: dict, prop: URIRef, expected: Literal) -> None:
    graph = document_graph(small_extraction(**changes), {})
    stmt = next(graph.subjects(RDF.type, KG.Statement))
    assert list(graph.objects(stmt, prop)) == [expected]


@pytest.mark.parametrize("changes,absent", [
    ({"count": None}, KG.count), ({"year": None}, KG.year), ({"role": None}, KG.role), ({"role": "  "}, KG.role),
])  # fmt: skip
def test_missing_qualifiers_are_left_out(changes: dict, absent: URIRef) -> None:
    graph = document_graph(small_extraction(**changes), {})
    stmt = next(graph.subjects(RDF.type, KG.Statement))
    assert graph.value(stmt, absent) is None


@pytest.mark.parametrize("date,expected", [
    ("2024-05-03", Literal("2024-05-03", datatype=ns.XSD.date)),
    ("2024-05-03T10:00:00Z", Literal("2024-05-03T10:00:00+00:00", datatype=ns.XSD.dateTime)),
    ("2024-05-03 10:00", Literal("2024-05-03T10:00:00", datatype=ns.XSD.dateTime)),
    ("2024-05-03T10:00:00.250+02:00", Literal("2024-05-03T10:00:00.250000+02:00", datatype=ns.XSD.dateTime)),
    ("mai 2024", Literal("mai 2024")),
    ("2024-13-45", Literal("2024-13-45")),
    ("Tue, 03 May 2024 10:00:00 GMT", Literal("Tue, 03 May 2024 10:00:00 GMT")),
    ("  ", None),
    (None, None),
])  # fmt: skip
def test_document_date_is_typed_when_it_parses(date: str | None, expected: Literal | None) -> None:
    ex = small_extraction()
    ex = dataclasses.replace(ex, document=dataclasses.replace(ex.document, date=date))
    graph = document_graph(ex, {})
    assert graph.value(document_iri("d1"), DCTERMS.date) == expected


@pytest.mark.parametrize("extraction", [rich_extraction()], ids=["rich"])
def test_group_and_quote_nodes(extraction: Extraction) -> None:
    graph = document_graph(extraction, {})
    groups = {str(graph.value(g, RDFS.label)): graph.value(g, KG.count) for g in graph.subjects(RDF.type, KG.Group)}
    assert groups == {"salariés": Literal(600000), "students": None}
    assert all(g.startswith(BASE + "group/rich/") for g in map(str, graph.subjects(RDF.type, KG.Group)))
    quotes = [str(graph.value(q, ns.SDO.text)) for q in graph.subjects(RDF.type, KG.Quotation)]
    assert quotes == ["L'IA est une chance « pour tous »"]


@pytest.mark.parametrize("counts,expected_groups", [((10, 10), 1), ((10, 20), 2), ((None, 10), 2)])
def test_groups_with_different_counts_are_different_nodes(counts: tuple, expected_groups: int) -> None:
    base = small_extraction()
    facts = tuple(
        dataclasses.replace(base.facts[0], count=c, provenance=prov(base.document.text, "Walmart", f"r{i}"))
        for i, c in enumerate(counts)
    )
    graph = document_graph(dataclasses.replace(base, facts=facts), {})
    assert len(set(graph.subjects(RDF.type, KG.Group))) == expected_groups


@pytest.mark.parametrize("confidences", [(0.4, 0.9), (0.9, 0.4)])
def test_duplicate_facts_keep_the_most_confident_provenance(confidences: tuple[float, float]) -> None:
    base = small_extraction()
    facts = tuple(
        dataclasses.replace(base.facts[0], provenance=dataclasses.replace(base.facts[0].provenance, confidence=c, rule=f"r{c}"))
        for c in confidences
    )  # fmt: skip
    graph = document_graph(dataclasses.replace(base, facts=facts), {})
    statements = list(graph.subjects(RDF.type, KG.Statement))
    assert len(statements) == 1
    assert str(graph.value(statements[0], KG.rule)) == "r0.9"
    assert str(graph.value(statements[0], KG.confidence)) == "0.9"


@pytest.mark.parametrize("mapping", [{"w": URIRef("https://example.org/walmart")}])
def test_entity_iris_from_resolution_are_used(mapping: dict) -> None:
    graph = document_graph(small_extraction(), mapping)
    assert (mapping["w"], RDF.type, KG.Organization) in graph
    assert (document_iri("d1"), ns.SDO.mentions, mapping["w"]) in graph


@pytest.mark.parametrize("text,expected", [
    ("Micro\x00soft", "Microsoft"), ("a\tb\nc", "a\tb\nc"), ("a\rb\x1fc\x0b", "abc"), ("x\ud800y", "xy"),
])  # fmt: skip
def test_clean_literal(text: str, expected: str) -> None:
    assert clean_literal(text) == expected


@pytest.mark.parametrize("label", ["Wal\x00mart\x1b"])
def test_control_characters_are_stripped_from_literals_and_offsets_kept(label: str) -> None:
    base = small_extraction()
    text = "Wal\x00mart trains\r\n workers."
    doc = dataclasses.replace(base.document, text=text, title="T\x01itle")
    graph = document_graph(dataclasses.replace(base, document=doc, entities=(Entity("w", label, "Organization"),)), {})
    literals = [o for o in graph.objects() if isinstance(o, Literal)]
    assert not any(c in str(lit) for lit in literals for c in "\x00\x01\x1b\r")
    assert str(graph.value(document_iri("d1"), KG.text)) == "Wal mart trains \n workers."
    assert str(graph.value(document_iri("d1"), DCTERMS.title)) == "Title"
    assert graph.serialize(format="xml")  # a NUL would break RDF/XML


def _bad(**changes) -> Extraction:
    ex = small_extraction()
    doc_changes = {k[4:]: v for k, v in changes.items() if k.startswith("doc_")}
    fact_changes = {k: v for k, v in changes.items() if not k.startswith("doc_") and k != "entities"}
    return dataclasses.replace(
        ex,
        document=dataclasses.replace(ex.document, **doc_changes),
        entities=changes.get("entities", ex.entities),
        facts=(dataclasses.replace(ex.facts[0], **fact_changes),),
    )


@pytest.mark.parametrize("extraction,match", [
    (_bad(predicate="employs"), "unknown predicate 'employs'"),
    (_bad(subject="nobody"), "subject 'nobody' is not an entity key"),
    (_bad(object_kind="entity"), "object 'workers' is not an entity key"),
    (_bad(object_kind="thing"), "unknown object kind 'thing'"),
    (_bad(entities=(Entity("w", "Walmart", "Company"),)), "unknown entity type 'Company'"),
    (_bad(entities=(Entity("w", "A", "Person"), Entity("w", "B", "Person"))), "duplicate entity key"),
    (_bad(doc_lang="not a tag"), "invalid language"),
    (_bad(doc_doc_id=""), "empty document id"),
    (_bad(amount=Decimal("NaN")), "amount.*not a finite number"),
    (_bad(amount="lots"), "amount.*not a number"),
    (_bad(count=2.5), "count.*not an integer"),
    (_bad(year="2030"), "year.*not an integer"),
    (_bad(provenance=Provenance("s", "0", 1, "r", 0.5)), "start.*not an integer"),
    (_bad(provenance=Provenance("s", 0, 1, "r", float("inf"))), "confidence.*not a finite number"),
])  # fmt: skip
def test_document_graph_errors_name_the_document_and_the_problem(extraction: Extraction, match: str) -> None:
    with pytest.raises(GraphError, match=match):
        document_graph(extraction, {})


@pytest.mark.parametrize("iri", ["https://example.org/a b", "not an iri"])
def test_invalid_resolved_iris_are_refused(iri: str) -> None:
    with pytest.raises(GraphError, match="invalid IRI"):
        document_graph(small_extraction(), {"w": URIRef(iri)})

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib.namespace as ns
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kg_samples import guideline_extraction, rich_extraction
from rdflib import Graph, Literal, URIRef

from kg.errors import GraphError
from kg.model import Document, Entity, Extraction, Fact, Provenance
from kg.rdf import clean_literal, document_graph, document_iri, entity_iri
from kg.store import save_graphs
from kg.validate import ValidationResult, validate, validate_graph
from kg.vocab import KG

RDF, RDFS = ns.RDF, ns.RDFS
SHAPES = "https://w3id.org/kg-news/shapes#"


def union(*extractions: Extraction) -> Graph:
    graph = Graph()
    for ex in extractions:
        graph += document_graph(ex, {})
    return graph


def violations(result: ValidationResult) -> list[dict]:
    return [v for v in result.violations if v["severity"] == "Violation"]


@pytest.mark.parametrize("extractions", [(guideline_extraction(), rich_extraction(), rich_extraction("en-doc", "en"))])
def test_graphs_from_valid_extractions_conform(tmp_path: Path, extractions: tuple[Extraction, ...]) -> None:
    save_graphs(tmp_path, [document_graph(ex, {}) for ex in extractions], {})
    result = validate(tmp_path)
    assert result.conforms, result.text
    assert result.violations == []


@pytest.mark.parametrize("date", ["mai 2024", "2024"])
def test_an_odd_date_is_a_warning_only(date: str) -> None:
    ex = guideline_extraction()
    ex = dataclasses.replace(ex, document=dataclasses.replace(ex.document, date=date))
    result = validate_graph(document_graph(ex, {}))
    assert result.conforms
    assert [(v["severity"], v["path"], v["value"]) for v in result.violations] == [
        ("Warning", str(ns.DCTERMS.date), date)
    ]


def _fact(ex: Extraction, predicate: str) -> Fact:
    return next(f for f in ex.facts if f.predicate == predicate)


def with_fact(predicate: str, **changes) -> Graph:
    ex = guideline_extraction()
    facts = tuple(dataclasses.replace(f, **changes) if f.predicate == predicate else f for f in ex.facts)
    return document_graph(dataclasses.replace(ex, facts=facts), {})


def with_doc(**changes) -> Graph:
    ex = guideline_extraction()
    return document_graph(dataclasses.replace(ex, document=dataclasses.replace(ex.document, **changes)), {})


def edited(edit: Callable[[Graph], None]) -> Graph:
    graph = document_graph(guideline_extraction(), {})
    edit(graph)
    return graph


MS = entity_iri("Microsoft", "Organization")
BRAD = entity_iri("Brad Smith", "Person")
PARIS = entity_iri("Paris", "Place")
COPILOT = entity_iri("Copilot", "Product")
DOC = document_iri("000_c6c4ca0f03ca34c8")


def _statement(graph: Graph, predicate: URIRef) -> URIRef:
    return next(graph.subjects(RDF.predicate, predicate))


def _add_typed(graph: Graph, node: URIRef, cls: URIRef, label: str) -> None:
    graph.add((node, RDF.type, cls))
    graph.add((node, RDFS.label, Literal(label)))


CASES = {
    "confidence above 1": (lambda: with_fact("trains", provenance=Provenance("s", 0, 1, "r", 1.5)), KG.confidence),
    "negative count": (lambda: with_fact("trains", count=-3), KG.count),
    "currency not ISO": (lambda: with_fact("investsIn", currency="dollars"), KG.currency),
    "start after end": (lambda: with_fact("partnersWith", provenance=Provenance("s", 9, 2, "r", 0.5)), KG.start),
    "negative offset": (lambda: with_fact("partnersWith", provenance=Provenance("s", -1, 2, "r", 0.5)), KG.start),
    "empty rule": (lambda: with_fact("partnersWith", provenance=Provenance("s", 0, 2, "", 0.5)), KG.rule),
    "language not a language code": (lambda: with_doc(lang="deutsch"), ns.DCTERMS.language),
    "sha256 not hex": (lambda: with_doc(sha256="SHA"), KG.sha256),
    "empty entity label": (
        lambda: document_graph(dataclasses.replace(guideline_extraction(), entities=(
            *guideline_extraction().entities[1:], Entity("ms", " ", "Organization"))), {}),
        RDFS.label,
    ),
    "entity without label": (lambda: edited(lambda g: g.remove((MS, RDFS.label, None))), RDFS.label),
    "predicate outside the list": (
        lambda: edited(lambda g: g.set((_statement(g, KG.trains), RDF.predicate, ns.SDO.knows))), RDF.predicate),
    "two subjects": (lambda: edited(lambda g: g.add((_statement(g, KG.trains), RDF.subject, BRAD))), RDF.subject),
    "no provenance document": (
        lambda: edited(lambda g: g.remove((_statement(g, KG.trains), ns.PROV.wasDerivedFrom, None))),
        ns.PROV.wasDerivedFrom,
    ),
    "missing truthy triple": (lambda: edited(lambda g: g.remove((None, KG.partnersWith, None))), None),
    "quotation without text": (
        lambda: edited(lambda g: g.remove((None, ns.SDO.text, None))), ns.SDO.text),
    "worksFor a place": (
        lambda: edited(lambda g: (_add_typed(g, PARIS, KG.Place, "Paris"), g.add((BRAD, KG.worksFor, PARIS)))), None),
    "partnersWith a product": (
        lambda: edited(lambda g: (_add_typed(g, COPILOT, KG.Product, "Copilot"), g.add((MS, KG.partnersWith, COPILOT)))),
        KG.partnersWith,
    ),
    "said by an organization": (lambda: edited(lambda g: g.add((MS, KG.said, COPILOT))), None),
    "locatedIn from a product": (
        lambda: edited(lambda g: (_add_typed(g, COPILOT, KG.Product, "Copilot"), _add_typed(g, PARIS, KG.Place, "P"),
                                  g.add((COPILOT, KG.locatedIn, PARIS)))),
        None,
    ),
    "a person that is also a place": (lambda: edited(lambda g: g.add((BRAD, RDF.type, KG.Place))), None),
    "year not a gYear": (
        lambda: edited(lambda g: g.set((_statement(g, KG.trains), KG.year, Literal(2030)))), KG.year),
    "group count twice": (
        lambda: edited(lambda g: g.add((next(g.subjects(RDF.type, KG.Group)), KG.count, Literal(5)))), KG.count),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_graphs_do_not_conform(name: str) -> None:
    make, path = CASES[name]
    result = validate_graph(make())
    assert not result.conforms, name
    found = violations(result)
    assert found, result.text
    if path is not None:
        assert str(path) in {v["path"] for v in found}, found
    assert all(v["message"] for v in found)


@pytest.mark.parametrize("missing", ["folder", "file"])
def test_validate_without_a_graph_raises(tmp_path: Path, missing: str) -> None:
    out = tmp_path / "out"
    if missing == "file":
        out.mkdir()
    with pytest.raises(GraphError, match="not found"):
        validate(out)


# ---------------------------------------------------------------- property: valid in, conforming out

DOMAIN_RANGE = {
    "partnersWith": (("Organization", "Person"), ("Organization", "Person")),
    "investsIn": (("Organization", "Person"), ("Organization",)),
    "trains": (("Organization",), ("group",)),
    "represents": (("Organization",), ("group", "Organization")),
    "worksFor": (("Person",), ("Organization",)),
    "memberOf": (("Organization", "Person"), ("Organization",)),
    "develops": (("Organization",), ("Product",)),
    "offers": (("Organization",), ("Program",)),
    "organizes": (("Organization", "Person"), ("Event",)),
    "said": (("Person",), ("quote",)),
    "locatedIn": (("Organization", "Event", "Person"), ("Place",)),
}
TYPES = ("Person", "Organization", "Product", "Program", "Place", "Event")

names = st.text(min_size=1, max_size=30).filter(lambda s: clean_literal(s).strip() != "")


@st.composite
def extractions(draw, doc_id: str) -> Extraction:
    lang = draw(st.sampled_from(["fr", "en"]))
    text = draw(st.text(max_size=80))
    doc = Document(
        doc_id=doc_id,
        path=draw(st.text(max_size=20)),
        text=text,
        lang=lang,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        title=draw(st.none() | st.text(max_size=20)),
        date=draw(st.none() | st.dates().map(str) | st.datetimes().map(lambda d: d.isoformat()) | st.text(max_size=10)),
        url=draw(st.none() | st.just("https://example.org/a?b=c#d")),
        source=draw(st.none() | st.text(max_size=20)),
    )
    entities = [Entity(f"{t}{i}", draw(names), t, tuple(draw(st.lists(names, max_size=2))))
                for t in TYPES for i in range(draw(st.integers(1, 2)))]  # fmt: skip
    by_type = {t: [e.key for e in entities if e.type == t] for t in TYPES}
    facts = []
    for predicate in draw(st.lists(st.sampled_from(sorted(DOMAIN_RANGE)), max_size=8)):
        domain, range_ = DOMAIN_RANGE[predicate]
        subject = draw(st.sampled_from([k for t in domain for k in by_type[t]]))
        kind = draw(st.sampled_from(range_))
        start = draw(st.integers(0, 1000))
        p = Provenance(
            draw(st.text(max_size=30)), start, start + draw(st.integers(0, 100)), draw(names),
            draw(st.floats(0, 1)),
        )  # fmt: skip
        quals = {
            "amount": draw(st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=2)),
            "currency": draw(st.none() | st.sampled_from(["USD", "EUR", "eur"])),
            "count": draw(st.none() | st.integers(0, 10**12)),
            "year": draw(st.none() | st.integers(1, 9999)),
            "role": draw(st.none() | st.text(max_size=15)),
        }
        if kind == "group":
            facts.append(Fact(subject, predicate, draw(names), p, object_kind="group", **quals))
        elif kind == "quote":
            facts.append(Fact(subject, predicate, draw(names), p, object_kind="quote", **quals))
        else:
            facts.append(Fact(subject, predicate, draw(st.sampled_from(by_type[kind])), p, **quals))
    return Extraction(doc, tuple(entities), tuple(facts))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(first=extractions("doc-1"), second=extractions("doc 2/é"))
def test_any_valid_extraction_gives_a_conforming_graph(first: Extraction, second: Extraction) -> None:
    result = validate_graph(union(first, second))
    assert result.conforms, result.text


@pytest.mark.parametrize("amount", [Decimal("-5.5")])
def test_result_fields(amount: Decimal) -> None:
    result = validate_graph(with_fact("trains", count=-1))
    found = violations(result)
    assert sorted(v["focus"].split("/")[4] for v in found) == ["group", "stmt"]  # the group carries the count too
    violation = next(v for v in found if "/stmt/" in v["focus"])
    assert violation["path"] == str(KG.count)
    assert violation["value"] == "-1"
    assert violation["constraint"] == "MinInclusiveConstraintComponent"
    assert "kg:count" in violation["message"]
    assert validate_graph(with_fact("investsIn", amount=amount)).conforms  # a negative amount is allowed

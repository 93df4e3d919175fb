"""Every query and named query gives the same answers on the memory (rdflib) and Oxigraph stores.

Runs on the shared seeds + dev graph (skipped when ../shared is absent), and
checks `kg build --store oxigraph` end to end on a small corpus.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.query import named_queries
from kg.snapshot import oxigraph_path
from kg.store import STORE_FILE, write_oxigraph

INJECTION = 'x" || "1" = "1'


@pytest.fixture(scope="module")
def stores(shared_build, tmp_path_factory):
    """The seeds + dev graph opened on both stores (the Oxigraph store written from the same graph.trig)."""
    _, _, built, _ = shared_build
    out = tmp_path_factory.mktemp("parity") / "out"
    out.mkdir()
    shutil.copy(built / "graph.trig", out / "graph.trig")
    write_oxigraph(out)
    memory, oxigraph = kg.open_graph(out, store="memory"), kg.open_graph(out, store="oxigraph")
    yield memory, oxigraph
    memory.close()
    oxigraph.close()


def _key(row):
    return tuple(("", "", "", "") if t is None else (t.kind, t.value, t.datatype or "", t.lang or "") for t in row)


def _same(memory, oxigraph, sparql, params=None, ordered=False):
    a, b = memory.query(sparql, params), oxigraph.query(sparql, params)
    assert a.type == b.type
    if a.type == "ASK":
        assert a.boolean == b.boolean
        return a
    if a.is_graph:
        assert sorted(a.triples) == sorted(b.triples)
        return a
    assert a.vars == b.vars
    if ordered:
        assert a.serialize("tsv") == b.serialize("tsv")  # same rows, same order, same bytes
    else:
        assert sorted(a.bindings, key=_key) == sorted(b.bindings, key=_key)
    return a


#: Values that the seeds + dev graph answers, per named query and parameter.
NAMED_VALUES = {
    "partners-of": {"org": ["Microsoft", "openai"]},
    "investments": {"investor": ["Amazon", "microsoft"]},
    "training": {"org": ["Walmart", "openai"]},
    "works-for": {"org": ["Microsoft", "afl-cio"]},
    "quotes-by": {"person": ["Liz Shuler", "Brad Smith"]},
    "document-facts": {"doc": ["000_c6c4ca0f03ca34c8", "d15"]},
    "top-entities": {"class": ["Organization", "Person", "Place"]},
}


def _named_cases():
    for name, spec in sorted(named_queries().items()):
        if not any(p.required for p in spec.parameters):
            yield name, {}
        for p in spec.parameters:
            for value in NAMED_VALUES.get(name, {}).get(p.name, []):
                yield name, {p.name: value}
            yield name, {p.name: INJECTION}


@pytest.mark.parametrize(("name", "params"), list(_named_cases()))
def test_named_queries_agree(stores, name, params):
    memory, oxigraph = stores
    result = memory.named(name, params)
    other = oxigraph.named(name, params)
    assert result.serialize("tsv") == other.serialize("tsv")
    if INJECTION in params.values():
        assert len(result) == 0
    else:
        assert len(result) > 0, (name, params)


QUERIES = [
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", True),
    ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", True),
    ("SELECT ?s ?l WHERE { ?s a kg:Organization ; rdfs:label ?l }", False),
    ("SELECT DISTINCT ?s WHERE { ?s skos:altLabel ?a }", False),
    (
        "SELECT ?st ?amount ?currency WHERE { ?st a kg:Statement ; kg:amount ?amount . OPTIONAL { ?st kg:currency ?currency } }",
        False,
    ),
    (
        "SELECT ?p (COUNT(?st) AS ?n) (SUM(?c) AS ?total) WHERE { ?st rdf:predicate ?p ; kg:confidence ?c } GROUP BY ?p ORDER BY ?p",
        True,
    ),
    ("SELECT ?y (COUNT(*) AS ?n) WHERE { ?st kg:year ?y } GROUP BY ?y ORDER BY ?y", True),
    ("SELECT ?s ?o WHERE { ?s kg:partnersWith|^kg:partnersWith ?o }", False),
    ("SELECT ?s WHERE { ?s kg:worksFor/rdfs:label ?l . FILTER(REGEX(?l, '^micro', 'i')) }", False),
    ("SELECT ?d ?t WHERE { ?d a kg:Document . OPTIONAL { ?d dcterms:title ?t } } ORDER BY ?d", True),
    ("SELECT ?e WHERE { ?e a kg:Person . FILTER NOT EXISTS { ?e kg:worksFor ?o } }", False),
    # SPARQL leaves the order of literals with different language tags open: sort on STR() and LANG()
    (
        "SELECT ?e ?n WHERE { { ?e a kg:Product } UNION { ?e a kg:Program } ?e rdfs:label ?n } ORDER BY STR(?n) LANG(?n) ?e LIMIT 7 OFFSET 2",
        True,
    ),
    ("SELECT ?x (STRLEN(?x) AS ?len) (UCASE(?x) AS ?up) WHERE { ?q a kg:Quotation ; schema:text ?x }", False),
    (
        "SELECT (MAX(?a) AS ?max) (MIN(?a) AS ?min) (COUNT(DISTINCT ?cur) AS ?currencies) WHERE { ?st kg:amount ?a ; kg:currency ?cur }",
        True,
    ),
    ('SELECT ?n WHERE { VALUES ?n { 1 2.50 3.0e0 true "x"@fr } }', False),
    ("SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kg-news/doc/d01> WHERE { ?s ?p ?o }", True),
    (
        "SELECT ?g (COUNT(*) AS ?n) FROM NAMED <https://w3id.org/kg-news/doc/d01> WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        True,
    ),
    ("ASK { ?s kg:investsIn <https://w3id.org/kg-news/id/organization/openai> }", True),
    ("ASK { ?s kg:investsIn kg:Nothing }", True),
    ("CONSTRUCT { ?s kg:investsIn ?o } WHERE { ?s kg:investsIn ?o }", False),
    ("CONSTRUCT WHERE { ?s a kg:Person ; rdfs:label ?l }", False),
    ("DESCRIBE <https://w3id.org/kg-news/id/organization/microsoft>", False),
    ("DESCRIBE ?e WHERE { ?e a kg:Event }", False),
]


@pytest.mark.parametrize(("sparql", "ordered"), QUERIES)
def test_queries_agree(stores, sparql, ordered):
    memory, oxigraph = stores
    _same(memory, oxigraph, sparql, ordered=ordered)


@pytest.mark.parametrize(
    ("sparql", "params"),
    [
        ("SELECT ?e ?name WHERE { ?e rdfs:label ?l . FILTER(STR(?l) = ?name) }", {"name": "Microsoft"}),
        ("SELECT ?e ?name WHERE { ?e rdfs:label ?l . FILTER(STR(?l) = ?name) }", {"name": INJECTION}),
        (
            "SELECT ?o ?org WHERE { ?org kg:partnersWith ?o }",
            {"org": "https://w3id.org/kg-news/id/organization/microsoft"},
        ),
        (
            "CONSTRUCT { ?org kg:partnersWith ?o } WHERE { ?org kg:partnersWith ?o }",
            {"org": "https://w3id.org/kg-news/id/organization/openai"},
        ),
        ("SELECT ?n ?x WHERE { BIND(?n + 21 AS ?x) }", {"n": 21}),  # (rdflib types integer * integer as decimal)
    ],
)
def test_bound_parameters_agree(stores, sparql, params):
    from rdflib import URIRef

    memory, oxigraph = stores
    params = {k: URIRef(v) if str(v).startswith("https://") else v for k, v in params.items()}
    result = _same(memory, oxigraph, sparql, params)
    if INJECTION in params.values():
        assert len(result) == 0


def test_build_with_the_oxigraph_store(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Microsoft a investi 13 milliards de dollars dans OpenAI.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Amazon invested $4 billion in Anthropic.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet", "--store", "oxigraph"])
    assert result.exit_code == 0, result.output
    store = oxigraph_path(out)
    assert store is not None and store.is_dir() and (out / STORE_FILE).is_file()
    with kg.open_graph(out) as g:
        assert g.store == "oxigraph"
        oxigraph_rows = g.named("investments").serialize("tsv")
    with kg.open_graph(out, store="memory") as g:
        assert g.named("investments").serialize("tsv") == oxigraph_rows
    assert "OpenAI" in oxigraph_rows and "Anthropic" in oxigraph_rows
    # a default build replaces the graph and drops the store that would now be stale
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(out), "--quiet", "--no-explorer"])
    assert result.exit_code == 0, result.output
    assert not store.exists() and not (out / STORE_FILE).exists()
    assert not [p for p in out.iterdir() if p.name.startswith("oxigraph")]
    assert kg.open_graph(out).store == "memory"

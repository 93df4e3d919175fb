"""Query parameters wherever a variable stands, bound as RDF terms, the same on both stores.

Each binding is checked against the same query with the value written in place
of the variable by hand: a parameter must mean exactly that.
"""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import kg
from kg.cli import cli
from kg.errors import QueryError
from kg.params import bind, sparql_term
from kg.query import named_queries
from kg.results import Term
from kg.store import quiet_rdflib, write_oxigraph

STORES = ("memory", "oxigraph")
MICROSOFT = "https://w3id.org/kg-news/id/organization/microsoft"
KG = "https://w3id.org/kg-news/ontology#"
#: Values that must match only themselves.
HOSTILE = [
    'x" || "1" = "1',
    "x' || '1' = '1",
    'a"b',
    "back\\slash",
    "\\",
    '\\"',
    "trailing\\",
    "\\u0022 escaped quote",
    "\\U00000041",
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "a > b",
    "<https://e.org/x>",
    "close } brace",
    '"} } ; DROP ALL #',
    '""" triple',
    "?name",
    "$name",
    "# not a comment",
    "Microsoft",
    "é\u2028😀",
]


@pytest.fixture(scope="module")
def out(example_build, tmp_path_factory):
    """The example build with an Oxigraph store beside graph.trig."""
    source, _ = example_build
    dest = tmp_path_factory.mktemp("params") / "out"
    dest.mkdir()
    for name in ("graph.trig", "manifest.json"):
        shutil.copy(source / name, dest / name)
    write_oxigraph(dest)
    return dest


@pytest.fixture(scope="module", params=STORES)
def graph(request, out):
    with kg.open_graph(out, store=request.param) as g:
        yield g


@pytest.fixture(scope="module")
def both(out):
    with kg.open_graph(out, store="memory") as memory, kg.open_graph(out, store="oxigraph") as oxigraph:
        yield memory, oxigraph


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory):
    """A graph whose entities are labelled with the hostile values (and one twin each, with a suffix)."""
    dest = tmp_path_factory.mktemp("hostile") / "out"
    dest.mkdir()
    dataset = Dataset()
    g = dataset.graph(URIRef("https://w3id.org/kg-news/doc/hostile"))
    for i, value in enumerate(HOSTILE):
        for suffix, kind in (("", "Organization"), ("-twin", "Person")):
            node = URIRef(f"https://w3id.org/kg-news/id/test/e{i}{suffix}")
            g.add((node, RDF.type, URIRef(KG + kind)))
            g.add((node, RDFS.label, Literal(value + (" " if suffix else ""))))
    with quiet_rdflib():
        dataset.serialize(destination=str(dest / "graph.trig"), format="trig")
    write_oxigraph(dest)
    return dest


@pytest.fixture(scope="module", params=STORES)
def hostile(request, hostile_out):
    with kg.open_graph(hostile_out, store=request.param) as g:
        yield g


def _rows(result, drop=()):
    keep = [k for k, v in enumerate(result.vars) if v not in drop]
    return sorted(tuple(None if row[k] is None else tuple(row[k]) for k in keep) for row in result.bindings)


# --- the issue's example, from the CLI ---------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_a_parameter_in_a_filter_from_the_cli(out, store):
    result = CliRunner().invoke(
        cli,
        ["query", str(out), "SELECT ?s WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = ?name) }",
         "--param", "name=Microsoft", "--format", "csv", "--store", store],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.split()
    assert lines[0] == "s" and set(lines[1:]) == {MICROSOFT}


# --- wherever the variable stands: bound == written in place ----------------------------------------------

#: (query with ?param, the same query with the value written in place, params, minimum rows)
PLACES = [
    (
        "SELECT ?s WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = ?name) }",
        'SELECT ?s WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = "Microsoft") }',
        {"name": "Microsoft"},
        1,
    ),
    (
        "SELECT ?p WHERE { ?org kg:partnersWith ?p }",
        f"SELECT ?p WHERE {{ <{MICROSOFT}> kg:partnersWith ?p }}",
        {"org": URIRef(MICROSOFT)},
        1,
    ),
    (
        "SELECT ?greeting WHERE { BIND(CONCAT('hello ', ?name) AS ?greeting) }",
        "SELECT ?greeting WHERE { BIND(CONCAT('hello ', \"world\") AS ?greeting) }",
        {"name": "world"},
        1,
    ),
    (
        "SELECT ?e ?l WHERE { ?e a kg:Organization OPTIONAL { ?e rdfs:label ?l FILTER(STR(?l) = ?name) } }",
        'SELECT ?e ?l WHERE { ?e a kg:Organization OPTIONAL { ?e rdfs:label ?l FILTER(STR(?l) = "Microsoft") } }',
        {"name": "Microsoft"},
        20,
    ),
    (
        "SELECT ?s WHERE { { ?s rdfs:label ?l FILTER(STR(?l) = ?name) } UNION { ?s skos:altLabel ?l "
        "FILTER(LCASE(STR(?l)) = LCASE(?name)) } }",
        'SELECT ?s WHERE { { ?s rdfs:label ?l FILTER(STR(?l) = "OpenAI") } UNION { ?s skos:altLabel ?l '
        'FILTER(LCASE(STR(?l)) = LCASE("OpenAI")) } }',
        {"name": "OpenAI"},
        1,
    ),
    (
        "SELECT ?s ?n WHERE { ?s a kg:Organization { SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s kg:partnersWith ?p "
        "FILTER(?p != ?org) } GROUP BY ?s } }",
        "SELECT ?s ?n WHERE { ?s a kg:Organization { SELECT ?s (COUNT(?p) AS ?n) WHERE { ?s kg:partnersWith ?p "
        f"FILTER(?p != <{MICROSOFT}>) }} GROUP BY ?s }} }}",
        {"org": URIRef(MICROSOFT)},
        1,
    ),
    (
        "SELECT ?s WHERE { SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) } }",
        'SELECT ?s WHERE { SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = "Microsoft") } }',
        {"name": "Microsoft"},
        2,  # two labels (en, fr): a subquery keeps duplicates on both stores
    ),
    (
        "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d schema:mentions ?e } GROUP BY ?e "
        "HAVING (COUNT(DISTINCT ?d) >= ?min) ORDER BY DESC(?n) ?e",
        "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d schema:mentions ?e } GROUP BY ?e "
        "HAVING (COUNT(DISTINCT ?d) >= 3) ORDER BY DESC(?n) ?e",
        {"min": 3},
        3,
    ),
    (
        "SELECT ?e WHERE { ?e a kg:Organization MINUS { ?e kg:partnersWith ?org } }",
        f"SELECT ?e WHERE {{ ?e a kg:Organization MINUS {{ ?e kg:partnersWith <{MICROSOFT}> }} }}",
        {"org": URIRef(MICROSOFT)},
        20,
    ),
    (  # MINUS sharing no variable but the parameter removes nothing, as with the value in place
        "SELECT ?e WHERE { ?e a kg:Organization MINUS { ?x kg:partnersWith ?org } }",
        f"SELECT ?e WHERE {{ ?e a kg:Organization MINUS {{ ?x kg:partnersWith <{MICROSOFT}> }} }}",
        {"org": URIRef(MICROSOFT)},
        20,
    ),
    (
        "SELECT ?s WHERE { ?s a kg:Organization FILTER EXISTS { ?s kg:partnersWith ?org } }",
        f"SELECT ?s WHERE {{ ?s a kg:Organization FILTER EXISTS {{ ?s kg:partnersWith <{MICROSOFT}> }} }}",
        {"org": URIRef(MICROSOFT)},
        1,
    ),
    (
        "SELECT ?g WHERE { GRAPH ?g { ?org kg:partnersWith ?p } }",
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{MICROSOFT}> kg:partnersWith ?p }} }}",
        {"org": URIRef(MICROSOFT)},
        1,
    ),
    (
        "SELECT ?x WHERE { BIND(?n + 21 AS ?x) }",  # (not *: rdflib types integer * integer as a decimal)
        "SELECT ?x WHERE { BIND(21 + 21 AS ?x) }",
        {"n": 21},
        1,
    ),
    (
        "SELECT * WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }",
        'SELECT * WHERE { ?s rdfs:label ?l FILTER(STR(?l) = "Microsoft") }',
        {"name": "Microsoft"},
        2,
    ),
]


@pytest.mark.parametrize(("query", "written", "params", "at_least"), PLACES)
def test_a_parameter_means_its_value_written_in_place(graph, query, written, params, at_least):
    bound = graph.query(query, params)
    expected = graph.query(written)
    assert _rows(bound, drop=params) == _rows(expected)
    assert len(bound) >= at_least


@pytest.mark.parametrize(("query", "written", "params", "at_least"), PLACES)
def test_both_stores_give_the_same_answers(both, query, written, params, at_least):
    memory, oxigraph = both
    a, b = memory.query(query, params), oxigraph.query(query, params)
    assert a.vars == b.vars
    assert _rows(a) == _rows(b) and len(a) >= at_least


def test_the_value_is_in_the_result_when_projected(graph):
    result = graph.query("SELECT ?s ?name WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", {"name": "Microsoft"})
    assert {(str(r["s"]), r["name"]) for r in result} == {(MICROSOFT, "Microsoft")}
    star = graph.query("SELECT * WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", {"name": "Microsoft"})
    assert star.vars == ("s", "l", "name")  # SELECT *: in the order the query names them, on both stores


@pytest.mark.parametrize(
    ("query", "params", "expected"),
    [
        ("ASK { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", {"name": "Microsoft"}, True),
        ("ASK { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", {"name": 'Microsoft" || "1" = "1'}, False),
        ("ASK { FILTER(BOUND(?name)) }", {"name": ""}, True),
    ],
)
def test_ask_takes_parameters(graph, query, params, expected):
    assert graph.query(query, params).boolean is expected


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { ?org kg:partnersWith ?p } WHERE { ?org kg:partnersWith ?p }",
        "CONSTRUCT WHERE { ?org kg:partnersWith ?p }",
        "DESCRIBE ?org",
    ],
)
def test_graph_queries_take_parameters(graph, query):
    result = graph.query(query, {"org": URIRef(MICROSOFT)})
    assert len(result) > 0
    assert {s.value for s, _, _ in result.triples} == {MICROSOFT}


def test_optional_named_parameters_are_unbound_when_left_out(graph):
    everyone = graph.named("investments")
    assert len(graph.named("investments", {"investor": ""})) == len(everyone) > 0
    microsoft = graph.named("investments", {"investor": "MICROSOFT"})
    assert 0 < len(microsoft) < len(everyone)
    with pytest.raises(QueryError, match="needs a value"):
        graph.named("partners-of", {"org": " "})


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_do_not_echo_their_parameters_and_give_iris_for_links(graph, name):
    spec = named_queries()[name]
    values = {"partners-of": "Microsoft", "quotes-by": "Brad Smith", "document-facts": "en-01-microsoft-openai"}
    params = {p.name: values[name] for p in spec.parameters if p.required}
    result = graph.named(name, params)
    assert not {p.name for p in spec.parameters} & set(result.vars)
    assert len(result) > 0 or name == "quotes-by"
    for column in (v for v in result.vars if v.endswith("_iri")):
        base = column[: -len("_iri")]
        assert base in result.vars or base + "_name" in result.vars, column
        k = result.vars.index(column)
        assert all(row[k] is None or row[k].kind == "uri" for row in result.bindings)


# --- hostile values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_match_only_themselves(hostile, value):
    index = HOSTILE.index(value)
    in_filter = hostile.query("SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", {"name": value})
    assert [r["s"] for r in in_filter] == [URIRef(f"https://w3id.org/kg-news/id/test/e{index}")]
    in_pattern = hostile.query("SELECT ?s WHERE { ?s rdfs:label ?name }", {"name": value})
    assert [r["s"] for r in in_pattern] == [URIRef(f"https://w3id.org/kg-news/id/test/e{index}")]
    echoed = hostile.query("SELECT ?v WHERE { BIND(?name AS ?v) }", {"name": value})
    assert [r["v"] for r in echoed] == [value]
    assert hostile.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()[0]["n"] == 4 * len(HOSTILE)


@pytest.mark.parametrize("store", STORES)
def test_hostile_values_through_named_queries_and_the_cli(hostile_out, store):
    for value in ('x" || "1" = "1', '"} } ; DROP ALL #', "\\u0022 escaped quote"):
        result = CliRunner().invoke(
            cli,
            ["query", str(hostile_out), "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }",
             "--param", f"name={value}", "--format", "tsv", "--store", store],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert result.output.split() == ["?s", f"<https://w3id.org/kg-news/id/test/e{HOSTILE.index(value)}>"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=st.text(
        alphabet=st.sampled_from(list("\\\"'uU0123456789aAfF{}<>()?$#.;,|& \n\r\t\x0b\x0c\x08\x00é😀\u2028")),
        max_size=16,
    )
)
def test_any_string_reads_back_unchanged_on_both_stores(hostile_out, value):
    for store in STORES:
        g = kg.open_graph(hostile_out, store=store)
        assert g.query("SELECT ?v WHERE { }", {"v": value}).rows() == [{"v": value}], store


# --- errors and the rewriting itself ------------------------------------------------------------------------


def test_an_unused_parameter_is_named_in_the_error(graph):
    with pytest.raises(QueryError, match=r"parameter 'nmae': the query has no variable \?nmae"):
        graph.query("SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", {"name": "x", "nmae": "x"})


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (Term("literal", 'a"b\\c\nd'), '"a\\"b\\\\c\\nd"'),
        (Term("literal", "x", lang="fr"), '"x"@fr'),
        (
            Term("literal", "3", "http://www.w3.org/2001/XMLSchema#integer"),
            '"3"^^<http://www.w3.org/2001/XMLSchema#integer>',
        ),
        (Term("uri", MICROSOFT), f"<{MICROSOFT}>"),
    ],
)
def test_terms_are_written_as_one_sparql_term(term, text):
    assert sparql_term(term) == text


@pytest.mark.parametrize(
    "term",
    [Term("uri", "https://e.org/a> } ; <b"), Term("uri", "relative"), Term("literal", "x", lang="fr} ")],
)
def test_malformed_terms_are_refused(term):
    with pytest.raises(QueryError):
        sparql_term(term)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SELECT ?s WHERE { ?s ?p ?o } # WHERE { ?x }",
            'SELECT ?s WHERE { VALUES ?o { "v" } ?s ?p ?o } # WHERE { ?x }',
        ),
        (
            'SELECT ?s WHERE { ?s ?p "{ ?o }" . ?s ?q ?o }',
            'SELECT ?s WHERE { VALUES ?o { "v" } ?s ?p "{ ?o }" . ?s ?q ?o }',
        ),
        (
            "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s # end",
            'SELECT ?s (COUNT(*) AS ?n) WHERE { VALUES ?o { "v" } ?s ?p ?o } GROUP BY ?s # end\n ?o ',
        ),
        ("DESCRIBE ?o", 'DESCRIBE ?o\nWHERE { VALUES ?o { "v" } } '),
    ],
)
def test_the_rewritten_query(query, expected):
    assert re.sub(" +", " ", bind(query, {"o": Term("literal", "v")})) == expected

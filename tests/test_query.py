"""The SPARQL layer from Python and the CLI: formats, parameters, named queries, guard rails, timeouts."""

from __future__ import annotations

import io
import json
import os
import shutil
import time

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.query import Result

import kg
from kg.cli import cli
from kg.errors import GraphError, QueryError
from kg.query import named_queries, parse_param
from kg.results import Term
from kg.sparql import QueryRefused, QueryTimeout, inspect_query
from kg.store import detect_store, write_oxigraph

INJECTION = 'x" || "1" = "1'
STORES = ("memory", "oxigraph")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SELECT_ORGS = """
    SELECT ?org ?name WHERE { ?org a kg:Organization ; rdfs:label ?name . FILTER(LANG(?name) = "en") }
    ORDER BY ?name LIMIT 5"""


@pytest.fixture(scope="module")
def out(example_build, tmp_path_factory):
    """The example build, copied, with an Oxigraph store beside graph.trig: queryable on both stores."""
    source, _ = example_build
    dest = tmp_path_factory.mktemp("query") / "out"
    dest.mkdir()
    for name in ("graph.trig", "manifest.json", "report.json"):
        shutil.copy(source / name, dest / name)
    write_oxigraph(dest)
    return dest


@pytest.fixture(scope="module", params=STORES)
def graph(request, out):
    with kg.open_graph(out, store=request.param) as g:
        yield g


# --- results and formats --------------------------------------------------------------------------------


def test_select_returns_rows_of_python_values(graph):
    result = graph.query(SELECT_ORGS)
    assert result.type == "SELECT" and result.vars == ("org", "name")
    rows = list(result)
    assert 0 < len(rows) <= 5 and len(rows) == len(result)
    assert all(isinstance(r["org"], URIRef) and isinstance(r["name"], str) for r in rows)
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_every_results_format_parses_back_with_a_sparql_client_parser(graph, fmt):
    result = graph.query(
        "SELECT ?st ?amount ?currency ?sentence WHERE { ?st kg:amount ?amount ; kg:sentence ?sentence . "
        "OPTIONAL { ?st kg:currency ?currency } } ORDER BY ?st"
    )
    assert len(result) > 0
    text = result.serialize(fmt)
    parsed = Result.parse(io.BytesIO(text.encode("utf-8")), format=fmt)
    assert [str(v) for v in parsed.vars] == list(result.vars)
    back = [tuple(None if t is None else str(t) for t in row) for row in parsed]
    assert back == [tuple(None if t is None else t.value for t in row) for row in result.bindings]
    if fmt in ("json", "xml", "tsv"):  # typed formats keep the datatypes
        assert [row[1].datatype for row in parsed] == [URIRef(row[1].datatype) for row in result.bindings]


def test_json_format_is_the_w3c_layout(graph):
    data = json.loads(graph.query(SELECT_ORGS).serialize("json"))
    assert data["head"]["vars"] == ["org", "name"]
    cell = data["results"]["bindings"][0]
    assert cell["org"]["type"] == "uri" and cell["name"] == {**cell["name"], "type": "literal", "xml:lang": "en"}


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_ask_in_every_format(graph, fmt):
    result = graph.query("ASK { ?s a kg:Organization }")
    assert result.boolean is True and list(result) == [{"ask": True}]
    text = result.serialize(fmt)
    if fmt in ("json", "xml"):
        assert Result.parse(io.BytesIO(text.encode()), format=fmt).askAnswer is True
    else:
        assert text == "true\n"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own JSON-LD parser
@pytest.mark.parametrize("form", ["CONSTRUCT { ?s a kg:Organization } WHERE { ?s a kg:Organization }",
                                  "DESCRIBE <https://w3id.org/kg-news/id/organization/microsoft>"])  # fmt: skip
@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_graph_results_in_every_rdf_format(graph, form, fmt):
    result = graph.query(form)
    assert result.is_graph and len(result) > 0
    parsed = Graph().parse(
        data=result.serialize(fmt), format={"rdfxml": "xml", "jsonld": "json-ld", "ntriples": "nt"}.get(fmt, fmt)
    )
    assert len(parsed) == len({tuple(t) for t in result.triples})


def test_results_format_must_fit_the_result(graph):
    with pytest.raises(QueryError, match="turtle"):
        graph.query("CONSTRUCT WHERE { ?s a kg:Person }").serialize("csv")
    with pytest.raises(QueryError, match="json"):
        graph.query("ASK { ?s ?p ?o }").serialize("turtle")


def test_to_dataframe(graph):
    pytest.importorskip("pandas")
    frame = graph.query(SELECT_ORGS).to_dataframe()
    assert list(frame.columns) == ["org", "name"] and len(frame) > 0
    assert all(isinstance(v, str) and v.startswith("https://w3id.org/kg-news/id/") for v in frame["org"])


# --- parameters --------------------------------------------------------------------------------------------


def test_literal_parameter_binds_a_value(graph):
    q = "SELECT ?org ?name WHERE { ?org a kg:Organization ; rdfs:label ?label . FILTER(STR(?label) = ?name) }"
    rows = graph.query(q, params={"name": "Microsoft"}).rows()
    assert {str(r["org"]) for r in rows} == {"https://w3id.org/kg-news/id/organization/microsoft"}


def test_injection_value_matches_nothing(graph):
    q = "SELECT ?org ?name WHERE { ?org a kg:Organization ; rdfs:label ?label . FILTER(STR(?label) = ?name) }"
    assert graph.query(q, params={"name": INJECTION}).rows() == []
    assert graph.named("partners-of", {"org": INJECTION}).rows() == []
    assert len(graph.named("partners-of", {"org": "Microsoft"})) > 0


def test_iri_parameter_and_typed_values(graph):
    microsoft = URIRef("https://w3id.org/kg-news/id/organization/microsoft")
    q = "SELECT ?org ?label WHERE { ?org rdfs:label ?label }"
    assert {str(r["label"]) for r in graph.query(q, params={"org": microsoft})} == {"Microsoft"}
    name, term = parse_param(f"org=<{microsoft}>")
    assert {str(r["label"]) for r in graph.query(q, params={name: term})} == {"Microsoft"}
    q = "SELECT ?n ?x WHERE { BIND(?n + 1 AS ?x) }"
    assert graph.query(q, params={"n": 41}).rows() == [{"n": 41, "x": 42}]


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o }", {"nope": "x"}, "'nope': the query has no variable \\?nope"),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"bad name": "x"}, "variable name"),
        ("SELECT ?s ?name WHERE { ?s rdfs:label ?l BIND(STR(?l) AS ?name) }", {"name": "x"}, "assigns \\?name"),
        ("SELECT ?s (STR(?l) AS ?name) WHERE { ?s rdfs:label ?l }", {"name": "x"}, "assigns \\?name"),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"s": Term("bnode", "b0")}, "bnode cannot be a parameter"),
        ("SELECT ?s WHERE { ?s ?p ?o }", {"s": URIRef("not an iri")}, "not an absolute IRI"),
    ],
)
def test_parameters_that_cannot_bind_are_refused_on_both_stores(graph, query, params, message):
    with pytest.raises(QueryError, match=message):
        graph.query(query, params=params)


@pytest.mark.parametrize("text", ["novalue", "=x", "a b=c", "iri=<not an iri>"])
def test_parse_param_rejects_malformed(text):
    with pytest.raises(QueryError):
        parse_param(text)


# --- named queries -----------------------------------------------------------------------------------------

NAMED = {
    "partners-of": {"org": "Microsoft"},
    "investments": {},
    "training": {},
    "works-for": {},
    "quotes-by": {"person": "Satya Nadella"},
    "document-facts": {"doc": "en-01-microsoft-openai"},
    "top-entities": {},
}


def test_the_required_named_queries_ship_with_headers():
    queries = named_queries()
    assert set(NAMED) <= set(queries)
    for spec in queries.values():
        assert spec.description and spec.sparql.lstrip().startswith("#")
        for p in spec.parameters:
            assert f"?{p.name}" in spec.sparql and p.description


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_query_answers(graph, name):
    result = graph.named(name, NAMED[name])
    assert result.type == "SELECT"
    if name != "quotes-by":
        assert len(result) > 0, name


def test_named_query_parameters_are_checked(graph):
    with pytest.raises(QueryError, match="--param org="):
        graph.named("partners-of")
    with pytest.raises(QueryError, match="no parameter"):
        graph.named("investments", {"company": "x"})
    with pytest.raises(QueryError, match="no named query"):
        graph.named("nope")


def test_optional_parameter_filters(graph):
    everyone = graph.named("investments").rows()
    microsoft = graph.named("investments", {"investor": "microsoft"}).rows()
    assert 0 < len(microsoft) < len(everyone)
    assert {r["investor_name"] for r in microsoft} == {"Microsoft"}


# --- guard rails -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <https://e.org/a> <https://e.org/b> <https://e.org/c> }",
        "PREFIX e: <https://e.org/> DELETE WHERE { ?s ?p ?o }",
        "LOAD <https://e.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <https://e.org/g>",
        "WITH <https://e.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(graph, text):
    with pytest.raises(QueryRefused, match="read-only"):
        graph.query(text)
    with pytest.raises(QueryRefused):
        graph.query(text, allow_network=True)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://127.0.0.1:9/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_network_access_is_refused(graph, text):
    with pytest.raises(QueryRefused, match="allow-network"):
        graph.query(text)


def test_keywords_inside_strings_iris_and_comments_are_not_refused(graph):
    text = """# SERVICE <http://x> INSERT
        SELECT ?service WHERE { BIND("SERVICE <http://x> { }" AS ?service) FILTER(?service != <http://e.org/FROM>) }"""
    assert graph.query(text).rows() == [{"service": "SERVICE <http://x> { }"}]


def test_allow_network_lets_service_through_the_guard():
    info = inspect_query("SELECT * { SERVICE <http://e.org/sparql> { ?s ?p ?o } }", allow_network=True)
    assert info.service is True


def test_from_a_document_graph_of_the_store_is_allowed(graph):
    doc = "https://w3id.org/kg-news/doc/en-01-microsoft-openai"
    everywhere = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()[0]["n"]
    one = graph.query(f"SELECT (COUNT(*) AS ?n) FROM <{doc}> WHERE {{ ?s ?p ?o }}").rows()[0]["n"]
    named = graph.query(f"SELECT (COUNT(*) AS ?n) FROM NAMED <{doc}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}").rows()
    assert 0 < one < everywhere and named[0]["n"] == one


def test_invalid_query_is_a_query_error(graph):
    with pytest.raises(QueryError, match="invalid SPARQL"):
        graph.query("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryError, match="empty"):
        graph.query("  ")


# --- time limit --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("store", STORES)
def test_timeout_stops_a_runaway_query_and_its_process(out, store):
    with kg.open_graph(out, store=store, timeout=1.0) as g:
        assert g.query("ASK { ?s ?p ?o }").boolean is True  # starts the worker
        (pid,) = g.pool().pids()
        start = time.monotonic()
        with pytest.raises(QueryTimeout, match="longer than 1 s"):
            g.query(RUNAWAY)
        assert time.monotonic() - start < 10
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # the worker was killed, not left running
        assert g.query("ASK { ?s a kg:Person }").boolean is True  # a fresh worker answers
        assert g.pool().pids() != [pid]


def test_errors_cross_the_worker_process(out):
    with kg.open_graph(out, timeout=30) as g:
        with pytest.raises(QueryRefused):
            g.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        with pytest.raises(QueryError, match="invalid SPARQL"):
            g.query("SELECT ?s WHERE { ?s ?p }")
        assert len(g.named("partners-of", {"org": "Microsoft"})) > 0


# --- stores ------------------------------------------------------------------------------------------------


def test_auto_store_follows_the_build(out, tmp_path):
    assert detect_store(out) == "oxigraph"
    assert kg.open_graph(out).store == "oxigraph"
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(out / "graph.trig", plain / "graph.trig")
    assert kg.open_graph(plain).store == "memory"
    with pytest.raises(GraphError, match="--store oxigraph"):
        kg.open_graph(plain, store="oxigraph").query("ASK { ?s ?p ?o }")


def test_a_stale_oxigraph_store_is_refused(out, tmp_path):
    stale = tmp_path / "stale"
    shutil.copytree(out, stale)
    (stale / "graph.trig").write_text("@prefix e: <https://e.org/> .\n", encoding="utf-8")
    with pytest.raises(GraphError, match="older than"):
        kg.open_graph(stale)
    assert kg.open_graph(stale, store="memory").store == "memory"


def test_missing_graph_is_a_graph_error(tmp_path):
    with pytest.raises(GraphError, match="graph.trig"):
        kg.open_graph(tmp_path)


def test_kg_query_function_keeps_its_rows(out):
    rows = kg.query(out, "SELECT (COUNT(?st) AS ?n) WHERE { ?st a kg:Statement }")
    assert isinstance(rows[0]["n"], int) and rows[0]["n"] > 0


# --- CLI ---------------------------------------------------------------------------------------------------


def run(*args: str) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_cli_query_formats(out, fmt):
    result = run("query", out, SELECT_ORGS, "--format", fmt)
    assert result.exit_code == 0, result.output
    first = kg.query(out, SELECT_ORGS)[0]["name"]
    assert str(first) in result.output
    if fmt == "table":
        assert "5 rows" in result.output and "kgr:id/organization/" in result.output
    if fmt == "json":
        assert json.loads(result.output)["head"]["vars"] == ["org", "name"]
    if fmt == "csv":
        assert result.output.startswith("org,name\n")  # CliRunner turns CRLF into LF


def test_cli_query_from_file_named_and_params(out, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text(
        "SELECT DISTINCT ?name WHERE { ?o a kg:Organization ; rdfs:label ?l . FILTER(STR(?l) = ?name) }",
        encoding="utf-8",
    )
    result = run("query", out, "-f", rq, "--param", "name=Microsoft", "--format", "csv", "--store", "memory")
    assert result.exit_code == 0 and result.output.splitlines() == ["name", "Microsoft"]
    result = run("query", out, "--name", "partners-of", "--param", "org=Microsoft", "--format", "csv")
    assert result.exit_code == 0 and "Mistral AI" in result.output
    result = run("query", out, "--name", "partners-of", "--param", f"org={INJECTION}", "--format", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines() == ["partner,document,sentence,confidence,partner_iri,document_iri"]


def test_cli_ask_and_construct(out):
    assert run("query", out, "ASK { ?s a kg:Person }").output == "true\n"
    assert run("query", out, "ASK { ?s a kg:Nothing }", "--format", "tsv").output == "false\n"
    result = run("query", out, "CONSTRUCT { ?s a kg:Person } WHERE { ?s a kg:Person }")
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.output, format="turtle")) > 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }"], 1, "read-only"),
        (["SELECT * { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"], 1, "--allow-network"),
        (["--name", "partners-of"], 1, "--param org="),
        (["SELECT ?s WHERE { ?s ?p }"], 1, "invalid SPARQL"),
        (["--timeout", "1", RUNAWAY], 1, "stopped"),
        ([], 2, "exactly one"),
        (["ASK {}", "--name", "investments"], 2, "exactly one"),
        (["ASK {}", "--param", "novalue"], 1, "NAME=VALUE"),
    ],
)
def test_cli_query_errors(out, args, code, message):
    result = run("query", out, *args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_cli_queries_lists_and_shows(out):
    result = run("queries")
    assert result.exit_code == 0
    for name, spec in named_queries().items():
        assert name in result.output and spec.description in result.output
        assert spec.question and spec.question in result.output
    assert "--param org=" in result.output
    shown = run("queries", "partners-of")
    assert shown.exit_code == 0 and "kg:partnersWith" in shown.output
    assert run("queries", "nope").exit_code == 1

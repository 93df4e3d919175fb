"""`kg serve`: the SPARQL 1.1 Protocol endpoint, in-process and for real with SPARQL clients."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import free_port
from rdflib import Graph

import kg
from kg.server import create_app, negotiate
from kg.store import write_oxigraph

COUNT_PEOPLE = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kg:Person }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def out(example_build, tmp_path_factory):
    source, _ = example_build
    dest = tmp_path_factory.mktemp("server") / "out"
    dest.mkdir()
    for name in ("graph.trig", "manifest.json"):
        shutil.copy(source / name, dest / name)
    return dest


# --- in process (Starlette's TestClient) -------------------------------------------------------------------


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def client(request, out, tmp_path_factory):
    from starlette.testclient import TestClient

    folder = out
    if request.param == "oxigraph":
        folder = tmp_path_factory.mktemp("server-oxigraph") / "out"
        shutil.copytree(out, folder)
        write_oxigraph(folder)
    app = create_app(folder, store=request.param, timeout=2.0, workers=2)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/html;q=0.9, text/csv;q=0.5, */*;q=0.1", "text/csv"),
    ],
)
def test_select_content_negotiation(client, accept, media):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": COUNT_PEOPLE}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize(
    ("accept", "media", "rdf_format"),
    [
        (None, "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/ld+json", "application/ld+json", "json-ld"),
    ],
)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_graph_results_negotiation(client, accept, media, rdf_format):
    headers = {"Accept": accept} if accept else {}
    query = "CONSTRUCT { ?p a kg:Person } WHERE { ?p a kg:Person }"
    response = client.get("/sparql", params={"query": query}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert len(Graph().parse(data=response.text, format=rdf_format)) > 0


def test_post_forms_and_direct_queries(client):
    expected = client.get("/sparql", params={"query": COUNT_PEOPLE}).json()
    form = client.post("/sparql", data={"query": COUNT_PEOPLE})
    direct = client.post("/sparql", content=COUNT_PEOPLE, headers={"Content-Type": "application/sparql-query"})
    assert form.json() == direct.json() == expected
    assert int(expected["results"]["bindings"][0]["n"]["value"]) > 0
    ask = client.post(
        "/sparql", data={"query": "ASK { ?s a kg:Person }"}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert "<boolean>true</boolean>" in ask.text


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "message"),
    [
        ("post", {"data": {"update": "INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }"}}, 403, "read-only"),
        ("post", {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403, "read-only"),
        ("get", {"params": {"query": "DROP ALL"}}, 403, "read-only"),
        ("get", {"params": {"query": "SELECT * { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"}}, 403, "network"),
        ("get", {"params": {"query": "SELECT * FROM <http://127.0.0.1:9/d.ttl> { ?s ?p ?o }"}}, 403, "network"),
        ("get", {"params": {"query": "SELECT ?s WHERE { ?s ?p }"}}, 400, "invalid SPARQL"),
        ("get", {"params": {"query": RUNAWAY}}, 503, "stopped"),
        ("post", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415, "POST"),
        ("get", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406, "acceptable"),
        ("get", {"params": {"query": "ASK {}", "default-graph-uri": "https://e.org/g"}}, 400, "not supported"),
    ],
)
def test_errors_and_refusals(client, method, kwargs, status, message):
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert message in response.text


def test_the_endpoint_recovers_after_a_timeout(client):
    assert client.get("/sparql", params={"query": RUNAWAY}).status_code == 503
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_cors(client):
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },  # fmt: skip
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_service_description_and_explorer(client):
    description = client.get("/sparql")
    assert description.status_code == 200 and "sd:UnionDefaultGraph" in description.text
    Graph().parse(data=description.text, format="turtle")
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()


def test_negotiate_honours_format_parameter():
    assert negotiate("application/sparql-results+json", graph=True, override="xml") == "rdfxml"
    assert negotiate(None, graph=False, override="tsv") == "tsv"
    assert negotiate("text/csv", graph=False, override="nonsense") == "csv"


# --- for real: `kg serve` in a subprocess, queried by SPARQL clients -----------------------------------------


@pytest.fixture(scope="module")
def server(out):
    port = free_port()
    command = [sys.executable, "-c", "import sys; from kg.cli import cli; sys.exit(cli())", "serve", str(out),
               "--port", str(port), "--workers", "2"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"kg serve exited: {process.stdout.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "?query=" + urllib.parse.quote("ASK {}"), timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("kg serve did not answer within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_sparqlwrapper(server, out):
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

    expected = kg.query(out, COUNT_PEOPLE, store="memory")[0]["n"]
    full = "PREFIX kg: <https://w3id.org/kg-news/ontology#> " + COUNT_PEOPLE
    for method in ("GET", POST):
        client = SPARQLWrapper(server)
        client.setMethod(method)
        client.setQuery(full)
        client.setReturnFormat(JSON)
        assert int(client.query().convert()["results"]["bindings"][0]["n"]["value"]) == expected
        client.setReturnFormat(XML)
        values = client.query().convert().getElementsByTagName("literal")
        assert int(values[0].firstChild.data) == expected
        client.setReturnFormat(CSV)
        assert client.query().convert().decode().split() == ["n", str(expected)]
        client.setQuery(
            "CONSTRUCT { ?p a <https://schema.org/Person> } WHERE { ?p a <https://w3id.org/kg-news/ontology#Person> }"
        )
        client.setReturnFormat(TURTLE)
        assert len(Graph().parse(data=client.query().convert(), format="turtle")) == expected


def test_rdflib_sparqlstore(server, out):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server)
    graph = Graph(store=store)
    local = kg.open_graph(out, store="memory")
    query = "SELECT ?p ?l WHERE { ?p a <https://w3id.org/kg-news/ontology#Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    remote_rows = {(str(p), str(lbl)) for p, lbl in graph.query(query)}
    assert remote_rows == {(str(r["p"]), str(r["l"])) for r in local.query(query)}
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    assert len(graph) == local.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()[0]["n"]
    built = graph.query(
        "CONSTRUCT { ?s <https://schema.org/name> ?l } WHERE { ?s a <https://w3id.org/kg-news/ontology#Event> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert len(built.graph) == len(local.query("SELECT ?s ?l WHERE { ?s a kg:Event ; rdfs:label ?l }"))


def test_twenty_concurrent_clients_500_queries(server, out):
    local = kg.open_graph(out, store="memory")
    cases = [
        ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", None),
        (COUNT_PEOPLE, None),
        ("SELECT (COUNT(?st) AS ?n) WHERE { ?st a kg:Statement ; rdf:predicate kg:investsIn }", None),
        ("SELECT ?l WHERE { <https://w3id.org/kg-news/id/organization/microsoft> rdfs:label ?l } ORDER BY ?l", None),
        ("ASK { ?s kg:partnersWith ?o }", None),
        (
            "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d schema:mentions ?e } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 10",
            None,
        ),
    ]
    expected = [local.query(q).serialize("json") for q, _ in cases]

    def ask(i: int) -> bool:
        sparql = cases[i % len(cases)][0]
        request = urllib.request.Request(
            server,
            data=urllib.parse.urlencode({"query": sparql}).encode(),
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read()) == json.loads(expected[i % len(cases)])

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(ask, range(500)))
    assert len(answers) == 500 and all(answers)
    assert time.monotonic() - start < 60

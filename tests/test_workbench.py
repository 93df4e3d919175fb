"""The query page of `kg serve` and its API, in process (Starlette's TestClient), on both stores.

The browser side is tested in tests/test_workbench_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil

import pytest
from test_viz import XSS_ORG, XSS_PERSON, XSS_TITLE, build_sample

from kg.query import named_queries
from kg.results import QueryResult, Term
from kg.server import create_app
from kg.store import write_oxigraph
from kg.workbench.api import answer, read_request, syntax_error
from kg.workbench.index import GraphIndex
from kg.workbench.page import page_html

KGR = "https://w3id.org/kg-news/id/"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return build_sample(tmp_path_factory.mktemp("workbench") / "out")


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def client(request, sample, tmp_path_factory):
    from starlette.testclient import TestClient

    folder = sample
    if request.param == "oxigraph":
        folder = tmp_path_factory.mktemp("workbench-oxigraph") / "out"
        shutil.copytree(sample, folder)
        write_oxigraph(folder)
    app = create_app(folder, store=request.param, timeout=2.0, workers=1)
    with TestClient(app) as test_client:
        yield test_client


def ask(client, **body):
    return client.post("/api/query", content=json.dumps(body), headers={"Content-Type": "application/json"})


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_is_self_contained_with_a_strict_policy(client):
    response = client.get("/query")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1 and len(re.findall(r"<script\b", html)) == 2  # the page script and its JSON data
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert not re.search(r"""(src|href|action)\s*=\s*["']?(https?:|//)""", html, re.I)
    assert '<link rel="stylesheet"' not in html and "cdn" not in html.lower()


def test_the_page_script_inserts_text_only():
    from importlib.resources import files

    script = files("kg.workbench").joinpath("workbench.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc"):
        assert sink not in script, sink
    assert "textContent" in script


def test_the_page_lists_every_named_query_as_a_question():
    html = page_html()
    data = json.loads(re.search(r'<script type="application/json" id="kg-workbench">(.*?)</script>', html, re.S)[1])
    assert {q["name"] for q in data["queries"]} == set(named_queries())
    partners = next(q for q in data["queries"] if q["name"] == "partners-of")
    assert partners["question"] == "Who are the partners of {org}?"
    assert partners["params"] == [
        {"name": "org", "description": partners["params"][0]["description"], "required": True,
         "kinds": ["Organization", "Person"]}
    ]  # fmt: skip
    assert all(q["question"] for q in data["queries"])
    assert ("kg", "https://w3id.org/kg-news/ontology#") in map(tuple, data["prefixes"])


def test_the_explorer_links_to_the_query_page(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="to-query" href="query"' in page.text
    assert "query?about=" in page.text  # the side panel's "ask about this entity"


# --- questions -----------------------------------------------------------------------------------------


def test_a_question_gives_rows_with_names_for_the_iris(client):
    response = ask(client, name="partners-of", params={"org": "socgen"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["head"]["vars"][:2] == ["partner", "document"] and "org" not in data["head"]["vars"]
    (row,) = data["results"]["bindings"]
    assert row["partner"]["value"] == "Mistral AI"
    iri = row["partner_iri"]["value"]
    assert data["entities"][iri] == {"l": "Mistral AI", "c": "Organization"}
    doc = data["documents"][row["document_iri"]["value"]]
    assert doc["i"] == "fr-xss" and doc["t"] == XSS_TITLE and doc["d"] == "2024-03-01"
    assert data["total"] == 1 and data["truncated"] is False


def test_an_optional_field_left_empty_means_any(client):
    everyone = ask(client, name="works-for", params={"org": ""}).json()
    openai = ask(client, name="works-for", params={"org": "openai"}).json()
    assert everyone["total"] == 2 and openai["total"] == 1
    assert openai["results"]["bindings"][0]["person"]["value"] == XSS_PERSON


def test_sparql_with_a_parameter_in_a_filter(client):
    sparql = "SELECT ?s WHERE { ?s rdfs:label ?l . FILTER(STR(?l) = ?name) }"
    data = ask(client, query=sparql, params={"name": XSS_ORG}).json()
    iris = {row["s"]["value"] for row in data["results"]["bindings"]}
    assert len(iris) == 1
    (iri,) = iris
    assert data["entities"][iri] == {"l": XSS_ORG, "c": "Organization"}
    nothing = ask(client, query=sparql, params={"name": 'x" || "1" = "1'}).json()
    assert nothing["total"] == 0


@pytest.mark.parametrize(
    ("sparql", "expected"),
    [
        ("ASK { ?s a kg:Person }", {"type": "ASK", "boolean": True}),
        ("CONSTRUCT WHERE { ?s kg:investsIn ?o }", {"type": "CONSTRUCT", "total": 1}),
        ("DESCRIBE ?e", {"type": "DESCRIBE"}),
    ],
)
def test_ask_construct_and_describe(client, sparql, expected):
    params = {"e": f"<{KGR}organization/openai>"} if "?e" in sparql else {}
    data = ask(client, query=sparql, params=params).json()
    assert {k: data[k] for k in expected} == expected
    if data["type"] != "ASK":
        assert data["head"]["vars"] == ["subject", "predicate", "object"] and data["total"] > 0


# --- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "kind", "message"),
    [
        ({"query": "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s kg:x ?y ?z .\n}"}, 400, "syntax", "line 3, column 14"),
        ({"query": "SELECT ?s WHERE { ?s foo:bar ?o }"}, 400, "syntax", "unknown prefix foo:"),
        ({"query": "SELECT * { SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o } }"}, 403, "refused", "network"),
        ({"query": "INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }"}, 403, "refused", "read-only"),
        ({"query": "SELECT * FROM <http://127.0.0.1:9/d.ttl> { ?s ?p ?o }"}, 403, "refused", "network"),
        ({"query": RUNAWAY}, 503, "timeout", "stopped"),
        ({"query": "SELECT ?s WHERE { ?s ?p ?o }", "params": {"nope": "x"}}, 400, "parameter", "no variable ?nope"),
        ({"name": "partners-of", "params": {}}, 400, "query", "needs --param org"),
        ({"name": "partners-of", "params": {"org": "  "}}, 400, "query", "needs a value"),
        ({"name": "nope"}, 400, "query", "no named query"),
        ({"name": "partners-of", "query": "ASK {}"}, 400, "query", "not both"),
        ({"query": "   "}, 400, "query", "empty"),
        ({"query": "ASK {}", "params": {"x": 1}}, 400, "query", "strings"),
    ],
)
def test_errors_are_json_with_a_kind_and_a_clear_message(client, body, status, kind, message):
    response = ask(client, **body)
    assert response.status_code == status, response.text
    data = response.json()
    assert data["kind"] == kind and message in data["error"], data
    if kind == "syntax":
        assert data["line"] >= 1 and data["column"] >= 1


def test_a_request_that_is_not_json(client):
    response = client.post("/api/query", content=b"query=ASK{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_the_server_answers_after_a_timeout(client):
    assert ask(client, query=RUNAWAY).status_code == 503
    assert ask(client, query="ASK { ?s ?p ?o }").json()["boolean"] is True


# --- completion and entities ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "first"),
    [
        ({"q": "societe gen", "kind": "Organization"}, ("Société Générale", "Société Générale")),
        ({"q": "socg", "kind": ["Organization", "Person"]}, ("Société Générale", "SocGen")),
        ({"q": "mistral"}, ("Mistral AI", "Mistral AI")),
        ({"q": "arthur", "kind": "Person"}, ("Arthur Mensch", "Arthur Mensch")),
        ({"q": "img src", "kind": "Organization"}, (XSS_ORG, XSS_ORG)),
        ({"q": "en-mis", "kind": "Document"}, ("Mistral news", "en-mistral")),
        ({"q": "org", "kind": "Class"}, ("Organization", "Organization")),
    ],
)
def test_completion_from_names_and_aliases(client, params, first):
    response = client.get("/api/complete", params=params)
    assert response.status_code == 200
    items = response.json()["items"]
    assert items and (items[0]["label"], items[0]["match"]) == first


def test_completion_keeps_to_the_kinds_asked(client):
    people = client.get("/api/complete", params={"q": "", "kind": "Person", "limit": 50}).json()["items"]
    assert {i["class"] for i in people} == {"Person"} and len(people) == 2
    assert client.get("/api/complete", params={"q": "openai", "kind": "Person"}).json()["items"] == []


def test_entity(client):
    iri = client.get("/api/complete", params={"q": "socgen"}).json()["items"][0]["iri"]
    data = client.get("/api/entity", params={"iri": iri}).json()
    assert data["label"] == "Société Générale" and data["class"] == "Organization" and "SocGen" in data["names"]
    assert client.get("/api/entity", params={"iri": "https://e.org/nothing"}).status_code == 404


# --- units ---------------------------------------------------------------------------------------------


def test_answer_limits_the_rows_and_says_so():
    result = QueryResult("SELECT", ("n",), [(Term("literal", str(i)),) for i in range(5)])
    data = answer(result, limit=3)
    assert data["total"] == 5 and data["truncated"] is True and len(data["results"]["bindings"]) == 3


def test_read_request_binds_iris_and_literals():
    _, bound, spec = read_request({"query": "SELECT ?s WHERE { ?s ?p ?o }", "params": {"s": "<https://e.org/a>"}})
    assert bound == {"s": Term("uri", "https://e.org/a")} and spec is None
    text, bound, spec = read_request({"name": "investments", "params": {"investor": ""}})
    assert bound == {} and spec.name == "investments" and text == spec.sparql


@pytest.mark.parametrize(
    ("sparql", "line", "column"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT x", 1, 36),
        ("SELEC ?s", 1, 1),
        ("PREFIX e: <https://e.org/>\nSELECT ?s WHERE {\n  ?s e:p ?o\n  FILTER(?o = )\n}", 4, 3),
    ],
)
def test_syntax_error_positions(sparql, line, column):
    found = syntax_error(sparql)
    assert (found["line"], found["column"]) == (line, column), found


def test_the_index_ranks_exact_then_prefix_then_word_then_anywhere():
    rows = [
        (f"https://e.org/{n}", "Organization", n, "label") for n in ("Bank of Micro", "Micro", "Microsoft", "Omicron")
    ]
    index = GraphIndex.from_rows(rows, {}, [])
    assert [h["label"] for h in index.complete("micro")] == ["Micro", "Microsoft", "Bank of Micro", "Omicron"]
    assert index.describe(["https://e.org/Micro", "https://e.org/none"]) == (
        {"https://e.org/Micro": {"l": "Micro", "c": "Organization"}},
        {},
    )

"""kg.to_networkx, the analyses of kg.analyze, `kg analyze` and the GraphML / GEXF export.

The known answers come from a small graph written by hand below (through
kg.rdf, as a build writes it), so every expected number can be checked by
reading the facts.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from kg_samples import sha

import kg
from kg.analyze import UNKNOWN_CURRENCY
from kg.cli import cli
from kg.errors import AnalysisError
from kg.export import export, serialize_network
from kg.model import Document, Entity, Extraction, Fact, Provenance
from kg.rdf import document_graph, entity_iri
from kg.store import load_dataset, save_graphs

HOSTILE = "<script>alert(\"x\")</script> & 'Co'"


def iri(label: str, type_: str = "Organization") -> str:
    return str(entity_iri(label, type_))


ALPHA, BETA, GAMMA, DELTA = iri("Alpha"), iri("Beta"), iri("Gamma"), iri("Delta")
XENO, YOTTA, ZETA = iri("Xeno"), iri("Yotta"), iri("Zeta")
PAT = iri("Pat Doe", "Person")


def _prov(confidence: float = 0.9) -> Provenance:
    return Provenance("A sentence.", 0, 11, "test.rule", confidence)


def fact(s: str, p: str, o: str, confidence: float = 0.9, **kw) -> Fact:
    return Fact(s, p, o, _prov(confidence), **kw)


def doc(doc_id: str, date: str | None, entities: tuple[Entity, ...], facts: tuple[Fact, ...]) -> Extraction:
    text = "A sentence. " * 3
    document = Document(doc_id, f"{doc_id}.txt", text, "en", sha(doc_id), title=f"Doc {doc_id}", date=date)
    return Extraction(document, entities, facts)


def org(key: str, label: str, *aliases: str) -> Entity:
    return Entity(key, label, "Organization", aliases=aliases)


def extractions() -> list[Extraction]:
    """Three documents: d1 (2024-01-10), d2 (2024-02-05), d3 (undated).

    Two groups of partners, {Alpha, Beta, Gamma, Delta} (Alpha in the middle)
    and the triangle {Xeno, Yotta, Zeta}, joined by one weak partnership
    (Gamma - Zeta, confidence 0.5). Alpha invests in Beta 10 USD (d1), 5 USD
    (d2) and the same 10 USD again (d3); Xeno in Yotta 3 EUR (d2, confidence
    0.5). Alpha trains 1,000 workers by 2030 (d1 and d2), Beta 500 students
    (d2). Pat Doe works for Alpha and is quoted (d3).
    """
    d1 = doc(
        "d1", "2024-01-10",
        (org("a", "Alpha", "Alpha Corp"), org("b", "Beta"), org("g", "Gamma"), org("d", "Delta")),
        (
            fact("a", "partnersWith", "b"),
            fact("a", "partnersWith", "g"),
            fact("a", "partnersWith", "d"),
            fact("a", "investsIn", "b", amount=Decimal("10"), currency="USD"),
            fact("a", "trains", "workers", object_kind="group", count=1000, year=2030),
        ),
    )  # fmt: skip
    d2 = doc(
        "d2", "2024-02-05",
        (org("a", "Alpha"), org("b", "Beta"), org("g", "Gamma"), org("x", "Xeno"), org("y", "Yotta"), org("z", "Zeta")),
        (
            fact("g", "partnersWith", "b"),
            fact("x", "partnersWith", "y"),
            fact("y", "partnersWith", "z"),
            fact("z", "partnersWith", "x"),
            fact("g", "partnersWith", "z", confidence=0.5),
            fact("a", "investsIn", "b", amount=Decimal("5"), currency="USD"),
            fact("x", "investsIn", "y", confidence=0.5, amount=Decimal("3"), currency="EUR"),
            fact("a", "trains", "workers", object_kind="group", count=1000, year=2030),
            fact("b", "trains", "students", object_kind="group", count=500),
        ),
    )  # fmt: skip
    d3 = doc(
        "d3", None,
        (org("a", "Alpha"), org("b", "Beta"), Entity("p", "Pat Doe", "Person")),
        (
            fact("p", "worksFor", "a", role="CEO"),
            fact("p", "said", "We will grow.", confidence=0.8, object_kind="quote"),
            fact("a", "investsIn", "b", amount=Decimal("10"), currency="USD"),
        ),
    )  # fmt: skip
    return [d1, d2, d3]


def write(out: Path, items: list[Extraction]) -> Path:
    manifest = {ex.document.doc_id: {"path": ex.document.path, "sha256": ex.document.sha256} for ex in items}
    save_graphs(out, [document_graph(ex, {}) for ex in items], manifest)
    return out


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("analyze") / "out", extractions())


@pytest.fixture(scope="module")
def G(out_dir):
    return kg.to_networkx(out_dir)


# --- to_networkx -------------------------------------------------------------------------------------------------


def test_nodes_are_keyed_by_iri_with_label_class_aliases_and_documents(G):
    assert isinstance(G, nx.MultiDiGraph)
    entities = {n for n, c in G.nodes(data="class") if c != "Group"}
    assert entities == {ALPHA, BETA, GAMMA, DELTA, XENO, YOTTA, ZETA, PAT}
    alpha = G.nodes[ALPHA]
    assert (alpha["label"], alpha["class"], alpha["aliases"]) == ("Alpha", "Organization", ["Alpha Corp"])
    assert (alpha["documents"], alpha["doc_count"]) == (["d1", "d2", "d3"], 3)
    groups = sorted((d["label"], d["count"], d["documents"]) for _, d in G.nodes(data=True) if d["class"] == "Group")
    assert groups == [("students", 500, ["d2"]), ("workers", 1000, ["d1"]), ("workers", 1000, ["d2"])]
    assert set(G.graph["documents"]) == {"d1", "d2", "d3"}
    assert G.graph["documents"]["d1"]["date"] == "2024-01-10" and G.graph["documents"]["d3"]["date"] is None


def test_edges_are_keyed_by_property_with_facts_and_provenance(G):
    edge = G[ALPHA][BETA]["investsIn"]
    assert (edge["property"], edge["weight"], edge["symmetric"]) == ("investsIn", 3, False)
    assert edge["documents"] == ["d1", "d2", "d3"]
    assert [(f["document"], f["amount"], f["currency"]) for f in edge["facts"]] == [
        ("d1", Decimal("10"), "USD"), ("d2", Decimal("5"), "USD"), ("d3", Decimal("10"), "USD"),
    ]  # fmt: skip
    first = edge["facts"][0]
    assert first["sentence"] == "A sentence." and first["rule"] == "test.rule" and first["confidence"] == 0.9
    assert first["statement"].startswith("https://w3id.org/kg-news/stmt/d1/") and first["date"] == "2024-01-10"
    assert G[PAT][ALPHA]["worksFor"]["facts"][0]["role"] == "CEO"


def test_a_symmetric_property_gives_one_edge_per_pair(G):
    # "Gamma partnersWith Beta" in d2 is the edge Beta -> Gamma (smaller IRI first).
    assert G.has_edge(BETA, GAMMA, "partnersWith") and not G.has_edge(GAMMA, BETA)
    assert G[BETA][GAMMA]["partnersWith"]["symmetric"] is True
    assert sum(1 for _, _, k in G.edges(keys=True) if k == "partnersWith") == 8


def test_quotations_are_left_out_unless_asked(out_dir, G):
    assert not any(k == "said" for _, _, k in G.edges(keys=True))
    with_quotes = kg.to_networkx(out_dir, include_quotes=True)
    (quote,) = [n for n, c in with_quotes.nodes(data="class") if c == "Quotation"]
    assert with_quotes.nodes[quote]["text"] == "We will grow." and with_quotes.has_edge(PAT, quote, "said")


@pytest.mark.parametrize(
    ("filters", "nodes", "edges"),
    [
        # organizations only: no person, no group; 8 partnerships + 2 investment edges
        ({"classes": ["Organization"]}, {ALPHA, BETA, GAMMA, DELTA, XENO, YOTTA, ZETA}, 10),
        ({"properties": "partnersWith", "isolates": False}, {ALPHA, BETA, GAMMA, DELTA, XENO, YOTTA, ZETA}, 8),
        # the entities d3 names; its worksFor and investsIn facts
        ({"documents": ["d3"]}, {ALPHA, BETA, PAT}, 2),
        ({"documents": ["https://w3id.org/kg-news/doc/d3"]}, {ALPHA, BETA, PAT}, 2),
        # d1 only: its 4 entities and its workers group; 3 partnerships, 1 investment, 1 training
        ({"until": "2024-01-31"}, {ALPHA, BETA, GAMMA, DELTA, "workers"}, 5),
        # d2 only: 5 partnerships, 2 investments, 2 trainings
        ({"since": "2024-02"}, {ALPHA, BETA, GAMMA, XENO, YOTTA, ZETA, "workers", "students"}, 9),
        ({"since": "2024-01-01", "until": "2024-12-31", "classes": ["Person"]}, set(), 0),
    ],
)
def test_filters_remove_exactly_the_expected_nodes_and_edges(out_dir, filters, nodes, edges):
    H = kg.to_networkx(out_dir, **filters)
    labels = {n if H.nodes[n]["class"] != "Group" else H.nodes[n]["label"] for n in H}
    assert labels == nodes
    assert H.number_of_edges() == edges


def test_min_confidence_drops_exactly_the_weak_facts(G, out_dir):
    H = kg.to_networkx(out_dir, min_confidence=0.8)
    removed = set(G.edges(keys=True)) - set(H.edges(keys=True))
    assert removed == {(GAMMA, ZETA, "partnersWith"), (XENO, YOTTA, "investsIn")}
    assert set(H) == set(G)


def test_accepts_an_open_graph_and_an_rdflib_dataset(out_dir, G):
    with kg.open_graph(out_dir) as opened:
        H = kg.to_networkx(opened)
    assert set(H.edges(keys=True)) == set(G.edges(keys=True))
    D = kg.to_networkx(load_dataset(out_dir))
    assert set(D.edges(keys=True)) == set(G.edges(keys=True))
    with pytest.raises(TypeError):
        kg.to_networkx(42)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"classes": ["Company"]}, "unknown class 'Company'"),
        ({"properties": ["owns"]}, "unknown property 'owns'"),
        ({"documents": ["d9"]}, "unknown document 'd9'; known: d1, d2, d3"),
        ({"since": "10/01/2024"}, "invalid date '10/01/2024'"),
        ({"since": "2024-03", "until": "2024-02"}, "is after until"),
        ({"min_confidence": 2}, "min_confidence must be between 0 and 1"),
    ],
)
def test_bad_filters_are_clear_errors(out_dir, filters, message):
    with pytest.raises(AnalysisError, match=message):
        kg.to_networkx(out_dir, **filters)


# --- analyses ----------------------------------------------------------------------------------------------------


def test_centrality_ranks_by_pagerank_then_degree(G):
    ranked = kg.centrality(G, top=2)
    # statements each takes part in: Alpha 9 (3 partners, 3 investments, 2 trainings, Pat), Beta 6, the others 3 or less
    assert [(r["rank"], r["label"], r["degree"]) for r in ranked] == [(1, "Alpha", 9), (2, "Beta", 6)]
    assert ranked[0]["neighbours"] == 6 and ranked[0]["documents"] == 3  # Beta Gamma Delta Pat, 2 groups
    assert len(kg.centrality(G, top=None)) == G.number_of_nodes()


@pytest.mark.parametrize("n", [3, 5])
def test_centrality_of_a_star_puts_the_centre_first_and_breaks_ties_by_label(n):
    star = nx.MultiDiGraph()
    for i in range(n):
        star.add_node(f"leaf{i}", label=f"L{n - i}")
        star.add_edge("hub", f"leaf{i}", key="p", weight=1)
    star.nodes["hub"]["label"] = "Hub"
    ranked = kg.centrality(star, top=0)
    assert [r["label"] for r in ranked] == ["Hub"] + [f"L{i}" for i in range(1, n + 1)]


def _partitions(items: list[str]):
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest):
        for i in range(len(part)):
            yield part[:i] + [[first, *part[i]]] + part[i + 1 :]
        yield [[first], *part]


def test_two_obvious_communities(out_dir):
    found = kg.communities(out_dir, classes=["Organization"])
    assert [set(c["iris"]) for c in found] == [{ALPHA, BETA, GAMMA, DELTA}, {XENO, YOTTA, ZETA}]
    # links inside (statements): Alpha-Beta 4 (a partnership, 3 investments), Alpha-Gamma, Alpha-Delta, Beta-Gamma;
    # Xeno-Yotta 2, Yotta-Zeta, Zeta-Xeno. Members by links inside, then label.
    assert [(c["id"], c["size"], c["label"], c["internal"]) for c in found] == [(1, 4, "Alpha", 7), (2, 3, "Xeno", 4)]
    assert found[0]["members"] == ["Alpha", "Beta", "Gamma", "Delta"]
    assert found[1]["members"] == ["Xeno", "Yotta", "Zeta"]
    assert found == kg.communities(out_dir, classes=["Organization"])  # fixed seed: same answer
    # and it is the partition of highest modularity among all 877 partitions of the 7 organizations
    from kg.analyze import _undirected

    U = _undirected(kg.to_networkx(out_dir, classes=["Organization"]))
    best = max(_partitions(sorted(U)), key=lambda p: nx.community.modularity(U, [set(c) for c in p]))
    assert sorted(map(set, best), key=len, reverse=True) == [set(c["iris"]) for c in found]


def test_partnership_clusters(G, out_dir):
    (everyone,) = kg.partnership_clusters(G)  # the weak Gamma - Zeta partnership joins the two groups
    assert (everyone["size"], everyone["facts"], everyone["documents"]) == (7, 8, ["d1", "d2"])
    clusters = kg.partnership_clusters(out_dir, min_confidence=0.8)
    assert [(c["id"], c["members"], c["facts"], c["documents"]) for c in clusters] == [
        (1, ["Alpha", "Beta", "Delta", "Gamma"], 4, ["d1", "d2"]),
        (2, ["Xeno", "Yotta", "Zeta"], 3, ["d2"]),
    ]
    assert ["Alpha", "Beta"] in clusters[0]["pairs"] and len(clusters[0]["pairs"]) == 4


def test_investment_flows_sum_per_currency_and_count_a_repeated_amount_once(G, out_dir):
    flows = kg.investment_flows(G)
    assert [(f["investor"], f["investee"], f["amounts"], f["deals"], f["facts"]) for f in flows] == [
        ("Alpha", "Beta", {"USD": Decimal("15")}, 2, 3),  # 10 + 5; the 10 of d3 is the 10 of d1
        ("Xeno", "Yotta", {"EUR": Decimal("3")}, 1, 1),
    ]
    assert flows[0]["documents"] == ["d1", "d2", "d3"] and flows[0]["unspecified"] == 0
    assert kg.investment_totals(G) == {"EUR": Decimal("3"), "USD": Decimal("15")}
    assert kg.investment_totals(out_dir, min_confidence=0.8) == {"USD": Decimal("15")}
    by_investee = kg.investment_flows(G, by="investee")
    assert [(f["investee"], f["amounts"]) for f in by_investee] == [("Beta", {"USD": 15}), ("Yotta", {"EUR": 3})]
    assert "investor" not in by_investee[0]


def test_an_amount_without_currency_is_kept_apart():
    H = nx.MultiDiGraph()
    H.add_node("a", label="A")
    H.add_node("b", label="B")
    facts = [{"amount": Decimal("2"), "document": "d"}, {"amount": Decimal("1"), "currency": "USD", "document": "d"}]
    facts.append({"document": "d"})  # no amount
    H.add_edge("a", "b", key="investsIn", property="investsIn", weight=3, facts=facts)
    (flow,) = kg.investment_flows(H)
    assert flow["amounts"] == {UNKNOWN_CURRENCY: Decimal("2"), "USD": Decimal("1")} and flow["unspecified"] == 1


def test_training_commitments(G):
    rows = kg.training_commitments(G)
    assert [(r["trainer"], r["group"], r["count"], r["year"], r["facts"], r["documents"]) for r in rows] == [
        ("Alpha", "workers", 1000, 2030, 2, ["d1", "d2"]),
        ("Beta", "students", 500, None, 1, ["d2"]),
    ]


@pytest.mark.parametrize(
    ("period", "quotes", "expected"),
    [
        ("day", False, [("2024-01-10", 1, 5), ("2024-02-05", 1, 9), (None, 1, 2)]),
        ("month", False, [("2024-01", 1, 5), ("2024-02", 1, 9), (None, 1, 2)]),
        ("year", True, [("2024", 2, 14), (None, 1, 3)]),
    ],
)
def test_timeline_counts_facts_per_document_date(out_dir, period, quotes, expected):
    rows = kg.timeline(out_dir, period=period, include_quotes=quotes)
    assert [(r["date"], r["documents"], r["facts"]) for r in rows] == expected
    if period == "day":
        assert rows[0]["properties"] == {"investsIn": 1, "partnersWith": 3, "trains": 1}


def test_analyze_runs_every_section_once_and_is_deterministic(out_dir):
    result = kg.analyze(out_dir, top=3)
    assert list(result) == ["graph", "centrality", "communities", "partnerships", "investments", "training", "timeline"]
    assert result["graph"]["documents"] == 3 and result["graph"]["facts"] == 16  # 17 statements less the quote
    assert len(result["centrality"]) == 3
    assert result["investments"]["totals"] == {"EUR": Decimal("3"), "USD": Decimal("15")}
    assert kg.analyze(out_dir, top=3) == result
    only = kg.analyze(out_dir, only=["training"])
    assert list(only) == ["graph", "training"]
    with pytest.raises(AnalysisError, match="unknown analysis"):
        kg.analyze(out_dir, only=["gossip"])
    with pytest.raises(AnalysisError, match="pass them to kg.to_networkx"):
        kg.centrality(kg.to_networkx(out_dir), classes=["Person"])


# --- GraphML / GEXF ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_export_loads_back_with_networkx(out_dir, G, tmp_path, fmt):
    dest = export(out_dir, fmt, tmp_path / f"g.{fmt}")
    back = nx.read_graphml(dest) if fmt == "graphml" else nx.read_gexf(dest)
    assert set(back) == set(G)
    assert back.number_of_edges() == G.number_of_edges()
    node = back.nodes[ALPHA]
    assert (node["label"], node["class"], node["doc_count"]) == ("Alpha", "Organization", 3)
    assert json.loads(node["aliases"]) == ["Alpha Corp"]
    (edge,) = [d for u, v, d in back.edges(data=True) if (u, v, d["property"]) == (ALPHA, BETA, "investsIn")]
    assert (edge["property"], edge["label"], int(edge["weight"])) == ("investsIn", "investsIn", 3)
    assert [f["amount"] for f in json.loads(edge["facts"])] == [10, 5, 10]
    ids = [d["id"] for _, _, d in back.edges(data=True)] if fmt == "gexf" else [k for _, _, k in back.edges(keys=True)]
    assert len(set(ids)) == len(ids)  # both formats want unique edge ids
    assert export(out_dir, fmt, tmp_path / f"again.{fmt}").read_bytes() == dest.read_bytes()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_hostile_labels_are_written_as_text(tmp_path, fmt):
    evil = Entity("e", HOSTILE, "Organization", aliases=('"quoted" & <tagged>',))
    victim = Entity("v", "Victim", "Organization")
    item = doc("evil", "2024-03-01", (evil, victim), (fact("e", "partnersWith", "v"),))
    out = write(tmp_path / "out", [item])
    dest = export(out, fmt, tmp_path / f"evil.{fmt}")
    raw = dest.read_text(encoding="utf-8")
    assert "<script>" not in raw and "<tagged>" not in raw
    back = nx.read_graphml(dest) if fmt == "graphml" else nx.read_gexf(dest)
    node = back.nodes[iri(HOSTILE)]
    assert node["label"] == HOSTILE
    assert json.loads(node["aliases"]) == ['"quoted" & <tagged>']


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_characters_xml_cannot_hold_are_dropped(fmt, tmp_path):
    H = nx.MultiDiGraph()
    H.add_node("https://example.org/a", label="A\x00\x01\x1fB", amount=Decimal("1.5"), seen=None, tags={"x", "y"})
    H.add_edge("https://example.org/a", "https://example.org/a", key="p", facts=[{"amount": Decimal("2")}])
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(serialize_network(H, fmt))
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    node = back.nodes["https://example.org/a"]
    assert (node["label"], node["amount"], node["tags"]) == ("AB", 1.5, '["x", "y"]')
    assert "seen" not in node


# --- CLI ---------------------------------------------------------------------------------------------------------


def test_cli_analyze_json(out_dir):
    result = CliRunner().invoke(cli, ["analyze", str(out_dir), "--format", "json", "--top", "2"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["label"] for r in data["centrality"]] == ["Alpha", "Beta"]
    assert data["investments"]["totals"] == {"EUR": 3, "USD": 15}
    training = [(r["trainer"], r["count"], r["year"]) for r in data["training"]]
    assert training == [("Alpha", 1000, 2030), ("Beta", 500, None)]
    filtered = CliRunner().invoke(
        cli, ["analyze", str(out_dir), "--format", "json", "--min-confidence", "0.8", "--only", "investments"]
    )
    assert json.loads(filtered.output)["investments"]["totals"] == {"USD": 15}
    assert list(json.loads(filtered.output)) == ["graph", "investments"]


def test_cli_analyze_table(out_dir):
    result = CliRunner().invoke(cli, ["analyze", str(out_dir), "--since", "2024", "--class", "Organization"])
    assert result.exit_code == 0, result.output
    for text in ("most central entities", "communities", "partnership clusters", "15 USD", "3 EUR", "2024-02-05"):
        assert text in result.output
    assert "Pat Doe" not in result.output and "undated" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "graph file not found (build the graph first)"),
        (["--document", "nope"], None),
        (["--since", "yesterday"], "invalid date 'yesterday'"),
    ],
)
def test_cli_analyze_errors_are_one_line(tmp_path, out_dir, args, message):
    target = tmp_path if not args else out_dir
    result = CliRunner().invoke(cli, ["analyze", str(target), *args])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert message is None or message in lines[0]


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_cli_export_network_formats(out_dir, tmp_path, fmt):
    dest = tmp_path / f"g.{fmt}"
    result = CliRunner().invoke(cli, ["export", str(out_dir), "--format", fmt, "--out", str(dest)])
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(dest) if fmt == "graphml" else nx.read_gexf(dest)
    assert ALPHA in back and back.number_of_edges() == 14  # 16 facts; Alpha -> Beta (investsIn) holds 3 of them


# --- the example corpus ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_analyses_on_the_example_corpus(example_build, tmp_path):
    out, build = example_build
    result = kg.analyze(out, top=5)
    g = result["graph"]
    assert g["documents"] == build.summary()["documents"] and g["nodes"] > 50 and g["edges"] > 50
    labels = [r["label"] for r in result["centrality"]]
    assert len(labels) == 5 and {"Microsoft", "Mistral AI"} & set(labels)
    assert len(result["communities"]) == 5 and result["communities"][0]["size"] >= result["communities"][-1]["size"]
    flows = {(f["investor"], f["investee"]): f for f in result["investments"]["flows"]}
    assert flows[("Microsoft", "OpenAI")]["amounts"] == {"USD": Decimal("13000000000")}
    assert any(r["year"] == 2030 and r["count"] == 10_000_000 for r in result["training"])
    assert sum(r["documents"] for r in result["timeline"]) == g["documents"]
    assert kg.analyze(out, top=5) == result
    G = kg.to_networkx(out)
    for fmt in ("graphml", "gexf"):
        dest = export(out, fmt, tmp_path / f"examples.{fmt}")
        back = nx.read_graphml(dest) if fmt == "graphml" else nx.read_gexf(dest)
        assert set(back) == set(G) and back.number_of_edges() == G.number_of_edges()

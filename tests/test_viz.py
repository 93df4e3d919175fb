"""The explorer page as HTML and data (no browser here: see test_viz_browser.py)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import viz
from kg.cli import cli
from kg.explorer.data import find_marks, fold
from kg.explorer.layout import NX_LIMIT, positions
from kg.model import Document, Entity, Extraction, Fact, Provenance
from kg.rdf import document_graph
from kg.store import save_graphs

XSS_ORG = "<img src=x onerror=alert(1)> Corp"
XSS_TITLE = "</script><script>alert(1)</script> Une levée"
XSS_PERSON = "</script><script>alert(2)</script>"

DOC_FR = (
    f"{XSS_ORG} a investi 5 millions de dollars dans OpenAI. "
    "Société Générale s'associe à Mistral AI. "
    f"{XSS_PERSON} travaille chez OpenAI."
)
DOC_EN = 'Arthur Mensch, chief executive of Mistral AI, said: "We ship fast." Mistral AI trains 1,000 engineers.'


def _prov(text: str, start_with: str, rule: str, confidence: float) -> Provenance:
    start = text.index(start_with)
    end = text.find(". ", start)
    end = len(text) if end < 0 else end + 1
    return Provenance(text[start:end], start, end, rule, confidence)


def sample_extractions() -> list[Extraction]:
    """Two documents full of hostile text: markup in names, titles, a javascript: URL."""
    fr = Document(
        "fr-xss", "fr-xss.txt", DOC_FR, "fr", "0" * 64, title=XSS_TITLE, date="2024-03-01",
        url="https://example.org/a?b=<i>&c=1",
    )  # fmt: skip
    en = Document(
        "en-mistral", "en-mistral.txt", DOC_EN, "en", "1" * 64, title="Mistral news", date="2024-05-02",
        url="javascript:alert(3)",
    )  # fmt: skip
    fr_entities = (
        Entity("x", XSS_ORG, "Organization"),
        Entity("oai", "OpenAI", "Organization"),
        Entity("sg", "Société Générale", "Organization", aliases=("SocGen",)),
        Entity("mi", "Mistral AI", "Organization"),
        Entity("p", XSS_PERSON, "Person"),
    )
    fr_facts = (
        Fact("x", "investsIn", "oai", _prov(DOC_FR, "<img", "invests.trigger", 0.8),
             amount=Decimal("5000000"), currency="USD"),
        Fact("sg", "partnersWith", "mi", _prov(DOC_FR, "Société", "partners.trigger", 0.7)),
        Fact("p", "worksFor", "oai", _prov(DOC_FR, "</script>", "worksFor.role", 0.6)),
    )  # fmt: skip
    en_entities = (Entity("am", "Arthur Mensch", "Person"), Entity("mi", "Mistral AI", "Organization"))
    en_facts = (
        Fact("am", "worksFor", "mi", _prov(DOC_EN, "Arthur", "worksFor.role", 0.84), role="ceo"),
        Fact("am", "said", "We ship fast.", _prov(DOC_EN, "Arthur", "quote", 0.9), object_kind="quote"),
        Fact("mi", "trains", "engineers", _prov(DOC_EN, "Mistral AI trains", "trains.count", 0.75),
             object_kind="group", count=1000),
    )  # fmt: skip
    return [Extraction(fr, fr_entities, fr_facts), Extraction(en, en_entities, en_facts)]


def build_sample(out: Path) -> Path:
    """Write the sample graph as a kg output folder and return it."""
    graphs = [document_graph(x, {}) for x in sample_extractions()]
    save_graphs(
        out,
        graphs,
        {x.document.doc_id: {"path": x.document.path, "sha256": x.document.sha256} for x in sample_extractions()},
    )
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("viz") / "out")


def page_markup(html: str) -> str:
    """The page without the inlined vis-network script and style sheet (trusted code that mentions tags)."""
    for name in ("vis-network.min.js", "vis-network.css"):
        html = html.replace(viz._asset("pyvis", f"{viz._VIS}/{name}"), "")
    return html


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


def test_page_is_self_contained_and_deterministic(sample):
    html = viz.explorer_html(sample)
    assert html == viz.explorer_html(sample)
    assert "new vis.Network" in html and "sourceMappingURL" not in html  # vis-network is inlined
    markup = page_markup(html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", markup, re.I)
    assert '<link rel="stylesheet"' not in markup and "cdn" not in markup.lower()
    assert "default-src 'none'" in markup


@pytest.mark.parametrize("payload", [XSS_ORG, XSS_PERSON, XSS_TITLE, "<i>"])
def test_untrusted_text_never_appears_as_markup(sample, payload):
    html = page_markup(viz.explorer_html(sample))
    assert payload not in html
    assert len(re.findall(r"<script\b", html)) == 3  # the JSON block, vis-network, the page script
    assert html.count("</script>") == 3
    assert payload.replace("<", "\\u003c").replace(">", "\\u003e") in html  # present, as escaped JSON text


def test_payload_facts_marks_groups_quotes_and_urls(sample):
    data = page_data(viz.explorer_html(sample))
    labels = [n["l"] for n in data["nodes"]]
    assert XSS_ORG in labels and "Société Générale" in labels
    sg = data["nodes"][labels.index("Société Générale")]
    assert "SocGen" in sg["n"]
    props = {name: directed for name, directed in data["props"]}
    assert props["partnersWith"] is False and props["investsIn"] is True
    invest = next(f for f in data["facts"] if data["props"][f["p"]][0] == "investsIn")
    assert invest["a"] == {"amount": "5000000", "currency": "USD"} and invest["c"] == 0.8
    chars = list(invest["t"])
    marked = {"".join(chars[a:b]): role for a, b, role in invest["m"]}
    assert marked == {XSS_ORG: "s", "OpenAI": "o"}
    said = next(f for f in data["facts"] if data["props"][f["p"]][0] == "said")
    assert said["o"] == -1 and said["q"] == "We ship fast."
    group = next(n for n in data["nodes"] if n["c"] == "Group")
    assert group["l"] == "engineers" and group["k"] == 1000
    urls = {d["t"]: d["u"] for d in data["docs"]}
    assert urls == {XSS_TITLE: "https://example.org/a?b=<i>&c=1", "Mistral news": ""}  # javascript: dropped
    assert all("x" in n for n in data["nodes"][: data["meta"]["shown"]])


def test_max_nodes_keeps_the_most_central_and_says_how_many_left_out(sample, tmp_path):
    dest = tmp_path / "page.html"
    result = CliRunner().invoke(
        cli, ["viz", str(sample), "--out", str(dest), "--max-nodes", "3", "--size-by", "degree"]
    )
    assert result.exit_code == 0, result.output
    html = dest.read_text(encoding="utf-8")
    data = page_data(html)
    total = data["meta"]["total"]
    assert data["meta"]["shown"] == 3 and data["meta"]["left_out"] == total - 3
    assert f"{total - 3} less central nodes left out" in html
    shown = [n["l"] for n in data["nodes"][:3]]
    assert "Mistral AI" in shown and "OpenAI" in shown
    assert data["meta"]["size_by"] == "degree"


def test_viz_help_lists_the_options():
    result = CliRunner().invoke(cli, ["viz", "--help"])
    assert result.exit_code == 0
    for option in ("--max-nodes", "--size-by", "--physics", "--out"):
        assert option in result.output


@pytest.mark.parametrize("bad", [{"max_nodes": 0}, {"size_by": "betweenness"}])
def test_bad_options_raise_graph_errors(sample, bad):
    from kg.errors import GraphError

    with pytest.raises(GraphError):
        viz.explorer_html(sample, **bad)


@pytest.mark.parametrize(
    "sentence, names, expected",
    [
        ("La Societe Generale et SocGen.", [("s", ["Société Générale", "SocGen"])], [(3, 19, "s"), (23, 29, "s")]),
        ("OpenAIX is not OpenAI.", [("o", ["OpenAI"])], [(15, 21, "o")]),
        ("Mistral AI and Mistral.", [("s", ["Mistral"]), ("o", ["Mistral AI"])], [(0, 10, "o"), (15, 22, "s")]),
    ],
)
def test_find_marks(sentence, names, expected):
    assert find_marks(sentence, names) == expected
    assert len(fold(sentence)) == len(sentence)


def test_layout_of_a_large_component_is_fast_deterministic_and_spread():
    import networkx as nx

    graph = nx.barabasi_albert_graph(NX_LIMIT + 100, 2, seed=3)
    coords = positions(len(graph), list(graph.edges()))
    assert coords == positions(len(graph), list(graph.edges()))
    assert len(set(coords)) > 0.95 * len(coords)

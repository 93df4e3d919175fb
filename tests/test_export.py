from __future__ import annotations

import dataclasses
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from kg_samples import GUIDELINE_DOC_ID, guideline_extraction, guideline_gold, prov, rich_extraction
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.errors import ExportError, GraphError
from kg.export import FORMATS, export, gold_json
from kg.model import Extraction, Fact
from kg.rdf import document_graph
from kg.store import load_dataset, quiet_rdflib, save_graphs

SCORE_PY = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def build(out: Path, *extractions: Extraction) -> Path:
    graphs = [document_graph(ex, {}) for ex in extractions]
    manifest = {ex.document.doc_id: {"path": ex.document.path, "sha256": ex.document.sha256} for ex in extractions}
    save_graphs(out, graphs, manifest)
    return out


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return build(tmp_path / "out", guideline_extraction(), rich_extraction())


EXPECTED_GUIDELINE = {
    "doc": GUIDELINE_DOC_ID,
    "lang": "fr",
    "entities": [
        {
            "label": "AFL-CIO",
            "type": "Organization",
            "aliases": ["American Federation of Labor and Congress of Industrial Organizations"],
            "iri": "https://w3id.org/kg-news/id/organization/afl-cio",
        },
        {"label": "Brad Smith", "type": "Person", "aliases": [], "iri": "https://w3id.org/kg-news/id/person/brad-smith"},
        {"label": "Microsoft", "type": "Organization", "aliases": [], "iri": "https://w3id.org/kg-news/id/organization/microsoft"},
        {"label": "OpenAI", "type": "Organization", "aliases": [], "iri": "https://w3id.org/kg-news/id/organization/openai"},
        {"label": "Walmart", "type": "Organization", "aliases": [], "iri": "https://w3id.org/kg-news/id/organization/walmart"},
    ],
    "facts": [
        {"s": "Brad Smith", "p": "said", "o": "Nous voulons que chaque travailleur profite"},
        {"s": "Brad Smith", "p": "worksFor", "o": "Microsoft", "role": "president"},
        {"s": "Microsoft", "p": "investsIn", "o": "OpenAI", "amount": 13000000000, "currency": "USD"},
        {"s": "Microsoft", "p": "partnersWith", "o": "AFL-CIO"},
        {"s": "Walmart", "p": "trains", "o": "workers", "count": 10000000, "year": 2030},
    ],
}  # fmt: skip


@pytest.mark.parametrize("doc_id,expected", [(GUIDELINE_DOC_ID, EXPECTED_GUIDELINE)])
def test_gold_json_of_the_guideline_example(out_dir: Path, doc_id: str, expected: dict) -> None:
    docs = gold_json(load_dataset(out_dir))
    assert list(docs) == sorted(docs) == [GUIDELINE_DOC_ID, "rich"]
    assert docs[doc_id] == expected
    assert type(docs[doc_id]["facts"][2]["amount"]) is int


@pytest.mark.parametrize("doc_id", ["rich"])
def test_gold_json_covers_every_kind_of_fact(out_dir: Path, doc_id: str) -> None:
    doc = gold_json(load_dataset(out_dir))[doc_id]
    facts = {(f["s"], f["p"], f["o"]): f for f in doc["facts"]}
    assert facts[("Confédération générale du travail", "represents", "salariés")]["count"] == 600000
    assert facts[("Microsoft", "investsIn", "OpenAI")] == {
        "s": "Microsoft", "p": "investsIn", "o": "OpenAI", "amount": 12500000, "currency": "EUR", "year": 2024,
    }  # fmt: skip
    assert facts[("Sam Altman", "investsIn", "北京大学")]["amount"] == 0.75
    assert ("Emmanuel Macron", "said", "L'IA est une chance « pour") in facts
    assert [f["p"] for f in doc["facts"]] != [] and doc["lang"] == "fr"
    keys = [(f["s"], f["p"], f["o"]) for f in doc["facts"]]
    assert keys == sorted(keys)
    labels = [e["label"] for e in doc["entities"]]
    assert labels == sorted(labels)
    assert {e["type"] for e in doc["entities"]} == {"Organization", "Product", "Person", "Program", "Place", "Event"}


def _with_facts(*facts: Fact) -> Extraction:
    base = guideline_extraction()
    return dataclasses.replace(base, facts=facts)


TEXT = guideline_extraction().document.text
P1 = prov(TEXT, "Microsoft s'associe", "a")
P2 = prov(TEXT, "Microsoft a investi", "b")


@pytest.mark.parametrize("facts,expected", [
    # the same fact from two sentences is listed once
    ((Fact("ms", "partnersWith", "afl", P1), Fact("ms", "partnersWith", "afl", P2)),
     [{"s": "Microsoft", "p": "partnersWith", "o": "AFL-CIO"}]),
    # symmetric: both directions -> once
    ((Fact("ms", "partnersWith", "afl", P1), Fact("afl", "partnersWith", "ms", P2)),
     [{"s": "AFL-CIO", "p": "partnersWith", "o": "Microsoft"}]),
    # a fact with fewer qualifiers than its twin goes
    ((Fact("ms", "investsIn", "oai", P1), Fact("ms", "investsIn", "oai", P2, amount=Decimal(10), currency="USD")),
     [{"s": "Microsoft", "p": "investsIn", "o": "OpenAI", "amount": 10, "currency": "USD"}]),
    # conflicting qualifiers: both stay
    ((Fact("ms", "investsIn", "oai", P1, amount=Decimal(1)), Fact("ms", "investsIn", "oai", P2, amount=Decimal(2))),
     [{"s": "Microsoft", "p": "investsIn", "o": "OpenAI", "amount": 1},
      {"s": "Microsoft", "p": "investsIn", "o": "OpenAI", "amount": 2}]),
    # the quote's first six words, as written (punctuation kept, whitespace collapsed)
    ((Fact("bs", "said", "  « Nous,\n voulons que   chaque travailleur profite de l'IA »", P1, object_kind="quote"),),
     [{"s": "Brad Smith", "p": "said", "o": "« Nous, voulons que chaque travailleur"}]),
    ((Fact("bs", "said", "Oui.", P1, object_kind="quote"),), [{"s": "Brad Smith", "p": "said", "o": "Oui."}]),
])  # fmt: skip
def test_gold_json_fact_rules(tmp_path: Path, facts: tuple[Fact, ...], expected: list[dict]) -> None:
    out = build(tmp_path, _with_facts(*facts))
    assert gold_json(load_dataset(out))[GUIDELINE_DOC_ID]["facts"] == expected


@pytest.mark.parametrize("doc_ids", [(GUIDELINE_DOC_ID, "rich")])
def test_export_gold_json_writes_one_file_per_document(out_dir: Path, tmp_path: Path, doc_ids: tuple) -> None:
    dest = tmp_path / "gold-out"
    assert export(out_dir, "gold-json", dest) == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted(f"{d}.json" for d in doc_ids)
    data = json.loads((dest / f"{GUIDELINE_DOC_ID}.json").read_text(encoding="utf-8"))
    assert data == EXPECTED_GUIDELINE


def _quads_of(path: Path, fmt: pyoxigraph.RdfFormat) -> set:
    return {(q.subject, q.predicate, q.object, q.graph_name) for q in pyoxigraph.parse(path=path, format=fmt)}


@pytest.mark.parametrize("fmt,ox_format", [
    ("trig", pyoxigraph.RdfFormat.TRIG),
    ("nquads", pyoxigraph.RdfFormat.N_QUADS),
    ("jsonld", pyoxigraph.RdfFormat.JSON_LD),
])  # fmt: skip
def test_dataset_formats_round_trip(out_dir: Path, tmp_path: Path, fmt: str, ox_format: pyoxigraph.RdfFormat) -> None:
    dest = tmp_path / f"export.{fmt}"
    export(out_dir, fmt, dest)
    assert _quads_of(dest, ox_format) == _quads_of(out_dir / "graph.trig", pyoxigraph.RdfFormat.TRIG)
    rdflib_format = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}[fmt]
    again = Dataset()
    with quiet_rdflib():
        again.parse(dest, format=rdflib_format)
    original = load_dataset(out_dir)
    for graph in original.graphs():
        if len(graph):
            assert isomorphic(again.graph(graph.identifier), graph)


@pytest.mark.parametrize("fmt", ["turtle"])
def test_turtle_is_the_union_of_all_graphs(out_dir: Path, tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / "all.ttl"
    export(out_dir, fmt, dest)
    union = Graph().parse(dest, format="turtle")
    expected = Graph()
    for graph in load_dataset(out_dir).graphs():
        expected += graph
    assert isomorphic(union, expected)
    assert len(list(pyoxigraph.parse(path=dest, format=pyoxigraph.RdfFormat.TURTLE))) == len(expected)


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld"])
def test_exports_are_deterministic(out_dir: Path, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    export(out_dir, fmt, first)
    export(out_dir, fmt, second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("fmt,dest_kind,match", [
    ("rdfxml", "file", "unknown export format"),
    ("gold-json", "file", "needs a folder"),
    ("turtle", "dir", "needs a file path"),
])  # fmt: skip
def test_export_errors(out_dir: Path, tmp_path: Path, fmt: str, dest_kind: str, match: str) -> None:
    dest = tmp_path / "dest"
    if dest_kind == "file":
        dest.write_text("x")
    else:
        dest.mkdir()
    with pytest.raises(ExportError, match=match):
        export(out_dir, fmt, dest)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_of_a_missing_graph_names_the_folder(tmp_path: Path, fmt: str) -> None:
    with pytest.raises(GraphError, match="not found"):
        export(tmp_path / "nothing", fmt, tmp_path / "dest")


def _load_score_module():
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} not available")
    spec = importlib.util.spec_from_file_location("kg_eval_score", SCORE_PY)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("gold", [guideline_gold()], ids=["guideline"])
def test_gold_json_export_scores_perfectly_with_score_py(tmp_path: Path, gold: dict) -> None:
    score = _load_score_module()
    out = build(tmp_path / "out", guideline_extraction())
    pred_dir = export(out, "gold-json", tmp_path / "pred")
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / f"{gold['doc']}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    result = score.score(score.load_docs(gold_dir), score.load_docs(pred_dir))
    assert result["entities"]["f1"] == 1.0
    assert result["entities"]["type_accuracy"] == 1.0
    assert result["facts"]["f1"] == 1.0
    assert result["facts"]["attribute_accuracy"] == 1.0


@pytest.mark.parametrize("labels,expected_label,expected_aliases", [
    (("AFL-CIO", "American Federation of Labor"), "American Federation of Labor", ["AFL-CIO", "Fédération"]),
])  # fmt: skip
def test_two_entity_keys_sharing_an_iri_become_one_entity(
    tmp_path: Path, labels: tuple[str, str], expected_label: str, expected_aliases: list[str]
) -> None:
    from rdflib import URIRef

    from kg.model import Entity

    base = guideline_extraction()
    entities = (
        *[e for e in base.entities if e.key != "afl"],
        Entity("afl", labels[0], "Organization"),
        Entity("afl2", labels[1], "Organization", aliases=("Fédération",)),
    )
    facts = (Fact("ms", "partnersWith", "afl2", P1),)
    iri = URIRef("https://w3id.org/kg-news/id/organization/afl-cio")
    graph = document_graph(dataclasses.replace(base, entities=entities, facts=facts), {"afl": iri, "afl2": iri})
    save_graphs(tmp_path, [graph], {})
    doc = gold_json(load_dataset(tmp_path))[GUIDELINE_DOC_ID]
    (entity,) = [e for e in doc["entities"] if e["iri"] == str(iri)]
    assert (entity["label"], entity["aliases"]) == (expected_label, expected_aliases)
    assert doc["facts"] == [{"s": "Microsoft", "p": "partnersWith", "o": expected_label}]

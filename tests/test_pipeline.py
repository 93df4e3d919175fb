"""End to end: build real corpora, export, score, validate, rebuild."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
from conftest import EXAMPLES, shared_corpus
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import kg
from kg.export import export
from kg.store import load_dataset, union_graph
from kg.validate import validate


def test_every_document_reported(shared_build):
    corpus, _, out, result = shared_build
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    paths = sorted(p.name for p in corpus.iterdir())
    assert sorted(f["path"] for f in report["files"]) == paths
    assert all(f["status"] in {"ok", "warning"} for f in report["files"])
    assert report["summary"]["documents"] == len(paths) == result.documents
    assert result.facts > 0 and result.entities > 0


def test_gold_json_has_one_file_per_document_named_by_stem(shared_build, tmp_path):
    corpus, _, out, _ = shared_build
    pred = tmp_path / "pred"
    export(out, "gold-json", pred)
    assert sorted(p.stem for p in pred.glob("*.json")) == sorted(p.stem for p in corpus.iterdir())
    for f in pred.glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        assert data["doc"] == f.stem and data["lang"] in {"fr", "en"}
        labels = {e["label"] for e in data["entities"]}
        for e in data["entities"]:
            assert set(e) == {"label", "type", "aliases", "iri"}
            pyoxigraph.NamedNode(e["iri"])
        for fact in data["facts"]:
            assert fact["s"] in labels
            assert set(fact) <= {"s", "p", "o", "amount", "currency", "count", "year", "role"}


def test_graph_parses_with_pyoxigraph(shared_build):
    _, _, out, _ = shared_build
    quads = list(pyoxigraph.parse(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG))
    rdflib_quads = sum(len(g) for g in load_dataset(out).graphs())
    assert len(quads) == rdflib_quads > 0
    graphs = {q.graph_name for q in quads}
    assert len(graphs) == 25


def test_graph_conforms_to_shapes(shared_build):
    _, _, out, _ = shared_build
    result = validate(out)
    assert result.conforms, result.text


def test_rebuild_is_isomorphic(shared_build, tmp_path):
    corpus, _, out, _ = shared_build
    again = tmp_path / "again"
    kg.build(corpus, again, explorer=False)
    first, second = union_graph(load_dataset(out)), union_graph(load_dataset(again))
    if not isomorphic(first, second):
        _, only_first, only_second = graph_diff(to_isomorphic(first), to_isomorphic(second))
        pytest.fail(f"rebuild differs:\n-{sorted(only_first)[:5]}\n+{sorted(only_second)[:5]}")
    assert (out / "graph.trig").read_bytes() == (again / "graph.trig").read_bytes()


def test_every_fact_has_provenance(shared_build):
    _, _, out, _ = shared_build
    rows = kg.query(
        out,
        """
        SELECT ?st ?doc ?sentence ?start ?end ?rule ?conf ?text WHERE {
          ?st a kg:Statement ; prov:wasDerivedFrom ?doc ; kg:sentence ?sentence ; kg:start ?start ;
              kg:end ?end ; kg:rule ?rule ; kg:confidence ?conf .
          ?doc kg:text ?text .
        }""",
    )
    statements = kg.query(out, "SELECT (COUNT(?st) AS ?n) WHERE { ?st a kg:Statement }")[0]["n"]
    assert len(rows) == statements > 0
    for row in rows:
        assert 0 <= row["start"] < row["end"] <= len(row["text"])
        assert row["sentence"] == row["text"][row["start"] : row["end"]].strip()
        assert 0.0 <= float(row["conf"]) <= 1.0


def test_example_corpus_builds_and_conforms(example_build):
    out, result = example_build
    assert result.skipped == 0
    assert result.documents == len([p for p in EXAMPLES.iterdir() if p.suffix in {".txt", ".md", ".html"}])
    assert (out / "explorer.html").is_file()
    assert validate(out).conforms


def test_example_chrome_gives_nothing(example_build):
    out, _ = example_build
    labels = {r["label"] for r in kg.query(out, "SELECT ?label WHERE { ?e a ?c ; rdfs:label ?label }")}
    # the saved page's comment section names companies the article never mentions
    assert "Tesla" not in labels


def test_min_confidence_keeps_fewer_facts(tmp_path):
    all_facts = kg.build(EXAMPLES, tmp_path / "a", explorer=False).facts
    strict = kg.build(EXAMPLES, tmp_path / "b", explorer=False, min_confidence=0.8).facts
    assert 0 < strict < all_facts
    confs = kg.query(tmp_path / "b", "SELECT ?c WHERE { ?st kg:confidence ?c }")
    assert all(float(r["c"]) >= 0.8 for r in confs)


def test_a_failing_document_is_skipped_and_the_rest_kept(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Amazon a investi 4 milliards de dollars dans Anthropic.\n", encoding="utf-8")
    (corpus / "zip.md").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    result = kg.build(corpus, tmp_path / "out", explorer=False)
    status = {f.path: f.status for f in result.files}
    assert status == {"good.txt": "ok", "zip.md": "skipped"}
    assert result.facts >= 1
    reason = next(f.reason for f in result.files if f.path == "zip.md")
    assert "zip.md" in reason or "binary" in reason.lower()


def test_shared_corpus_helper_copies_everything(tmp_path):
    corpus, gold = shared_corpus(tmp_path)
    assert len(list(corpus.iterdir())) == len(list(gold.iterdir())) == 25

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kg_samples import guideline_extraction, rich_extraction
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg import store
from kg.errors import GraphError
from kg.model import Document, Entity, Extraction, Fact, Provenance
from kg.rdf import document_graph, document_iri
from kg.store import GRAPH_FILE, MANIFEST_FILE, load_dataset, load_manifest, save_graphs, union_graph


def sample_graphs() -> list[Graph]:
    return [
        document_graph(guideline_extraction(), {}),
        document_graph(rich_extraction("rich a"), {}),
        document_graph(rich_extraction("rich-b", "en"), {}),
    ]


def manifest_of(graphs: list[Graph]) -> dict:
    return {str(g.identifier).rsplit("/", 1)[1]: {"path": "p", "sha256": "0" * 64} for g in graphs}


@pytest.fixture
def saved(tmp_path: Path) -> tuple[Path, list[Graph]]:
    graphs = sample_graphs()
    save_graphs(tmp_path / "out", graphs, manifest_of(graphs))
    return tmp_path / "out", graphs


@pytest.mark.parametrize("store_name", ["default"])
def test_save_then_load_gives_the_same_named_graphs(saved: tuple[Path, list[Graph]], store_name: str) -> None:
    out, graphs = saved
    dataset = load_dataset(out, store=store_name)
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert names == {g.identifier for g in graphs}
    for graph in graphs:
        assert isomorphic(dataset.graph(graph.identifier), graph), graph.identifier


@pytest.mark.parametrize("n_graphs", [3])
def test_trig_parses_with_pyoxigraph(saved: tuple[Path, list[Graph]], n_graphs: int) -> None:
    out, graphs = saved
    quads = list(pyoxigraph.parse(path=out / GRAPH_FILE, format=pyoxigraph.RdfFormat.TRIG))
    assert len(quads) == sum(len(g) for g in graphs)
    names = {q.graph_name.value for q in quads}
    assert len(names) == n_graphs and names == {str(g.identifier) for g in graphs}
    store_ = pyoxigraph.Store()
    store_.extend(quads)
    assert len(store_) == len(quads)


@pytest.mark.parametrize("prefix", ["@prefix kg:", "@prefix schema:", "@prefix prov:", "@prefix dcterms:"])
def test_trig_binds_readable_prefixes(saved: tuple[Path, list[Graph]], prefix: str) -> None:
    out, _ = saved
    assert prefix in (out / GRAPH_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize("seeds", [("0", "1", "12345")])
def test_trig_bytes_do_not_depend_on_hash_seed_or_input_order(tmp_path: Path, seeds: tuple[str, ...]) -> None:
    script = textwrap.dedent(
        """
        import sys
        from kg_samples import guideline_extraction, rich_extraction
        from kg.rdf import document_graph
        from kg.store import save_graphs
        graphs = [document_graph(guideline_extraction(), {}), document_graph(rich_extraction("r1"), {}),
                  document_graph(rich_extraction("r2", "en"), {})]
        if sys.argv[2] == "reverse":
            graphs.reverse()
        save_graphs(sys.argv[1], graphs, {"b": {"path": "b"}, "a": {"path": "a"}})
        """
    )
    outputs = []
    for i, seed in enumerate(seeds):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(Path(__file__).parent))
        out = tmp_path / f"out{i}"
        order = "reverse" if i % 2 else "forward"
        subprocess.run([sys.executable, "-c", script, str(out), order], check=True, env=env)
        outputs.append(((out / GRAPH_FILE).read_bytes(), (out / MANIFEST_FILE).read_bytes()))
    assert all(o == outputs[0] for o in outputs)
    text = outputs[0][0].decode()
    positions = [text.index(f"<{document_iri(d)}> {{") for d in ("000_c6c4ca0f03ca34c8", "r1", "r2")]
    assert positions == sorted(positions)


@pytest.mark.parametrize("manifest", [{"doc1": {"path": "a/doc1.txt", "sha256": "ab" * 32}, "été": {"path": "é.md"}}])
def test_manifest_round_trip(tmp_path: Path, manifest: dict) -> None:
    save_graphs(tmp_path, [], manifest)
    assert load_manifest(tmp_path) == manifest
    assert list(json.loads((tmp_path / MANIFEST_FILE).read_text(encoding="utf-8"))) == sorted(manifest)


@pytest.mark.parametrize("content", [None])
def test_missing_manifest_is_empty(tmp_path: Path, content: None) -> None:
    assert load_manifest(tmp_path) == {}


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_bad_manifest_raises(tmp_path: Path, content: str) -> None:
    (tmp_path / MANIFEST_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(GraphError, match=MANIFEST_FILE):
        load_manifest(tmp_path)


@pytest.mark.parametrize("setup,match", [
    ("no-folder", "output folder not found"),
    ("no-file", "graph file not found"),
    ("garbage", "cannot parse TriG"),
])  # fmt: skip
def test_load_dataset_errors_name_the_path(tmp_path: Path, setup: str, match: str) -> None:
    out = tmp_path / "out"
    if setup != "no-folder":
        out.mkdir()
    if setup == "garbage":
        (out / GRAPH_FILE).write_text("<a> <b> { this is not trig", encoding="utf-8")
    with pytest.raises(GraphError, match=match) as info:
        load_dataset(out)
    assert str(out) in str(info.value)


@pytest.mark.parametrize("failing", ["os.replace", "serialize"])
def test_a_failed_save_leaves_the_previous_graph_intact(
    saved: tuple[Path, list[Graph]], monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    out, _ = saved
    before = (out / GRAPH_FILE).read_bytes(), (out / MANIFEST_FILE).read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    def half_written(handle, graphs):
        handle.write(b"@prefix kg: <https://w3id.org/kg-news/ontology#> .\n<https://w3id.org/kg-news/doc/x> {")
        raise OSError("disk full")

    if failing == "os.replace":
        monkeypatch.setattr(store.os, "replace", boom)
    else:  # the disk fills up in the middle of the graph file
        monkeypatch.setattr(store, "write_trig", half_written)
    with pytest.raises(GraphError, match="disk full"):
        save_graphs(out, [document_graph(guideline_extraction(), {})], {"x": {}})
    assert ((out / GRAPH_FILE).read_bytes(), (out / MANIFEST_FILE).read_bytes()) == before
    assert sorted(p.name for p in out.iterdir()) == [GRAPH_FILE, MANIFEST_FILE]


@pytest.mark.parametrize("identifier,match", [
    (None, "named by an IRI"),
    (document_iri("000_c6c4ca0f03ca34c8"), "two graphs are named"),
])  # fmt: skip
def test_graphs_must_be_distinct_named_graphs(tmp_path: Path, identifier: URIRef | None, match: str) -> None:
    good = document_graph(guideline_extraction(), {})
    other = Graph(identifier=identifier) if identifier is not None else Graph()
    other += good
    with pytest.raises(GraphError, match=match):
        save_graphs(tmp_path, [good, other], {})
    assert not (tmp_path / GRAPH_FILE).exists()


@pytest.mark.parametrize("manifest", [{"doc": {"path": object()}}])
def test_unserializable_manifest_raises_before_writing(tmp_path: Path, manifest: dict) -> None:
    with pytest.raises(GraphError, match="JSON"):
        save_graphs(tmp_path, sample_graphs(), manifest)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("n_graphs", [3])
def test_union_graph_merges_all_graphs(saved: tuple[Path, list[Graph]], n_graphs: int) -> None:
    out, graphs = saved
    union = union_graph(load_dataset(out))
    expected = Graph()
    for graph in graphs:
        expected += graph
    assert len(graphs) == n_graphs
    assert set(union) == set(expected)


@pytest.mark.parametrize("store_name", ["Oxigraph"])
def test_load_dataset_into_oxigraph_store(saved: tuple[Path, list[Graph]], store_name: str) -> None:
    pytest.importorskip("oxrdflib")
    out, graphs = saved
    dataset = load_dataset(out, store=store_name)
    assert sum(len(g) for g in dataset.graphs()) == sum(len(g) for g in graphs)


@pytest.mark.parametrize("store_name", ["NoSuchStore"])
def test_unknown_store_plugin(saved: tuple[Path, list[Graph]], store_name: str) -> None:
    out, _ = saved
    with pytest.raises(GraphError, match="NoSuchStore"):
        load_dataset(out, store=store_name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(), label=st.text(min_size=1), doc_id=st.text(min_size=1))
def test_any_text_survives_a_trig_round_trip(tmp_path: Path, text: str, label: str, doc_id: str) -> None:
    doc = Document(doc_id, "p", text, "en", "0" * 64, title=text, source=label)
    p = Provenance(text, 0, len(text), label, 0.5)
    facts = (Fact("a", "said", text + "x", p, object_kind="quote"), Fact("a", "worksFor", "a", p, role=text))
    graph = document_graph(Extraction(doc, (Entity("a", label, "Person", aliases=(text,)),), facts), {})
    out = tmp_path / "rt"
    save_graphs(out, [graph], {doc_id: {"path": text}})
    quads = list(pyoxigraph.parse(path=out / GRAPH_FILE, format=pyoxigraph.RdfFormat.TRIG))
    assert len(quads) == len(graph)
    assert isomorphic(load_dataset(out).graph(graph.identifier), graph)
    assert load_manifest(out) == {doc_id: {"path": text}}


def _by_value(triples) -> set:
    from rdflib import Literal

    return {(s, p, (o.datatype, o.language, o.toPython()) if isinstance(o, Literal) else o) for s, p, o in triples}


def test_the_oxigraph_union_view_holds_what_rdflib_reads(saved: tuple[Path, list[Graph]]) -> None:
    from rdflib import RDF

    from kg.store import UnionView
    from kg.vocab import KG

    out, _ = saved
    union = union_graph(load_dataset(out))
    view = UnionView.load(out)
    assert len(view) == len(union)
    assert _by_value(view.triples((None, None, None))) == _by_value(union)
    # every look-up the explorer and the analyses use
    statement = next(union.subjects(RDF.type, KG.Statement))
    assert set(view.subjects(RDF.type, KG.Statement)) == set(union.subjects(RDF.type, KG.Statement))
    assert _by_value((statement, p, o) for p, o in view.predicate_objects(statement)) == _by_value(
        (statement, p, o) for p, o in union.predicate_objects(statement)
    )
    subject = union.value(statement, RDF.subject)
    assert view.value(statement, RDF.subject) == subject
    assert set(view.objects(subject, RDF.type)) == set(union.objects(subject, RDF.type))
    assert view.value(statement, URIRef("https://example.org/nothing")) is None


def test_the_union_view_names_a_missing_or_broken_graph(tmp_path: Path) -> None:
    from kg.store import UnionView

    with pytest.raises(GraphError, match="output folder not found"):
        UnionView.load(tmp_path / "nope")
    (tmp_path / "out").mkdir()
    with pytest.raises(GraphError, match="graph file not found"):
        UnionView.load(tmp_path / "out")
    (tmp_path / "out" / GRAPH_FILE).write_text("<a> <b> { broken", encoding="utf-8")
    with pytest.raises(GraphError, match="cannot parse TriG"):
        UnionView.load(tmp_path / "out")


def test_graphs_given_as_name_and_triples_are_written_like_graphs(tmp_path: Path) -> None:
    from kg.rdf import document_triples

    ex = rich_extraction()
    save_graphs(tmp_path / "a", [document_graph(ex, {})], {"x": {}})
    save_graphs(tmp_path / "b", [document_triples(ex, {})], {"x": {}})
    assert (tmp_path / "a" / GRAPH_FILE).read_bytes() == (tmp_path / "b" / GRAPH_FILE).read_bytes()
    graphs = [g for g in load_dataset(tmp_path / "b").graphs() if len(g)]
    assert len(graphs) == 1 and isomorphic(graphs[0], document_graph(ex, {}))

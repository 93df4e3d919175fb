"""Named queries written for large graphs answer as their first, straightforward forms did; views are exact.

``tests/data/reference_queries`` holds each named query as it was first written
(patterns in reading order, the statement node first). The shipped forms are
written so that Oxigraph starts from the few statements that matter, and the
Oxigraph store keeps the answers of the questions that read the whole graph
(:mod:`kg.views`): both must give the very same rows, in the same order, on the
seeds + dev graph, on both stores.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import kg
from kg.engine import execute, open_engine
from kg.query import named_queries, named_query, to_term
from kg.results import Term
from kg.store import write_oxigraph
from kg.views import ENTITY_VIEWS, VIEWS_DIR, Views, source_query, view_cases, view_key

REFERENCE = Path(__file__).parent / "data" / "reference_queries"

#: Values the seeds + dev graph answers (and some it does not), per named query and parameter.
VALUES = {
    "partners-of": {"org": ["Microsoft", "openai", "MISTRAL AI", "Nobody Inc"]},
    "investments": {"investor": ["Amazon", "microsoft", "Nobody Inc"]},
    "training": {"org": ["Walmart", "openai", "Nobody Inc"]},
    "works-for": {"org": ["Microsoft", "afl-cio", "Nobody Inc"]},
    "quotes-by": {"person": ["Liz Shuler", "Brad Smith", "Nobody"]},
    "document-facts": {"doc": ["000_c6c4ca0f03ca34c8", "d15", "nothing"]},
    "top-entities": {"class": ["Organization", "Person", "Place", "Nothing"]},
}


def _cases():
    for name, spec in sorted(named_queries().items()):
        if not any(p.required for p in spec.parameters):
            yield name, {}
        for p in spec.parameters:
            for value in VALUES[name][p.name]:
                yield name, {p.name: value}


@pytest.fixture(scope="module")
def graphs(shared_build, tmp_path_factory):
    """The seeds + dev graph on both stores; the Oxigraph one with its views."""
    _, _, built, _ = shared_build
    out = tmp_path_factory.mktemp("scale") / "out"
    out.mkdir()
    shutil.copy(built / "graph.trig", out / "graph.trig")
    store = write_oxigraph(out)
    memory, oxigraph = kg.open_graph(out, store="memory"), kg.open_graph(out, store="oxigraph")
    yield out, store, memory, oxigraph
    memory.close()
    oxigraph.close()


def test_every_named_query_has_a_reference():
    assert sorted(p.stem for p in REFERENCE.glob("*.rq")) == sorted(named_queries())


@pytest.mark.parametrize(("name", "params"), list(_cases()))
def test_named_queries_answer_as_their_reference(graphs, name, params):
    _, _, memory, oxigraph = graphs
    spec = named_query(name)
    reference = REFERENCE.joinpath(f"{name}.rq").read_text(encoding="utf-8")
    expected = memory.query(reference, spec.arguments(params))
    for graph in (memory, oxigraph):
        assert graph.named(name, params).serialize("tsv") == expected.serialize("tsv"), (graph.store, name, params)
    answered = not any(str(v).lower().startswith("no") for v in params.values())
    assert (len(expected) > 0) == answered, (name, params)


def test_views_are_written_for_the_whole_graph_questions(graphs):
    _, store, _, _ = graphs
    views = Views(store)
    cases = list(view_cases())
    names = {name for name, _ in cases}
    assert names == {n for n, s in named_queries().items() if not any(p.required for p in s.parameters)}
    assert ("top-entities", {"class": to_term("Person")}) in cases
    assert {view_key(named_query(n).sparql, p) for n, p in cases} == set(views.keys)
    assert (store / VIEWS_DIR).is_dir()


@pytest.mark.parametrize(("name", "params"), [(n, p) for n, p in view_cases()])
def test_a_view_is_the_answer_of_its_query(graphs, name, params):
    out, store, _, _ = graphs
    engine = open_engine(out, "oxigraph")
    sparql = named_query(name).sparql
    kept = engine.views.get(sparql, params)
    assert kept is not None
    engine.views = None  # evaluate for real
    fresh = execute(engine, sparql, params)
    assert kept.vars == fresh.vars and kept.bindings == fresh.bindings
    assert kept.serialize("tsv") == fresh.serialize("tsv")


def test_a_view_answers_only_its_own_query_and_values(graphs):
    out, _, _, _ = graphs
    engine = open_engine(out, "oxigraph")
    sparql = named_query("top-entities").sparql
    assert engine.views.get(sparql, {}) is not None
    assert engine.views.get(sparql, {"class": to_term("person")}) is None  # another value
    assert engine.views.get(sparql + " ", {}) is None  # another text
    assert engine.views.get(sparql, {"class": to_term("Person")}) is not None
    edited = sparql.replace("LIMIT 25", "LIMIT 3")
    assert len(execute(engine, edited, {})) == 3  # evaluated, not read from a view


def test_a_pinned_pool_answers_views_without_a_worker(graphs):
    from kg.worker import WorkerPool

    out, store, _, oxigraph = graphs
    pool = WorkerPool(out, "oxigraph", 1, source=store)
    try:
        sparql = named_query("training").sparql
        kept = pool.run(sparql, {}, timeout=30)
        assert pool.pids() == []  # no worker was needed
        assert kept.serialize("tsv") == oxigraph.named("training").serialize("tsv")
        asked = pool.run(named_query("training").sparql, {"org": to_term("Walmart")}, timeout=30)
        assert pool.pids() == [] and len(asked) > 0  # kept by entity
        facts = pool.run(named_query("document-facts").sparql, {"doc": to_term("d15")}, timeout=30)
        assert pool.pids() and len(facts) > 0  # not a view: a worker evaluates it
    finally:
        pool.close()


def _names(store: Path) -> list[str]:
    db = sqlite3.connect(store / VIEWS_DIR / "entities.sqlite")
    try:
        return sorted({name for (name,) in db.execute("SELECT name FROM names")})
    finally:
        db.close()


def _fresh(out: Path, sparql: str, params: dict) -> object:
    engine = open_engine(out, "oxigraph")
    engine.views = None  # evaluate for real
    return execute(engine, sparql, params)


def test_every_entity_question_is_kept_by_entity():
    assert {v.query for v in ENTITY_VIEWS} == {
        n for n, s in named_queries().items() if any({"Organization", "Person"} & set(p.kinds) for p in s.parameters)
    }
    for view in ENTITY_VIEWS:
        assert f"?{view.column}" in source_query(view)
        assert view.param in {p.name for p in named_query(view.query).parameters}


@pytest.mark.parametrize("view", ENTITY_VIEWS, ids=lambda v: v.query)
def test_a_question_about_one_entity_is_answered_from_its_rows_as_evaluated(graphs, view):
    """Every name and alias of the graph (every third one, and in capitals every ninth), and a name of nothing."""
    out, store, _, _ = graphs
    engine = open_engine(out, "oxigraph")
    sparql = named_query(view.query).sparql
    names = _names(store)
    assert len(names) > 100
    asked = names[::3] + [n.upper() for n in names[::9]] + ["nobody at all"]
    answered = 0
    for name in asked:
        params = {view.param: Term("literal", name)}
        kept = engine.views.get(sparql, params)
        assert kept is not None, name
        fresh = _fresh(out, sparql, params)
        assert kept.vars == fresh.vars and kept.bindings == fresh.bindings, name
        answered += len(fresh) > 0
    assert answered >= 3
    assert engine.views.get(sparql + " ", {view.param: Term("literal", names[0])}) is None  # another text


def test_a_name_of_several_entities_gets_the_rows_of_each_once(graphs, tmp_path):
    """Two organisations that partner with each other answer to one alias: the rows of both, merged in order."""
    _, _, _, _ = graphs
    source = graphs[0] / "graph.trig"
    out = tmp_path / "out"
    out.mkdir()
    text = source.read_text(encoding="utf-8")
    twins = "\n".join(
        f'<https://w3id.org/kg-news/id/organization/{slug}> <http://www.w3.org/2004/02/skos/core#altLabel> "Twin Name" .'
        for slug in ("microsoft", "openai")
    )
    (out / "graph.trig").write_text(text + "\n" + twins + "\n", encoding="utf-8")
    store = write_oxigraph(out)
    engine = open_engine(out, "oxigraph")
    for view in ENTITY_VIEWS:
        sparql = named_query(view.query).sparql
        params = {view.param: Term("literal", "twin name")}
        kept = engine.views.get(sparql, params)
        fresh = _fresh(out, sparql, params)
        assert kept is not None and kept.bindings == fresh.bindings, view.query
    partners = engine.views.get(named_query("partners-of").sparql, {"org": Term("literal", "TWIN NAME")})
    alone = [
        len(engine.views.get(named_query("partners-of").sparql, {"org": Term("literal", n)}))
        for n in ("Microsoft", "OpenAI")
    ]
    assert 0 < max(alone) < len(partners) <= sum(alone)
    assert store.name.startswith("oxigraph")


def test_entity_views_without_their_file_fall_back_to_evaluation(graphs, tmp_path):
    out, store, _, oxigraph = graphs
    copy = tmp_path / store.name
    shutil.copytree(store, copy)
    (copy / VIEWS_DIR / "entities.sqlite").unlink()
    views = Views(copy)
    sparql = named_query("partners-of").sparql
    assert views.get(sparql, {"org": to_term("Microsoft")}) is None
    assert views.get(named_query("top-entities").sparql, {}) is not None  # the other views stay

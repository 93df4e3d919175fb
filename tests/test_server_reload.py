"""`kg serve` follows rebuilds: answers from one whole graph, the old or the new, and no request fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, free_port

import kg
from kg.cli import cli
from kg.errors import GraphError
from kg.live import LiveGraph
from kg.snapshot import LOCK_FILE, build_version, lease_store, oxigraph_path, remove_unused_stores, take_snapshot
from kg.store import write_oxigraph

#: Quads and documents in one query: a graph read half old, half new would give a pair no build has.
COUNTS = (
    "SELECT (COUNT(*) AS ?quads) (SUM(?doc) AS ?documents) WHERE { GRAPH ?g { ?s ?p ?o } "
    "BIND(IF(?p = rdf:type && ?o = kg:Document, 1, 0) AS ?doc) }"
)
STEPS = (4, 9, 14)  # documents of the corpus at each build


def _corpus(root: Path, n: int) -> Path:
    """The first ``n`` example articles in ``root`` (files added, never removed)."""
    root.mkdir(exist_ok=True)
    for path in sorted(EXAMPLES.iterdir())[:n]:
        if not (root / path.name).exists():
            shutil.copy(path, root / path.name)
    return root


def _counts(out: Path) -> tuple[int, int]:
    row = kg.query(out, COUNTS, store="memory")[0]
    return int(row["quads"]), int(row["documents"])


def _get_json(url: str, timeout: float = 30) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200
        return json.loads(response.read())


def _ask(endpoint: str) -> tuple[int, int]:
    data = _get_json(endpoint + "?query=" + urllib.parse.quote(COUNTS))
    row = data["results"]["bindings"][0]
    return int(row["quads"]["value"]), int(row["documents"]["value"])


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_clients_keep_querying_while_two_builds_replace_the_graph(tmp_path, store):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    kg.build(_corpus(corpus, STEPS[0]), out, store=store)
    expected = [_counts(out)]
    port = free_port()
    command = [sys.executable, "-c", "import sys; from kg.cli import cli; sys.exit(cli())", "serve", str(out),
               "--port", str(port), "--workers", "2", "--store", store]  # fmt: skip
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    answers: list[list[tuple[int, int]]] = [[] for _ in range(4)]
    failures: list[str] = []
    stop = threading.Event()

    def client(k: int) -> None:
        while not stop.is_set():
            try:
                answers[k].append(_ask(base + "/sparql"))
            except Exception as exc:  # any failed request fails the test
                failures.append(f"{type(exc).__name__}: {exc}")

    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log_path.read_text(errors="replace")
            try:
                _get_json(base + "/api/status", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "kg serve did not answer within 90 s"
                time.sleep(0.2)
        threads = [threading.Thread(target=client, args=(k,)) for k in range(len(answers))]
        for thread in threads:
            thread.start()
        for n in STEPS[1:]:
            time.sleep(1.5)
            kg.build(_corpus(corpus, n), out, store=store)
            expected.append(_counts(out))
        deadline = time.monotonic() + 60
        while _ask(base + "/sparql") != expected[-1]:
            assert time.monotonic() < deadline, "the server did not move to the last build"
            time.sleep(0.2)
        time.sleep(1.0)  # clients keep asking the newest graph
        stop.set()
        for thread in threads:
            thread.join(60)
        status = _get_json(base + "/api/status")
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log_text = log_path.read_text(errors="replace")
    assert expected[0] < expected[1] < expected[2], expected  # each build changes the answer
    assert not failures, failures[:5]
    for seen in answers:
        assert seen, "a client got no answer"
        assert set(seen) <= set(expected), (set(seen) - set(expected), expected)
        order = [expected.index(a) for a in seen]
        assert order == sorted(order), "an answer from an older graph after one from a newer"
        assert seen[-1] == expected[-1]
    assert status["build"]["documents"] == STEPS[-1] and status["reloads"] >= 1 and status["store"] == store
    assert status["memory"]["server"] > 0 and status["start_seconds"] > 0
    assert "switched to build of" in log_text and f"{STEPS[-1]} documents" in log_text, log_text
    assert "ready in" in log_text and "memory" in log_text
    if store == "oxigraph":  # the stores of the earlier builds are gone once the server let them go
        deadline = time.monotonic() + 10
        while len([p for p in out.iterdir() if p.name.startswith("oxigraph")]) > 1:
            assert time.monotonic() < deadline, sorted(p.name for p in out.iterdir())
            time.sleep(0.2)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two builds of growing corpora in one folder, the first kept aside: (corpus, out, first out)."""
    tmp = tmp_path_factory.mktemp("reload")
    corpus, out = tmp / "corpus", tmp / "out"
    kg.build(_corpus(corpus, STEPS[0]), out, store="oxigraph")
    return corpus, out


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_query_in_flight_finishes_on_its_graph_and_the_old_store_goes_after(tmp_path, built, store):
    corpus, source = built
    out = tmp_path / "out"
    shutil.copytree(source, out)
    if store == "oxigraph":
        write_oxigraph(out)  # a store of this folder's own
    live = LiveGraph(out, store=store, timeout=30, workers=1, interval=3600)
    live.open()
    try:
        old = _counts(out)
        with live.use() as held:
            kg.build(_corpus(tmp_path / "more", STEPS[1]), out, store=store)
            new = _counts(out)
            assert new != old
            assert live.poll() is True
            assert held.graph.query(COUNTS).rows()[0]["quads"] == old[0]  # in flight: still the old graph
            with live.use() as fresh:
                assert fresh is not held and fresh.graph.query(COUNTS).rows()[0]["quads"] == new[0]
            if store == "oxigraph":
                assert held.snapshot.source.is_dir() and held.snapshot.source != oxigraph_path(out)
        assert live.poll() is False  # nothing new
        deadline = time.monotonic() + 10
        while held.snapshot.source.exists():
            assert time.monotonic() < deadline, f"the old {'store' if store == 'oxigraph' else 'pinned graph file'} was not removed"
            time.sleep(0.1)
    finally:
        live.close()


def test_no_reload_keeps_the_graph(tmp_path, built):
    _, source = built
    out = tmp_path / "out"
    shutil.copytree(source, out)
    live = LiveGraph(out, store="oxigraph", timeout=30, workers=1, reload=False)
    live.open()
    try:
        before = _counts(out)
        kg.build(_corpus(tmp_path / "more", STEPS[1]), out, store="oxigraph")
        time.sleep(0.5)
        with live.use() as generation:
            assert generation.graph.query(COUNTS).rows()[0]["quads"] == before[0] != _counts(out)[0]
        assert live.status()["reloads"] == 0
    finally:
        live.close()


def test_a_build_in_progress_is_not_taken(tmp_path, built):
    _, source = built
    out = tmp_path / "out"
    shutil.copytree(source, out)
    version = build_version(out)
    assert version is not None
    graph = out / "graph.trig"
    os.utime(graph, ns=(graph.stat().st_atime_ns, graph.stat().st_mtime_ns + 10**9))  # a new graph, no report yet
    assert build_version(out) is None
    report = json.loads((out / "report.json").read_text())
    report["fingerprint"] = ""
    report["outputs"]["graph.trig"] = [graph.stat().st_size, graph.stat().st_mtime_ns]
    (out / "report.json").write_text(json.dumps(report))
    assert build_version(out) is None  # the report of a build that has not finished
    report["fingerprint"] = "x"
    (out / "report.json").write_text(json.dumps(report))
    assert build_version(out) not in (None, version)


def test_a_held_store_is_kept_and_removed_once_let_go(tmp_path, built):
    _, source = built
    out = tmp_path / "out"
    shutil.copytree(source, out)
    first = oxigraph_path(out)
    lease = lease_store(out)
    assert lease.path == first and (first / LOCK_FILE).is_file()
    second = write_oxigraph(out)
    assert second != first and oxigraph_path(out) == second
    assert first.is_dir()  # held
    assert remove_unused_stores(out) == []
    lease.close()
    assert remove_unused_stores(out) == [first] and not first.exists() and second.is_dir()
    assert kg.query(out, "ASK { ?s ?p ?o }", store="oxigraph")[0]["ask"] is True


def test_a_memory_snapshot_survives_a_new_graph_file(tmp_path, built):
    _, source = built
    out = tmp_path / "out"
    shutil.copytree(source, out)
    snap = take_snapshot(out, "memory")
    before = snap.source.read_bytes()
    tmp = out / "graph.new"
    tmp.write_bytes(b"")
    os.replace(tmp, out / "graph.trig")  # what a build's atomic write does
    assert snap.source.read_bytes() == before
    snap.close()
    assert not snap.source.exists()


def test_the_memory_store_refuses_a_graph_too_large(tmp_path, built):
    _, source = built
    out = tmp_path / "out"
    shutil.copytree(source, out)
    live = LiveGraph(out, store="memory", memory_limit=100, reload=False)
    with pytest.raises(GraphError, match="--store oxigraph"):
        live.open()
    result = CliRunner().invoke(cli, ["serve", str(out), "--store", "memory", "--memory-limit", "100"])
    assert result.exit_code != 0
    assert "more than 100 quads" in result.output and "--store oxigraph" in result.output
    live = LiveGraph(out, store="memory", memory_limit=None, reload=False, workers=1)
    live.open()  # no limit
    try:
        assert live.status()["quads"] > 100
    finally:
        live.close()

"""How fast a big explorer page becomes interactive, against a default pyvis page of the same graph.

Usage::

    python benchmarks/explorer_bench.py [--nodes 5000] [--edges 10000] [--timeout 120] [--keep DIR]

Builds a synthetic kg graph (a preferential-attachment graph, like news
graphs: a few hubs, many leaves) of ``--nodes`` entities and ``--edges`` facts
spread over 100 documents, writes it as a kg output folder, then writes:

- our page: ``kg.viz.write_explorer(..., max_nodes=None)`` (every node drawn,
  positions precomputed, physics off);
- a default pyvis page of the same nodes and edges (``pyvis.network.Network``
  with its defaults, physics on; vis-network inlined with
  ``cdn_resources="in_line"``, since pyvis's default ``"local"`` loads it
  from a CDN and the page stays blank offline).

Each page is opened in headless Chromium (``/usr/bin/chromium`` or
``$KG_CHROMIUM``) with every request but the page itself aborted. "Interactive"
is the first animation frame after the graph is laid out and drawn: for ours,
``window.kgReady`` (set on vis-network's first ``afterDrawing``); for pyvis, the
end of its stabilisation (its loading bar fades out). Times are from the start
of navigation (``performance.now()``), capped at ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from kg.model import Document, Entity, Extraction, Fact, Provenance
from kg.rdf import document_graph
from kg.store import save_graphs
from kg.viz import CLASS_COLOURS, write_explorer

CLASSES = ("Organization", "Organization", "Person", "Product", "Program", "Place", "Event")
PREDICATES = ("partnersWith", "investsIn", "worksFor", "memberOf", "develops", "offers", "organizes", "locatedIn")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
OURS_READY = "() => window.kgReady === true && performance.now()"
PYVIS_READY = """() => { if (!window.network) return false;
  const bar = document.getElementById('loadingBar');
  return (!bar || bar.style.opacity === '0') && performance.now(); }"""


def synthetic_graph(
    n_nodes: int, n_edges: int, seed: int = 1
) -> tuple[list[tuple[str, str]], list[tuple[int, str, int]]]:
    """Entities ``(label, class)`` and facts ``(subject, predicate, object)`` with preferential attachment."""
    rng = random.Random(seed)
    nodes = [(f"Entity {i:05d}", CLASSES[i % len(CLASSES)]) for i in range(n_nodes)]
    ends: list[int] = [0, 1]
    edges: set[tuple[int, int]] = {(0, 1)}
    per_node = max(1, n_edges // max(n_nodes, 1))
    for new in range(2, n_nodes):
        for _ in range(per_node):
            if len(edges) >= n_edges:
                break
            old = rng.choice(ends)
            if old != new and (old, new) not in edges:
                edges.add((old, new))
                ends += [old, new]
    while len(edges) < n_edges:
        a, b = rng.choice(ends), rng.randrange(n_nodes)
        if a != b and (a, b) not in edges and (b, a) not in edges:
            edges.add((a, b))
            ends += [a, b]
    facts = [(a, PREDICATES[(a + b) % len(PREDICATES)], b) for a, b in sorted(edges)]
    return nodes, facts


def write_kg(out: Path, nodes, facts, n_docs: int = 100) -> None:
    """Write the synthetic graph as a kg output folder: one document per 1/n_docs of the facts."""
    extractions = []
    for d in range(n_docs):
        mine = facts[d::n_docs]
        keys = sorted({x for a, _, b in mine for x in (a, b)})
        sentences = [
            f"{nodes[a][0]} {p} {nodes[b][0]} in a synthetic sentence number {i}." for i, (a, p, b) in enumerate(mine)
        ]
        text = " ".join(sentences)
        doc = Document(f"doc-{d:03d}", f"doc-{d:03d}.txt", text, "en", f"{d:064x}", title=f"Synthetic article {d}",
                       date=f"2024-{1 + d % 12:02d}-{1 + d % 28:02d}", url=f"https://example.org/{d}")  # fmt: skip
        entities = tuple(Entity(f"e{k}", nodes[k][0], nodes[k][1]) for k in keys)
        out_facts, pos = [], 0
        for (a, p, b), sentence in zip(mine, sentences):
            prov = Provenance(sentence, pos, pos + len(sentence), "synthetic", 0.5 + (a * 7 + b) % 50 / 100)
            out_facts.append(Fact(f"e{a}", p, f"e{b}", prov))
            pos += len(sentence) + 1
        extractions.append(Extraction(doc, entities, tuple(out_facts)))
    graphs = [document_graph(x, {}) for x in extractions]
    save_graphs(
        out, graphs, {x.document.doc_id: {"path": x.document.path, "sha256": x.document.sha256} for x in extractions}
    )


def write_pyvis(dest: Path, nodes, facts) -> None:
    """A pyvis page with pyvis's defaults (physics on), vis-network inlined."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for i, (label, cls) in enumerate(nodes):
        net.add_node(i, label=label, color=CLASS_COLOURS[cls])
    # add_edge checks every existing edge for a duplicate (quadratic): append what it would add
    net.edges = [{"from": a, "to": b, "label": p, "title": p, "arrows": "to"} for a, p, b in facts]
    dest.write_text(net.generate_html(notebook=False), encoding="utf-8")


def time_page(browser, path: Path, ready: str, timeout: float) -> tuple[float | None, int]:
    """Milliseconds from navigation to interactive (None past ``timeout``), and requests aborted."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    url, blocked = path.resolve().as_uri(), []

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    try:
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        handle = page.wait_for_function(ready, timeout=timeout * 1000)
        return float(handle.json_value()), len(blocked)
    except Exception:  # playwright's TimeoutError, or a page that never drew
        return None, len(blocked)
    finally:
        page.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--edges", type=int, default=10000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--keep", type=Path, help="write the graph and both pages here instead of a temporary folder")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("no chromium binary: apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    nodes, facts = synthetic_graph(args.nodes, args.edges)
    t = time.perf_counter()
    write_kg(work / "out", nodes, facts)
    print(f"graph: {len(nodes):,} nodes, {len(facts):,} facts, written in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    ours = write_explorer(work / "out", work / "ours.html", max_nodes=None)
    print(f"ours:  page written by kg.viz in {time.perf_counter() - t:.1f} s ({ours.stat().st_size / 1e6:.1f} MB)")
    t = time.perf_counter()
    write_pyvis(work / "pyvis.html", nodes, facts)
    size = (work / "pyvis.html").stat().st_size / 1e6
    print(f"pyvis: page written in {time.perf_counter() - t:.1f} s ({size:.1f} MB)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        results = [
            ("kg explorer (positions precomputed, physics off)", *time_page(browser, ours, OURS_READY, args.timeout)),
            ("pyvis defaults (physics on)", *time_page(browser, work / "pyvis.html", PYVIS_READY, args.timeout)),
        ]
        browser.close()
    print(f"\ntime to interactive in headless Chromium, {len(nodes):,} nodes / {len(facts):,} edges:")
    for name, ms, blocked in results:
        shown = f">{args.timeout:.0f} s" if ms is None else f"{ms / 1000:.2f} s"
        print(f"  {name:<50} {shown:>9}   ({blocked} request(s) blocked)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The explorer: one self-contained HTML page of the graph (vis-network from pyvis, inlined).

The page draws the entities as nodes coloured by class and the facts as edges
labelled by property; clicking a node or an edge lists its facts with the
sentence each was read from, the mention highlighted, the confidence and the
source document. It has a search box, filters and a neighbourhood view (see
``kg/explorer/explorer.js``). ``#node=IRI`` in the page's address selects that
entity; served by ``kg serve``, the page links to the query page (``query``),
and a selected entity to the questions about it (``query?about=IRI``).

Safety: news text is untrusted. Every text from the graph (labels, titles,
sentences, URLs) reaches the page only as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` written
as ``\\u003c``-style escapes, and the page script inserts it with
``textContent``; node and edge ids are integers. The page's own template is
autoescaped Jinja (pyvis's is not), and a Content-Security-Policy lets only the
page's own scripts run (by hash) and forbids every network request.

Scale: positions are computed in Python (:mod:`kg.explorer.layout`) and physics
starts off, so the page is drawn at once; only the ``max_nodes`` most central
nodes are drawn, and the page says how many were left out.

>>> from rdflib import Graph
>>> html = graph_html(Graph())
>>> html.startswith("<!DOCTYPE html>") and "http://" not in html.split("<script")[0]
True
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections import defaultdict
from importlib.resources import files
from pathlib import Path
from typing import Any

from kg.errors import GraphError

__all__ = ["write_explorer", "explorer_html", "graph_html", "CLASS_COLOURS", "SIZE_BY", "DEFAULT_MAX_NODES"]

#: Colour of each node class (legend order).
CLASS_COLOURS = {
    "Person": "#e6862e",
    "Organization": "#3c78d8",
    "Product": "#9a4fc4",
    "Program": "#2e9e6a",
    "Place": "#c2a125",
    "Event": "#d24b6a",
    "Group": "#8a8a8a",
}
#: Node size measures the page offers.
SIZE_BY = ("degree", "pagerank")
#: Nodes drawn unless told otherwise.
DEFAULT_MAX_NODES = 500
_VIS = "templates/lib/vis-9.1.2"
_SOURCE_MAP = re.compile(r"^\s*(//[#@] sourceMappingURL=\S*|/\*[#@] sourceMappingURL=[^*]*\*/)\s*$", re.M)


def _package_folder(package: str) -> Any:
    """The folder of an installed package, found without importing it (pyvis imports IPython)."""
    from importlib.util import find_spec

    spec = find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return files(package)


def _asset(package: str, name: str) -> str:
    """A script or style sheet to inline, without its source-map comment (the map is not shipped)."""
    text = _package_folder(package).joinpath(name).read_text(encoding="utf-8")
    text = _SOURCE_MAP.sub("", text)
    if "</script" in text.lower() or "</style" in text.lower():
        raise GraphError(f"{package}/{name}: cannot be inlined (contains a closing script or style tag)")
    return text


def _json_for_html(data: object) -> str:
    """JSON that cannot end a ``<script>`` block or open a comment in it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, escape)
    return text


def _payload(graph, max_nodes: int | None, size_by: str, physics: bool) -> dict:
    """The page's data: nodes with positions, edges grouping facts, facts with provenance."""
    from kg.explorer.data import find_marks, read_graph
    from kg.explorer.layout import centrality, most_central, positions

    data = read_graph(graph)
    iris = list(data.entities)
    index = {iri: i for i, iri in enumerate(iris)}
    groups: dict[tuple[int, str, int], list[int]] = defaultdict(list)
    for n, fact in enumerate(data.facts):
        if fact.o is None:
            continue
        a, b = index[fact.s], index[fact.o]
        if fact.p in data.symmetric and b < a:
            a, b = b, a
        groups[(a, fact.p, b)].append(n)
    degree, rank = centrality(len(iris), [(a, b, len(f)) for (a, _, b), f in groups.items()])
    kept = most_central(degree, rank, max_nodes)
    drawn = set(kept)
    facts = [f for f in data.facts if index[f.s] in drawn or (f.o is not None and index[f.o] in drawn)]
    context = sorted({index[x] for f in facts for x in (f.s, f.o) if x is not None} - drawn)
    order = kept + context  # page ids: drawn nodes first, then the other ends of their facts
    page_id = {node: i for i, node in enumerate(order)}
    edge_keys = sorted(k for k in groups if k[0] in drawn and k[2] in drawn)
    coords = positions(len(kept), [(page_id[a], page_id[b]) for a, _, b in edge_keys])
    docs = sorted(data.docs.values(), key=lambda d: (d.date, d.title, d.iri))
    doc_id = {d.iri: i for i, d in enumerate(docs)}
    props = sorted({p for _, p, _ in edge_keys} | {f.p for f in facts})
    prop_id = {p: i for i, p in enumerate(props)}
    fact_id = {f.iri: i for i, f in enumerate(facts)}

    nodes = []
    for i, node in enumerate(order):
        ent = data.entities[iris[node]]
        item = {"i": ent.iri, "l": ent.label, "c": ent.cls, "n": ent.names}
        item["d"] = sorted(doc_id[d] for d in ent.docs if d in doc_id)
        item.update({"deg": degree[node], "pr": round(rank[node], 8)})
        if ent.count is not None:
            item["k"] = ent.count
        if i < len(kept):
            item["x"], item["y"] = coords[i]
        nodes.append(item)
    fact_rows = []
    for f in facts:
        s = data.entities[f.s]
        roles = [("s", s.names)] + ([("o", data.entities[f.o].names)] if f.o else [("q", [f.quote])])
        row = {"s": page_id[index[f.s]], "p": prop_id[f.p], "o": -1 if f.o is None else page_id[index[f.o]]}
        row.update({"d": doc_id.get(f.doc, -1), "t": f.sentence, "m": find_marks(f.sentence, roles)})
        row.update({"c": round(f.confidence, 3), "a": f.attrs, "r": f.rule})
        if f.quote:
            row["q"] = f.quote
        fact_rows.append(row)
    edges = []
    for a, p, b in edge_keys:
        items = sorted(groups[(a, p, b)], key=lambda n: -data.facts[n].confidence)
        edges.append(
            {"f": page_id[a], "t": page_id[b], "p": prop_id[p], "x": [fact_id[data.facts[n].iri] for n in items]}
        )
    return {
        "meta": {
            "total": len(iris),
            "shown": len(kept),
            "left_out": len(iris) - len(kept),
            "max_nodes": max_nodes,
            "facts": len(data.facts),
            "size_by": size_by,
            "physics": physics,
        },
        "classes": [[c, colour] for c, colour in CLASS_COLOURS.items()],
        "props": [[p, p not in data.symmetric] for p in props],
        "docs": [{"i": d.ident, "t": d.title, "d": d.date, "u": d.url, "l": d.lang} for d in docs],
        "nodes": nodes,
        "facts": fact_rows,
        "edges": edges,
    }


def graph_html(
    graph, *, max_nodes: int | None = DEFAULT_MAX_NODES, size_by: str = "pagerank", physics: bool = False
) -> str:
    """The explorer page of an rdflib graph (all documents' triples together), as an HTML string.

    Args:
        graph: a kg graph, e.g. :func:`kg.store.union_graph` of a build.
        max_nodes: draw only this many nodes, the most central by PageRank
            (``None``: all of them).
        size_by: node size by ``"degree"`` (number of facts) or ``"pagerank"``.
        physics: start with vis-network's physics on.

    Raises:
        GraphError: ``size_by`` or ``max_nodes`` is invalid.
    """
    from jinja2 import Environment, StrictUndefined

    if size_by not in SIZE_BY:
        raise GraphError(f"size_by must be one of {SIZE_BY}, not {size_by!r}")
    if max_nodes is not None and max_nodes < 1:
        raise GraphError(f"max_nodes must be at least 1, not {max_nodes}")
    payload = _payload(graph, max_nodes, size_by, physics)
    scripts = [_asset("pyvis", f"{_VIS}/vis-network.min.js"), _asset("kg.explorer", "explorer.js")]
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii") + "'" for s in scripts
    )
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(files("kg.explorer").joinpath("page.html.j2").read_text(encoding="utf-8"))
    return template.render(
        meta=payload["meta"],
        script_hashes=hashes,
        vis_css=_asset("pyvis", f"{_VIS}/vis-network.css"),
        page_css=_asset("kg.explorer", "explorer.css"),
        vis_js=scripts[0],
        page_js=scripts[1],
        data_json=_json_for_html(payload),
    )


def explorer_html(
    out_dir: str | os.PathLike[str],
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    size_by: str = "pagerank",
    physics: bool = False,
) -> str:
    """The explorer page of the graph in ``out_dir``, as an HTML string (options as :func:`graph_html`).

    Raises:
        GraphError: the graph cannot be read, or an option is invalid.
    """
    from kg.store import UnionView

    return graph_html(UnionView.load(out_dir), max_nodes=max_nodes, size_by=size_by, physics=physics)


def write_explorer(
    out_dir: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    size_by: str = "pagerank",
    physics: bool = False,
) -> Path:
    """Write the explorer page of the graph in ``out_dir`` to ``dest`` (atomically) and return its path."""
    from kg.store import atomic_write

    html = explorer_html(out_dir, max_nodes=max_nodes, size_by=size_by, physics=physics)
    return atomic_write(dest, html.encode("utf-8"))

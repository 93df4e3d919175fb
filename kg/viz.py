"""A self-contained HTML page of the graph (pyvis / vis-network, inlined).

Nodes are the entities, edges the facts between them. Every text that comes
from a document (labels, tooltips) is passed as plain data to vis-network
through JSON, never written into the HTML as markup; node ids are opaque
numbers. Links to CDNs that pyvis's template adds are removed, so the page
makes no network request when opened.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["write_explorer", "explorer_html", "CLASS_COLOURS"]

CLASS_COLOURS = {
    "Person": "#e6862e",
    "Organization": "#3c78d8",
    "Product": "#9a4fc4",
    "Program": "#2e9e6a",
    "Place": "#c2a125",
    "Event": "#d24b6a",
    "Group": "#8a8a8a",
    "Quotation": "#b0b0b0",
}
_EXTERNAL = re.compile(r"<(?:link|script)\b[^>]*\b(?:href|src)=\"https?://[^\"]*\"[^>]*>(?:\s*</script>)?", re.I)


def _graph_data(out_dir: Path) -> tuple[list[dict], list[dict]]:
    from rdflib import RDF, RDFS, Literal, URIRef

    from kg.store import load_dataset, union_graph
    from kg.vocab import KG

    g = union_graph(load_dataset(out_dir))
    classes = {str(KG[c]): c for c in CLASS_COLOURS}
    node_class: dict[URIRef, str] = {}
    for s, _, o in g.triples((None, RDF.type, None)):
        if str(o) in classes and isinstance(s, URIRef):
            node_class[s] = classes[str(o)]
    labels: dict[URIRef, str] = {}
    for s in sorted(node_class):
        names = sorted(str(x) for x in g.objects(s, RDFS.label) if isinstance(x, Literal))
        labels[s] = names[0] if names else s.rsplit("/", 1)[-1]
    ids = {iri: i for i, iri in enumerate(sorted(node_class))}
    nodes = [
        {
            "id": ids[iri],
            "label": labels[iri][:80],
            "title": f"{labels[iri]} ({node_class[iri]})",
            "color": CLASS_COLOURS[node_class[iri]],
            "group": node_class[iri],
        }
        for iri in sorted(node_class)
        if node_class[iri] not in {"Quotation"}
    ]
    keep = {n["id"] for n in nodes}
    edges = []
    for st in sorted(g.subjects(RDF.type, KG.Statement)):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        if s in ids and o in ids and ids[s] in keep and ids[o] in keep and p is not None:
            name = str(p).rsplit("#", 1)[-1]
            sentence = str(g.value(st, KG.sentence) or "")
            edges.append({"from": ids[s], "to": ids[o], "label": name, "title": sentence[:500], "arrows": "to"})
    return nodes, edges


def explorer_html(out_dir: str | os.PathLike[str]) -> str:
    """The explorer page of the graph in ``out_dir``, as an HTML string."""
    from pyvis.network import Network

    nodes, edges = _graph_data(Path(out_dir))
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line", heading="")
    for n in nodes:
        net.add_node(n["id"], label=n["label"], title=n["title"], color=n["color"], group=n["group"])
    for e in edges:
        net.add_edge(e["from"], e["to"], label=e["label"], title=e["title"], arrows="to")
    net.toggle_physics(len(nodes) <= 1000)
    html = net.generate_html(notebook=False)
    return _EXTERNAL.sub("", html)


def write_explorer(out_dir: str | os.PathLike[str], dest: str | os.PathLike[str]) -> Path:
    """Write the explorer page of the graph in ``out_dir`` to ``dest``."""
    from kg.store import atomic_write

    return atomic_write(dest, explorer_html(out_dir).encode("utf-8"))

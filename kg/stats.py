"""Counts that summarise the graph of an output folder.

>>> from rdflib import Dataset
>>> dataset_stats(Dataset())["documents"]
0
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from rdflib import Dataset
from rdflib.namespace import RDF

from kg.model import ENTITY_TYPES, PREDICATES
from kg.store import load_dataset
from kg.vocab import KG

__all__ = ["stats", "dataset_stats"]

_KG = str(KG._NS)


def dataset_stats(dataset: Dataset) -> dict[str, Any]:
    """Return the counts of :func:`stats` for a dataset already in memory."""
    graphs = [g for g in dataset.graphs() if len(g)]
    triples: set = set()
    documents: set = set()
    members: dict[str, set] = {name: set() for name in (*ENTITY_TYPES, "Group", "Quotation")}
    statements: set = set()
    facts: Counter[str] = Counter({p: 0 for p in PREDICATES})
    quads = 0
    for graph in graphs:
        quads += len(graph)
        for s, p, o in graph:
            triples.add((s, p, o))
            if p != RDF.type or not str(o).startswith(_KG):
                continue
            name = str(o)[len(_KG) :]
            if name == "Document":
                documents.add(s)
            elif name == "Statement":
                if (graph.identifier, s) not in statements:
                    statements.add((graph.identifier, s))
                    predicate = graph.value(s, RDF.predicate)
                    if predicate is not None:
                        local = str(predicate).removeprefix(_KG)
                        facts[local] += 1
            elif name in members:
                members[name].add(s)
    return {
        "documents": len(documents),
        "named_graphs": len(graphs),
        "triples": len(triples),
        "quads": quads,
        "entities": {name: len(members[name]) for name in ENTITY_TYPES},
        "entities_total": len(set().union(*(members[name] for name in ENTITY_TYPES))),
        "groups": len(members["Group"]),
        "quotations": len(members["Quotation"]),
        "statements": len(statements),
        "facts": dict(sorted(facts.items())),
    }


def stats(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Count what the graph of the output folder ``out_dir`` holds.

    Returns:
        A dict with ``documents``, ``named_graphs``, ``triples`` (distinct
        triples over all graphs), ``quads``, ``entities`` (distinct entity IRIs
        per class, every class listed), ``entities_total``, ``groups``,
        ``quotations``, ``statements`` and ``facts`` (statements per predicate,
        every predicate listed).

    Raises:
        GraphError: ``out_dir`` has no readable ``graph.trig``.
    """
    return dataset_stats(load_dataset(out_dir))

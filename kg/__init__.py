"""kg: a knowledge graph of French and English news, with provenance.

>>> import kg
>>> "build" in kg.__all__ and callable(kg.query)
True

Typical use::

    result = kg.build("examples/corpus", "kg-out")
    rows = kg.query("kg-out", "SELECT ?s WHERE { ?s a kg:Organization }")
    G = kg.to_networkx("kg-out")                 # networkx.MultiDiGraph, nodes keyed by IRI
    kg.centrality(G, top=5)                      # and the other analyses of kg.analyze
"""

from __future__ import annotations

from kg.analyze import (
    analyze,
    centrality,
    communities,
    investment_flows,
    investment_totals,
    partnership_clusters,
    timeline,
    training_commitments,
)
from kg.convert import to_networkx
from kg.errors import KGError
from kg.export import export
from kg.pipeline import BuildResult, build
from kg.query import open_graph, query
from kg.stats import stats
from kg.validate import validate

__all__ = [
    "build",
    "BuildResult",
    "export",
    "validate",
    "stats",
    "query",
    "open_graph",
    "to_networkx",
    "analyze",
    "centrality",
    "communities",
    "partnership_clusters",
    "investment_flows",
    "investment_totals",
    "training_commitments",
    "timeline",
    "KGError",
    "__version__",
]

try:
    from importlib.metadata import version as _version

    __version__ = _version("kg")
except Exception:  # pragma: no cover - running from a source tree
    __version__ = "0"

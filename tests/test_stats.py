from __future__ import annotations

from pathlib import Path

import pytest
from kg_samples import guideline_extraction, rich_extraction

from kg.errors import GraphError
from kg.model import PREDICATES
from kg.rdf import document_graph
from kg.stats import stats
from kg.store import save_graphs


@pytest.mark.parametrize("expected", [{
    "documents": 2,
    "named_graphs": 2,
    "groups": 3,
    "quotations": 2,
    "statements": 21,
    # Microsoft and OpenAI occur in both documents: counted once
    "entities": {"Person": 3, "Organization": 9, "Product": 1, "Program": 1, "Place": 1, "Event": 1},
    "entities_total": 16,
}])  # fmt: skip
def test_stats_counts(tmp_path: Path, expected: dict) -> None:
    graphs = [document_graph(guideline_extraction(), {}), document_graph(rich_extraction(), {})]
    save_graphs(tmp_path, graphs, {})
    result = stats(tmp_path)
    assert {k: result[k] for k in expected} == expected
    assert result["quads"] == sum(len(g) for g in graphs)
    assert result["triples"] == len(set().union(*(set(g) for g in graphs)))
    assert list(result["facts"]) == sorted(PREDICATES)
    assert result["facts"]["partnersWith"] == 3 and result["facts"]["locatedIn"] == 3
    assert sum(result["facts"].values()) == result["statements"]


@pytest.mark.parametrize("missing", ["folder"])
def test_stats_without_a_graph_raises(tmp_path: Path, missing: str) -> None:
    with pytest.raises(GraphError, match="not found"):
        stats(tmp_path / missing)

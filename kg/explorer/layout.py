"""Centrality, node selection and positions for the explorer, computed in Python.

The browser gets finished ``x``/``y`` coordinates and starts with physics off,
so even a page of thousands of nodes is drawn at once instead of running a
force simulation for minutes.

Connected components are laid out one by one and packed in rows, largest
first. A component of fewer than :data:`NX_LIMIT` nodes uses networkx's
Fruchterman-Reingold (:func:`networkx.spring_layout`), which is O(n²) per
iteration (5,000 nodes: ~50 s); a larger one uses PivotMDS followed by local
repulsion (5,000 nodes: under a second).

Everything is deterministic: nodes are integers ``0..n-1``, the random seed is
fixed, and coordinates are rounded to whole pixels.

>>> len(positions(3, [(0, 1), (1, 2)]))
3
>>> degree, rank = centrality(3, [(0, 1, 1), (1, 2, 2)])
>>> degree, most_central(degree, rank, 2)
([1, 3, 2], [1, 2])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["NX_LIMIT", "centrality", "most_central", "positions"]

#: Components with at least this many nodes use the k-d tree layout instead of networkx's.
NX_LIMIT = 500


def centrality(n: int, edges: Sequence[tuple[int, int, int]]) -> tuple[list[int], list[float]]:
    """Degree and PageRank of the nodes ``0..n-1``.

    Args:
        n: number of nodes.
        edges: ``(a, b, facts)``: an edge drawn between ``a`` and ``b`` that
            stands for ``facts`` facts.

    Returns:
        ``(degree, pagerank)``: the number of facts each node takes part in,
        and its PageRank in the undirected graph weighted by facts (so a place
        that many things are located in does not absorb all the rank).
    """
    import networkx as nx

    degree = [0] * n
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    for a, b, facts in edges:
        degree[a] += facts
        if a != b:
            degree[b] += facts
        previous = graph.get_edge_data(a, b, {"weight": 0})["weight"]
        graph.add_edge(a, b, weight=previous + facts)
    if n == 0:
        return degree, []
    rank = nx.pagerank(graph, weight="weight", tol=1e-10, max_iter=500)
    return degree, [rank[i] for i in range(n)]


def most_central(degree: Sequence[int], pagerank: Sequence[float], limit: int | None) -> list[int]:
    """The ``limit`` most central nodes (PageRank, then degree, then index), in index order."""
    order = sorted(range(len(degree)), key=lambda i: (-round(pagerank[i], 12), -degree[i], i))
    kept = order if limit is None else order[: max(limit, 0)]
    return sorted(kept)


def positions(
    n: int, edges: Sequence[tuple[int, int]], *, seed: int = 7, spacing: float = 110.0
) -> list[tuple[int, int]]:
    """Pixel coordinates of the nodes ``0..n-1``, neighbours about ``spacing`` apart, centred on 0."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    boxes = []
    for nodes in components:
        coords = _component_layout(graph, nodes, seed, spacing)
        min_x = min(x for x, _ in coords)
        min_y = min(y for _, y in coords)
        coords = [(x - min_x, y - min_y) for x, y in coords]
        width = max(x for x, _ in coords)
        height = max(y for _, y in coords)
        boxes.append((nodes, coords, width, height))
    out: list[tuple[int, int]] = [(0, 0)] * n
    for (nodes, coords, _, _), (dx, dy) in zip(boxes, _pack([(w, h) for _, _, w, h in boxes], spacing)):
        for node, (x, y) in zip(nodes, coords):
            out[node] = (x + dx, y + dy)
    if n:
        cx = (min(x for x, _ in out) + max(x for x, _ in out)) / 2
        cy = (min(y for _, y in out) + max(y for _, y in out)) / 2
        out = [(x - cx, y - cy) for x, y in out]
    return [(int(round(x)), int(round(y))) for x, y in out]


def _component_layout(graph, nodes: list[int], seed: int, spacing: float) -> list[tuple[float, float]]:
    """Coordinates of one connected component, in pixels, in the order of ``nodes``."""
    import networkx as nx

    size = len(nodes)
    if size == 1:
        return [(0.0, 0.0)]
    if size == 2:
        return [(0.0, 0.0), (spacing, 0.0)]
    index = {node: i for i, node in enumerate(nodes)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in graph.subgraph(nodes).edges()})
    if size < NX_LIMIT:
        sub = nx.Graph()
        sub.add_nodes_from(range(size))
        sub.add_edges_from(pairs)
        pos = nx.spring_layout(sub, seed=seed, iterations=60)
        scale = spacing * math.sqrt(size) / 1.3
        return [(float(pos[i][0]) * scale, float(pos[i][1]) * scale) for i in range(size)]
    return [(x * spacing, y * spacing) for x, y in _pivot_layout(size, pairs)]


def _pivot_layout(
    n: int, pairs: list[tuple[int, int]], pivots: int = 50, iterations: int = 30
) -> list[tuple[float, float]]:
    """PivotMDS (Brandes & Pich 2006) then local repulsion to spread overlapping nodes; neighbours ~1 apart.

    Graph distances from ``pivots`` far-apart nodes give the global shape by
    classical scaling in O(pivots * edges); a few rounds of Fruchterman-Reingold
    repulsion between nodes closer than 2 (found with a k-d tree) then pull
    apart the nodes that landed on top of each other.
    """
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import shortest_path
    from scipy.spatial import cKDTree

    src = np.array([a for a, _ in pairs], dtype=np.intp)
    dst = np.array([b for _, b in pairs], dtype=np.intp)
    adjacency = csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    degree = np.bincount(np.concatenate([src, dst]), minlength=n)
    chosen = [int(np.argmax(degree))]
    rows = []
    nearest = np.full(n, np.inf)
    for _ in range(min(pivots, n)):
        row = shortest_path(adjacency, directed=False, unweighted=True, indices=[chosen[-1]])[0]
        rows.append(row)
        nearest = np.minimum(nearest, row)
        chosen.append(int(np.argmax(nearest)))
    squared = np.array(rows).T ** 2
    centred = -0.5 * (squared - squared.mean(axis=0) - squared.mean(axis=1)[:, None] + squared.mean())
    left, values, _ = np.linalg.svd(centred, full_matrices=False)
    pos = left[:, :2] * values[:2]
    extent = np.maximum(np.ptp(pos, axis=0), 1e-9)
    pos = pos * math.sqrt(1.5 * n / float(extent[0] * extent[1]))
    temperature = 1.0
    for _ in range(iterations):
        near = cKDTree(pos).query_pairs(r=2.0, output_type="ndarray")
        delta = pos[near[:, 0]] - pos[near[:, 1]]
        push = delta / np.maximum((delta**2).sum(axis=1), 1e-4)[:, None]  # k² / d along the unit vector
        disp = _scatter(n, near[:, 0], push) - _scatter(n, near[:, 1], push)
        length = np.maximum(np.sqrt((disp**2).sum(axis=1)), 1e-9)
        pos += disp * (np.minimum(length, temperature) / length)[:, None]
        temperature *= 0.95
    return [(float(x), float(y)) for x, y in pos]


def _scatter(n: int, index, values):
    """Sum the rows of ``values`` into ``n`` rows by ``index`` (a faster ``np.add.at``)."""
    import numpy as np

    return np.stack(
        [np.bincount(index, weights=values[:, 0], minlength=n), np.bincount(index, weights=values[:, 1], minlength=n)],
        axis=1,
    )


def _pack(sizes: list[tuple[float, float]], margin: float) -> list[tuple[float, float]]:
    """Top-left corners that place boxes of ``sizes`` in rows, about as wide as high overall."""
    if not sizes:
        return []
    area = sum((w + margin) * (h + margin) for w, h in sizes)
    row_width = max(max(w for w, _ in sizes), math.sqrt(area) * 1.2)
    corners = []
    x = y = row_height = 0.0
    for w, h in sizes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height + margin, 0.0
        corners.append((x, y))
        x += w + margin
        row_height = max(row_height, h)
    return corners

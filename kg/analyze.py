"""Analyses of the graph: central entities, communities, partnerships, money, training, timeline.

Every function takes the graph as :func:`kg.to_networkx` returns it, or
anything :func:`kg.to_networkx` accepts (an output folder, :func:`kg.open_graph`
of one, an rdflib graph) together with its filters as keyword arguments, and
returns plain records (lists of dicts) ready for ``pandas.DataFrame`` or
``json.dumps`` (amounts are :class:`~decimal.Decimal`). :func:`analyze` runs
them all on one graph, as ``kg analyze`` does.

Results are deterministic: random seeds are fixed and every list is sorted
with tie-breaks down to the IRI.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("a", label="A", **{"class": "Organization"})
>>> G.add_node("b", label="B", **{"class": "Organization"})
>>> _ = G.add_edge("a", "b", key="partnersWith", property="partnersWith", weight=1, facts=[{"document": "d"}])
>>> [c["members"] for c in partnership_clusters(G)]
[['A', 'B']]
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from kg.errors import AnalysisError

__all__ = [
    "analyze",
    "centrality",
    "communities",
    "partnership_clusters",
    "investment_flows",
    "investment_totals",
    "training_commitments",
    "timeline",
    "ANALYSES",
    "UNKNOWN_CURRENCY",
]

#: The sections of :func:`analyze`, in order.
ANALYSES: tuple[str, ...] = ("centrality", "communities", "partnerships", "investments", "training", "timeline")
#: The currency key of amounts stated without a currency.
UNKNOWN_CURRENCY = "unknown"
#: Seed of the community detection (Louvain), fixed so runs agree.
SEED = 42
_PERIODS = {"day": 10, "month": 7, "year": 4}


def _graph(graph: Any, filters: dict[str, Any]) -> Any:
    """``graph`` if it is a networkx graph (no filters then), else :func:`kg.to_networkx` of it."""
    import networkx as nx

    from kg.convert import to_networkx

    if isinstance(graph, nx.Graph):
        if filters:
            raise AnalysisError(
                f"filters ({', '.join(sorted(filters))}) apply when reading a graph: pass them to kg.to_networkx"
            )
        return graph
    return to_networkx(graph, **filters)


def _label(G: Any, node: str) -> str:
    return str(G.nodes[node].get("label", node))


def _undirected(G: Any) -> Any:
    """``G`` as a simple undirected graph, edges weighted by their number of statements (nodes in sorted order)."""
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(sorted(G))
    for u, v, data in sorted(G.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("property", ""))):
        weight = data.get("weight", 1)
        previous = U.get_edge_data(u, v, {"weight": 0})["weight"]
        U.add_edge(u, v, weight=previous + weight)
    return U


def _top(records: list[dict[str, Any]], top: int | None) -> list[dict[str, Any]]:
    if top is not None and top < 0:
        raise AnalysisError(f"top must be 0 (all) or more, not {top}")
    return records[:top] if top else records


def centrality(graph: Any, *, top: int | None = 10, **filters: Any) -> list[dict[str, Any]]:
    """The most central nodes: PageRank, then degree.

    Degree and PageRank are those of the explorer page (:func:`kg.explorer.layout.centrality`):
    ``degree`` counts the statements a node takes part in, and PageRank runs on
    the undirected graph weighted by statements, so a place many things are
    located in does not absorb all the rank. ``neighbours`` counts distinct
    neighbours.

    Args:
        graph: a graph of :func:`kg.to_networkx`, or what it accepts (with ``filters``).
        top: how many records (``None`` or 0: all).

    Returns:
        ``[{"rank", "iri", "label", "class", "pagerank", "degree", "neighbours", "documents"}]``,
        by PageRank (rounded to 12 places), then degree, then label and IRI.
    """
    from kg.explorer.layout import centrality as explorer_centrality

    G = _graph(graph, filters)
    nodes = sorted(G)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v], d.get("weight", 1)) for u, v, d in G.edges(data=True)]
    degree, rank = explorer_centrality(len(nodes), edges)
    records = []
    for i, node in enumerate(nodes):
        attrs = G.nodes[node]
        neighbours = set(G.successors(node)) | set(G.predecessors(node))
        records.append(
            {
                "iri": node,
                "label": _label(G, node),
                "class": attrs.get("class"),
                "pagerank": round(rank[i], 8),
                "degree": degree[i],
                "neighbours": len(neighbours - {node}),
                "documents": attrs.get("doc_count", 0),
            }
        )
    records.sort(key=lambda r: (-round(r["pagerank"], 12), -r["degree"], r["label"], r["iri"]))
    for n, record in enumerate(records, 1):
        record["rank"] = n
    return _top([{"rank": r.pop("rank"), **r} for r in records], top)


def communities(
    graph: Any,
    *,
    top: int | None = None,
    min_size: int = 2,
    resolution: float = 1.0,
    seed: int = SEED,
    **filters: Any,
) -> list[dict[str, Any]]:
    """Communities of the graph by Louvain modularity (networkx, fixed seed), largest first.

    The graph is taken as undirected and weighted by statements.

    Args:
        graph: a graph of :func:`kg.to_networkx`, or what it accepts (with ``filters``).
        top: how many communities (``None`` or 0: all).
        min_size: leave out smaller communities (isolated nodes form communities of one).
        resolution: above 1 favours smaller communities, below 1 larger ones.
        seed: the random seed of the Louvain method.

    Returns:
        ``[{"id", "size", "label", "members", "iris", "classes", "internal"}]``:
        ``label`` is the member with the most statements inside the community,
        ``members`` the labels by that measure (then label), ``classes`` the
        member count per class, ``internal`` the statements inside the
        community.
    """
    import networkx as nx

    G = _graph(graph, filters)
    U = _undirected(G)
    if U.number_of_edges() == 0:
        parts = [{n} for n in U]
    else:
        parts = nx.community.louvain_communities(U, weight="weight", resolution=resolution, seed=seed)
    records = []
    for part in parts:
        if len(part) < max(min_size, 1):
            continue
        sub = U.subgraph(part)
        strength = dict(sub.degree(weight="weight"))
        members = sorted(part, key=lambda n: (-strength[n], _label(G, n), n))
        classes: dict[str, int] = defaultdict(int)
        for n in members:
            classes[str(G.nodes[n].get("class"))] += 1
        records.append(
            {
                "size": len(part),
                "label": _label(G, members[0]),
                "members": [_label(G, n) for n in members],
                "iris": members,
                "classes": dict(sorted(classes.items())),
                "internal": int(sub.size(weight="weight")),
            }
        )
    records.sort(key=lambda r: (-r["size"], -r["internal"], r["label"], r["iris"][0]))
    return _top([{"id": n, **r} for n, r in enumerate(records, 1)], top)


def partnership_clusters(graph: Any, *, min_size: int = 2, **filters: Any) -> list[dict[str, Any]]:
    """Groups of partners: the connected components of the ``partnersWith`` edges.

    Args:
        graph: a graph of :func:`kg.to_networkx`, or what it accepts (with ``filters``).
        min_size: leave out smaller clusters.

    Returns:
        ``[{"id", "size", "members", "iris", "pairs", "facts", "documents"}]``,
        largest first, then most statements; ``members`` sorted by label,
        ``pairs`` the partnerships as ``[label, label]``.
    """
    import networkx as nx

    G = _graph(graph, filters)
    P = nx.Graph()
    facts: dict[frozenset[str], int] = defaultdict(int)
    docs: dict[frozenset[str], set[str]] = defaultdict(set)
    for u, v, key, data in G.edges(keys=True, data=True):
        if data.get("property", key) != "partnersWith" or u == v:
            continue
        P.add_edge(u, v)
        facts[frozenset((u, v))] += data.get("weight", 1)
        docs[frozenset((u, v))].update(f["document"] for f in data.get("facts", ()) if f.get("document"))
    records = []
    for component in nx.connected_components(P):
        if len(component) < min_size:
            continue
        members = sorted(component, key=lambda n: (_label(G, n), n))
        pairs = sorted(
            sorted((_label(G, u), _label(G, v))) for u, v in P.subgraph(component).edges()
        )  # fmt: skip
        keys = [frozenset(e) for e in P.subgraph(component).edges()]
        records.append(
            {
                "size": len(members),
                "members": [_label(G, n) for n in members],
                "iris": members,
                "pairs": pairs,
                "facts": sum(facts[k] for k in keys),
                "documents": sorted(set().union(*(docs[k] for k in keys))),
            }
        )
    records.sort(key=lambda r: (-r["size"], -r["facts"], r["members"], r["iris"]))
    return [{"id": n, **r} for n, r in enumerate(records, 1)]


def _deals(G: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """Investments per (investor, investee): distinct (amount, currency) deals and statements."""
    flows: dict[tuple[str, str], dict[str, Any]] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        if data.get("property", key) != "investsIn":
            continue
        flow = flows.setdefault((u, v), {"deals": {}, "facts": 0, "unspecified": 0, "documents": set()})
        for fact in data.get("facts", ()):
            flow["facts"] += 1
            if fact.get("document"):
                flow["documents"].add(fact["document"])
            amount = fact.get("amount")
            if not isinstance(amount, Decimal) or not amount.is_finite():
                flow["unspecified"] += 1
                continue
            currency = str(fact.get("currency") or UNKNOWN_CURRENCY)
            flow["deals"].setdefault((amount.normalize(), currency), amount)
    return flows


def investment_flows(graph: Any, *, by: str = "pair", **filters: Any) -> list[dict[str, Any]]:
    """Who invests in whom, with the amounts summed per currency.

    The same amount in the same currency between the same investor and
    investee counts once, however many statements and documents report it
    (it is one deal reported twice far more often than two equal deals);
    different amounts add up. Amounts are never converted between currencies.

    Args:
        graph: a graph of :func:`kg.to_networkx`, or what it accepts (with ``filters``).
        by: ``"pair"`` (one record per investor and investee), ``"investor"`` or ``"investee"``.

    Returns:
        ``[{"investor", "investor_iri", "investee", "investee_iri", "amounts", "deals",
        "facts", "unspecified", "documents"}]`` (without the investee keys when
        ``by="investor"`` and the other way round): ``amounts`` maps a
        currency code (:data:`UNKNOWN_CURRENCY` when none was stated) to a
        ``Decimal`` total, ``deals`` counts the distinct amounts,
        ``facts`` the statements, ``unspecified`` those without an amount.
        Sorted by label, then IRI.
    """
    if by not in ("pair", "investor", "investee"):
        raise AnalysisError(f"by must be pair, investor or investee, not {by!r}")
    G = _graph(graph, filters)
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for (u, v), flow in _deals(G).items():
        group = (u, v) if by == "pair" else ((u,) if by == "investor" else (v,))
        record = groups.setdefault(group, {"amounts": defaultdict(Decimal), "deals": 0, "facts": 0, "unspecified": 0})
        record.setdefault("documents", set()).update(flow["documents"])
        for (_, currency), amount in flow["deals"].items():
            record["amounts"][currency] += amount
        record["deals"] += len(flow["deals"])
        record["facts"] += flow["facts"]
        record["unspecified"] += flow["unspecified"]
    records = []
    for group, record in groups.items():
        head: dict[str, Any] = {}
        roles = ("investor", "investee") if by == "pair" else (by,)
        for role, node in zip(roles, group):
            head[role], head[f"{role}_iri"] = _label(G, node), node
        record["amounts"] = dict(sorted(record["amounts"].items()))
        record["documents"] = sorted(record["documents"])
        records.append({**head, **record})
    order = ("investor", "investee") if by == "pair" else (by,)
    records.sort(key=lambda r: tuple(x for role in order for x in (r[role], r[f"{role}_iri"])))
    return records


def investment_totals(graph: Any, **filters: Any) -> dict[str, Decimal]:
    """The sum of all investments per currency (deals counted as in :func:`investment_flows`).

    >>> import networkx as nx
    >>> investment_totals(nx.MultiDiGraph())
    {}
    """
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for flow in investment_flows(graph, **filters):
        for currency, amount in flow["amounts"].items():
            totals[currency] += amount
    return dict(sorted(totals.items()))


def training_commitments(graph: Any, **filters: Any) -> list[dict[str, Any]]:
    """Who trains whom, how many, by when: the ``trains`` facts.

    A commitment is (trainer, group name, count, year); the same commitment in
    several statements or documents is listed once, with all its documents.
    The count is the statement's, else the group's.

    Args:
        graph: a graph of :func:`kg.to_networkx`, or what it accepts (with ``filters``).

    Returns:
        ``[{"trainer", "trainer_iri", "group", "count", "year", "facts", "documents", "confidence"}]``
        (``count`` and ``year`` ``None`` when not stated), sorted by trainer,
        then year (unknown last), then largest count, then group.
    """
    G = _graph(graph, filters)
    found: dict[tuple[str, str, int | None, int | None], dict[str, Any]] = {}
    for u, v, key, data in G.edges(keys=True, data=True):
        if data.get("property", key) != "trains":
            continue
        group = _label(G, v)
        for fact in data.get("facts", ()):
            count = fact.get("count", G.nodes[v].get("count"))
            count = count if isinstance(count, int) else None
            year = fact.get("year") if isinstance(fact.get("year"), int) else None
            record = found.setdefault(
                (u, group, count, year),
                {"trainer": _label(G, u), "trainer_iri": u, "group": group, "count": count, "year": year,
                 "facts": 0, "documents": set(), "confidence": 0.0},
            )  # fmt: skip
            record["facts"] += 1
            record["confidence"] = max(record["confidence"], float(fact.get("confidence") or 0.0))
            if fact.get("document"):
                record["documents"].add(fact["document"])
    records = [{**r, "documents": sorted(r["documents"])} for r in found.values()]
    records.sort(
        key=lambda r: (
            r["trainer"], r["trainer_iri"], r["year"] is None, r["year"] or 0,
            r["count"] is None, -(r["count"] or 0), r["group"],
        )
    )  # fmt: skip
    return records


def timeline(graph: Any, *, period: str = "day", **filters: Any) -> list[dict[str, Any]]:
    """Facts by the date of the document that states them.

    Args:
        graph: a graph of :func:`kg.to_networkx`, or what it accepts (with ``filters``).
        period: ``"day"`` (``2024-01-11``), ``"month"`` (``2024-01``) or ``"year"``.

    Returns:
        ``[{"date", "documents", "facts", "properties"}]`` in date order, one
        record per period that has a document of the graph; ``documents``
        counts the documents of that period, ``facts`` their statements
        (quotations only when the graph includes them), ``properties`` the
        statements per property. Undated documents come last, with ``date``
        ``None``.
    """
    if period not in _PERIODS:
        raise AnalysisError(f"period must be one of {', '.join(_PERIODS)}, not {period!r}")
    G = _graph(graph, filters)
    width = _PERIODS[period]
    docs = G.graph.get("documents", {})

    def bucket(date: str | None) -> str | None:
        return date[:width] if date and len(date) >= width else None

    rows: dict[str | None, dict[str, Any]] = {}
    for info in docs.values():
        row = rows.setdefault(bucket(info.get("date")), {"documents": 0, "facts": 0, "properties": defaultdict(int)})
        row["documents"] += 1
    for u, v, key, data in G.edges(keys=True, data=True):
        prop = data.get("property", key)
        for fact in data.get("facts", ()):
            date = fact.get("date")
            if date is None and fact.get("document") in docs:
                date = docs[fact["document"]].get("date")
            row = rows.setdefault(bucket(date), {"documents": 0, "facts": 0, "properties": defaultdict(int)})
            row["facts"] += 1
            row["properties"][prop] += 1
    ordered = sorted(rows.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return [
        {
            "date": date,
            "documents": r["documents"],
            "facts": r["facts"],
            "properties": dict(sorted(r["properties"].items())),
        }
        for date, r in ordered
    ]


def analyze(
    graph: Any,
    *,
    top: int | None = 10,
    only: list[str] | tuple[str, ...] | None = None,
    seed: int = SEED,
    period: str = "day",
    **filters: Any,
) -> dict[str, Any]:
    """Run the analyses on one graph (read once), as ``kg analyze`` does.

    Args:
        graph: an output folder, :func:`kg.open_graph` of one, an rdflib graph,
            or a graph of :func:`kg.to_networkx`.
        top: how many central entities and communities (``None`` or 0: all).
        only: the sections to compute (:data:`ANALYSES`); all by default.
        seed: the seed of the community detection.
        period: the timeline's period (``day``, ``month``, ``year``).
        **filters: the filters of :func:`kg.to_networkx` (``classes``,
            ``properties``, ``documents``, ``since``, ``until``,
            ``min_confidence``, ``include_quotes``).

    Returns:
        ``{"graph": {"nodes", "edges", "facts", "documents", "filters"}}`` and
        one key per section: ``centrality``, ``communities``, ``partnerships``
        (lists of records), ``investments`` (``{"flows": [...], "totals": {currency: amount}}``),
        ``training``, ``timeline``.

    Raises:
        AnalysisError: an unknown section or an invalid filter.
        GraphError: the output folder has no readable graph.
    """
    sections = list(ANALYSES) if not only else list(dict.fromkeys(only))
    unknown = [s for s in sections if s not in ANALYSES]
    if unknown:
        raise AnalysisError(f"unknown analysis {', '.join(map(repr, unknown))}; expected one of {', '.join(ANALYSES)}")
    G = _graph(graph, filters)
    out: dict[str, Any] = {
        "graph": {
            "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(),
            "facts": sum(d.get("weight", 1) for _, _, d in G.edges(data=True)),
            "documents": len(G.graph.get("documents", {})),
            "filters": G.graph.get("filters", {}),
        }
    }
    for section in sections:
        if section == "centrality":
            out[section] = centrality(G, top=top)
        elif section == "communities":
            out[section] = communities(G, top=top, seed=seed)
        elif section == "partnerships":
            out[section] = partnership_clusters(G)
        elif section == "investments":
            flows = investment_flows(G)
            out[section] = {"flows": flows, "totals": investment_totals(G)}
        elif section == "training":
            out[section] = training_commitments(G)
        elif section == "timeline":
            out[section] = timeline(G, period=period)
    return out

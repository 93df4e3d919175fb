"""Is each real-world entity one node? Checks a gold-json export against hand annotations.

Gold entities of different documents are taken as one real-world entity when
they share a normalised name (label or alias) and the gold gives them the same
class (so the event "CES" and the union confederation "CES" stay two). For
every such entity annotated in more than one document, it finds the system's
matching entity in each document (same matching as the shared scorer) and
prints the IRIs they carry: one IRI means one node. A split is a ``TYPE``
split when the system gave the entity different classes in different
documents, a ``SPLIT`` otherwise.

It then lists the IRIs that answer to two or more gold entities (a system entity
answers to every gold entity of its document with which it shares a name). Such
an IRI is marked ``in-doc`` when two gold entities of one document meet in it
(the extractor grouped them, or two entities of one document were resolved
together), and ``across`` when it joins gold entities of different documents:
a wrong merge, or name variants the gold does not link ("U.S." / "United
States"); ``class`` and ``names`` then say whether the joined gold entities
have different classes (homonyms such as a city and a company, or entities the
gold itself types differently) or one class and no name in common.

usage: python benchmarks/identity_check.py GOLD_DIR PRED_DIR [--scorer PATH] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"

GoldNode = tuple[str, int]  # (document, index of the gold entity in it)


def _load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("kg_eval_score", path)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    return score


def _short(iri: str) -> str:
    """``class/slug`` of an entity IRI (``organization/openai``)."""
    return "/".join(iri.rsplit("/", 2)[-2:]) if iri.count("/") >= 2 else iri


def gold_entities(score, gold: dict[str, dict]) -> tuple[dict[GoldNode, str], dict[str, dict]]:
    """Group the gold entities of all documents into real-world entities.

    Two gold entities are one when they share a normalised name and a class
    (transitively). Returns ``(gold node -> entity id, entity id -> {label,
    type, names})``; the id is the most frequent normalised label of the group.
    """
    parent: dict[object, object] = {}

    def find(x: object) -> object:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    entity_of: dict[GoldNode, dict] = {}
    for key in sorted(gold):
        for i, ge in enumerate(score.Doc(gold[key]).entities):
            entity_of[(key, i)] = ge
            for n in sorted(score.names(ge)):
                a, b = find((key, i)), find((ge.get("type", ""), n))
                if a != b:
                    parent[max(a, b, key=repr)] = min(a, b, key=repr)
    members: dict[object, list[GoldNode]] = defaultdict(list)
    for node in sorted(entity_of):
        members[find(node)].append(node)
    ident_of: dict[GoldNode, str] = {}
    info: dict[str, dict] = {}
    for nodes in members.values():
        labels = Counter(score.norm(entity_of[n]["label"]) for n in nodes)
        base = min(labels, key=lambda t: (-labels[t], t))
        type_ = entity_of[nodes[0]].get("type", "")
        ident = base if base not in info else f"{base} [{type_}]"
        info[ident] = {
            "label": base,
            "type": type_,
            "names": sorted(set().union(*(score.names(entity_of[n]) for n in nodes))),
        }
        for n in nodes:
            ident_of[n] = ident
    return ident_of, info


def _root(parent: dict[str, str], x: str) -> str:
    while parent[x] != x:
        x = parent[x]
    return x


def check(score, gold: dict[str, dict], pred: dict[str, dict]) -> dict:
    """The identity figures of ``pred`` against ``gold`` (see the module docstring)."""
    ident_of, info = gold_entities(score, gold)
    seen: dict[str, dict[str, set[tuple[str, str]]]] = defaultdict(lambda: defaultdict(set))
    carried: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # IRI -> entity -> docs
    local: dict[str, set[frozenset[str]]] = defaultdict(set)  # IRI -> sets of entities one document gave it
    for key in sorted(gold):
        g, p = score.Doc(gold[key]), score.Doc(pred.get(key, {}))
        index = {id(ge): i for i, ge in enumerate(g.entities)}
        for ge, pe in score.match_entities(g, p):
            seen[ident_of[(key, index[id(ge)])]][key].add((pe.get("iri", "?"), pe.get("type", "?")))
        # every gold entity a system entity answers to (shares a name with), matched or not
        per_iri: dict[str, set[str]] = defaultdict(set)
        for pe in p.entities:
            iri = pe.get("iri", "?")
            for i, ge in enumerate(g.entities):
                if score.names(ge) & score.names(pe):
                    carried[iri][ident_of[(key, i)]].add(key)
                    per_iri[iri].add(ident_of[(key, i)])
        for iri, idents in per_iri.items():
            if len(idents) > 1:
                local[iri].add(frozenset(idents))
    rows = []
    for ident, docs in seen.items():
        if len(docs) < 2:
            continue
        found = set().union(*docs.values())
        iris = sorted({i for i, _ in found})
        types = sorted({t for _, t in found})
        kind = "ok" if len(iris) == 1 else "TYPE" if len(types) > 1 else "SPLIT"
        rows.append({"entity": ident, "type": info[ident]["type"], "documents": len(docs), "status": kind,
                     "iris": iris, "types": types})  # fmt: skip
    rows.sort(key=lambda r: (-r["documents"], r["entity"]))
    joins = []
    for iri, idents in sorted(carried.items()):
        if len(idents) < 2:
            continue
        # gold entities that meet in one document's system entities are one component; components meet across documents
        comp = {i: i for i in idents}
        for group in sorted(local.get(iri, ()), key=sorted):
            first, *rest = sorted(group)
            for other in rest:
                a, b = _root(comp, first), _root(comp, other)
                comp[max(a, b)] = min(a, b)
        kinds = ["in-doc"] if local.get(iri) else []
        pairs = [(a, b) for a in idents for b in idents if a < b and _root(comp, a) != _root(comp, b)]
        if pairs:
            kinds.append("across")
        if any(info[a]["type"] != info[b]["type"] for a, b in pairs):
            kinds.append("class")
        if any(info[a]["type"] == info[b]["type"] for a, b in pairs):
            kinds.append("names")
        joins.append({
            "iri": iri,
            "kinds": kinds,
            "entities": [{"entity": i, "type": info[i]["type"], "documents": sorted(d)}
                         for i, d in sorted(idents.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
        })  # fmt: skip
    counts = Counter(r["status"] for r in rows)
    return {
        "entities": rows,
        "joins": joins,
        "summary": {
            "multi_document_entities": len(rows),
            "one_iri": counts["ok"],
            "type_splits": counts["TYPE"],
            "other_splits": counts["SPLIT"],
            "joins_across_documents": sum("across" in j["kinds"] for j in joins),
            "joins_across_of_different_classes": sum("class" in j["kinds"] for j in joins),
            "joins_across_without_a_common_name": sum("names" in j["kinds"] for j in joins),
            "joins_in_one_document": sum("in-doc" in j["kinds"] for j in joins),
        },
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("pred", type=Path)
    ap.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py")
    ap.add_argument("--json", action="store_true", help="print the figures and lists as JSON")
    args = ap.parse_args(argv)
    score = _load_scorer(args.scorer)
    result = check(score, score.load_docs(args.gold), score.load_docs(args.pred))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    for r in result["entities"]:
        iris = " ".join(_short(i) for i in r["iris"])
        print(f"{r['status']:5} {r['entity']:40} {r['documents']:2} docs  {iris}")
    s = result["summary"]
    print(
        f"\n{s['one_iri']} of {s['multi_document_entities']} entities found in several documents have exactly one"
        f" IRI ({s['type_splits']} split by class, {s['other_splits']} split otherwise)\n"
    )
    for j in result["joins"]:
        who = "; ".join(f"{e['entity']} [{e['type']}] x{len(e['documents'])}" for e in j["entities"])
        print(f"JOIN  {_short(j['iri']):45} {','.join(j['kinds']) or '-':14} {who}")
    print(
        f"\n{s['joins_across_documents']} IRIs join gold entities of different documents"
        f" ({s['joins_across_of_different_classes']} of different gold classes,"
        f" {s['joins_across_without_a_common_name']} of one class with no name in common);"
        f" {s['joins_in_one_document']} answer to two gold entities of one document"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""From doc-local entities to one graph IRI per real-world entity.

Entities of different documents are merged when they have the same class and
one of these holds (each merge keeps its rule and score for review):

- ``same-name``: the same name once case, accents, punctuation, a leading article
  and a legal suffix are set aside ("Microsoft Corp." / "microsoft", "the AFL-CIO");
- ``known-name``: two names of one thing in the gazetteer or the place list, in
  French and English ("États-Unis" / "United States" / "US"; "Parlement européen"
  / "European Parliament");
- ``acronym``: an acronym that some document writes beside its expansion;
- ``alias``: a full name one document uses as an alias of the other's name;
- ``short-form``: a one-word name another document used as the short form of a
  longer name ("Mistral" for "Mistral AI");
- ``spacing``: the same letters written with or without spaces ("Stability AI");
- ``fuzzy``: near-identical long names (spelling variants), never a name that is
  merely a prefix of another ("Intel" / "Intelsat" stay apart).

A corpus may hold an ``aliases.yaml`` to force merges or splits::

    merge:
      - [Meta, Meta Platforms, Facebook Inc]
    split:
      - [OpenAI, Open AI Foundation]   # never one entity
      - [Alan]                         # never merged across documents

IRIs are minted from the known name or the preferred label (the most complete
name seen), so a rebuild gives the same IRIs; with ``previous`` (the keys of an
earlier build of the same output folder) an entity already in the graph keeps
its IRI when a new document mentions it.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from rdflib import URIRef

from kg.errors import KGError
from kg.extract.lexicon import fold, load_gazetteer, load_places
from kg.extract.mentions import norm_key
from kg.model import Entity, Extraction
from kg.rdf import entity_iri

__all__ = ["Overrides", "Merge", "Resolution", "resolve", "load_overrides", "entity_iris"]

ALIASES_FILE = "aliases.yaml"
_FUZZY_MIN = 94.0

Node = tuple[str, str]  # (doc_id, entity key)


@dataclass(frozen=True)
class Overrides:
    """Merges and splits a user asks for (``aliases.yaml``), by name."""

    merge: tuple[frozenset[str], ...] = ()
    split: tuple[frozenset[str], ...] = ()


@dataclass
class Merge:
    """One entity of the graph made from entities of several documents."""

    iri: str
    label: str
    type: str
    documents: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    reasons: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Resolution:
    """IRIs per document and entity key, preferred labels, and the merges made."""

    iris: dict[str, dict[str, URIRef]]
    pref_labels: dict[str, str]
    merges: list[Merge]
    keys: dict[str, str]  # name key -> IRI, to keep IRIs stable across builds


def load_overrides(corpus_dir: str | os.PathLike[str]) -> Overrides:
    """Read ``aliases.yaml`` of a corpus folder (absent: no overrides).

    Raises:
        KGError: the file is not valid YAML or not in the expected shape.
    """
    path = Path(corpus_dir) / ALIASES_FILE
    if not path.is_file():
        return Overrides()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KGError(f"{path}: cannot read aliases: {exc}") from exc
    if not isinstance(data, dict) or set(data) - {"merge", "split"}:
        raise KGError(f"{path}: expected the keys 'merge' and/or 'split', each a list of name lists")

    def groups(key: str) -> tuple[frozenset[str], ...]:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise KGError(f"{path}: {key!r} must be a list of name lists")
        out = []
        for item in value:
            names = item if isinstance(item, list) else [item]
            if not all(isinstance(n, str) and n.strip() for n in names):
                raise KGError(f"{path}: {key!r} entries must be names, got {item!r}")
            out.append(frozenset(norm_key(n) for n in names))
        return tuple(out)

    return Overrides(merge=groups("merge"), split=groups("split"))


def _known_groups() -> dict[str, str]:
    """Name key -> canonical name, for every name of the gazetteer and the place list."""
    out: dict[str, str] = {}
    for place in load_places():
        canonical = place["en"]
        for n in [place["fr"], place["en"], *place.get("alt", []), *place.get("adj", [])]:
            out.setdefault(norm_key(n), canonical)
    for _name, (_type, names) in sorted(load_gazetteer().items()):
        for n in names:
            out.setdefault(norm_key(n), names[0])
    return out


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "").replace("-", "").replace("&", "")
    return 2 <= len(letters) <= 8 and letters.isalnum() and letters.upper() == letters and not letters.isdigit()


class _Sets:
    def __init__(self, nodes: Iterable[Node]) -> None:
        self.parent = {n: n for n in nodes}

    def find(self, n: Node) -> Node:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def members(self) -> dict[Node, list[Node]]:
        out: dict[Node, list[Node]] = defaultdict(list)
        for n in sorted(self.parent):
            out[self.find(n)].append(n)
        return out


def resolve(
    extractions: Iterable[Extraction],
    *,
    overrides: Overrides | None = None,
    previous: Mapping[str, str] | None = None,
) -> Resolution:
    """Merge the entities of all documents and mint their IRIs."""
    overrides = overrides or Overrides()
    known = _known_groups()
    entities: dict[Node, Entity] = {}
    for ex in extractions:
        for e in ex.entities:
            entities[(ex.document.doc_id, e.key)] = e
    label_key = {n: norm_key(e.label) or fold(e.label) for n, e in entities.items()}

    def names(n: Node) -> set[str]:
        e = entities[n]
        return {k for k in (norm_key(x) for x in (e.label, *e.aliases)) if k}

    # index nodes by type and name key
    by_key: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n, e in sorted(entities.items()):
        by_key[(e.type, label_key[n])].append(n)
    edges: list[tuple[float, str, Node, Node, str, str]] = []

    def link(score: float, rule: str, a: Node, b: Node) -> None:
        if a != b and entities[a].type == entities[b].type:
            edges.append((score, rule, min(a, b), max(a, b), entities[a].label, entities[b].label))

    for (_type, _key), nodes in by_key.items():
        for other in nodes[1:]:
            link(1.0, "same-name", nodes[0], other)
    groups: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n, e in sorted(entities.items()):
        for k in names(n):
            if k in known:
                groups[(e.type, known[k])].append(n)
                break
    for nodes in groups.values():
        for other in nodes[1:]:
            link(1.0, "known-name", nodes[0], other)
    for n, e in sorted(entities.items()):
        for alias in e.aliases:
            k = norm_key(alias)
            rule = "acronym" if _is_acronym(alias) else "alias" if len(k.split()) > 1 else "short-form"
            score = {"acronym": 0.95, "alias": 0.9, "short-form": 0.85}[rule]
            if rule == "short-form" and e.type not in {"Organization", "Product", "Program"}:
                continue  # a surname is an alias within one document only
            for other in by_key.get((e.type, k), []):
                link(score, rule, n, other)
    squeezed: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n, e in sorted(entities.items()):
        squeezed[(e.type, label_key[n].replace(" ", ""))].append(n)
    for nodes in squeezed.values():
        for other in nodes[1:]:
            if label_key[other] != label_key[nodes[0]]:
                link(0.9, "spacing", nodes[0], other)
    _fuzzy_links(entities, label_key, link)
    for group in overrides.merge:
        members = [n for n in sorted(entities) if names(n) & group]
        for other in members[1:]:
            edges.append((1.0, "aliases.yaml", members[0], other, entities[members[0]].label, entities[other].label))

    sets = _Sets(entities)
    kept: dict[Node, list[dict[str, object]]] = defaultdict(list)
    member_names: dict[Node, set[str]] = {n: names(n) for n in entities}
    docs_of: dict[Node, set[str]] = {n: {n[0]} for n in entities}
    order = {"aliases.yaml": 0, "same-name": 1}
    for score, rule, a, b, la, lb in sorted(edges, key=lambda x: (-x[0], order.get(x[1], 2), x[1], x[2], x[3])):
        ra, rb = sets.find(a), sets.find(b)
        if ra == rb:
            continue
        if _split(overrides, member_names[ra], member_names[rb], docs_of[ra], docs_of[rb], rule):
            continue
        sets.parent[rb] = ra
        member_names[ra] |= member_names.pop(rb)
        docs_of[ra] |= docs_of.pop(rb)
        kept[ra].extend(kept.pop(rb, []))
        kept[ra].append({"rule": rule, "score": round(score, 3), "names": [la, lb], "documents": [a[0], b[0]]})

    return _mint(entities, label_key, sets, kept, known, previous or {})


def _split(overrides: Overrides, a: set[str], b: set[str], docs_a: set[str], docs_b: set[str], rule: str) -> bool:
    """An ``aliases.yaml`` split forbids joining these two groups of names."""
    if rule == "aliases.yaml":
        return False
    for group in overrides.split:
        if len(group) == 1 and group & a and group & b and docs_a != docs_b:
            return True
        if len(group) > 1 and (a & group) and (b & group) and (a & group) != (b & group):
            return True
    return False


def _fuzzy_links(entities: Mapping[Node, Entity], label_key: Mapping[Node, str], link) -> None:
    """Near-identical long names of the same class (spelling variants)."""
    by_type: dict[str, dict[str, Node]] = defaultdict(dict)
    for n in sorted(entities):
        by_type[entities[n].type].setdefault(label_key[n], n)
    for keys in by_type.values():
        # only names of 8+ letters with the same first letter are compared: block on that letter, and let
        # rapidfuzz compute each block's score matrix in C (a Python double loop is quadratic in calls)
        blocks: dict[str, list[tuple[str, Node]]] = defaultdict(list)
        for k, n in sorted(keys.items()):
            if len(k) >= 8:
                blocks[k[0]].append((k, n))
        for items in blocks.values():
            if len(items) < 2:
                continue
            names = [k for k, _ in items]
            scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_MIN, dtype=np.uint8)
            for i, j in zip(*np.nonzero(np.triu(scores, 1)), strict=True):
                (ka, na), (kb, nb) = items[i], items[j]
                if ka.startswith(kb) or kb.startswith(ka):
                    continue
                link(fuzz.ratio(ka, kb) / 100, "fuzzy", na, nb)


def _mint(entities, label_key, sets: _Sets, kept, known, previous) -> Resolution:
    iris: dict[str, dict[str, URIRef]] = defaultdict(dict)
    pref: dict[str, str] = {}
    merges: list[Merge] = []
    keys: dict[str, str] = {}
    used: set[str] = set()
    for root, members in sorted(sets.members().items()):
        type_ = entities[root].type
        labels = Counter(entities[n].label for n in members)
        member_keys = sorted({label_key[n] for n in members})
        canonical = next((known[k] for k in member_keys if k in known), None)
        # the known name if the corpus uses it, else the most complete name seen
        label = max(sorted(labels), key=lambda t: (t == canonical, len(t.split()), labels[t], len(t)))
        old = sorted({previous[f"{type_}:{k}"] for k in member_keys if f"{type_}:{k}" in previous})
        iri = URIRef(old[0]) if old else entity_iri(norm_key(canonical or label) or label, type_)
        if str(iri) in used:  # two entities with one name (a split): the later gets a suffix
            digest = hashlib.sha1("|".join(f"{d}/{k}" for d, k in members).encode("utf-8")).hexdigest()[:8]
            iri = URIRef(f"{iri}-{digest}")
        used.add(str(iri))
        for n in members:
            iris[n[0]][n[1]] = iri
        pref[str(iri)] = label
        for k in member_keys:
            keys[f"{type_}:{k}"] = str(iri)
        docs = sorted({n[0] for n in members})
        if len(members) > 1:
            merges.append(
                Merge(
                    iri=str(iri),
                    label=label,
                    type=type_,
                    documents=docs,
                    names=sorted(labels),
                    reasons=kept.get(root, []),
                )
            )
    return Resolution(iris=dict(iris), pref_labels=pref, merges=merges, keys=dict(sorted(keys.items())))


def entity_iris(extractions: Iterable[Extraction]) -> dict[str, dict[str, URIRef]]:
    """IRIs of every entity: ``{doc_id: {entity key: IRI}}`` (see :func:`resolve`)."""
    return resolve(extractions).iris

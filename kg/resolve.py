"""From doc-local entities to one graph IRI per real-world entity.

Entities of different documents are merged when they have the same class and
one of these holds (each merge keeps its rule and score for review):

- ``same-name``: the same name once case, accents, punctuation, a leading article
  and a legal suffix are set aside ("Microsoft Corp." / "microsoft", "the AFL-CIO");
- ``known-name``: two names of one thing in the gazetteer or the place list, in
  French and English ("États-Unis" / "United States" / "US"; "Parlement européen"
  / "European Parliament"), read in the entry of the entity's class when the
  gazetteer has one ("CES" the trade show is not "CES" the union confederation);
- ``acronym``: an acronym that some document writes beside its expansion;
- ``alias``: a full name one document uses as an alias of the other's name;
- ``short-form``: a one-word name another document used as the short form of a
  longer name ("Mistral" for "Mistral AI");
- ``spacing``: the same letters written with or without spaces ("Stability AI");
- ``fuzzy``: near-identical long names (spelling variants), never a name that is
  merely a prefix of another ("Intel" / "Intelsat" stay apart).

A label without a capital letter is a common noun (an event the text describes
without naming it, "un workshop"): it is never merged across documents.

Across classes only the entities' own labels link them: the same name
(``same-name``), the same letters spaced differently (``spacing``) or two names
of one gazetteer entry (``known-name``). When documents type one entity
differently (OpenAI a Product in one article, an Organization in the others)
a vote weighted by the extractor's confidence and the mentions settles one
class (:mod:`kg.typevote` has the rule and when it refuses); the entities then
take that class, a fact that no longer fits its property's signature is left
out, and ``merges.json`` records a ``type-vote`` reason with the votes, the
entities whose class changed and the facts left out. Aliases, acronyms, short
forms and fuzzy matches link entities of one class only: they come from one
document's grouping of its mentions, and an acronym or a short form names
different things in different fields ("CES" is a trade show and a union
confederation; "Alan" a person and a company).

An alias that the gazetteer gives to another entity than the label's ("OpenAI"
grouped under "ChatGPT" by one document) links nothing across documents: it is
a doc-local grouping error, and following it would join the two entities
everywhere.

A corpus may hold an ``aliases.yaml`` to force merges or splits::

    merge:
      - [Meta, Meta Platforms, Facebook Inc]
    split:
      - [OpenAI, Open AI Foundation]   # never one entity
      - [Alan]                         # never merged across documents

IRIs are minted from the known name or the preferred label (the most complete
name seen) and the settled class, so a rebuild gives the same IRIs; with
``previous`` (the keys of an earlier build of the same output folder) an entity
already in the graph keeps its IRI when a new document mentions it (an entity
whose class changed gets the IRI of its new class).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from rdflib import URIRef

from kg import typevote
from kg.errors import KGError
from kg.extract.lexicon import fold, load_places, load_yaml
from kg.extract.mentions import norm_key
from kg.model import Entity, Extraction, Fact
from kg.rdf import entity_iri
from kg.yamlsafe import safe_load

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
    """One entity of the graph made from entities of several documents.

    ``reasons`` has one dict per join that made the entity (the rule, its score, the
    two names and their documents), and the class vote when there was one.
    """

    iri: str
    label: str
    type: str
    documents: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    reasons: Sequence[dict[str, object]] = field(default_factory=list)


class Reasons(Sequence[dict[str, object]]):
    """The reasons of a merge, kept as tuples and given as dicts (see :func:`_reason`).

    An entity named in many documents has a reason per document; as tuples they take
    a fraction of the memory. A deep copy (what :func:`dataclasses.asdict` makes) is a
    plain list of dicts.

    >>> r = Reasons([("same-name", 1.0, "Acme", "ACME", "d1", "d2")])
    >>> r[0]
    {'rule': 'same-name', 'score': 1.0, 'names': ['Acme', 'ACME'], 'documents': ['d1', 'd2']}
    >>> r == [r[0]]
    True
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple | dict[str, object]] = ()) -> None:
        self._items: list[tuple | dict[str, object]] = list(items)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [_reason(item) for item in self._items[index]]
        return _reason(self._items[index])

    def __len__(self) -> int:
        return len(self._items)

    def append(self, reason: tuple | dict[str, object]) -> None:
        self._items.append(reason)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(list(self))

    def __deepcopy__(self, memo: dict) -> list[dict[str, object]]:
        return list(self)


@dataclass
class Resolution:
    """IRIs per document and entity key, preferred labels, the merges made, and the classes changed.

    ``retyped`` maps a document and an entity key to the class the vote gave
    the entity when it differs from its document's; :meth:`apply` writes it
    into an extraction.
    """

    iris: dict[str, dict[str, URIRef]]
    pref_labels: dict[str, str]
    merges: list[Merge]
    keys: dict[str, str]  # name key -> IRI, to keep IRIs stable across builds
    retyped: dict[str, dict[str, str]] = field(default_factory=dict)

    def apply(self, extraction: Extraction) -> Extraction:
        """``extraction`` with the settled classes and without the facts they no longer fit.

        >>> from kg.model import Document, Entity
        >>> d = Document("d1", "d1.txt", "", "en", "0" * 64)
        >>> res = Resolution({}, {}, [], {}, retyped={"d1": {"k": "Organization"}})
        >>> res.apply(Extraction(d, (Entity("k", "OpenAI", "Product"),))).entities[0].type
        'Organization'
        """
        return _settled(extraction, self.retyped.get(extraction.document.doc_id, {}))[0]


def load_overrides(corpus_dir: str | os.PathLike[str]) -> Overrides:
    """Read ``aliases.yaml`` of a corpus folder (absent: no overrides).

    Raises:
        KGError: the file is not valid YAML or not in the expected shape.
    """
    path = Path(corpus_dir) / ALIASES_FILE
    if not path.is_file():
        return Overrides()
    try:
        data = safe_load(path.read_text(encoding="utf-8")) or {}
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


def _known_groups() -> dict[tuple[str, str], str]:
    """``(class, name key)`` -> canonical name for every name of the gazetteer and the place list.

    The class ``""`` holds, for each name, the canonical name of the first entry
    that has it whatever its class ("CES" is both an event and a union
    confederation: an Event named "CES" takes the event's entry).
    """
    out: dict[tuple[str, str], str] = {}
    for place in load_places():
        canonical = place["en"]
        for n in [place["fr"], place["en"], *place.get("alt", []), *place.get("adj", [])]:
            out.setdefault(("Place", norm_key(n)), canonical)
            out.setdefault(("", norm_key(n)), canonical)
    for type_, entries in (load_yaml("gazetteer") or {}).items():
        for entry in entries:
            names = [n.strip() for n in str(entry).split("|") if n.strip()]
            for n in names:
                out.setdefault((type_, norm_key(n)), names[0])
                out.setdefault(("", norm_key(n)), names[0])
    return out


def _canonical(known: Mapping[tuple[str, str], str], type_: str, key: str) -> str | None:
    return known.get((type_, key)) or known.get(("", key))


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
    in_place: bool = True,
    documents: Callable[[list[str]], Iterable[Extraction]] | None = None,
) -> Resolution:
    """Merge the entities of all documents, settle their classes and mint their IRIs.

    Args:
        extractions: what was extracted from each document.
        overrides: merges and splits asked for in ``aliases.yaml``.
        previous: name keys -> IRIs of an earlier build (:attr:`Resolution.keys`).
        in_place: when ``extractions`` is a list, replace its items by
            :meth:`Resolution.apply` of them (the settled classes, the facts
            they no longer fit left out), so the caller writes those.
        documents: gives the whole extractions of some document ids, when
            ``extractions`` holds only their entities (a large build keeps the
            rest on disk): the facts a class change leaves out are read there.
    """
    items = extractions if isinstance(extractions, list) else list(extractions)
    overrides = overrides or Overrides()
    known = _known_groups()
    entities: dict[Node, Entity] = {}
    for ex in items:
        for e in ex.entities:
            entities[(ex.document.doc_id, e.key)] = e
    # Names repeat across documents: their keys are computed once, and equal tuples of keys
    # are one object (a large corpus has millions of entities and far fewer names).
    key_of = functools.lru_cache(maxsize=None)(norm_key)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    label_key = {n: key_of(e.label) or fold(e.label) for n, e in entities.items()}
    alias_keys = {n: shared.setdefault(t, t) for n, e in entities.items() if (t := tuple(key_of(a) for a in e.aliases))}
    # a label without a capital letter is a common noun (an unnamed event: "un workshop"), not a name
    named = {n for n, e in entities.items() if any(c.isupper() for c in e.label)}
    # the label's key, then the keys of the aliases the gazetteer does not give to another entity
    foreign: dict[Node, frozenset[str]] = {}
    name_keys: dict[Node, tuple[str, ...]] = {}
    for n, e in entities.items():
        aliases = alias_keys.get(n, ())
        if aliases and (found := _foreign_aliases(e.type, label_key[n], aliases, known)):
            foreign[n] = found
        bad = foreign.get(n, _NO_KEYS)
        out = [label_key[n]] if label_key[n] else []
        for k in aliases:
            if k and k not in out and k not in bad:
                out.append(k)
        t = tuple(out)
        name_keys[n] = shared.setdefault(t, t)
    del shared
    names = name_keys.__getitem__
    ordered = sorted(entities)

    # index nodes by type and name key
    by_key: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n in ordered:
        by_key[(entities[n].type, label_key[n])].append(n)
    # (-score, rank of the rule, rule, a, b, label of a, label of b): sorted as they are, in the order links are tried
    edges: list[tuple[float, int, str, Node, Node, str, str]] = []
    rank = {"aliases.yaml": 0, "same-name": 1}

    def link(score: float, rule: str, a: Node, b: Node) -> None:
        if a != b and entities[a].type == entities[b].type and a in named and b in named:
            edges.append((-score, rank.get(rule, 2), rule, min(a, b), max(a, b), entities[a].label, entities[b].label))

    for (_type, _key), nodes in by_key.items():
        for other in nodes[1:]:
            link(1.0, "same-name", nodes[0], other)
    groups: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n in ordered:
        e = entities[n]
        canonical = next((c for c in (_canonical(known, e.type, k) for k in names(n)) if c), None)
        if canonical:
            groups[(e.type, canonical)].append(n)
    for nodes in groups.values():
        for other in nodes[1:]:
            link(1.0, "known-name", nodes[0], other)
    for n in ordered:
        e = entities[n]
        for alias, k in zip(e.aliases, alias_keys.get(n, ()), strict=True):
            if k in foreign.get(n, _NO_KEYS):
                continue
            rule = "acronym" if _is_acronym(alias) else "alias" if len(k.split()) > 1 else "short-form"
            score = {"acronym": 0.95, "alias": 0.9, "short-form": 0.85}[rule]
            if rule == "short-form" and e.type not in {"Organization", "Product", "Program"}:
                continue  # a surname is an alias within one document only
            for other in by_key.get((e.type, k), []):
                link(score, rule, n, other)
    squeezed: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n in ordered:
        squeezed[(entities[n].type, label_key[n].replace(" ", ""))].append(n)
    for nodes in squeezed.values():
        for other in nodes[1:]:
            if label_key[other] != label_key[nodes[0]]:
                link(0.9, "spacing", nodes[0], other)
    _fuzzy_links(entities, label_key, link)
    for group in overrides.merge:
        members = [n for n in ordered if set(names(n)) & group]
        for other in members[1:]:
            edges.append((-1.0, 0, "aliases.yaml", members[0], other, entities[members[0]].label, entities[other].label))

    sets = _Sets(entities)
    kept: dict[Node, list[tuple]] = defaultdict(list)  # reasons of the joins, as tuples (see _reason)
    # the names and documents of each group, for the splits of aliases.yaml (only when it has some)
    splits = bool(overrides.split)
    member_names: dict[Node, set[str]] = {n: set(names(n)) for n in entities} if splits else {}
    docs_of: dict[Node, set[str]] = {n: {n[0]} for n in entities} if splits else {}

    def refused(ra: Node, rb: Node, rule: str) -> bool:
        return splits and _split(overrides, member_names[ra], member_names[rb], docs_of[ra], docs_of[rb], rule)

    def join(ra: Node, rb: Node, reason: tuple) -> None:
        sets.parent[rb] = ra
        if splits:
            member_names[ra] |= member_names.pop(rb)
            docs_of[ra] |= docs_of.pop(rb)
        mine, theirs = kept[ra], kept.pop(rb, None)
        if theirs:
            mine.extend(theirs)
        mine.append(reason)

    edges.sort()
    for score, _rank, rule, a, b, la, lb in edges:
        ra, rb = sets.find(a), sets.find(b)
        if ra == rb or refused(ra, rb, rule):
            continue
        join(ra, rb, (rule, -score, la, lb, a[0], b[0]))
    edges.clear()

    # one entity typed differently by different documents: its labels link the groups, a vote settles the class
    cross = _cross_class_links([n for n in ordered if n in named], entities, label_key, known)
    members = sets.members() if cross else {}
    tallies: dict[Node, _Tally] = {}
    for score, rule, a, b, la, lb in cross:
        ra, rb = sets.find(a), sets.find(b)
        if ra == rb or refused(ra, rb, rule):
            continue
        for r in (ra, rb):
            if r not in tallies:
                tallies[r] = _tally(entities, members[r])
        both = tallies[ra].plus(tallies[rb])
        long_name = min(len(label_key[a].split()), len(label_key[b].split())) >= 2
        if typevote.settle(both.votes, both.documents, long_name)[0] is None:
            continue
        join(ra, rb, (rule, score, la, lb, a[0], b[0], entities[a].type, entities[b].type))
        tallies[ra] = both
        del tallies[rb]

    resolution = _mint(entities, label_key, sets, kept, known, previous or {}, documents or items)
    if in_place and isinstance(extractions, list):
        extractions[:] = [resolution.apply(ex) for ex in extractions]
    return resolution


@dataclass(frozen=True)
class _Tally:
    """The class vote of a group of entities: class -> weight, class -> documents."""

    votes: dict[str, float]
    documents: dict[str, set[str]]

    def plus(self, other: _Tally) -> _Tally:
        votes = dict(self.votes)
        documents = {t: set(d) for t, d in self.documents.items()}
        for t, w in other.votes.items():
            votes[t] = votes.get(t, 0.0) + w
            documents.setdefault(t, set()).update(other.documents[t])
        return _Tally(votes, documents)


def _tally(entities: Mapping[Node, Entity], members: Iterable[Node]) -> _Tally:
    votes: dict[str, float] = {}
    documents: dict[str, set[str]] = {}
    for n in members:
        e = entities[n]
        votes[e.type] = votes.get(e.type, 0.0) + typevote.weight(e)
        documents.setdefault(e.type, set()).add(n[0])
    return _Tally(votes, documents)


_NO_KEYS: frozenset[str] = frozenset()


def _reason(join: tuple | dict[str, object]) -> dict[str, object]:
    """A join's reason as ``merges.json`` has it, from ``(rule, score, name a, name b, document a, document b)``
    and, for a join across classes, the two classes. A dict is a reason already: a copy of it is given."""
    if isinstance(join, dict):
        return dict(join)
    rule, score, la, lb, da, db, *classes = join
    reason: dict[str, object] = {"rule": rule, "score": round(score, 3), "names": [la, lb], "documents": [da, db]}
    if classes:
        reason["classes"] = list(classes)
    return reason


def _foreign_aliases(
    type_: str, label_key: str, alias_keys: Iterable[str], known: Mapping[tuple[str, str], str]
) -> frozenset[str]:
    """Alias keys that the gazetteer gives to another entity than the label's ("OpenAI" under "ChatGPT")."""
    own = _canonical(known, type_, label_key)
    if own is None:
        return frozenset()
    return frozenset(k for k in alias_keys if k and (c := _canonical(known, type_, k)) is not None and c != own)


def _cross_class_links(
    nodes: Iterable[Node],
    entities: Mapping[Node, Entity],
    label_key: Mapping[Node, str],
    known: Mapping[tuple[str, str], str],
) -> list[tuple[float, str, Node, Node, str, str]]:
    """Pairs of entities of different classes whose labels name one thing, strongest first.

    One pair per two classes and shared name key: the first of ``nodes`` (in their order) of each class.
    """
    rules = (("same-name", 1.0), ("known-name", 1.0), ("spacing", 0.9))
    first: dict[tuple[str, str], dict[str, Node]] = defaultdict(dict)
    for n in nodes:
        type_, key = entities[n].type, label_key[n]
        for (rule, _score), name in zip(rules, (key, _canonical(known, type_, key), key.replace(" ", "")), strict=True):
            if name:
                first[(rule, name)].setdefault(type_, n)
    score = dict(rules)
    out = []
    for (rule, _name), per_class in first.items():
        if len(per_class) < 2:
            continue
        pair = sorted(per_class.values())
        for i, a in enumerate(pair):
            for b in pair[i + 1 :]:
                out.append((score[rule], rule, a, b, entities[a].label, entities[b].label))
    return sorted(out, key=lambda x: (-x[0], x[1] != "same-name", x[1], x[2], x[3]))


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


def _mint(entities, label_key, sets: _Sets, kept, known, previous, extractions) -> Resolution:
    iris: dict[str, dict[str, URIRef]] = defaultdict(dict)
    pref: dict[str, str] = {}
    merges: list[Merge] = []
    keys: dict[str, str] = {}
    used: set[str] = set()
    retyped: dict[str, dict[str, str]] = defaultdict(dict)
    groups = sorted(sets.members().items())
    settled: dict[Node, str] = {}
    tallies: dict[Node, _Tally] = {}
    for root, members in groups:
        if len({entities[n].type for n in members}) == 1:
            settled[root] = entities[root].type
            continue
        # the class of the largest weight (groups of several classes were joined only where the vote allowed)
        tallies[root] = tally = _tally(entities, members)
        settled[root] = min(tally.votes, key=lambda t: (-tally.votes[t], t))
        for n in members:
            if entities[n].type != settled[root]:
                retyped[n[0]][n[1]] = settled[root]
    dropped = _dropped_facts(extractions(sorted(retyped)) if callable(extractions) else extractions, retyped, sets)
    for root, members in groups:
        type_ = settled[root]
        labels = Counter(entities[n].label for n in members)
        member_keys = sorted({label_key[n] for n in members})
        canonical = next((c for c in (_canonical(known, type_, k) for k in member_keys) if c), None)
        # the known name if the corpus uses it, else the most complete name seen
        label = max(sorted(labels), key=lambda t: (t == canonical, len(t.split()), labels[t], len(t)))
        # an IRI of the previous build under one of these names, unless an earlier group took it
        old = sorted({previous[f"{type_}:{k}"] for k in member_keys if f"{type_}:{k}" in previous} - used)
        iri = URIRef(old[0]) if old else entity_iri(norm_key(canonical or label) or label, type_)
        if str(iri) in used:  # two entities with one name (a split): the later gets a suffix
            digest = hashlib.sha1("|".join(f"{d}/{k}" for d, k in members).encode("utf-8")).hexdigest()[:8]
            iri = URIRef(f"{iri}-{digest}")
        used.add(str(iri))
        for n in members:
            iris[n[0]][n[1]] = iri
        pref[str(iri)] = label
        for k in member_keys:  # a name two groups share keeps the first group's IRI (no suffix on suffix)
            keys.setdefault(f"{type_}:{k}", str(iri))
        docs = sorted({n[0] for n in members})
        reasons = Reasons(kept.pop(root, ()))
        changed = [n for n in members if entities[n].type != type_]
        if changed:
            tally = tallies[root]
            total = sum(tally.votes.values())
            reasons.append({
                "rule": "type-vote",
                "score": round(tally.votes[type_] / total, 3) if total else 0.0,
                "names": sorted({entities[n].label for n in changed}),
                "documents": sorted({n[0] for n in changed}),
                "class": type_,
                "votes": {t: round(w, 3) for t, w in sorted(tally.votes.items())},
                "voters": {t: sorted(d) for t, d in sorted(tally.documents.items())},
                "retyped": [{"document": n[0], "name": entities[n].label, "from": entities[n].type} for n in changed],
                "dropped_facts": dropped.get(root, []),
            })  # fmt: skip
        if len(members) > 1:
            merges.append(
                Merge(
                    iri=str(iri),
                    label=label,
                    type=type_,
                    documents=docs,
                    names=sorted(labels),
                    reasons=reasons,
                )
            )
    return Resolution(
        iris=dict(iris),
        pref_labels=pref,
        merges=merges,
        keys=dict(sorted(keys.items())),
        retyped={d: dict(sorted(k.items())) for d, k in sorted(retyped.items())},
    )


def _settled(extraction: Extraction, retyped: Mapping[str, str]) -> tuple[Extraction, list[Fact]]:
    """``extraction`` with the classes of ``retyped`` (entity key -> class), and the facts they break.

    A fact is left out when it fitted its property's signature with the
    document's classes and no longer does; other facts are kept as they are.
    """
    if not retyped:
        return extraction, []
    before = {e.key: e.type for e in extraction.entities}
    after = {**before, **{k: t for k, t in retyped.items() if k in before}}
    entities = tuple(replace(e, type=after[e.key]) if e.key in retyped else e for e in extraction.entities)
    kept, dropped = [], []
    for f in extraction.facts:
        touched = f.subject in retyped or (f.object_kind == "entity" and f.object in retyped)
        if touched and typevote.fits(f, before) and not typevote.fits(f, after):
            dropped.append(f)
        else:
            kept.append(f)
    return replace(extraction, entities=entities, facts=tuple(kept)), dropped


def _dropped_facts(extractions, retyped, sets: _Sets) -> dict[Node, list[dict[str, object]]]:
    """The facts a class change leaves out, by group (the group of the retyped subject, else object)."""
    out: dict[Node, list[dict[str, object]]] = defaultdict(list)
    for ex in sorted((x for x in extractions if x.document.doc_id in retyped), key=lambda x: x.document.doc_id):
        doc_id = ex.document.doc_id
        labels = {e.key: e.label for e in ex.entities}
        for f in _settled(ex, retyped[doc_id])[1]:
            end = f.subject if f.subject in retyped[doc_id] else f.object
            shown = labels.get(f.object, f.object) if f.object_kind == "entity" else f.object
            out[sets.find((doc_id, end))].append({
                "document": doc_id,
                "subject": labels.get(f.subject, f.subject),
                "predicate": f.predicate,
                "object": shown if len(shown) <= 60 else shown[:60] + "...",
                "rule": f.provenance.rule,
            })  # fmt: skip
    return out


def entity_iris(extractions: Iterable[Extraction]) -> dict[str, dict[str, URIRef]]:
    """IRIs of every entity: ``{doc_id: {entity key: IRI}}`` (see :func:`resolve`)."""
    return resolve(extractions, in_place=False).iris

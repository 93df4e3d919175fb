"""Training labels: the annotation of a document projected onto its candidates.

Names are compared the way the scorer compares them (:func:`kg.evaluate.normalise`):
a candidate span is an entity of the annotation when its text is one of that
entity's names; a candidate pair holds property ``p`` when its two mentions name
the subject and object of an annotated ``p`` fact. A fact stated once in a
document labels every candidate pair of the same two entities (the model sees
some noise; the document-level decision takes the best pair).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kg.evaluate import QUOTE_WORDS, group_key, normalise, predicate_key
from kg.learn.candidates import (
    Analysis,
    EntityCandidate,
    GroupCandidate,
    PairCandidate,
    QuoteCandidate,
    mention_names,
)
from kg.learn.spans import NONE
from kg.model import PREDICATES

__all__ = ["Gold", "entity_label", "pair_label", "group_label", "quote_label", "SYMMETRIC"]

SYMMETRIC = frozenset({"partnersWith"})
_CANONICAL = {predicate_key(p): p for p in PREDICATES}


class Gold:
    """An annotated document, indexed for labelling."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.types: dict[str, str] = {}
        self.entity_of: dict[str, int] = {}  # normalised name -> entity number
        for k, e in enumerate(data.get("entities", [])):
            for name in [e.get("label", ""), *e.get("aliases", [])]:
                n = normalise(name)
                if n:
                    self.types.setdefault(n, e.get("type", ""))
                    self.entity_of.setdefault(n, k)
        self.facts: dict[tuple[int, int], set[str]] = {}
        self.groups: dict[tuple[int, str], dict[str, Any]] = {}
        self.group_counts: dict[tuple[int, str], set[float]] = {}
        self.quotes: dict[int, list[list[str]]] = {}
        for f in data.get("facts", []):
            p = _CANONICAL.get(predicate_key(f.get("p", "")))
            s = self.entity_of.get(normalise(f.get("s", "")))
            if p is None or s is None:
                continue
            if p == "said":
                self.quotes.setdefault(s, []).append(normalise(f.get("o", "")).split())
                continue
            o = self.entity_of.get(normalise(f.get("o", "")))
            if o is not None:
                self.facts.setdefault((s, o), set()).add(p)
                if p in SYMMETRIC:
                    self.facts.setdefault((o, s), set()).add(p)
            elif p in {"trains", "represents"}:
                self.groups[(s, p)] = f
                self.group_counts.setdefault((s, p), set()).add(float(f["count"]) if "count" in f else -1.0)

    def entity(self, names: list[str]) -> int | None:
        for n in names:
            k = self.entity_of.get(normalise(n))
            if k is not None:
                return k
        return None


def entity_label(gold: Gold, cand: EntityCandidate) -> str:
    """The annotated class of the name the candidate spans, or NONE."""
    return gold.types.get(normalise(cand.text), NONE) or NONE


def pair_label(gold: Gold, an: Analysis, pair: PairCandidate) -> str:
    """``p>`` when ``a`` is the subject of ``p`` and ``b`` its object, ``p<`` the other way, else NONE."""
    ka = gold.entity(mention_names(pair.a, an.entities))
    kb = gold.entity(mention_names(pair.b, an.entities))
    if ka is None or kb is None or ka == kb:
        return NONE
    forward = gold.facts.get((ka, kb), set())
    backward = gold.facts.get((kb, ka), set())
    for p in sorted(forward | backward):
        if p in SYMMETRIC:
            return p
    if forward:
        return f"{sorted(forward)[0]}>"
    if backward:
        return f"{sorted(backward)[0]}<"
    return NONE


def group_label(gold: Gold, an: Analysis, cand: GroupCandidate) -> str:
    """``trains`` / ``represents`` when the annotation has that fact from the organisation to this group."""
    k = gold.entity(mention_names(cand.org, an.entities))
    if k is None:
        return NONE
    for p in ("trains", "represents"):
        f = gold.groups.get((k, p))
        if f is None:
            continue
        if group_key(f.get("o", "")) == group_key(cand.noun):
            return p
        if cand.count is not None and "count" in f and abs(float(f["count"]) - cand.count) <= 0.01 * max(cand.count, 1):
            return p
    return NONE


def quote_label(gold: Gold, an: Analysis, cand: QuoteCandidate) -> str:
    """``said`` when the annotation gives this quotation (by its first words) to this person."""
    k = gold.entity(mention_names(cand.speaker, an.entities))
    if k is None:
        return NONE
    words = normalise(cand.quote).split()
    for gw in gold.quotes.get(k, []):
        n = min(QUOTE_WORDS, len(gw))
        if n and words[:n] == gw[:n]:
            return "said"
    return NONE

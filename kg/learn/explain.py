"""Where the model lost an annotated fact: the stage of extraction that did not reach it.

For each fact of a document's annotation, :func:`explain` replays the model's extraction of
the document and says how far the fact got:

``kept``
    the model extracts it (a miss at scoring time then comes from elsewhere: the build's
    cross-document stage, or the names the scorer pairs);
``below_min_confidence``
    the model extracts it at a confidence under the build's ``--min-confidence``;
``dropped``
    scored at or above its property's threshold, but left out because a better fact gave
    one of its entities a class this one does not fit;
``below_threshold``
    scored under its property's threshold (``score`` and ``threshold`` say by how much);
``unscored``
    the two entities were paired, with classes the property fits, and the model gave the
    property almost no chance (under 0.02);
``types``
    the two entities were paired, but their classes do not fit the property ("offers" needs
    a Program; the object was taken for an Organization);
``not_paired``
    both entities were found, but never close enough to form a candidate (``sentences``:
    how many sentences apart their nearest mentions are);
``entity``
    the subject or the object (``missing``) was not found at all;
``no_candidate``
    a group or quotation fact of a subject that was found, for which no candidate exists.

The answers are what a user adapting kg to their own articles needs to know: facts lost to
entities call for annotated names, facts scored under the threshold for more annotated
examples of the property, facts never paired for what the candidates cannot reach.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spacy.tokens import Doc

from kg.evaluate import GROUP_PREDICATES, _Annotation, _fact_matches, _names, normalise, predicate_key
from kg.learn.candidates import DEMONYM_PREFIX, Analysis, mention_names
from kg.learn.extractor import ScoredFact, analyse_document, decide, score_facts
from kg.learn.model import ExtractionModel
from kg.model import PREDICATES, SIGNATURES, Document

__all__ = ["STAGES", "explain"]

#: The stages, from the furthest a fact can get to the earliest it can be lost.
STAGES = ("kept", "below_min_confidence", "dropped", "below_threshold", "unscored", "types", "not_paired", "no_candidate", "entity")

_CANONICAL = {predicate_key(p): p for p in PREDICATES}


def _names_of(an: Analysis) -> dict[str, set[str]]:
    """Every entity key of the analysis (places named by an adjective included) -> its normalised
    names: those the training labels match annotations by, and each mention's own text."""
    out: dict[str, set[str]] = {}
    for m in [*(m for e in an.entities.values() for m in e.mentions), *(m for p in an.pairs for m in (p.a, p.b))]:
        if m.key:
            out.setdefault(m.key, set()).update(normalise(n) for n in (*mention_names(m, an.entities), m.text))
    return {k: {n for n in v if n} for k, v in out.items()}


def _label(key: str, an: Analysis) -> str:
    if key.startswith(DEMONYM_PREFIX):
        return key[len(DEMONYM_PREFIX) :]
    e = an.entities.get(key)
    return e.label if e is not None else key


def _as_fact(f: ScoredFact, an: Analysis) -> dict[str, Any]:
    """A scored fact as the scorer reads facts (names for keys)."""
    fact: dict[str, Any] = {"s": _label(f.subject, an), "p": f.predicate,
                            "o": _label(f.object, an) if f.kind == "entity" else f.object}  # fmt: skip
    if f.kind == "group" and f.attributes.get("count") is not None:
        fact["count"] = f.attributes["count"]
    return fact


def _sentences_apart(an: Analysis, a: set[str], b: set[str]) -> int | None:
    sa = {m.sent for k in a if k in an.entities for m in an.entities[k].mentions if m.sent >= 0}
    sb = {m.sent for k in b if k in an.entities for m in an.entities[k].mentions if m.sent >= 0}
    return min((abs(x - y) for x in sa for y in sb), default=None)


def explain(document: Document, chunks: list[tuple[int, Doc]], model: ExtractionModel,
            gold: Mapping[str, Any], min_confidence: float = 0.0) -> list[dict[str, Any] | None]:  # fmt: skip
    """For each fact of the annotation ``gold`` (in its order), how far the model's extraction of
    ``document`` got with it: ``{"stage": …}`` with one of :data:`STAGES`; when it was scored,
    its best ``score``, the property's ``threshold`` on scores, and the ``confidence`` the
    score is calibrated to (what ``--min-confidence`` reads); ``missing`` ("subject", "object"
    or both) for ``entity``; ``sentences`` for ``not_paired``. None for a fact whose property
    kg does not know. ``min_confidence``: the build's (a kept fact under it is
    ``below_min_confidence``)."""
    an = analyse_document(document, chunks, model)
    scored = score_facts(an, model)
    kept = {id(f) for f in decide(an, dict(scored), model)}
    names = _names_of(an)
    pred = _Annotation({"entities": [{"label": _label(k, an), "aliases": sorted(v)} for k, v in names.items()]})
    truth = _Annotation(gold)
    candidates = [(f, _as_fact(f, an)) for f in scored.values()]
    out: list[dict[str, Any] | None] = []
    for gf in truth.facts:
        p = _CANONICAL.get(predicate_key(gf.get("p", "")))
        if p is None:
            out.append(None)
            continue
        matches = [f for f, pf in candidates if _fact_matches(gf, pf, truth, pred)]
        if matches:
            best = max(matches, key=lambda f: (id(f) in kept, f.score))
            account: dict[str, Any] = {"score": round(best.score, 3), "threshold": round(model.threshold(p), 3),
                                       "confidence": round(model.calibration(p)(best.score), 3)}  # fmt: skip
            if id(best) in kept and account["confidence"] < min_confidence:
                stage, account["min_confidence"] = "below_min_confidence", min_confidence
            elif id(best) in kept:
                stage = "kept"
            elif best.score >= model.threshold(p):
                stage = "dropped"
            else:
                stage = "below_threshold"
            out.append({"stage": stage, **account})
            continue
        s_keys = {k for k, v in names.items() if v & truth.resolve(gf.get("s", ""))}
        o_names = truth.resolve(gf.get("o", ""))
        # a group or quotation object is not an entity (a union may also represent an organisation)
        entity_object = (p not in GROUP_PREDICATES and p != "said") or any(o_names & _names(e) for e in truth.entities)
        o_keys = {k for k, v in names.items() if v & o_names} if entity_object else set()
        missing = [side for side, keys, needed in (("subject", s_keys, True), ("object", o_keys, entity_object))
                   if needed and not keys]  # fmt: skip
        if missing:
            out.append({"stage": "entity", "missing": " and ".join(missing)})
            continue
        if not entity_object:
            out.append({"stage": "no_candidate"})
            continue
        pairs = [c for c in an.pairs if {c.a.key, c.b.key} <= s_keys | o_keys and (c.a.key in s_keys) != (c.b.key in s_keys)]
        if not pairs:
            apart = _sentences_apart(an, s_keys, o_keys)
            out.append({"stage": "not_paired", **({"sentences": apart} if apart is not None else {})})
            continue
        domain, range_ = SIGNATURES[p]
        ends = [(c.a, c.b) if c.a.key in s_keys else (c.b, c.a) for c in pairs]  # (subject, object) mentions
        fits = any(set(an.types(s)) & domain and set(an.types(o)) & range_ for s, o in ends)
        out.append({"stage": "unscored" if fits else "types"})
    return out

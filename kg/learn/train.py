"""Training the learned extractor from annotated articles, and cross-validating it.

Training is a function of (documents, annotations, seed): the same inputs give the
same weights. It goes:

1. annotations are checked (:mod:`kg.annotations`); an error stops training;
2. documents are read and parsed once; entity candidates get their labels;
3. the entity classifier is fitted on every document, with the memory of the names the
   other documents annotate (:mod:`kg.learn.annotated`);
4. the documents are split into ``folds``; each fold's mentions are chosen by an entity
   classifier fitted on the other folds, so the fact classifiers learn from mentions as
   imperfect as those of unseen articles;
5. the fact classifiers (pairs, group objects, quotations) are fitted fold by fold, and
   their scores on the held-out fold give, per property, the decision threshold that
   maximises F1 and the calibration of scores into probabilities of being right. The pair
   classifier also learns from the pairs of each document's annotated mentions
   (``annotated_pairs``), which show it facts whose mentions the chosen ones miss or split.
   Candidate pairs get the features of the memory of the facts the other documents state
   (:mod:`kg.learn.known`, ``known_facts``);
6. the fact classifiers are fitted on every document.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.errors import KGError
from kg.evaluate import normalise
from kg.learn import align, annotated, known, names, places
from kg.learn.candidates import Analysis, EntityCandidate, analyse, choose_mentions, entity_candidates
from kg.learn.extractor import ScoredFact, decide, score_facts, to_extraction
from kg.learn.linear import LinearModel
from kg.learn.model import CLASSIFIERS, Calibration, ExtractionModel
from kg.learn.spans import NONE
from kg.model import PREDICATES, Document, Extraction

__all__ = ["TrainingDocument", "TrainingError", "DEFAULTS", "OBJECTIVES", "joint_thresholds", "prepare", "fit", "folds", "train", "extraction_document"]

#: Hyper-parameters (a model's config records the ones it was trained with).
DEFAULTS: dict[str, Any] = {
    "entity_c": 2.0,
    "pair_c": 0.5,
    "group_c": 0.5,
    "quote_c": 0.5,
    "entity_threshold": 0.4,
    "longer_span": 0.6,
    "evidence": 0.5,
    "folds": 4,
    "min_count": 1,
    "objective": "balanced",
    "annotated_pairs": True,
    "known_names": True,
    "known_facts": True,
}

#: How the decision thresholds are chosen, and the weight each gives to the mean F1 of the
#: properties against the F1 of all facts together: "predicate", each property its own best
#: F1; "micro", the F1 of all facts; "balanced", the mean of the two.
OBJECTIVES: dict[str, float] = {"predicate": 1.0, "micro": 0.0, "balanced": 0.5}

#: Thresholds tried for each property.
_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class TrainingError(KGError):
    """The training material cannot be used (see the message for the file and the problem)."""


@dataclass
class TrainingDocument:
    """An annotated document, parsed, with its entity candidates and their labels."""

    document: Document
    chunks: list
    gold: dict[str, Any]
    candidates: list[EntityCandidate]
    labels: list[str]

    @property
    def doc_id(self) -> str:
        return self.document.doc_id


def prepare(
    sources: list[tuple[str | os.PathLike[str], str | os.PathLike[str]]],
    *,
    progress: Progress | None = None,
) -> tuple[list[TrainingDocument], list[str]]:
    """Read, check and parse annotated corpora, given as ``(corpus folder, annotation folder)`` pairs.

    Only documents with an annotation are used. Returns the training documents and
    the warnings about the annotations.

    Raises:
        TrainingError: an annotation has errors (all of them are listed), an annotation has
            no document, two documents share an id, or no document can be used.
    """
    from kg import ingest, nlp
    from kg.annotations import load_annotations
    from kg.pipeline import assign_doc_ids

    documents: list[tuple[Document, dict[str, Any]]] = []
    warnings: list[str] = []
    seen: dict[str, Path] = {}
    for corpus_dir, gold_dir in sources:
        corpus, gold_path = Path(corpus_dir), Path(gold_dir)
        golds, problems = load_annotations(gold_path, corpus)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            listed = "\n".join(f"  {p}" for p in errors[:50])
            more = f"\n  … and {len(errors) - 50} more" if len(errors) > 50 else ""
            raise TrainingError(f"{len(errors)} problem(s) in the annotations of {gold_path}:\n{listed}{more}")
        warnings += [str(p) for p in problems if p.severity != "error"]
        paths = ingest.discover(corpus)
        ids = assign_doc_ids(paths, corpus)
        by_id = {ids[p]: p for p in paths}
        by_stem = {p.stem: p for p in paths}
        for doc_id, data in sorted(golds.items()):
            path = by_id.get(doc_id) or by_stem.get(doc_id)
            if path is None:
                raise TrainingError(f"{gold_path}: the annotation of {doc_id!r} has no document in {corpus}")
            if doc_id in seen:
                raise TrainingError(f"{path}: a document of {seen[doc_id]} has the same id {doc_id!r}")
            seen[doc_id] = path
            doc = ingest.read_document(path, root=corpus, doc_id=doc_id)
            if doc.lang not in nlp.LANGUAGES:
                warnings.append(f"{path}: language {doc.lang!r} has no model; left out of training")
                continue
            documents.append((doc, data))
    if not documents:
        raise TrainingError("no annotated document can be used for training")
    out: list[TrainingDocument] = []
    total = len(documents)
    for lang in nlp.LANGUAGES:
        same = [(d, g) for d, g in documents if d.lang == lang]
        gold_of = {d.doc_id: g for d, g in same}
        for doc, chunks in nlp.pipe(((d, d.text) for d, _ in same), lang):
            data = gold_of[doc.doc_id]
            cands = entity_candidates(chunks, lang, places.build(), names.build())
            gold = align.Gold(data)
            out.append(TrainingDocument(doc, chunks, data, cands, [align.entity_label(gold, c) for c in cands]))
            if progress:
                progress("parse", len(out), total)
    out.sort(key=lambda t: t.doc_id)
    return out, warnings


#: Per document, per candidate: features added to the candidate's own (the memory of names).
Extra = list[list[list[str]]]


def _with(docs: list[TrainingDocument], extra: Extra | None) -> list[list[list[str]]]:
    """Each document's candidate feature rows, with ``extra`` added."""
    if extra is None:
        return [[c.features for c in d.candidates] for d in docs]
    return [[c.features + x for c, x in zip(d.candidates, xs)] for d, xs in zip(docs, extra)]


def _fit_entities(docs: list[TrainingDocument], cfg: dict[str, Any], seed: int, extra: Extra | None = None) -> LinearModel:
    rows = [row for rows in _with(docs, extra) for row in rows]
    labels = [label for d in docs for label in d.labels]
    return LinearModel.fit(rows, labels, c=cfg["entity_c"], seed=seed, min_count=cfg["min_count"])


def _analyse(docs: list[TrainingDocument], model: LinearModel, cfg: dict[str, Any], extra: Extra | None = None) -> list[Analysis]:
    out = []
    for d, rows in zip(docs, _with(docs, extra)):
        probs = model.predict_proba(rows)
        chosen = choose_mentions(d.candidates, probs, model.classes, cfg["entity_threshold"], cfg.get("longer_span"))
        out.append(analyse(d.document, d.chunks, chosen))
    return out


def _rows(
    docs: list[TrainingDocument],
    analyses: list[Analysis],
    keep: list[list[bool]] | None = None,
    memories: list[known.Memory | None] | None = None,
) -> dict[str, tuple[list, list]]:
    """Training rows of the fact classifiers; ``keep`` (per document, per candidate pair) leaves
    pairs out; ``memories`` (per document) is the memory of facts each document reads."""
    rows: dict[str, tuple[list, list]] = {k: ([], []) for k in ("pairs", "groups", "quotes")}
    for n, (d, an) in enumerate(zip(docs, analyses)):
        gold = align.Gold(d.gold)
        features = known.pair_rows(memories[n] if memories else None, an)
        for k, p in enumerate(an.pairs):
            if keep is not None and not keep[n][k]:
                continue
            rows["pairs"][0].append(features[k])
            rows["pairs"][1].append(align.pair_label(gold, an, p))
        for g in an.groups:
            rows["groups"][0].append(g.features)
            rows["groups"][1].append(align.group_label(gold, an, g))
        for q in an.quotes:
            rows["quotes"][0].append(q.features)
            rows["quotes"][1].append(align.quote_label(gold, an, q))
    return rows


def _annotated_analysis(d: TrainingDocument) -> tuple[Analysis, list[str]]:
    """The analysis of the document's annotated mentions (the candidates the annotation names,
    chosen as if certain, longest first), and the labels of its candidate pairs."""
    gold = align.Gold(d.gold)
    classes = (NONE, *sorted({label for label in d.labels if label != NONE}))
    probs = np.zeros((len(d.labels), len(classes)))
    for i, label in enumerate(d.labels):
        probs[i, classes.index(label)] = 1.0
    an = analyse(d.document, d.chunks, choose_mentions(d.candidates, probs, classes, 0.5, 0.5))
    return an, [align.pair_label(gold, an, p) for p in an.pairs]


def _evidence(
    docs: list[TrainingDocument],
    analyses: list[Analysis],
    probs: list[np.ndarray],
    classes: list[tuple[str, ...]],
    share: float,
) -> list[list[bool]]:
    """Which candidate pairs to train on, given their probabilities (columns: ``classes`` of the
    document) from models that did not see their document.

    An annotated fact labels every pair of mentions of its two entities, though most of the
    time one sentence states it and the others only name both. Of the pairs that carry a
    fact's label, those whose probability of that label is below ``share`` of the best one's
    are left out of training: they are likely not where the fact is stated.
    """
    keep = []
    for d, an, p, cls in zip(docs, analyses, probs, classes):
        gold = align.Gold(d.gold)
        labels = [align.pair_label(gold, an, pair) for pair in an.pairs]
        best: dict[tuple, float] = {}
        score = []
        for pair, label, row in zip(an.pairs, labels, p):
            value = float(row[cls.index(label)]) if label in cls else 0.0
            score.append(value)
            if label != NONE:
                key = (frozenset((pair.a.key, pair.b.key)), label.rstrip("<>"))
                best[key] = max(best.get(key, 0.0), value)
        keep.append([
            label == NONE or value >= share * best[(frozenset((pair.a.key, pair.b.key)), label.rstrip("<>"))]
            for pair, label, value in zip(an.pairs, labels, score)
        ])  # fmt: skip
    return keep


def _add_pairs(rows: dict[str, tuple[list, list]], pairs: list[tuple[list, list]]) -> dict[str, tuple[list, list]]:
    """``rows`` with more rows for the pair classifier (each item of ``pairs``: features, labels)."""
    for features, labels in pairs:
        rows["pairs"][0].extend(features)
        rows["pairs"][1].extend(labels)
    return rows


def _fit_facts(rows: dict[str, tuple[list, list]], cfg: dict[str, Any], seed: int) -> dict[str, LinearModel]:
    out = {}
    for name, key in (("pairs", "pair_c"), ("groups", "group_c"), ("quotes", "quote_c")):
        features, labels = rows[name]
        if len(set(labels)) < 2:  # a corpus without any such fact: a classifier that always says NONE
            out[name] = LinearModel([], ["NONE", "_"], np.zeros((0, 2)), np.array([1.0, -1.0]))
            continue
        out[name] = LinearModel.fit(features, labels, c=cfg[key], seed=seed, min_count=cfg["min_count"])
    return out


def folds(docs: list[TrainingDocument], k: int, seed: int) -> list[int]:
    """Fold number of each document (a seeded shuffle of the sorted ids, dealt in turn)."""
    ids = sorted(d.doc_id for d in docs)
    random.Random(seed).shuffle(ids)
    fold_of = {doc_id: i % k for i, doc_id in enumerate(ids)}
    return [fold_of[d.doc_id] for d in docs]


def _fact_document(f, labels: dict[str, str]) -> dict[str, Any] | None:
    if f.subject not in labels:
        return None
    if f.object_kind == "entity":
        if f.object not in labels:
            return None
        obj = labels[f.object]
    elif f.object_kind == "quote":
        obj = " ".join(f.object.split()[:6])
    else:
        obj = f.object
    fact: dict[str, Any] = {"s": labels[f.subject], "p": f.predicate, "o": obj}
    for name in ("amount", "currency", "count", "year", "role"):
        value = getattr(f, name)
        if value is not None:
            fact[name] = (int(value) if value == int(value) else float(value)) if name == "amount" else value
    return fact


def extraction_document(ex: Extraction) -> dict[str, Any]:
    """An extraction in the annotation format (as ``kg export --format gold-json`` writes it)."""
    from kg.export import _tidy_facts

    labels = {e.key: e.label for e in ex.entities}
    entities = [{"label": e.label, "type": e.type, "aliases": list(e.aliases)} for e in ex.entities]
    facts = [fact for f in ex.facts if (fact := _fact_document(f, labels)) is not None]
    return {"doc": ex.document.doc_id, "lang": ex.document.lang, "entities": entities, "facts": _tidy_facts(facts)}


def _tune(
    held: list[tuple[TrainingDocument, Analysis, dict[tuple, ScoredFact]]],
    model: ExtractionModel,
    objective: str = "predicate",
) -> tuple[dict[str, float], dict[str, dict[str, list[float]]], dict[str, Any]]:
    """Per property: the decision threshold on held-out scores, and the calibration.

    With ``objective`` "predicate" each threshold maximises its property's F1; otherwise
    the thresholds are chosen together (:func:`joint_thresholds`, weight of :data:`OBJECTIVES`).
    """
    from kg.evaluate import fact_hits, predicate_key

    points: dict[str, list[tuple[float, bool]]] = {p: [] for p in PREDICATES}
    role_pairs: dict[str, list[tuple[str, str]]] = {}
    gold_counts = {p: 0 for p in PREDICATES}
    canonical = {predicate_key(p): p for p in PREDICATES}
    # no threshold and no calibration: a fact's confidence is its raw score
    everything = ExtractionModel(model.classifiers, {"thresholds": {"entity": 0.0, "facts": dict.fromkeys(PREDICATES, 0.0)}})
    for d, an, scored in held:
        for f in d.gold.get("facts", []):
            p = canonical.get(predicate_key(f.get("p", "")))
            if p:
                gold_counts[p] += 1
        ex = to_extraction(an, decide(an, scored, everything), everything)
        labels = {e.key: e.label for e in ex.entities}
        ranked = []
        for f in sorted(ex.facts, key=lambda f: (-f.provenance.confidence, f.provenance.start)):
            fact = _fact_document(f, labels)
            if fact is not None:
                ranked.append((fact, f.provenance.confidence))
        entities = [{"label": e.label, "type": e.type, "aliases": list(e.aliases)} for e in ex.entities]
        hits = fact_hits(d.gold, {"entities": entities, "facts": [fact for fact, _ in ranked]})
        for (fact, score), hit in zip(ranked, hits):
            points[fact["p"]].append((score, hit))
        role_pairs.setdefault(d.document.lang, []).extend(_roles_against_gold(d.gold, [fact for fact, _ in ranked], entities))
    thresholds: dict[str, float] = {}
    calibration: dict[str, dict[str, list[float]]] = {}
    figures: dict[str, Any] = {"roles": {lang: _role_map(pairs) for lang, pairs in sorted(role_pairs.items())}}
    for p in PREDICATES:
        pts = points[p]
        best = (0.0, 0.5)
        for t in _GRID:
            f1 = _f1(*_kept(pts, t), gold_counts[p])
            if f1 > best[0] + 1e-9:
                best = (f1, t)
        thresholds[p] = best[1]
        calibration[p] = _isotonic(pts).to_dict()
    if objective != "predicate":
        thresholds = joint_thresholds(points, gold_counts, thresholds, macro=OBJECTIVES[objective])
    for p in PREDICATES:  # the held-out figures at the thresholds chosen
        tp, n = _kept(points[p], thresholds[p])
        figures[p] = {"f1": round(_f1(tp, n, gold_counts[p]), 3), "tp": tp, "pred": n, "gold": gold_counts[p]}
    return thresholds, calibration, figures


def _kept(points: list[tuple[float, bool]], threshold: float) -> tuple[int, int]:
    """(right, all) of the scored facts at or above ``threshold``."""
    kept = [h for s, h in points if s >= threshold]
    return sum(kept), len(kept)


def _f1(tp: int, predicted: int, gold: int) -> float:
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def joint_thresholds(
    points: dict[str, list[tuple[float, bool]]],
    gold_counts: dict[str, int],
    start: dict[str, float],
    *,
    macro: float = 0.0,
    rounds: int = 4,
) -> dict[str, float]:
    """Thresholds of all properties chosen together, by coordinate ascent from ``start``.

    ``points`` holds, per property, the held-out scores of the facts and whether each is
    right; ``gold_counts`` the annotated facts of each property. The objective is the F1 of
    all facts together (micro F1), mixed with weight ``macro`` with the mean F1 of the
    properties. Each property's own best threshold is not the best for all facts together: a
    weak property whose best F1 comes from many facts of low precision costs the others.
    """
    kept = {p: {t: _kept(points.get(p, []), t) for t in _GRID} for p in PREDICATES}
    gold = sum(gold_counts.get(p, 0) for p in PREDICATES)

    def objective(th: dict[str, float]) -> float:
        counts = [kept[p].get(th[p], (0, 0)) for p in PREDICATES]
        micro = _f1(sum(c[0] for c in counts), sum(c[1] for c in counts), gold)
        per = [_f1(tp, n, gold_counts.get(p, 0)) for p, (tp, n) in zip(PREDICATES, counts)]
        return (1 - macro) * micro + macro * sum(per) / len(per)

    out = {p: start.get(p, 0.5) for p in PREDICATES}
    for _ in range(rounds):
        changed = False
        for p in PREDICATES:
            best_t, best = out[p], objective(out)
            for t in _GRID:
                value = objective(dict(out, **{p: t}))
                if value > best + 1e-9:
                    best_t, best = t, value
            if best_t != out[p]:
                out[p], changed = best_t, True
        if not changed:
            break
    return out


def _roles_against_gold(gold: dict[str, Any], facts: list[dict[str, Any]], entities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role the extractor wrote, role the annotation gives) for the worksFor facts that match."""
    from kg.evaluate import _Annotation, _fact_matches

    g, p = _Annotation(gold), _Annotation({"entities": entities, "facts": facts})
    out = []
    for gf in g.facts:
        if gf.get("p") != "worksFor" or not gf.get("role"):
            continue
        for pf in p.facts:
            if pf.get("p") == "worksFor" and pf.get("role") and _fact_matches(gf, pf, g, p):
                out.append((str(pf["role"]), str(gf["role"]).casefold()))
                break
    return out


def _role_map(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Roles the extractor writes that the annotations consistently write otherwise
    ("general secretary" for "secrétaire général" where French articles are annotated "secretary
    general"): at least two cases, most of them. Learnt per language."""
    from collections import Counter

    by_role: dict[str, Counter[str]] = {}
    for ours, theirs in pairs:
        by_role.setdefault(ours, Counter())[theirs] += 1
    out = {}
    for ours, counts in sorted(by_role.items()):
        best, n = max(sorted(counts.items()), key=lambda kv: kv[1])
        total = sum(counts.values())
        if best != ours and n >= 2 and n * 2 > total and counts.get(ours, 0) * 2 < n and ours not in best and best not in ours:
            out[ours] = best
    return out


def _isotonic(points: list[tuple[float, bool]]) -> Calibration:
    """Scores -> observed precision, increasing (pool-adjacent-violators), as a few breakpoints."""
    if len(points) < 5:
        return Calibration()
    pts = sorted(points)
    xs = np.array([s for s, _ in pts])
    ys = np.array([1.0 if h else 0.0 for _, h in pts])
    # pool adjacent violators
    blocks: list[list[float]] = []  # [sum, count, min x, max x]
    for x, y in zip(xs, ys):
        blocks.append([y, 1.0, x, x])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n, lo, hi = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
            blocks[-1][3] = hi
    bx, by = [0.0], [0.0]
    for s, n, lo, hi in blocks:
        v = (s + 0.5) / (n + 1.0)  # smoothed toward 1/2 where a block is small
        bx.append(float((lo + hi) / 2))
        by.append(float(max(v, by[-1])))
    bx.append(1.0)
    by.append(max(by[-1], by[-1]))
    # keep the breakpoints strictly increasing in x
    cx, cy = [], []
    for x, y in zip(bx, by):
        if cx and x <= cx[-1]:
            cy[-1] = max(cy[-1], y)
            continue
        cx.append(x)
        cy.append(y)
    return Calibration(cx, cy)


def fit(
    docs: list[TrainingDocument],
    *,
    seed: int = 0,
    config: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> ExtractionModel:
    """Train a model on prepared documents (see the module docstring for the steps)."""
    from kg import __version__

    cfg = dict(DEFAULTS, **(config or {}))
    objective = cfg["objective"]
    if objective not in OBJECTIVES:
        raise TrainingError(f"unknown threshold objective {objective!r} (one of {', '.join(OBJECTIVES)})")
    k = max(2, min(int(cfg["folds"]), len(docs)))
    share = cfg.get("evidence")
    steps = (3 if share else 2) * k + 2
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress("train", done, steps)

    memory: dict[str, str] = {}
    parts: list[annotated.Contribution] = []
    if cfg.get("known_names"):
        parts = [annotated.contribution(d.gold, [normalise(c.text) for c in d.candidates]) for d in docs]
        memory = annotated.build(parts)

    def extra(inside: list[int]) -> Extra | None:
        """The memory's features of every document's candidates, from the documents ``inside``."""
        return annotated.leave_one_out(parts, inside) if parts else None

    every = list(range(len(docs)))
    entities = _fit_entities(docs, cfg, seed, extra(every))
    step()
    fold = folds(docs, k, seed)
    analyses: list[Analysis | None] = [None] * len(docs)
    for f in range(k):
        inside = [i for i, g in enumerate(fold) if g != f]
        held = [i for i, g in enumerate(fold) if g == f]
        seen = extra(inside)
        model_f = _fit_entities([docs[i] for i in inside], cfg, seed, None if seen is None else [seen[i] for i in inside])
        for i, an in zip(held, _analyse([docs[i] for i in held], model_f, cfg, None if seen is None else [seen[i] for i in held])):
            analyses[i] = an
        step()
    stated = [known.contribution(d.gold) for d in docs] if cfg.get("known_facts") else None

    def memories(inside: list[int]) -> tuple[known.Memory | None, dict[int, known.Memory]]:
        """The memory of facts of the documents ``inside``, and what each of them reads (the others')."""
        if stated is None:
            return None, {}
        counts = known.tally(stated[i] for i in inside)
        whole = known.from_tally(counts)
        return whole, {i: known.leave_out(whole, counts, stated[i]) for i in inside}

    annotated_analyses = [_annotated_analysis(d) for d in docs] if cfg.get("annotated_pairs") else None

    def gold_pairs(inside: list[int], mems: dict[int, known.Memory]) -> list[tuple[list, list]]:
        """The pair rows of the annotated mentions of the documents ``inside``."""
        if annotated_analyses is None:
            return []
        return [(known.pair_rows(mems.get(i), annotated_analyses[i][0]), annotated_analyses[i][1]) for i in inside]

    ready = [an for an in analyses if an is not None]
    entity_thresholds = {"entity": cfg["entity_threshold"], "longer_span": cfg.get("longer_span")}
    base = {"thresholds": dict(entity_thresholds, facts={})}
    keep: list[list[bool]] | None = None
    if share:  # which pairs state their fact, as models that did not see the document judge
        probs: list[np.ndarray] = [np.zeros((0, 0))] * len(docs)
        classes: list[tuple[str, ...]] = [()] * len(docs)
        for f in range(k):
            inside = [i for i, g in enumerate(fold) if g != f]
            whole, mems = memories(inside)
            rows = _rows([docs[i] for i in inside], [ready[i] for i in inside], None, [mems.get(i) for i in inside])
            rows = _add_pairs(rows, gold_pairs(inside, mems))
            features, labels = rows["pairs"]
            if len(set(labels)) < 2:
                break
            pairs_f = LinearModel.fit(features, labels, c=cfg["pair_c"], seed=seed, min_count=cfg["min_count"])
            for i, g in enumerate(fold):
                if g == f:
                    probs[i] = pairs_f.predict_proba(known.pair_rows(whole, ready[i]))
                    classes[i] = pairs_f.classes
            step()
        else:
            keep = _evidence(docs, ready, probs, classes, float(share))
    held_out: list[tuple[TrainingDocument, Analysis, dict]] = []
    for f in range(k):
        inside = [i for i, g in enumerate(fold) if g != f]
        whole, mems = memories(inside)
        rows = _rows([docs[i] for i in inside], [ready[i] for i in inside], None if keep is None else [keep[i] for i in inside],
                     [mems.get(i) for i in inside])  # fmt: skip
        facts_f = _fit_facts(_add_pairs(rows, gold_pairs(inside, mems)), cfg, seed)
        model_f = ExtractionModel(dict(facts_f, entities=entities), base, known=whole or {})
        for i, g in enumerate(fold):
            if g == f:
                held_out.append((docs[i], ready[i], score_facts(ready[i], model_f)))
        step()
    whole, mems = memories(every)
    rows = _add_pairs(_rows(docs, ready, keep, [mems.get(i) for i in every]), gold_pairs(every, mems))
    classifiers = dict(_fit_facts(rows, cfg, seed), entities=entities)
    step()
    model = ExtractionModel(
        {k_: classifiers[k_] for k_ in CLASSIFIERS}, base, places=places.build(), names=names.build(), annotated=memory,
        known=whole or {},
    )
    thresholds, calibration, figures = _tune(held_out, model, objective)
    corpus = hashlib.sha256()
    for d in docs:
        corpus.update(f"{d.doc_id}:{d.document.sha256}\n".encode())
    model.config = {
        "kg_version": __version__,
        "seed": seed,
        "hyperparameters": cfg,
        "thresholds": dict(entity_thresholds, facts=thresholds),
        "calibration": calibration,
        "trained_on": {"documents": len(docs), "digest": corpus.hexdigest()[:16],
                       "ids": [d.doc_id for d in docs]},  # fmt: skip
        "held_out_f1": {p: v for p, v in figures.items() if p != "roles"},
        "roles": figures["roles"],
        "spacy_models": _spacy_models(),
        "places": dict(places.sources(), names=len(model.places)),
        "names": dict(names.sources(), words=len(model.names)),
        "annotated_names": len(model.annotated),
        "known_facts": {"names": len(model.known.get("roles", {})), "pairs": len(model.known.get("pairs", {}))},
    }
    return model


def _spacy_models() -> dict[str, str]:
    from kg import nlp

    out = {}
    for lang in nlp.LANGUAGES:
        try:
            name = nlp.model_name(lang)
            out[lang] = f"{name}=={nlp.package_version(name)}"
        except KGError:
            out[lang] = "none"
    return out


def train(
    sources: list[tuple[str | os.PathLike[str], str | os.PathLike[str]]],
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    config: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> tuple[ExtractionModel, list[str]]:
    """Train a model on annotated corpora (``(corpus, annotations)`` folder pairs) and save it into ``out_dir``.

    Returns the model and the warnings about the annotations.

    Raises:
        TrainingError: the annotations have errors, or nothing can be trained on.
    """
    docs, warnings = prepare(sources, progress=progress)
    model = fit(docs, seed=seed, config=config, progress=progress)
    model.save(out_dir)
    return model, warnings

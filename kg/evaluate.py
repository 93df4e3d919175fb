"""Score extracted entities and facts against gold annotations; ``kg evaluate``.

Gold and predicted documents are in the gold format (the annotation guideline's
JSON: ``doc``, ``lang``, ``entities`` with ``label`` / ``type`` / ``aliases``,
``facts`` with ``s`` / ``p`` / ``o`` and the attributes ``amount``, ``currency``,
``count``, ``year``, ``role``), which ``kg export --format gold-json`` writes.
:func:`evaluate` builds a corpus, exports it and scores it; :func:`score` and
:func:`load_docs` score documents already on disk.

How documents are scored (these are the guideline's rules, and the numbers are
those of its reference scorer):

- **Names** are compared after :func:`normalise`: Unicode compatibility
  decomposition, case folding, accents dropped, every run of non-word
  characters made one space, and one leading article (``the``, ``le``,
  ``la``, ``les``, ``l``, ``du``, ``de``, ``des``, ``d``) removed.
- **Entities**: each gold entity, in file order, is paired with the first
  predicted entity not yet paired that shares a name (label or alias) with it.
  Type accuracy is the share of pairs whose types agree.
- **Facts**: predicates compare case-insensitively. A fact's subject or
  object names an entity by its label, and then stands for every name of the
  entities with that label; gold and predicted sides match when those name
  sets meet. ``partnersWith`` matches in either direction. The object of
  ``trains`` / ``represents`` also matches when both are the same group noun
  (:data:`GROUP_SYNONYMS` maps French nouns to the English one; a plural
  ``s`` is ignored) or when the gold fact has a ``count`` and the predicted
  fact the same count. ``said`` matches on the speaker and the first
  :data:`QUOTE_WORDS` words of the quotation. Each gold fact takes the first
  matching predicted fact not taken yet.
- **Attributes** of matched facts: numbers (``count``, ``amount``, ``year``)
  agree within 1% of the larger (at least 1); ``role`` and ``currency`` when
  the gold value equals or is contained in the predicted one, and a role also
  when one is the initials of the other ("ceo" / "chief executive officer").
- Precision, recall and F1 are rounded to 3 decimals; a gold document without
  a prediction scores as empty output.

>>> gold = {"d1": {"entities": [{"label": "Société Générale", "type": "Organization", "aliases": []},
...                             {"label": "Paris", "type": "Place", "aliases": []}],
...                "facts": [{"s": "Société Générale", "p": "locatedIn", "o": "Paris"}]}}
>>> pred = {"d1": {"entities": [{"label": "societe generale", "type": "Organization", "aliases": []}],
...                "facts": [{"s": "societe generale", "p": "locatedin", "o": "Paris"}]}}
>>> result = score(gold, pred)
>>> result["entities"]["recall"], result["facts"]["f1"]
(0.5, 1.0)
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KGError

if TYPE_CHECKING:
    import numpy as np

    from kg.pipeline import ProgressCallback

__all__ = [
    "fact_hits",
    "EvaluationError",
    "ATTRIBUTES",
    "GROUP_PREDICATES",
    "GROUP_SYNONYMS",
    "QUOTE_WORDS",
    "SYMMETRIC_PREDICATES",
    "normalise",
    "predicate_key",
    "group_key",
    "document_key",
    "load_docs",
    "score",
    "intervals",
    "compare",
    "RESAMPLES",
    "errors",
    "format_table",
    "corpus_documents",
    "evaluate",
    "cross_validate",
]


class EvaluationError(KGError):
    """Gold or predicted documents cannot be read, or do not fit the corpus."""


#: Predicates whose subject and object may be swapped (compared as :func:`predicate_key`).
SYMMETRIC_PREDICATES: frozenset[str] = frozenset({"partnerswith"})
#: Predicates whose object may be a group of people (a common noun) rather than an entity.
GROUP_PREDICATES: frozenset[str] = frozenset({"trains", "represents"})
#: Fact attributes scored as attribute accuracy.
ATTRIBUTES: tuple[str, ...] = ("count", "amount", "year", "role", "currency")
_NUMERIC_ATTRIBUTES = frozenset({"count", "amount", "year"})
#: French group nouns an article may use, mapped to the English noun of the annotation.
GROUP_SYNONYMS: dict[str, str] = {
    "travailleurs": "workers",
    "travailleur": "workers",
    "salaries": "workers",
    "employes": "employees",
    "syndicats": "unions",
    "unions": "unions",
    "etudiants": "students",
    "eleves": "students",
    "associes": "associates",
    "personnes": "people",
    "enseignants": "teachers",
    "membres": "members",
}
#: A ``said`` fact matches when the quotations start with the same words, at most this many.
QUOTE_WORDS = 4

_LEADING_ARTICLE = re.compile(r"^(the|le|la|les|l|du|de|des|d)\s+")
_NON_WORD = re.compile(r"[^\w]+")
_INITIALS_SKIPPED = frozenset({"of", "de", "du", "des"})


# --------------------------------------------------------------------------- normalisation


def normalise(text: object) -> str:
    """Fold a name for comparison: case, accents, punctuation, one leading article.

    >>> normalise("  L'Équipe  "), normalise("The AFL-CIO"), normalise("Société Générale")
    ('equipe', 'afl cio', 'societe generale')
    """
    folded = unicodedata.normalize("NFKD", str(text)).casefold()
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _NON_WORD.sub(" ", folded).strip()
    return _LEADING_ARTICLE.sub("", folded)


def predicate_key(predicate: object) -> str:
    """A predicate as the scorer compares it (lower case, no spaces).

    >>> predicate_key("partnersWith"), predicate_key("Works For")
    ('partnerswith', 'worksfor')
    """
    return normalise(predicate).replace(" ", "")


def group_key(text: object) -> str:
    """The head noun of a group ("les salariés" -> "worker"), French nouns mapped to English.

    >>> group_key("les salariés"), group_key("Workers"), group_key("young people")
    ('worker', 'worker', 'people')
    """
    words = normalise(text).split()
    if not words:
        return ""
    head = GROUP_SYNONYMS.get(words[-1], words[-1])
    return head[:-1] if head.endswith("s") else head


def _names(entity: Mapping[str, Any]) -> set[str]:
    """Every normalised name of an entity: its label and aliases."""
    raw = [entity.get("label", ""), *(entity.get("aliases") or [])]
    return {key for key in map(normalise, raw) if key}


def document_key(doc: Mapping[str, Any], stem: str | None = None) -> str:
    """The key pairing a gold document with a prediction: its ``doc`` field, else the file stem.

    >>> document_key({"doc": "d01"}), document_key({}, "d02"), document_key({"doc": "a/b.txt"})
    ('d01', 'd02', 'b')
    """
    return Path(str(doc.get("doc") or stem)).stem


# --------------------------------------------------------------------------- reading


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"{where}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"{path}: not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read file: {exc.strerror or exc}") from exc


def _check_document(doc: Any, where: str) -> dict[str, Any]:
    """Refuse what cannot be scored at all: a document that is not an object, or
    entities and facts that are not lists of objects."""
    if not isinstance(doc, dict):
        raise EvaluationError(f"{where}: a document must be a JSON object, not {type(doc).__name__}")
    for field in ("entities", "facts"):
        items = doc.get(field, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise EvaluationError(f"{where}: {field!r} must be a list of JSON objects")
    return doc


def load_docs(path: str | os.PathLike[str]) -> dict[str, dict]:
    """Read gold-format documents, keyed as they are paired (:func:`document_key`).

    Args:
        path: a folder of ``<doc>.json`` files (each document read from a folder
            also carries its file stem under ``"_stem"``), one JSON file holding
            a list of documents or ``{"documents": [...]}``, or a JSON-lines file
            with one document per line. When two documents have the same key,
            the last one read is kept.

    Raises:
        EvaluationError: the path does not exist, a file is not UTF-8 JSON, or a
            document is not an object with lists of entities and facts.
    """
    path = Path(path)
    docs: list[tuple[dict[str, Any], str | None]] = []
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            doc = _check_document(_parse(_read(file), str(file)), str(file))
            docs.append((doc | {"_stem": file.stem}, file.stem))
    elif path.exists():
        text = _read(path).strip()
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = [_parse(line, f"{path}, line {n}") for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        if isinstance(data, dict):
            data = data.get("documents", [])
        if not isinstance(data, list):
            raise EvaluationError(f"{path}: expected a list of documents or an object with 'documents'")
        docs = [(_check_document(doc, f"{path}, document {n}"), None) for n, doc in enumerate(data, 1)]
    else:
        raise EvaluationError(f"{path}: no such file or folder")
    return {document_key(doc, stem): doc for doc, stem in docs}


# --------------------------------------------------------------------------- matching


class _Annotation:
    """The entities and facts of one document, with label -> names resolution."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.entities = [e for e in data.get("entities") or [] if normalise(e.get("label", ""))]
        self.facts: list[dict[str, Any]] = list(data.get("facts") or [])
        self._names_by_label: dict[str, set[str]] = {}
        for entity in self.entities:
            self._names_by_label.setdefault(normalise(entity["label"]), set()).update(_names(entity))

    def resolve(self, name: object) -> set[str]:
        """The names a fact's subject or object stands for: those of the entities so labelled, else itself."""
        key = normalise(name)
        return self._names_by_label.get(key, {key}) if key else set()


def _match_entities(gold: _Annotation, pred: _Annotation) -> list[tuple[dict, dict]]:
    pairs, used = [], set()
    for g in gold.entities:
        names = _names(g)
        for i, p in enumerate(pred.entities):
            if i not in used and names & _names(p):
                used.add(i)
                pairs.append((g, p))
                break
    return pairs


def _same_number(a: object, b: object) -> bool:
    try:
        x, y = float(a), float(b)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= 0.01 * max(abs(x), abs(y), 1)


def _fact_matches(gf: Mapping[str, Any], pf: Mapping[str, Any], gold: _Annotation, pred: _Annotation) -> bool:
    p = predicate_key(gf.get("p", ""))
    if predicate_key(pf.get("p", "")) != p:
        return False
    if p == "said":
        gold_words, pred_words = normalise(gf.get("o", "")).split(), normalise(pf.get("o", "")).split()
        k = min(QUOTE_WORDS, len(gold_words))
        speaker = gold.resolve(gf.get("s", "")) & pred.resolve(pf.get("s", ""))
        return bool(speaker) and k > 0 and pred_words[:k] == gold_words[:k]

    def same(g_name: object, p_name: object) -> bool:
        return bool(gold.resolve(g_name) & pred.resolve(p_name))

    def object_ok(g_obj: object, p_obj: object) -> bool:
        if p in GROUP_PREDICATES:
            if group_key(g_obj) and group_key(g_obj) == group_key(p_obj):
                return True
            if "count" in gf and _same_number(gf.get("count"), pf.get("count")):
                return True
        return same(g_obj, p_obj)

    g_s, g_o, p_s, p_o = gf.get("s", ""), gf.get("o", ""), pf.get("s", ""), pf.get("o", "")
    if same(g_s, p_s) and object_ok(g_o, p_o):
        return True
    return p in SYMMETRIC_PREDICATES and same(g_s, p_o) and object_ok(g_o, p_s)


def _initials(text: str) -> str:
    return "".join(word[0] for word in normalise(text).split() if word not in _INITIALS_SKIPPED)


def _attribute_ok(name: str, gold_value: object, pred_value: object) -> bool:
    if name in _NUMERIC_ATTRIBUTES:
        return _same_number(gold_value, pred_value)
    g, p = normalise(gold_value), normalise(pred_value or "")
    if not g or not p:
        return False
    if g == p or g in p:
        return True
    return name == "role" and (_initials(g) == p.replace(" ", "") or _initials(p) == g.replace(" ", ""))


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = round(2 * p * r / (p + r), 3) if p + r else 0.0
    return {"tp": tp, "pred": n_pred, "gold": n_gold, "precision": round(p, 3), "recall": round(r, 3), "f1": f1}


def score(gold_docs: Mapping[str, Mapping[str, Any]], pred_docs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Score predicted documents against gold ones (both keyed as by :func:`load_docs`).

    Only gold documents are scored; a predicted document without gold is ignored.

    Returns:
        ``{"documents": n, "entities": {...}, "facts": {...}, "by_predicate": {...}}``:
        each of entities, facts and ``by_predicate[p]`` (``p`` as
        :func:`predicate_key`) has ``tp``, ``pred``, ``gold``, ``precision``,
        ``recall`` and ``f1``; entities also ``type_accuracy``, facts also
        ``attribute_accuracy``.
    """
    entities: Counter[str] = Counter()
    facts: Counter[str] = Counter()
    attributes: Counter[str] = Counter()
    by_predicate: dict[str, Counter[str]] = {}
    for key, gold_data in sorted(gold_docs.items()):
        gold, pred = _Annotation(gold_data), _Annotation(pred_docs.get(key, {}))
        pairs = _match_entities(gold, pred)
        typed = sum(normalise(g.get("type", "")) == normalise(p.get("type", "")) for g, p in pairs)
        entities.update(tp=len(pairs), pred=len(pred.entities), gold=len(gold.entities), typed=typed)
        matches = _pair_facts(gold, pred)
        for gf in gold.facts:
            by_predicate.setdefault(predicate_key(gf.get("p", "")), Counter())["gold"] += 1
        for g_index, i in matches.items():
            gf, pf = gold.facts[g_index], pred.facts[i]
            by_predicate[predicate_key(gf.get("p", ""))]["tp"] += 1
            for name in ATTRIBUTES:
                if name in gf:
                    attributes["asked"] += 1
                    attributes["right"] += _attribute_ok(name, gf[name], pf.get(name))
        for pf in pred.facts:
            by_predicate.setdefault(predicate_key(pf.get("p", "")), Counter())["pred"] += 1
        facts.update(tp=len(matches), pred=len(pred.facts), gold=len(gold.facts))
    type_accuracy = round(entities["typed"] / entities["tp"], 3) if entities["tp"] else 0.0
    attribute_accuracy = round(attributes["right"] / attributes["asked"], 3) if attributes["asked"] else 0.0
    return {
        "documents": len(gold_docs),
        "entities": _prf(entities["tp"], entities["pred"], entities["gold"]) | {"type_accuracy": type_accuracy},
        "facts": _prf(facts["tp"], facts["pred"], facts["gold"]) | {"attribute_accuracy": attribute_accuracy},
        "by_predicate": {k: _prf(v["tp"], v["pred"], v["gold"]) for k, v in sorted(by_predicate.items())},
    }


#: How many times the documents are resampled for :func:`intervals` and :func:`compare` by default.
RESAMPLES = 1000


def _count_table(
    gold_docs: Mapping[str, Mapping[str, Any]], pred_docs: Mapping[str, Mapping[str, Any]], *, per_predicate: bool
) -> tuple[np.ndarray, list[str]]:
    """One row per gold document (sorted by key): the tp, pred and gold counts :func:`score` adds
    up for entities, for facts, then (with ``per_predicate``) for each predicate of the returned list."""
    import numpy as np

    scores = [score({key: gold_docs[key]}, {key: pred_docs.get(key, {})}) for key in sorted(gold_docs)]
    predicates = sorted({p for r in scores for p in r["by_predicate"]}) if per_predicate else []
    rows = []
    for r in scores:
        row = [r["entities"][c] for c in ("tp", "pred", "gold")] + [r["facts"][c] for c in ("tp", "pred", "gold")]
        for p in predicates:
            counts = r["by_predicate"].get(p, {})
            row += [counts.get(c, 0) for c in ("tp", "pred", "gold")]
        rows.append(row)
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), 6 + 3 * len(predicates)), predicates


def _f1s(tp: np.ndarray, pred: np.ndarray, gold: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 of count vectors (0 where undefined)."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(pred > 0, tp / np.maximum(pred, 1), 0.0)
        r = np.where(gold > 0, tp / np.maximum(gold, 1), 0.0)
        f = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0.0)
    return p, r, f


def _resampled(n: int, resamples: int, seed: int) -> np.ndarray:
    """``resamples`` rows of ``n`` document numbers drawn with replacement (seeded); one row of
    all the documents when there are fewer than two, whose intervals are then the score itself."""
    import numpy as np

    if n < 2:
        return np.zeros((1, n), dtype=np.intp)
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def _bounds(values: np.ndarray, level: float) -> list[float]:
    """The central percentile interval of ``values`` holding ``level`` of them, rounded to 3 decimals."""
    import numpy as np

    tail = (1.0 - level) / 2 * 100
    return [round(float(np.percentile(values, tail)), 3), round(float(np.percentile(values, 100 - tail)), 3)]


def intervals(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_docs: Mapping[str, Mapping[str, Any]],
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """How far the scores of :func:`score` could move on other documents of the same kind:
    percentile intervals over ``resamples`` bootstrap resamples of the gold documents (the
    same documents drawn with replacement, each bringing all its entities and facts).

    Returns:
        ``{"resamples", "level", "seed", "entities": {"f1": [lo, hi]}, "facts": {"precision":
        [lo, hi], "recall": [lo, hi], "f1": [lo, hi]}, "by_predicate": {p: {"f1": [lo, hi]}}}``,
        bounds rounded to 3 decimals. A property's interval leaves out the resamples that have
        none of its facts, annotated or predicted (their F1 is undefined). With fewer than two
        gold documents every interval is the score itself.
    """
    table, predicates = _count_table(gold_docs, pred_docs, per_predicate=True)
    draws = _resampled(len(table), resamples, seed)
    sums = table[draws].sum(axis=1)  # resamples x columns

    _, _, ef = _f1s(sums[:, 0], sums[:, 1], sums[:, 2])
    fp, fr, ff = _f1s(sums[:, 3], sums[:, 4], sums[:, 5])
    by_predicate = {}
    for k, p in enumerate(predicates):
        c = 6 + 3 * k
        defined = sums[:, c + 1] + sums[:, c + 2] > 0  # resamples with no such fact, predicted or annotated, have no F1
        f1 = _f1s(sums[:, c], sums[:, c + 1], sums[:, c + 2])[2][defined]
        by_predicate[p] = {"f1": _bounds(f1, level) if len(f1) else [0.0, 0.0]}
    return {
        "resamples": int(draws.shape[0]),
        "level": level,
        "seed": seed,
        "entities": {"f1": _bounds(ef, level)},
        "facts": {"precision": _bounds(fp, level), "recall": _bounds(fr, level), "f1": _bounds(ff, level)},
        "by_predicate": by_predicate,
    }


def compare(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_a: Mapping[str, Mapping[str, Any]],
    pred_b: Mapping[str, Mapping[str, Any]],
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """Whether extraction ``b`` scores better than ``a`` on documents of this kind, or only on
    these: a paired bootstrap over the gold documents (each resample scores both on the same
    documents).

    Returns:
        For ``entities`` and ``facts``: ``a`` and ``b`` (the F1 of each on all the documents),
        ``difference`` (b - a), ``interval`` (percentile interval of the difference at
        ``level``) and ``b_better`` (the share of resamples in which b's F1 is higher); and
        ``resamples``, ``level``, ``seed``.
    """
    import numpy as np

    ta, _ = _count_table(gold_docs, pred_a, per_predicate=False)
    tb, _ = _count_table(gold_docs, pred_b, per_predicate=False)
    draws = _resampled(len(ta), resamples, seed)
    sa, sb = ta[draws].sum(axis=1), tb[draws].sum(axis=1)
    out: dict[str, Any] = {"resamples": int(draws.shape[0]), "level": level, "seed": seed}
    for name, c in (("entities", 0), ("facts", 3)):
        fa = _f1s(sa[:, c], sa[:, c + 1], sa[:, c + 2])[2]
        fb = _f1s(sb[:, c], sb[:, c + 1], sb[:, c + 2])[2]
        whole_a = float(_f1s(*ta[:, c : c + 3].sum(axis=0))[2])
        whole_b = float(_f1s(*tb[:, c : c + 3].sum(axis=0))[2])
        diff = fb - fa
        out[name] = {
            "a": round(whole_a, 3),
            "b": round(whole_b, 3),
            "difference": round(whole_b - whole_a, 3),
            "interval": _bounds(diff, level),
            "b_better": round(float(np.mean(diff > 0)), 3),
        }
    return out


def _pair_facts(gold: _Annotation, pred: _Annotation) -> dict[int, int]:
    """Gold fact number -> predicted fact number: each gold fact, in order, takes the first
    matching predicted fact not taken yet (the scorer's true positives)."""
    out: dict[int, int] = {}
    used: set[int] = set()
    for g_index, gf in enumerate(gold.facts):
        for i, pf in enumerate(pred.facts):
            if i not in used and _fact_matches(gf, pf, gold, pred):
                used.add(i)
                out[g_index] = i
                break
    return out


def fact_hits(gold_data: Mapping[str, Any], pred_data: Mapping[str, Any]) -> list[bool]:
    """For each predicted fact, in order, whether it matches a gold fact not matched by an earlier one.

    With the predictions sorted by decreasing confidence, the hits of the facts kept at any
    threshold are the scorer's true positives (each gold fact counts once).
    """
    gold, pred = _Annotation(gold_data), _Annotation(pred_data)
    used: set[int] = set()
    out = []
    for pf in pred.facts:
        hit = False
        for i, gf in enumerate(gold.facts):
            if i not in used and _fact_matches(gf, pf, gold, pred):
                used.add(i)
                hit = True
                break
        out.append(hit)
    return out


def errors(
    gold_docs: Mapping[str, Mapping[str, Any]],
    pred_docs: Mapping[str, Mapping[str, Any]],
    explanations: Mapping[str, list[dict[str, Any] | None]] | None = None,
) -> list[dict[str, Any]]:
    """Every disagreement :func:`score` counts, one record each, documents in key order.

    Facts and entities are paired exactly as :func:`score` pairs them, so the records add up
    to its figures: per document, ``missed_fact`` records are the gold facts less the true
    positives, ``wrong_fact`` records the predicted facts less the true positives,
    ``missed_entity`` and ``extra_entity`` the unpaired entities, ``entity_type`` the
    paired entities whose types differ, and ``wrong_attribute`` the attributes of matched facts
    that attribute accuracy counts as wrong (``attribute``, its ``gold`` value and the ``pred``
    one, None when the fact has none; ``fact`` is the gold fact).

    Each record has ``doc``, ``kind``, the ``fact`` or ``entity`` concerned (``gold`` and
    ``pred`` for a type) and, for facts, ``why``: what the other side has between the same
    two entities ("object not extracted", "annotated as memberOf", "annotated the other way
    round", "no annotated fact between them", ...). Only gold documents are compared.

    ``explanations`` (per document, one item per gold fact, from
    :func:`kg.learn.explain.explain`) adds ``model`` to each ``missed_fact`` record: the stage of
    the model's extraction where the fact was lost.

    >>> gold = {"d": {"entities": [{"label": "Acme", "type": "Organization"},
    ...                            {"label": "Lyon", "type": "Place"}],
    ...               "facts": [{"s": "Acme", "p": "locatedIn", "o": "Lyon"}]}}
    >>> pred = {"d": {"entities": [{"label": "Acme", "type": "Organization"},
    ...                            {"label": "Lyon", "type": "Organization"}],
    ...               "facts": [{"s": "Acme", "p": "memberOf", "o": "Lyon"}]}}
    >>> [(e["kind"], e.get("why")) for e in errors(gold, pred)]
    [('missed_fact', 'extracted as memberOf'), ('wrong_fact', 'annotated as locatedIn'), ('entity_type', None)]
    """
    out: list[dict[str, Any]] = []
    for key, gold_data in sorted(gold_docs.items()):
        gold, pred = _Annotation(gold_data), _Annotation(pred_docs.get(key, {}))
        matched = _pair_facts(gold, pred)
        used = set(matched.values())
        accounts = (explanations or {}).get(key) or []
        for g_index, gf in enumerate(gold.facts):
            if g_index not in matched:
                record = {"doc": key, "kind": "missed_fact", "fact": dict(gf), "why": _why(gf, pred, gold, "extracted")}
                if g_index < len(accounts) and accounts[g_index] is not None:
                    record["model"] = accounts[g_index]
                out.append(record)
        for i, pf in enumerate(pred.facts):
            if i not in used:
                out.append({"doc": key, "kind": "wrong_fact", "fact": dict(pf), "why": _why(pf, gold, pred, "annotated")})
        for g_index, i in sorted(matched.items()):
            gf, pf = gold.facts[g_index], pred.facts[i]
            for name in ATTRIBUTES:
                if name in gf and not _attribute_ok(name, gf[name], pf.get(name)):
                    out.append({"doc": key, "kind": "wrong_attribute", "fact": dict(gf), "attribute": name,
                                "gold": gf[name], "pred": pf.get(name)})  # fmt: skip
        pairs = _match_entities(gold, pred)
        paired_gold = {id(g) for g, _ in pairs}
        paired_pred = {id(p) for _, p in pairs}
        for g in gold.entities:
            if id(g) not in paired_gold:
                out.append({"doc": key, "kind": "missed_entity", "entity": dict(g)})
        for p in pred.entities:
            if id(p) not in paired_pred:
                out.append({"doc": key, "kind": "extra_entity", "entity": dict(p)})
        for g, p in pairs:
            if normalise(g.get("type", "")) != normalise(p.get("type", "")):
                out.append({"doc": key, "kind": "entity_type", "gold": dict(g), "pred": dict(p)})
    return out


def _why(fact: Mapping[str, Any], other: _Annotation, own: _Annotation, verb: str) -> str:
    """What ``other`` (the side ``fact`` is not from) says between the fact's two names."""
    p = predicate_key(fact.get("p", ""))
    if p == "said":
        speaker = own.resolve(fact.get("s", ""))
        said = [f for f in other.facts if predicate_key(f.get("p", "")) == "said" and speaker & other.resolve(f.get("s", ""))]
        return "another quotation of the speaker" if said else f"no quotation of the speaker {verb}"

    def known(name: object) -> bool:
        names = own.resolve(name)
        return any(names & _names(e) for e in other.entities)

    s_names, o_names = own.resolve(fact.get("s", "")), own.resolve(fact.get("o", ""))
    group = p in GROUP_PREDICATES and not any(o_names & _names(e) for e in own.entities)
    if not known(fact.get("s", "")):
        return f"subject not {verb}" if verb == "extracted" else "subject not an annotated entity"
    if group:
        same = [f for f in other.facts if predicate_key(f.get("p", "")) == p and s_names & other.resolve(f.get("s", ""))]
        return f"another group or count {verb}" if same else f"no {fact.get('p')} fact of the subject {verb}"
    if not known(fact.get("o", "")):
        return f"object not {verb}" if verb == "extracted" else "object not an annotated entity"
    forward, backward = [], []
    for f in other.facts:
        fs, fo = other.resolve(f.get("s", "")), other.resolve(f.get("o", ""))
        if s_names & fs and o_names & fo:
            forward.append(str(f.get("p", "")))
        elif s_names & fo and o_names & fs:
            backward.append(str(f.get("p", "")))
    if any(predicate_key(x) == p for x in backward):
        return f"{verb} the other way round"
    if forward:
        return f"{verb} as {', '.join(sorted(set(forward)))}"
    if backward:
        return f"{verb} the other way round as {', '.join(sorted(set(backward)))}"
    return f"no {verb} fact between them"


# --------------------------------------------------------------------------- output


def format_table(result: Mapping[str, Any]) -> str:
    """A plain-text table of a :func:`score` or :func:`evaluate` result.

    >>> gold = {"d": {"entities": [{"label": "Acme", "type": "Organization"}],
    ...               "facts": [{"s": "Acme", "p": "trains", "o": "workers", "count": 500}]}}
    >>> pred = {"d": {"entities": [{"label": "ACME", "type": "Organization"}],
    ...               "facts": [{"s": "Acme", "p": "trains", "o": "salariés", "count": 500},
    ...                         {"s": "Acme", "p": "develops", "o": "Acme Cloud"}]}}
    >>> print(format_table(score(gold, pred)))
                      P      R     F1    tp  pred  gold
    entities      1.000  1.000  1.000     1     1     1
    facts         0.500  1.000  0.667     1     2     1
      develops    0.000  0.000  0.000     0     1     0
      trains      1.000  1.000  1.000     1     1     1
    entity type accuracy     1.000
    fact attribute accuracy  1.000
    1 document scored
    """
    rows = [("entities", result["entities"]), ("facts", result["facts"])]
    rows += [(f"  {name}", r) for name, r in result["by_predicate"].items()]
    width = max(len(name) for name, _ in rows) + 2
    ci = result.get("intervals")
    spans: dict[str, list[float]] = {}
    level = ""
    if ci:  # one more column: the F1 interval of each row
        level = f"{ci['level'] * 100:g}%"
        spans = {"entities": ci["entities"]["f1"], "facts": ci["facts"]["f1"]}
        spans |= {f"  {name}": v["f1"] for name, v in ci["by_predicate"].items()}
    header = f"{'':{width}} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}"
    lines = [header + (f"  F1 {level} interval" if ci else "")]
    for name, r in rows:
        line = f"{name:{width}} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['tp']:5} {r['pred']:5} {r['gold']:5}"
        if name in spans:
            line += f"  {spans[name][0]:.3f} – {spans[name][1]:.3f}"
        lines.append(line)
    lines.append(f"{'entity type accuracy':24} {result['entities']['type_accuracy']:.3f}")
    lines.append(f"{'fact attribute accuracy':24} {result['facts']['attribute_accuracy']:.3f}")
    if ci:
        for name, (lo, hi) in (("fact P", ci["facts"]["precision"]), ("fact R", ci["facts"]["recall"])):
            lines.append(f"{name + ' ' + level + ' interval':24} {lo:.3f} – {hi:.3f}")
        lines.append(f"(intervals: percentile bootstrap, {ci['resamples']} resamples of the scored documents, seed {ci['seed']})")
    n = result["documents"]
    summary = f"{n} document{'s' if n != 1 else ''} scored"
    if result.get("unscored"):
        summary += f"; {len(result['unscored'])} without gold, not scored: {', '.join(result['unscored'])}"
    lines.append(summary)
    if result.get("skipped"):
        lines.append(f"skipped by the build (scored as empty output when annotated): {', '.join(result['skipped'])}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- evaluate a corpus


def corpus_documents(corpus_dir: str | os.PathLike[str]) -> dict[str, str]:
    """The documents :func:`kg.build` reads in ``corpus_dir``: pairing key -> path relative to it.

    Raises:
        IngestError: ``corpus_dir`` is not a folder.
    """
    from kg.ingest import discover
    from kg.pipeline import assign_doc_ids

    root = Path(corpus_dir)
    ids = assign_doc_ids(discover(root), root)
    return {Path(doc_id).stem: path.relative_to(root).as_posix() for path, doc_id in sorted(ids.items())}


def _gold_file(gold_path: Path, doc: Mapping[str, Any]) -> str:
    stem = doc.get("_stem")
    return str(gold_path / f"{stem}.json") if stem is not None else str(gold_path)


def evaluate(
    corpus_dir: str | os.PathLike[str],
    gold_dir: str | os.PathLike[str],
    *,
    model: str | os.PathLike[str] | None = None,
    min_confidence: float = 0.0,
    progress: ProgressCallback | None = None,
    with_errors: bool = False,
    bootstrap: int = 0,
) -> dict[str, Any]:
    """Build ``corpus_dir`` in a temporary folder and score it against ``gold_dir``.

    Args:
        corpus_dir: the articles (any folder :func:`kg.build` reads).
        gold_dir: their annotation: a folder of ``<doc>.json`` files (or a file,
            see :func:`load_docs`), paired with the corpus documents by ``doc``
            field or file stem.
        model: a trained model folder to build with (passed to :func:`kg.build`).
        min_confidence: facts below this confidence are left out of the build.
        progress: called as :func:`kg.build`'s ``progress`` while the corpus is built.
        with_errors: add ``errors``, the :func:`errors` records of the build, each missed fact
            with where the model lost it (the documents are parsed again and the model's
            extraction replayed: :func:`kg.learn.explain.explain`).
        bootstrap: when above 0, add ``intervals``, the :func:`intervals` of the scores over
            this many resamples of the documents.

    Returns:
        The :func:`score` result, plus ``unscored`` (sorted keys of the corpus
        documents without gold, left out of scoring) and ``skipped`` (files the
        build could not read; annotated ones score as empty output).

    Raises:
        EvaluationError: gold that cannot be read, no gold document, a gold
            document that is not in the corpus, or a model this kg cannot use.
        KGError: the build or the export failed.
    """
    import kg

    gold_path = Path(gold_dir)
    gold = load_docs(gold_path)
    if not gold:
        raise EvaluationError(f"{gold_path}: no gold documents (*.json files) to score against")
    in_corpus = corpus_documents(corpus_dir)
    missing = sorted(set(gold) - set(in_corpus))
    if missing:
        more = f" (and {len(missing) - 1} more: {', '.join(missing[1:6])}{', …' if len(missing) > 6 else ''})"
        raise EvaluationError(
            f"{_gold_file(gold_path, gold[missing[0]])}: document {missing[0]!r} is not in the corpus {corpus_dir}"
            + (more if len(missing) > 1 else "")
        )
    options: dict[str, Any] = {"explorer": False, "min_confidence": min_confidence}
    if progress is not None:
        options["progress"] = progress
    if model is not None:
        options["model"] = model
    with tempfile.TemporaryDirectory(prefix="kg-evaluate-") as tmp:
        out, pred_dir = Path(tmp) / "out", Path(tmp) / "pred"
        built = kg.build(corpus_dir, out, **options)
        kg.export(out, "gold-json", pred_dir)
        pred = load_docs(pred_dir)
    result = score(gold, pred)
    result["unscored"] = sorted(set(in_corpus) - set(gold))
    result["skipped"] = sorted(f.path for f in built.files if f.status == "skipped")
    if with_errors:
        result["errors"] = errors(gold, pred, _explanations(corpus_dir, gold, model, min_confidence))
    if bootstrap > 0:
        result["intervals"] = intervals(gold, pred, resamples=bootstrap)
    return result


def _explanations(
    corpus_dir: str | os.PathLike[str],
    gold: Mapping[str, Mapping[str, Any]],
    model: str | os.PathLike[str] | None,
    min_confidence: float = 0.0,
) -> dict[str, list[dict[str, Any] | None]]:
    """Per gold document, where the model lost each of its facts (:func:`kg.learn.explain.explain`).
    Documents kg cannot read or parse are left out (the build has reported them)."""
    from kg import ingest, nlp
    from kg.errors import KGError
    from kg.learn.explain import explain
    from kg.learn.model import load_model
    from kg.pipeline import assign_doc_ids

    root = Path(corpus_dir)
    extractor = load_model(model)
    documents = []
    for path, doc_id in sorted(assign_doc_ids(ingest.discover(root), root).items()):
        key = Path(doc_id).stem
        if key not in gold:
            continue
        try:
            doc = ingest.read_document(path, root=root, doc_id=doc_id)
        except (KGError, OSError, UnicodeDecodeError):
            continue
        if doc.lang in nlp.LANGUAGES:
            documents.append((key, doc))
    out: dict[str, list[dict[str, Any] | None]] = {}
    for lang in nlp.LANGUAGES:
        same = {key: doc for key, doc in documents if doc.lang == lang}
        for key, chunks in nlp.pipe(((key, doc.text) for key, doc in same.items()), lang):
            out[key] = explain(same[key], chunks, extractor, gold[key], min_confidence)
    return out


# --------------------------------------------------------------------------- cross-validation


def cross_validate(
    corpus_dir: str | os.PathLike[str],
    gold_dir: str | os.PathLike[str],
    *,
    k: int = 5,
    seed: int = 0,
    config: Mapping[str, Any] | None = None,
    progress: Any = None,
    with_errors: bool = False,
    bootstrap: int = 0,
) -> dict[str, Any]:
    """Document-level K-fold cross-validation of training on an annotated corpus.

    The annotated documents are dealt into ``k`` folds (a seeded shuffle); for each fold a
    model is trained on the other folds (:func:`kg.learn.train.fit`, thresholds and
    calibration included) and extracts the fold's documents, which no part of that
    training saw. All held-out extractions are then scored together. Documents are
    parsed once. Extractions are scored as the extractor gives them, before the build's
    cross-document stage (one node per entity), which does not change a document's facts
    except where the type vote retypes an entity.

    Args:
        progress: called with ``(stage, done, total)`` (stages "parse", "fold").
        with_errors: add ``errors``, the :func:`errors` records of the held-out extractions, each
            missed fact with where its fold's model lost it (:func:`kg.learn.explain.explain`).
        bootstrap: when above 0, add ``intervals`` (:func:`intervals` over this many resamples
            of the held-out documents).

    Returns:
        The :func:`score` result of all folds together, plus ``folds`` (each fold's
        documents and fact F1), ``cv`` (k), ``seed`` and ``warnings`` (about the annotations).

    Raises:
        EvaluationError: k below 2 or above the number of annotated documents.
        TrainingError: the annotations have errors.
    """
    from kg.learn import train as learn
    from kg.learn.explain import explain
    from kg.learn.extractor import extract

    docs, warnings = learn.prepare([(corpus_dir, gold_dir)], progress=progress)
    if not 2 <= k <= len(docs):
        raise EvaluationError(f"cross-validation needs 2 <= K <= {len(docs)} (the annotated documents), not {k}")
    fold_of = learn.folds(docs, k, seed)
    gold = {d.doc_id: d.gold for d in docs}
    pred: dict[str, dict[str, Any]] = {}
    accounts: dict[str, list[dict[str, Any] | None]] = {}
    folds = []
    for f in range(k):
        inside = [d for d, g in zip(docs, fold_of) if g != f]
        held = [d for d, g in zip(docs, fold_of) if g == f]
        model = learn.fit(inside, seed=seed, config=dict(config or {}))
        fold_pred = {d.doc_id: learn.extraction_document(extract(d.document, d.chunks, model)) for d in held}
        pred.update(fold_pred)
        if with_errors:
            accounts.update({d.doc_id: explain(d.document, d.chunks, model, d.gold) for d in held})
        fold_score = score({d.doc_id: gold[d.doc_id] for d in held}, fold_pred)
        folds.append({"fold": f, "documents": sorted(fold_pred), "fact_f1": fold_score["facts"]["f1"],
                      "entity_f1": fold_score["entities"]["f1"]})  # fmt: skip
        if progress:
            progress("fold", f + 1, k)
    result = score(gold, pred)
    result.update(cv=k, seed=seed, folds=folds, warnings=warnings)
    if with_errors:
        result["errors"] = errors(gold, pred, accounts)
    if bootstrap > 0:
        result["intervals"] = intervals(gold, pred, resamples=bootstrap, seed=seed)
    return result

"""Entity candidates: spans of a parsed text that may name an entity, and their features.

Candidates come from several generators, each recall-oriented: the statistical
NER's spans (as tagged, trimmed, and split at coordinations), the rule-based
mention finder's mentions (with the class the rules give them), names ending in
a programme or event head, and runs of capitalised words. A learned classifier
(:mod:`kg.learn.linear`) then decides the class of each candidate, or that it
names nothing; overlapping candidates are settled by its probabilities.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from kg.extract import mentions as rules
from kg.extract.lexicon import fold, load_gazetteer, load_roles, load_yaml

__all__ = ["SpanCandidate", "span_candidates", "span_features", "NONE"]

#: Label of a candidate that names no entity.
NONE = "NONE"

_CONNECT = {"de", "du", "des", "d'", "d’", "of", "for", "the", "&", "la", "le", "l'", "l’", "on", "en", "and", "et"}
_OPEN_CONNECT = {"de", "du", "des", "d'", "d’", "of", "for", "&", "la", "l'", "l’", "on", "en"}
_QUOTE_CHARS = set("«»“”\"()[]")
_MAX_RUN = 12


@dataclass
class SpanCandidate:
    """A span of a chunk Doc (token range) and what the generators said of it."""

    start: int
    end: int
    sources: set[str] = field(default_factory=set)
    ner: str = ""  # label of the NER span it comes from, if any
    rule_type: str = ""  # class the rule-based mention finder gave it, if it kept it
    rule_source: str = ""


def _name_token(t) -> bool:
    text = t.text
    if not text or text in _QUOTE_CHARS:
        return False
    c = text[0]
    return c.isupper() or c.isdigit() and any(ch.isalpha() for ch in text) or bool(re.match(r"^[a-z]+[A-Z]", text))


def _runs(doc: Doc) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens, joined through connectors inside a sentence."""
    out = []
    n = len(doc)
    i = 0
    while i < n:
        if not _name_token(doc[i]) or doc[i].is_punct:
            i += 1
            continue
        j = i + 1
        while j < n and j - i < _MAX_RUN:
            t = doc[j]
            if t.is_sent_start:
                break
            if _name_token(t) and not t.is_punct:
                j += 1
                continue
            if t.text in {"-", "&", "."} and j + 1 < n and _name_token(doc[j + 1]) and not t.whitespace_ == "\n":
                j += 1
                continue
            if t.lower_ in _OPEN_CONNECT and j + 1 < n and _name_token(doc[j + 1]) and not doc[j + 1].is_sent_start:
                j += 1
                continue
            break
        out.append((i, j))
        i = j
    return out


def span_candidates(doc: Doc, lang: str, rule_mentions: list[tuple[int, int, str, str]]) -> list[SpanCandidate]:
    """Candidate spans of ``doc``.

    ``rule_mentions`` are the rule-based mention finder's mentions of this Doc as
    ``(start token, end token, class, source)``.
    """
    cands: dict[tuple[int, int], SpanCandidate] = {}

    def add(start: int, end: int, source: str, ner: str = "") -> SpanCandidate | None:
        while start < end and (doc[start].is_space or doc[start].text in _QUOTE_CHARS):
            start += 1
        while end > start and (doc[end - 1].is_space or doc[end - 1].text in _QUOTE_CHARS or doc[end - 1].is_punct
                               and doc[end - 1].text not in {".", "+", "!", "?"}):
            end -= 1
        if end <= start or end - start > _MAX_RUN:
            return None
        if any(doc[k].text == "\n" or "\n" in doc[k].text for k in range(start, end)):
            return None
        c = cands.get((start, end))
        if c is None:
            c = cands[(start, end)] = SpanCandidate(start, end)
        c.sources.add(source)
        if ner and not c.ner:
            c.ner = ner
        return c

    for ent in doc.ents:
        add(ent.start, ent.end, "ent", ent.label_)
        for piece in rules._split_coordination(ent):
            if (piece.start, piece.end) != (ent.start, ent.end):
                add(piece.start, piece.end, "split", ent.label_)
            t = rules._trim(piece)
            if t is not None and (t.start, t.end) != (piece.start, piece.end):
                add(t.start, t.end, "trim", ent.label_)
    for span, _type in rules._head_names(doc, lang):
        add(span.start, span.end, "head")
    for s, e in _runs(doc):
        add(s, e, "run")
        if doc[s].is_sent_start and e - s > 1:
            add(s + 1, e, "run-inner")
        # "Microsoft et OpenAI", "Europe du Sud d'AWS": the parts of a run cut at a connector
        for k in range(s + 1, e - 1):
            if doc[k].lower_ in _CONNECT or doc[k].text == "&":
                add(s, k, "run-part")
                add(k + 1, e, "run-part")
    # a lower-case head noun then a name: "académie de Paris", "ministère de la Culture"
    for t in doc:
        if t.pos_ != "NOUN" or not t.text[:1].islower() or t.i + 2 >= len(doc):
            continue
        j = t.i + 1
        if doc[j].lower_ not in {"de", "du", "des", "d'", "d’", "of", "for", "pour"}:
            continue
        j += 1
        while j < len(doc) and doc[j].lower_ in {"la", "le", "l'", "l’", "les", "the"}:
            j += 1
        if j < len(doc) and _name_token(doc[j]) and not doc[j].is_punct:
            end = j + 1
            while end < len(doc) and end - t.i < _MAX_RUN and (_name_token(doc[end]) and not doc[end].is_punct):
                end += 1
            add(t.i, end, "lower-head")
            # "la Promotion de la Jeunesse": one more connector and name
            k = end
            if k + 1 < len(doc) and doc[k].lower_ in _OPEN_CONNECT | {"et", "and"}:
                k += 1
                while k < len(doc) and doc[k].lower_ in {"la", "le", "l'", "l’", "les", "the"}:
                    k += 1
                if k < len(doc) and _name_token(doc[k]) and not doc[k].is_punct:
                    add(t.i, k + 1, "lower-head")
    for start, end, type_, source in rule_mentions:
        c = add(start, end, "rule")
        if c is not None and (start, end) == (c.start, c.end):
            c.rule_type, c.rule_source = type_, source
    return sorted(cands.values(), key=lambda c: (c.start, c.end))


def _shape(text: str) -> str:
    s = re.sub(r"[A-ZÀ-ÖØ-Þ]", "X", text)
    s = re.sub(r"[a-zß-öø-ÿ]", "x", s)
    s = re.sub(r"\d", "d", s)
    return re.sub(r"(.)\1{2,}", r"\1\1", s)


def _typing() -> dict:
    return load_yaml("typing")


def _lexicons(lang: str) -> dict[str, dict[str, str]]:
    typing = _typing()
    cue = {}
    for type_, by_lang in typing["cue_nouns"].items():
        for n in by_lang.get(lang, []) + by_lang.get("en", []):
            cue.setdefault(fold(n), type_)
    heads = {}
    for type_, words in typing["heads"].items():
        for w in words:
            heads.setdefault(fold(w), type_)
    first = {}
    for type_, words in typing.get("first_heads", {}).items():
        for w in words:
            first.setdefault(fold(w), type_)
    return {"cue": cue, "head": heads, "first": first}


_LEX: dict[str, dict[str, dict[str, str]]] = {}


def span_features(doc: Doc, c: SpanCandidate, lang: str, doc_counts: Counter[str], line_info: dict[int, str]) -> list[str]:
    """Features of one candidate (strings; the model's vocabulary maps them to columns)."""
    lex = _LEX.get(lang)
    if lex is None:
        lex = _LEX[lang] = _lexicons(lang)
    gaz = load_gazetteer()
    titles = load_roles(lang)
    span = doc[c.start : c.end]
    text = span.text
    words = [t.text for t in span]
    folded = [fold(w) for w in words]
    n = len(words)
    f = [f"lang={lang}", f"len={min(n, 5)}"]
    f += [f"src={s}" for s in sorted(c.sources)]
    f.append(f"ner={c.ner or '-'}")
    if c.rule_type:
        f += [f"rule={c.rule_type}", f"rule={c.rule_type}/{c.rule_source}"]
    else:
        f.append("rule=-")
    g = gaz.get(text)
    f.append(f"gaz={g[0] if g else '-'}")
    if n > 1:
        f += [f"w={w}" for w in folded]
    f.append(f"first={folded[0]}")
    f.append(f"last={folded[-1]}")
    f.append(f"whole={fold(text)}")
    f.append(f"shape={_shape(text)[:12]}")
    f.append(f"lastshape={_shape(words[-1])[:6]}")
    f.append(f"suf3={folded[-1][-3:]}")
    f.append(f"pos={'_'.join(t.pos_ for t in span[:4])}")
    head = lex["head"].get(folded[-1])
    if head:
        f.append(f"head={head}")
    fh = lex["first"].get(folded[0])
    if fh and n > 1:
        f.append(f"firsthead={fh}")
    if any(w in _CONNECT for w in folded[1:-1]):
        f.append("inner_connect")
    if text.isupper():
        f.append("allcaps")
    if any(ch.isdigit() for ch in text):
        f.append("digit")
    if "-" in text:
        f.append("hyphen")
    if n == 1 and fold(text) in titles:
        f.append("is_title")
    sent_start = span[0].is_sent_start
    if sent_start:
        f.append("sent_start")
        f.append(f"sent_start_pos={span[0].pos_}")
    # left context
    sent = span.sent
    left = [t for t in doc[max(sent.start, c.start - 3) : c.start]]
    right = [t for t in doc[c.end : min(sent.end, c.end + 3)]]
    if left:
        lw = fold(left[-1].text)
        f.append(f"l1={lw}")
        f.append(f"l1pos={left[-1].pos_}")
        if lw in titles:
            f.append("l1_title")
        cue = lex["cue"].get(lw)
        if cue:
            f.append(f"l1cue={cue}")
        if len(left) > 1:
            f.append(f"l2={fold(left[-2].text)}_{lw}")
            cue2 = lex["cue"].get(fold(left[-2].text))
            if cue2 and left[-1].pos_ in {"ADJ", "DET", "PUNCT", "PROPN", "NOUN"}:
                f.append(f"l2cue={cue2}")
    else:
        f.append("l1=<s>")
    if right:
        rw = fold(right[0].text)
        f.append(f"r1={rw}")
        f.append(f"r1pos={right[0].pos_}")
        if len(right) > 1:
            f.append(f"r2={rw}_{fold(right[1].text)}")
            if right[0].text == ",":
                r2 = fold(right[1].text)
                if r2 in titles:
                    f.append("appos_title")
                cue = lex["cue"].get(r2) or (lex["cue"].get(fold(right[2].text)) if len(right) > 2 else None)
                if cue:
                    f.append(f"appos_cue={cue}")
    else:
        f.append("r1=</s>")
    root = span.root
    f.append(f"dep={root.dep_}")
    f.append(f"headlemma={fold(root.head.lemma_)}" if root.head is not root else "headlemma=<root>")
    cnt = doc_counts.get(fold(text), 0)
    f.append(f"count={min(cnt, 4)}")
    f.append(f"line={line_info.get(c.start, '-')}")
    return f


def line_categories(doc: Doc) -> list[str]:
    """Per token, what kind of line it is on: page chrome often sits on short lines without a verb."""
    out = [""] * len(doc)
    start = 0
    n = len(doc)
    for i in range(n + 1):
        if i == n or "\n" in doc[i].text:
            toks = [t for t in doc[start:i] if not t.is_space]
            words = sum(1 for t in toks if not t.is_punct)
            verb = any(t.pos_ in {"VERB", "AUX"} for t in toks)
            cat = ("short" if words <= 4 else "mid" if words <= 12 else "long") + ("+v" if verb else "-v")
            for k in range(start, i):
                out[k] = cat
            start = i + 1
    return out

"""What the learned extractor decides about, in one document.

:func:`entity_candidates` lists the spans that may name an entity, with their
features. Once a classifier has chosen the mentions, :func:`analyse` groups them
into doc-local entities, runs the extraction rules (their hits become features,
not decisions) and lists the candidate facts of the document:

- entity pairs: two mentions in one sentence or in neighbouring sentences, whose
  classes fit the signature of some property (``partnersWith``, ``investsIn``,
  ``worksFor``, ``locatedIn``, ...); a nationality adjective ("la start-up
  française") stands for its country as a possible ``locatedIn`` object;
- group objects: an organisation and a noun naming a group of people
  ("10 000 salariés") for ``trains`` and ``represents``;
- quotations: a quotation and each person who may have spoken it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.extract.common import Candidate, DocState
from kg.extract.context import Sentence
from kg.extract.lexicon import demonyms, fold, load_triggers
from kg.extract.mentions import WEntity, WMention, _surnames, find_mentions, group_mentions, norm_key
from kg.extract.quotes import attribute_quotes, find_quotes
from kg.extract.relations import run_rules
from kg.learn import features as F
from kg.learn.spans import SpanCandidate, line_categories, span_candidates, span_features
from kg.model import SIGNATURES, Document

__all__ = [
    "EntityCandidate",
    "PairCandidate",
    "GroupCandidate",
    "QuoteCandidate",
    "Analysis",
    "entity_candidates",
    "analyse",
    "ENTITY_PREDICATES",
    "GROUP_PREDICATES",
]

#: Properties whose object is an entity.
ENTITY_PREDICATES: tuple[str, ...] = tuple(p for p in SIGNATURES if p not in {"said", "trains"})
#: Properties whose object may be a group of people.
GROUP_PREDICATES: tuple[str, ...] = ("trains", "represents")

#: Key prefix of the places named by a nationality adjective.
DEMONYM_PREFIX = "Place:@"


@dataclass
class EntityCandidate:
    """A span of one chunk that may name an entity."""

    offset: int  # character offset of the chunk in the document text
    doc: Doc
    span: SpanCandidate
    features: list[str]

    @property
    def start(self) -> int:
        return self.offset + self.doc[self.span.start].idx

    @property
    def end(self) -> int:
        last = self.doc[self.span.end - 1]
        return self.offset + last.idx + len(last.text)

    @property
    def text(self) -> str:
        return self.doc[self.span.start : self.span.end].text


@dataclass
class PairCandidate:
    """Two mentions that may be the subject and object of a fact (``a`` before ``b`` in the text)."""

    a: WMention
    b: WMention
    sentence: int  # index of the sentence of the later mention
    first_sentence: int
    features: list[str]


@dataclass
class GroupCandidate:
    """An organisation and a noun naming a group of people."""

    org: WMention
    noun_start: int  # document offsets of the noun
    noun_end: int
    noun: str
    sentence: int
    count: int | None
    year: int | None
    features: list[str]


@dataclass
class QuoteCandidate:
    """A quotation and a person who may have spoken it."""

    speaker: WMention
    quote: str
    start: int  # of the quotation marks
    end: int
    features: list[str]


@dataclass
class Analysis:
    """One document's mentions, entities, rule hits and candidate facts."""

    document: Document
    sentences: list[Sentence]
    mentions: list[WMention]
    entities: dict[str, WEntity]
    rule_hits: dict[tuple[str, str, str], list[tuple[Candidate, int]]] = field(default_factory=dict)
    pairs: list[PairCandidate] = field(default_factory=list)
    groups: list[GroupCandidate] = field(default_factory=list)
    quotes: list[QuoteCandidate] = field(default_factory=list)
    new_places: dict[str, list[str]] = field(default_factory=dict)


def entity_candidates(chunks: list[tuple[int, Doc]], lang: str) -> list[EntityCandidate]:
    """Every span of the document that may name an entity, with its features."""
    rule_mentions, _ = find_mentions(chunks, lang)
    out: list[EntityCandidate] = []
    for offset, doc in chunks:
        rm = [(m.span.start, m.span.end, m.type, m.source) for m in rule_mentions if m.span is not None and m.span.doc is doc]
        cands = span_candidates(doc, lang, rm)
        counts = Counter(fold(doc[c.start : c.end].text) for c in cands)
        lines = line_categories(doc)
        for c in cands:
            out.append(EntityCandidate(offset, doc, c, span_features(doc, c, lang, counts, {c.start: lines[c.start]})))
    return out


def choose_mentions(
    cands: list[EntityCandidate], probs, classes: tuple[str, ...], threshold: float
) -> list[tuple[EntityCandidate, str, float]]:
    """Non-overlapping candidates whose probability of naming an entity reaches ``threshold``,
    the most probable first, each with its most probable class and that probability."""
    none = classes.index("NONE")
    order = sorted(range(len(cands)), key=lambda i: (-(1.0 - probs[i][none]), cands[i].start, cands[i].end))
    taken: dict[int, set[int]] = {}
    out = []
    for i in order:
        p_entity = 1.0 - float(probs[i][none])
        if p_entity < threshold:
            break
        c = cands[i]
        toks = set(range(c.span.start, c.span.end))
        used = taken.setdefault(id(c.doc), set())
        if toks & used:
            continue
        used |= toks
        k = max((j for j in range(len(classes)) if j != none), key=lambda j: probs[i][j])
        out.append((c, classes[k], p_entity * float(probs[i][k]) / p_entity if p_entity else 0.0))
    return sorted(out, key=lambda x: x[0].start)


def analyse(document: Document, chunks: list[tuple[int, Doc]], chosen: list[tuple[EntityCandidate, str, float]]) -> Analysis:
    """Group the chosen mentions, run the rules, and list the candidate facts."""
    text = document.text
    lang = document.lang
    sentences: list[Sentence] = []
    sent_of: dict[tuple[int, int], int] = {}
    for offset, doc in chunks:
        for span in doc.sents:
            sent_of[(id(doc), span.start)] = len(sentences)
            sentences.append(Sentence(span=span, offset=offset, index=len(sentences), lang=lang))
    mentions: list[WMention] = []
    for c, type_, p in chosen:
        span = c.doc[c.span.start : c.span.end]
        sent = sent_of[(id(c.doc), span.sent.start)]
        mentions.append(WMention(c.start, c.end, span.text, type_, "ner", sent, span, confidence=round(p, 4)))
    mentions = _surnames(chunks, mentions)
    for m in mentions:
        if m.sent < 0 and m.span is not None:
            m.sent = sent_of[(id(m.span.doc), m.span.sent.start)]
    wents = group_mentions(mentions, text)
    entities = {e.key: e for e in wents}
    by_start = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in by_start]
    for sent in sentences:
        s0, s1 = sent.start_char, sent.end_char
        inside = by_start[bisect_left(starts, s0) : bisect_left(starts, s1)]
        sent.mentions = [m for m in inside if m.end <= s1 and m.span is not None and m.span.doc is sent.span.doc]
    analysis = Analysis(document, sentences, mentions, entities)
    state = DocState(lang=lang)
    orgs = [e for e in wents if e.type == "Organization"]
    if orgs:
        state.focus = max(orgs, key=lambda e: (len(e.mentions), -e.mentions[0].start)).mentions[0]
    for sent in sentences:
        for cand in run_rules(sent, state):
            key = (cand.subject, cand.predicate, cand.object if cand.object_kind == "entity" else fold(cand.object))
            analysis.rule_hits.setdefault(key, []).append((cand, sent.index))
    quote_rules = {}
    for q in attribute_quotes(text, lang, mentions):
        quote_rules[(q.speaker, q.text)] = q.rule
    analysis.new_places = state.new_places
    _pairs(analysis)
    _groups(analysis)
    _quotes(analysis, quote_rules)
    return analysis


def _admissible(a_type: str, b_type: str) -> bool:
    return any(a_type in dom and b_type in rng for p, (dom, rng) in SIGNATURES.items() if p in ENTITY_PREDICATES)


def _demonym_mentions(sent: Sentence) -> list[WMention]:
    """Nationality adjectives of the sentence, as mentions of their country (``Place:@France``)."""
    table = demonyms(sent.lang)
    out = []
    for t in sent.span:
        if t.pos_ not in {"ADJ", "NOUN", "PROPN"}:
            continue
        place = table.get(fold(t.text))
        if place is None or sent.mention_at(t.i) is not None:
            continue
        start = sent.offset + t.idx
        m = WMention(start, start + len(t.text), t.text, "Place", "demonym", sent.index, t.doc[t.i : t.i + 1])
        m.key = f"{DEMONYM_PREFIX}{place}"
        out.append(m)
    return out


#: How many sentences apart two mentions may be and still form a candidate pair.
PAIR_WINDOW = 1


def _pairs(an: Analysis) -> None:
    sents = an.sentences
    demonym = [_demonym_mentions(s) for s in sents]
    for i, sent in enumerate(sents):
        ms = sent.mentions
        ctx = F.SentenceContext(sent, an)
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                a, b = ms[x], ms[y]
                if a.key == b.key or not (_admissible(a.type, b.type) or _admissible(b.type, a.type)):
                    continue
                an.pairs.append(PairCandidate(a, b, i, i, F.pair_features(ctx, a, b, an)))
        for d in demonym[i]:
            for m in ms:
                if m.type in {"Organization", "Person"}:
                    a, b = (m, d) if m.start < d.start else (d, m)
                    an.pairs.append(PairCandidate(a, b, i, i, F.pair_features(ctx, a, b, an)))
        # neighbouring sentences
        for j in range(max(0, i - PAIR_WINDOW), i):
            prev = sents[j]
            if prev.span.doc is not sent.span.doc:
                continue
            pctx = F.SentenceContext(prev, an)
            for a in prev.mentions:
                for b in ms:
                    if a.key == b.key or not (_admissible(a.type, b.type) or _admissible(b.type, a.type)):
                        continue
                    an.pairs.append(PairCandidate(a, b, i, j, F.cross_features(pctx, ctx, a, b, an)))


def _groups(an: Analysis) -> None:
    words = load_triggers(an.document.lang)["group_nouns"]
    patterns = [(fold(w).rstrip("*"), w.endswith("*")) for w in words if " " not in w]
    for i, sent in enumerate(an.sentences):
        nouns = []
        for t in sent.span:
            f = fold(t.text)
            if t.pos_ not in {"NOUN", "PROPN"} and f not in {"people", "staff"}:
                continue
            if sent.mention_at(t.i) is not None:
                continue
            if any(f == w or (p and f.startswith(w) and len(f) <= len(w) + 3) for w, p in patterns):
                nouns.append(t)
        if not nouns:
            continue
        ctx = F.SentenceContext(sent, an)
        orgs = [m for m in sent.mentions if m.type == "Organization"]
        if i > 0 and an.sentences[i - 1].span.doc is sent.span.doc:
            orgs_prev = [m for m in an.sentences[i - 1].mentions if m.type == "Organization"]
        else:
            orgs_prev = []
        for t in nouns:
            count, year = F.group_values(sent, t)
            start = sent.offset + t.idx
            for m in orgs + orgs_prev:
                feats = F.group_features(ctx, m, t, count, year, an, same_sentence=m in orgs)
                an.groups.append(GroupCandidate(m, start, start + len(t.text), t.text, i, count, year, feats))


def _quotes(an: Analysis, quote_rules: dict[tuple[str, str], str]) -> None:
    text = an.document.text
    persons = [m for m in an.mentions if m.type == "Person" and m.key]
    if not persons:
        return
    sent_starts = [s.start_char for s in an.sentences]
    for qs, qe, content in find_quotes(text):
        k0 = max(0, bisect_left(sent_starts, qs + 1) - 1)
        k1 = max(0, bisect_left(sent_starts, qe) - 1)
        lo = an.sentences[max(0, k0 - 1)].start_char
        hi = an.sentences[min(len(an.sentences) - 1, k1 + 1)].end_char
        near = [m for m in persons if lo <= m.start < hi and not (qs <= m.start < qe)]
        prior = [m for m in persons if m.end <= lo][-2:]
        seen: set[str] = set()
        for m in [*near, *prior]:
            if m.key in seen and m not in near:
                continue
            seen.add(m.key)  # type: ignore[arg-type]
            rule = quote_rules.get((m.key, content), "")  # type: ignore[arg-type]
            feats = F.quote_features(text, an, m, qs, qe, content, rule, near, prior)
            an.quotes.append(QuoteCandidate(m, content, qs, qe, feats))


def mention_names(m: WMention, entities: dict[str, WEntity]) -> list[str]:
    """The names of the entity a mention belongs to (for matching against annotations)."""
    if m.key and m.key.startswith(DEMONYM_PREFIX):
        return [m.key[len(DEMONYM_PREFIX) :], m.text]
    e = entities.get(m.key or "")
    return [e.label, *e.aliases] if e else [m.text]


__all__ += ["mention_names", "choose_mentions", "DEMONYM_PREFIX", "norm_key"]

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

import functools
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.extract.common import Candidate, DocState
from kg.extract.context import Sentence
from kg.extract.lexicon import demonyms, fold, load_triggers
from kg.extract.links import _count_before
from kg.extract.mentions import WEntity, WMention, _surnames, find_mentions, group_mentions
from kg.extract.quotes import _speech_pattern, attribute_quotes, find_quotes
from kg.extract.relations import run_rules
from kg.extract.tokens import table
from kg.learn import features as F
from kg.learn.names import Names
from kg.learn.places import Places
from kg.learn.spans import PERSONAL_ADDRESS, SpanCandidate, line_categories, span_candidates, span_features, span_text
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
    "DEMONYM_PREFIX",
    "choose_mentions",
    "mention_names",
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
        return self.offset + table(self.doc).idx[self.span.start]

    @property
    def end(self) -> int:
        tab = table(self.doc)
        return self.offset + tab.idx[self.span.end - 1] + len(tab.text[self.span.end - 1])

    @property
    def text(self) -> str:
        return span_text(self.doc, table(self.doc), self.span.start, self.span.end)


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
    #: classes other than its own that an entity may take when a fact needs it (entity key -> classes)
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _contexts: dict[int, F.SentenceContext] = field(default_factory=dict, repr=False)

    def types(self, m: WMention) -> tuple[str, ...]:
        """The classes a mention's entity may have: its own first, then its alternatives."""
        return (m.type, *self.alternatives.get(m.key or "", ()))

    def context(self, i: int) -> F.SentenceContext:
        """The feature context of sentence ``i`` (built once)."""
        ctx = self._contexts.get(i)
        if ctx is None:
            ctx = self._contexts[i] = F.SentenceContext(self.sentences[i])
        return ctx


#: Longest span, in characters, that may name an entity (the longest annotated names have about 100).
MAX_NAME_CHARS = 200


def entity_candidates(
    chunks: list[tuple[int, Doc]], lang: str, places: Places | None = None, names: Names | None = None
) -> list[EntityCandidate]:
    """Every span of the document that may name an entity, with its features (``places``, ``names``:
    the model's place names and personal names)."""
    rule_mentions, _ = find_mentions(chunks, lang)
    out: list[EntityCandidate] = []
    for offset, doc in chunks:
        rm = [(m.span.start, m.span.end, m.type, m.source) for m in rule_mentions if m.span is not None and m.span.doc is doc]
        cands = span_candidates(doc, lang, rm)
        tab = table(doc)
        counts = Counter(fold(span_text(doc, tab, c.start, c.end)) for c in cands)
        lines = line_categories(doc)
        for c in cands:
            if tab.idx[c.end - 1] + len(tab.text[c.end - 1]) - tab.idx[c.start] > MAX_NAME_CHARS:
                continue  # a run of text no name is this long ("VeryVeryVery…" pasted 2,500 times)
            out.append(EntityCandidate(offset, doc, c, span_features(doc, c, lang, counts, lines, places, names)))
    _share_context(out)
    return out


#: Features of a candidate's surroundings that the other occurrences of its name lend it: the
#: spaCy entity label, the words just before and after it, the typing lexicon's cue nouns, the
#: word the name depends on, the rule-based mention finder's class and a job title beside it
#: ("the programme Orange Campus" types a later, bare "Orange Campus").
SHARED_CONTEXT = ("ner=", "l1=", "r1=", "l1cue=", "l2cue=", "appos_cue=", "headlemma=", "rule=", "l1_title", "appos_title")


def _share_context(cands: list[EntityCandidate]) -> None:
    """Give each candidate, as ``d``-prefixed features, the :data:`SHARED_CONTEXT` features of the
    other candidates of the document with the same name that it does not have itself."""
    by_name: dict[str, list[EntityCandidate]] = {}
    for c in cands:
        whole = next((x for x in c.features if x.startswith("whole=")), None)
        if whole is not None:
            by_name.setdefault(whole, []).append(c)
    for same in by_name.values():
        if len(same) < 2:
            continue
        for c in same:
            own = set(c.features)
            lent = {x for o in same if o is not c for x in o.features if x.startswith(SHARED_CONTEXT) and x not in own}
            c.features.extend(f"d{x}" for x in sorted(lent))


#: A class this probable (though not the most probable) is one a fact may give the entity.
ALTERNATIVE = 0.15


def choose_mentions(
    cands: list[EntityCandidate],
    probs,
    classes: tuple[str, ...],
    threshold: float,
    longer: float | None = None,
) -> list[tuple[EntityCandidate, str, float, tuple[str, ...]]]:
    """Non-overlapping candidates whose probability of naming an entity reaches ``threshold``,
    each with its most probable class, that probability, and the other classes of probability
    at least :data:`ALTERNATIVE`.

    The most probable candidates are taken first, except that candidates of probability at
    least ``longer`` (and ``threshold``) are taken longest first ("Nvidia AI Enterprise" before
    the "Nvidia" it contains).
    """
    none = classes.index("NONE")
    starts = [c.start for c in cands]
    p_entity = [1.0 - float(probs[i][none]) for i in range(len(cands))]
    bar = 2.0 if longer is None else max(longer, threshold)

    def rank(i: int) -> tuple:
        size = cands[i].span.end - cands[i].span.start if p_entity[i] >= bar else 0
        return (-size, -p_entity[i], starts[i], cands[i].span.end)

    order = sorted(range(len(cands)), key=rank)
    taken: dict[int, set[int]] = {}
    out = []
    for i in order:
        if p_entity[i] < threshold:
            break
        c = cands[i]
        toks = set(range(c.span.start, c.span.end))
        used = taken.setdefault(id(c.doc), set())
        if toks & used:
            continue
        used |= toks
        k = max((j for j in range(len(classes)) if j != none), key=lambda j: probs[i][j])
        alternatives = tuple(classes[j] for j in range(len(classes)) if j not in (k, none) and probs[i][j] >= ALTERNATIVE)
        out.append((c, classes[k], float(probs[i][k]), alternatives))
    return sorted(out, key=lambda x: (x[0].start, x[0].span.end))


def _after_address(tab, start: int, end: int) -> int:
    """First token of a name after its forms of address ("Mr", "Dr", "the Honourable"), or ``start``."""
    k = start
    if k < end - 1 and tab.folded[k] == "the" and tab.folded[k + 1] in PERSONAL_ADDRESS:
        k += 1
    cut = k
    while cut < end - 1 and tab.folded[cut] in PERSONAL_ADDRESS:
        cut += 1
    if cut == k or not tab.text[cut][:1].isupper():
        return start
    return cut


def analyse(
    document: Document, chunks: list[tuple[int, Doc]], chosen: list[tuple[EntityCandidate, str, float, tuple[str, ...]]]
) -> Analysis:
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
    alternatives: dict[int, tuple[str, ...]] = {}
    for c, type_, p, alts in chosen:
        tab = table(c.doc)
        first = _after_address(tab, c.span.start, c.span.end)
        if first > c.span.start:  # "Mr Fechner", "the Honourable Patty Hajdu": a person, named without the address
            type_, alts = "Person", ()
        span = c.doc[first : c.span.end]
        sent = sent_of[(id(c.doc), tab.sent_start[first])]
        start = c.offset + tab.idx[first]
        mentions.append(WMention(start, c.end, span.text, type_, "ner", sent, span, confidence=round(p, 4)))
        alternatives[start] = alts
    mentions = _surnames(chunks, mentions)
    for m in mentions:
        if m.sent < 0 and m.span is not None:
            m.sent = sent_of[(id(m.span.doc), table(m.span.doc).sent_start[m.span.start])]
    wents = group_mentions(mentions, text)
    entities = {e.key: e for e in wents}
    by_start = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in by_start]
    for sent in sentences:
        s0, s1 = sent.start_char, sent.end_char
        inside = by_start[bisect_left(starts, s0) : bisect_left(starts, s1)]
        sent.mentions = [m for m in inside if m.end <= s1 and m.span is not None and m.span.doc is sent.span.doc]
    analysis = Analysis(document, sentences, mentions, entities)
    for e in wents:
        alts = {t for m in e.mentions for t in alternatives.get(m.start, ())} - {e.type}
        if e.type == "Person":
            alts.clear()  # a person is not retyped by a fact ...
        alts.discard("Person")  # ... nor is a name retyped a person
        analysis.alternatives[e.key] = tuple(sorted(alts))
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


def _pair_possible(an: Analysis, a: WMention, b: WMention) -> bool:
    """Some property fits the two mentions in one direction or the other, with their possible classes."""
    return any(_admissible(x, y) or _admissible(y, x) for x in an.types(a) for y in an.types(b))


def _demonym_mentions(sent: Sentence) -> list[WMention]:
    """Nationality adjectives of the sentence, as mentions of their country (``Place:@France``)."""
    names = demonyms(sent.lang)
    tab = table(sent.span.doc)
    out = []
    for k in range(sent.span.start, sent.span.end):
        if tab.pos[k] not in {"ADJ", "NOUN", "PROPN"}:
            continue
        place = names.get(tab.folded[k])
        if place is None or sent.mention_at(k) is not None:
            continue
        t = sent.span.doc[k]
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
        if not ms:
            continue
        ctx = an.context(i)
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                a, b = ms[x], ms[y]
                if a.key == b.key or not _pair_possible(an, a, b):
                    continue
                an.pairs.append(PairCandidate(a, b, i, i, F.pair_features(ctx, a, b, an) + F.document_features(an, a, b, i)))
        for d in demonym[i]:
            for m in ms:
                if m.type in {"Organization", "Person"}:
                    a, b = (m, d) if m.start < d.start else (d, m)
                    features = F.pair_features(ctx, a, b, an) + F.document_features(an, a, b, i)
                    an.pairs.append(PairCandidate(a, b, i, i, features))
        # neighbouring sentences
        for j in range(max(0, i - PAIR_WINDOW), i):
            prev = sents[j]
            if prev.span.doc is not sent.span.doc:
                continue
            if not prev.mentions:
                continue
            pctx = an.context(j)
            for a in prev.mentions:
                for b in ms:
                    if a.key == b.key or not _pair_possible(an, a, b):
                        continue
                    features = F.cross_features(pctx, ctx, a, b, an) + F.document_features(an, a, b, i)
                    an.pairs.append(PairCandidate(a, b, i, j, features))
    _extended_names(an)


def _extended_names(an: Analysis) -> None:
    """Pairs of entities one of whose names extends the other's ("IBM France" and "IBM", "AWS
    Academy" and "AWS") that no sentence pairs: a subsidiary, product or event named after its
    organisation is tied to it wherever each is named. The pair is the closest two mentions."""
    paired = {frozenset((p.a.key, p.b.key)) for p in an.pairs}
    ctx = F.document_context(an)
    ents = [e for e in an.entities.values() if e.type != "Person" and e.mentions]
    for x in ents:
        for y in ents:
            if not ctx.extends(x.key, y.key) or frozenset((x.key, y.key)) in paired:
                continue
            ms = [(abs(m.sent - n.sent), m.start, n.start, m, n) for m in x.mentions for n in y.mentions]
            ms = [t for t in ms if t[3].span is not None and t[4].span is not None]
            if not ms:
                continue
            _, _, _, m, n = min(ms, key=lambda t: t[:3])
            a, b = (m, n) if m.start < n.start else (n, m)
            if not _pair_possible(an, a, b):
                continue
            paired.add(frozenset((x.key, y.key)))
            features = F.distant_features(a, b, an) + F.document_features(an, a, b, b.sent)
            an.pairs.append(PairCandidate(a, b, b.sent, a.sent, features))


#: Endings of plural nouns that name people ("formateurs", "techniciens", "instructors",
#: "graduates"): outside the group lexicon, such a noun after a count is a group candidate.
_PEOPLE_ENDINGS = ("eurs", "euses", "ices", "iens", "iennes", "ains", "aines", "ais", "aises", "istes", "ants",
                   "antes", "ers", "ors", "ists", "ians", "ees", "ates")  # fmt: skip


def _open_group_noun(sent: Sentence, k: int, lang: str) -> bool:
    """Whether token ``k``, a noun outside the group lexicon, may still name a group of people: a
    nationality in the plural ("un million de Français", "20,000 Americans"), or a plural with an
    ending of people after a count ("1 500 formateurs", "981 graduates")."""
    if sent.mention_at(k) is not None:
        return False
    t = sent.span.doc[k]
    folded = table(sent.span.doc).folded[k]
    plural = "Plur" in t.morph.get("Number") or folded.endswith("s")
    names = demonyms(lang)
    if folded in names or folded.rstrip("s") in names:
        return plural
    if t.pos_ != "NOUN" or not plural or not folded.endswith(_PEOPLE_ENDINGS):
        return False
    return _count_before(sent, k) is not None


@functools.lru_cache(maxsize=1 << 14)
def _group_noun(lang: str, word: str) -> bool:
    """Whether a folded word names a group of people (``group_nouns`` of relations.yaml)."""
    words = load_triggers(lang)["group_nouns"]
    patterns = [(fold(w).rstrip("*"), w.endswith("*")) for w in words if " " not in w]
    return any(word == w or (p and word.startswith(w) and len(word) <= len(w) + 3) for w, p in patterns)


def _groups(an: Analysis) -> None:
    lang = an.document.lang
    for i, sent in enumerate(an.sentences):
        nouns = []
        tab = table(sent.span.doc)
        open_: set[int] = set()
        for k in range(sent.span.start, sent.span.end):
            f = tab.folded[k]
            if tab.pos[k] not in {"NOUN", "PROPN"} and f not in {"people", "staff"}:
                continue
            if not _group_noun(lang, f):
                if _open_group_noun(sent, k, lang):
                    open_.add(k)
                    nouns.append(sent.span.doc[k])
                continue
            if sent.mention_at(k) is None:
                nouns.append(sent.span.doc[k])
        if not nouns:
            continue
        ctx = an.context(i)
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
                if t.i in open_:
                    feats = [*feats, "G|open", f"G|open_count={count is not None}"]
                an.groups.append(GroupCandidate(m, start, start + len(t.text), t.text, i, count, year, feats))


#: How far before a name inside a quotation a speech verb may open the incise that names the speaker.
INCISE_CHARS = 60


def _speech_incise(text: str, qs: int, m: WMention, lang: str) -> bool:
    """Whether a person named inside the quotation starting at ``qs`` is named in an incise that
    gives the speaker ("« C'est un drame, a déclaré Louis Têtu, président … »", "…, dit le président
    de Moov AI, Dominic Danis."): a comma, then a speech verb, shortly before the name."""
    before = text[max(qs, m.start - INCISE_CHARS) : m.start]
    if "\n" in before:
        return False
    comma = before.find(",")
    return comma >= 0 and bool(_speech_pattern(lang).search(fold(before[comma + 1 :])))


def _quotes(an: Analysis, quote_rules: dict[tuple[str, str], str]) -> None:
    text = an.document.text
    lang = an.document.lang
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
        near += [m for m in persons if qs < m.start < qe and _speech_incise(text, qs, m, lang)]
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


"""Features of candidate facts: words, parse paths, trigger lexicons and the rules' hits.

Every feature is a string; a model's vocabulary maps the ones it was trained
with to weights. The lexicons of ``ontology/lexicon/relations.yaml`` and
``roles.yaml`` and the rules of :mod:`kg.extract` are evidence here: a model
learns how far to trust each of them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from spacy.tokens import Token

from kg.extract.context import Sentence, find_triggers
from kg.extract.lexicon import fold
from kg.extract.links import _count_before
from kg.extract.mentions import WMention, norm_key
from kg.extract.roles import _role_spans
from kg.extract.tokens import table
from kg.extract.values import find_money, find_target_year

if TYPE_CHECKING:  # pragma: no cover
    from kg.learn.candidates import Analysis

__all__ = [
    "SentenceContext",
    "pair_features",
    "cross_features",
    "group_features",
    "group_values",
    "quote_features",
    "TRIGGER_KEYS",
]

#: Lexicon keys of ``relations.yaml`` looked up in every sentence.
TRIGGER_KEYS: tuple[str, ...] = (
    "partnersWith", "with_words", "investsIn", "raise", "round_words", "money_verbs", "investor_nouns",
    "lead_verbs", "investor_markers", "trains", "represents", "memberOf", "acquires", "develops", "offers", "organizes",
    "located", "based", "speech_verbs", "founded_by", "founded", "leads", "led_by", "former_markers", "negations",
)  # fmt: skip

_SUBJ = {"nsubj", "nsubj:pass", "nsubjpass", "csubj"}
_PRONOUNS = {"il", "elle", "ils", "elles", "he", "she", "they", "it", "its", "their", "son", "sa", "ses", "leur", "leurs"}
_SEP = re.compile(r"^\s*(?:,|;|/|et|and|&|ou|or|ainsi que|as well as)\s*$", re.I)


def _name_words(text: str) -> tuple[str, ...]:
    """The folded words of a name without its leading article, punctuation or legal suffix
    ("the Global Telco AI Alliance", "Figure AI Inc.")."""
    return tuple(norm_key(text).split())


def _bucket(n: int) -> str:
    for limit, name in ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (5, "4-5"), (8, "6-8"), (12, "9-12"), (20, "13-20")):
        if n <= limit:
            return name
    return ">20"


class SentenceContext:
    """Per-sentence token data computed once: folded words and lemmas, triggers, role titles."""

    def __init__(self, sent: Sentence) -> None:
        self.sent = sent
        self.doc = sent.span.doc
        self.start = sent.span.start
        forms = sent.forms()
        self.words = [w for w, _ in forms]
        self.lemmas = [lem for _, lem in forms]
        self.triggers: dict[int, list[str]] = {}
        self.keys_in_sentence: set[str] = set()
        for key in TRIGGER_KEYS:
            for trig in find_triggers(sent, key):
                self.keys_in_sentence.add(key)
                for i in range(trig.start, trig.end):
                    self.triggers.setdefault(i, []).append(key)
        self.roles = _role_spans(sent)
        self.role_tokens = {i for s, e, _ in self.roles for i in range(s, e)}
        self.former = {i for i, keys in self.triggers.items() if "former_markers" in keys}
        self.mention_at: dict[int, WMention] = {}
        for m in sent.mentions:
            if m.span is not None:
                for i in range(m.span.start, m.span.end):
                    self.mention_at[i] = m
        self.money = find_money(sent.text, sent.lang)
        tab = table(self.doc)
        s, e = sent.span.start, sent.span.end
        self.first_word = tab.folded[s] if e > s else ""
        self.pronoun_subject = self.first_word in _PRONOUNS or any(
            tab.folded[k] in _PRONOUNS and tab.dep[k] in _SUBJ for k in range(s, e)
        )

    def word(self, i: int) -> str:
        """Folded text of the token at document index ``i`` (sentence boundaries as markers)."""
        k = i - self.start
        if k < 0:
            return "<s>"
        if k >= len(self.words):
            return "</s>"
        return self.words[k]

    def general(self, i0: int, i1: int, limit: int = 8) -> list[str]:
        """Tokens ``i0:i1`` with mentions replaced by their class and job titles by ROLE (runs collapsed)."""
        out: list[str] = []
        i = max(i0, self.start)
        end = min(i1, self.start + len(self.words))
        while i < end and len(out) <= limit:
            m = self.mention_at.get(i)
            if m is not None:
                out.append(m.type.upper())
                i = m.span.end  # type: ignore[union-attr]
                continue
            if i in self.role_tokens:
                if not out or out[-1] != "ROLE":
                    out.append("ROLE")
            elif i in self.former:
                out.append("FORMER")
            else:
                out.append(self.words[i - self.start])
            i += 1
        return out

    def lemma(self, i: int) -> str:
        k = i - self.start
        return self.lemmas[k] if 0 <= k < len(self.lemmas) else "<s>"


def _root(m: WMention) -> Token:
    assert m.span is not None
    return m.span.root


def _path(a: Token, b: Token) -> tuple[list[str], list[Token]]:
    """Dependency path from ``a`` to ``b``: edge labels with directions, and the tokens in between."""
    up_a = [a, *a.ancestors]
    index_a = {t.i: k for k, t in enumerate(up_a)}
    up_b = [b]
    for t in b.ancestors:
        if up_b[-1].i in index_a:
            break
        up_b.append(t)
    if up_b[-1].i not in index_a:
        return [], []
    k = index_a[up_b[-1].i]
    edges = [f"↑{t.dep_}" for t in up_a[:k]] + [f"↓{t.dep_}" for t in reversed(up_b[:-1])]
    inner = up_a[1 : k + 1] + list(reversed(up_b[1:-1]))
    inner = [t for t in inner if t.i != a.i and t.i != b.i]
    return edges, inner


def _rule_features(an: Analysis, a: WMention, b: WMention, sentences: set[int]) -> list[str]:
    out = []
    for (s, p, o), hits in _hits_by_pair(an).get(frozenset((a.key, b.key)), {}).items():
        for cand, k in hits:
            if k not in sentences:
                continue
            direction = ">" if (s, o) == (a.key, b.key) else "<"
            out.append(f"rule={p}{direction}")
            out.append(f"ruleid={cand.rule}{direction}")
    return out


def _hits_by_pair(an: Analysis) -> dict[frozenset, dict]:
    cached = getattr(an, "_hits_by_pair", None)
    if cached is None:
        cached = {}
        for (s, p, o), hits in an.rule_hits.items():
            cached.setdefault(frozenset((s, o)), {})[(s, p, o)] = hits
        an._hits_by_pair = cached  # type: ignore[attr-defined]
    return cached


def _words_between(ctx: SentenceContext, between: list[int], name: str) -> list[str]:
    """Lemmas of the tokens between two things (the first and last four when there are many)."""
    kept = between if len(between) <= 12 else between[:4] + between[-4:]
    return [f"{name}={ctx.lemma(i)}" for i in kept]


def _alternative_types(an: Analysis, a: WMention, b: WMention) -> list[str]:
    out = []
    for x in an.types(a)[1:]:
        out.append(f"alt_a={x}")
        out.append(f"T2={x}>{b.type}")
    for y in an.types(b)[1:]:
        out.append(f"alt_b={y}")
        out.append(f"T2={a.type}>{y}")
    return out


def _count_bucket(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4+"


class DocumentContext:
    """What a document says of its entities as a whole: how often each is named, which
    organisation it is about, which entities open it, which are named together."""

    #: Characters from the start of the text within which an entity counts as opening the document.
    LEAD = 400

    def __init__(self, an: Analysis) -> None:
        self.counts = Counter(m.key for m in an.mentions)
        orgs = [e for e in an.entities.values() if e.type == "Organization"]
        focus = max(orgs, key=lambda e: (len(e.mentions), -e.mentions[0].start)) if orgs else None
        self.focus = focus.key if focus is not None else None
        self.lead = {e.key for e in an.entities.values() if e.mentions and e.mentions[0].start < self.LEAD}
        self.together: Counter = Counter()
        for sent in an.sentences:
            keys = sorted({m.key for m in sent.mentions if m.key})
            for x in range(len(keys)):
                for y in range(x + 1, len(keys)):
                    self.together[(keys[x], keys[y])] += 1
        self.sizes = [len(sent.mentions) for sent in an.sentences]
        self.names: dict[str, set[tuple[str, ...]]] = {}
        for m in an.mentions:
            if m.key and m.source != "demonym":
                words = _name_words(m.text)
                if words:
                    self.names.setdefault(m.key, set()).add(words)

    def extends(self, long: str | None, short: str | None) -> bool:
        """Whether a name of entity ``long`` is a name of entity ``short`` with words added before
        or after it ("IBM France", "Google I/O 2023" and "IBM", "Google")."""
        if not long or not short or long == short:
            return False
        for x in self.names.get(long, ()):
            for y in self.names.get(short, ()):
                if len(x) > len(y) and (x[: len(y)] == y or x[-len(y) :] == y):
                    return True
        return False

    def features(self, a: WMention, b: WMention, sentence: int) -> list[str]:
        types = f"{a.type}>{b.type}"
        out = []
        for side, (x, y) in (("a", (a, b)), ("b", (b, a))):
            if self.extends(x.key, y.key):
                out += [f"extends={side}", f"T|extends={types}|{side}"]
        for side, m in (("a", a), ("b", b)):
            if m.type in {"Organization", "Event", "Program", "Product"}:
                words = _name_words(m.text)
                if len(words) > 1:  # the head word of a longer name, not a one-word name itself
                    out += [f"{side}last={words[-1]}", f"T|{side}last={types}|{words[-1]}"]
        for side, m in (("a", a), ("b", b)):
            n = _count_bucket(self.counts[m.key])
            out += [f"{side}cnt={n}", f"T|{side}cnt={types}|{n}"]
            if m.key == self.focus:
                out += [f"{side}focus", f"T|{side}focus={types}"]
            if m.key in self.lead:
                out.append(f"{side}lead")
        ka, kb = sorted((a.key or "", b.key or ""))
        co = _count_bucket(self.together[(ka, kb)])
        out += [f"cooc={co}", f"T|cooc={types}|{co}", f"nment={min(self.sizes[sentence], 6)}"]
        return out


def document_context(an: Analysis) -> DocumentContext:
    """The document's :class:`DocumentContext`, computed once."""
    ctx = getattr(an, "_document_context", None)
    if ctx is None:
        ctx = an._document_context = DocumentContext(an)  # type: ignore[attr-defined]
    return ctx


def document_features(an: Analysis, a: WMention, b: WMention, sentence: int) -> list[str]:
    """Features of two mentions from the whole document: how often each entity is named, whether
    it is the organisation the document is about or opens it, whether one's name extends the
    other's, the last word of a name of several words ("alliance", "foundation", "france"), how
    many sentences name both, and how crowded the sentence of the later mention is."""
    return document_context(an).features(a, b, sentence)


def distant_features(a: WMention, b: WMention, an: Analysis) -> list[str]:
    """Features of two mentions too far apart to share a sentence's context: their classes and
    the sentences' languages (what ties them is in :func:`document_features`)."""
    return [f"D|T={a.type}>{b.type}", f"lang={an.document.lang}"] + [f"D|{x}" for x in _alternative_types(an, a, b)]


def pair_features(ctx: SentenceContext, a: WMention, b: WMention, an: Analysis) -> list[str]:
    """Features of two mentions of one sentence, ``a`` before ``b``."""
    assert a.span is not None and b.span is not None
    types = f"{a.type}>{b.type}"
    a0, a1, b0, b1 = a.span.start, a.span.end, b.span.start, b.span.end
    gap = max(0, b0 - a1)
    f = [f"T={types}", f"gap={_bucket(gap)}", f"T|gap={types}|{_bucket(gap)}", f"lang={ctx.sent.lang}"]
    f += _alternative_types(an, a, b)
    if a.source == "demonym" or b.source == "demonym":
        f.append("demonym")
        f.append(f"demonym_adj={'a' if a.source == 'demonym' else 'b'}|{ctx.word(a0 if a.source == 'demonym' else b0)}")
    between = list(range(a1, b0))
    f += _words_between(ctx, between, "bw")
    if len(between) > 12:
        f.append("bw_long")
    if gap <= 5:
        seq = " ".join(ctx.word(i) for i in between)
        f.append(f"bseq={seq}")
        f.append(f"T|bseq={types}|{seq}")
    g = ctx.general(a1, b0)
    if len(g) <= 8:
        f.append(f"T|g={types}|{' '.join(g)}")
    gl = ctx.general(max(ctx.start, a0 - 3), a0)[-2:]
    gr = ctx.general(b1, b1 + 4)[:2]
    f.append(f"T|gl={types}|{' '.join(gl)}")
    f.append(f"T|gr={types}|{' '.join(gr)}")
    if len(g) <= 4:
        f.append(f"T|glgr={types}|{' '.join(gl[-1:])}|{' '.join(g)}|{' '.join(gr[:1])}")
    if any(i in ctx.former for i in range(a0 - 3, b1 + 1)):
        f.append("former_near")
        f.append(f"T|former_near={types}")
    text_between = ctx.sent.between(a, b)
    if _SEP.match(text_between):
        f.append("coord")
    if text_between.strip() in {"(", "("}:
        f.append("paren")
    if re.match(r"^\s*['’]s?\s*$", text_between):
        f.append("poss")
    mids = [m for m in ctx.sent.mentions if a.end <= m.start and m.end <= b.start]
    for side, x, y in (("a", a, b), ("b", b, a)):  # whether y is the mention of its class nearest to x
        rivals = [m for m in ctx.sent.mentions if m.type == y.type and m.key != x.key]
        dist = [(max(m.start - x.end, x.start - m.end), m is y) for m in rivals]
        if dist and min(dist)[1]:
            f += [f"nearest_to_{side}", f"T|nearest_to_{side}={types}"]
    f.append(f"mid={min(len(mids), 3)}")
    for m in mids[:4]:
        f.append(f"midtype={m.type}")
    f += [f"la1={ctx.word(a0 - 1)}", f"la2={ctx.word(a0 - 2)}_{ctx.word(a0 - 1)}", f"rb1={ctx.word(b1)}",
          f"rb2={ctx.word(b1)}_{ctx.word(b1 + 1)}", f"ra1={ctx.word(a1)}", f"lb1={ctx.word(b0 - 1)}"]  # fmt: skip
    ra, rb = _root(a), _root(b)
    f += [f"adep={ra.dep_}", f"bdep={rb.dep_}", f"ahead={fold(ra.head.lemma_)}", f"bhead={fold(rb.head.lemma_)}"]
    f.append(f"T|adep|bdep={types}|{ra.dep_}|{rb.dep_}")
    edges, inner = _path(ra, rb)
    if edges:
        f.append(f"plen={min(len(edges), 6)}")
        if len(edges) <= 4:
            f.append(f"path={' '.join(edges)}")
            f.append(f"T|path={types}|{' '.join(edges)}")
            full = " ".join(edges[:1] + [fold(t.lemma_) for t in inner] + edges[-1:])
            f.append(f"T|pathlex={types}|{full}")
        for t in inner[:5]:
            f.append(f"plem={fold(t.lemma_)}")
            f.append(f"T|plem={types}|{fold(t.lemma_)}")
        for t in inner:
            for key in ctx.triggers.get(t.i, ()):
                f.append(f"trig_path={key}")
    else:
        f.append("nopath")
    for i in between:
        for key in ctx.triggers.get(i, ()):
            f.append(f"trig_btw={key}")
            f.append(f"T|trig_btw={types}|{key}")
    for i in list(range(a0 - 3, a0)) + list(range(b1, b1 + 3)):
        for key in ctx.triggers.get(i, ()):
            f.append(f"trig_out={key}")
    for key in ctx.keys_in_sentence:
        f.append(f"trig_sent={key}")
    if any(i in ctx.role_tokens for i in between):
        f.append("role_btw")
    if any(i in ctx.role_tokens for i in (a0 - 1, a0 - 2, b1, b1 + 1, a1, b0 - 1)):
        f.append("role_adj")
    if ra.dep_ in _SUBJ:
        f.append("a_subj")
    if rb.dep_ in _SUBJ:
        f.append("b_subj")
    if ctx.money:
        f.append("money_in_sent")
    f += _rule_features(an, a, b, {ctx.sent.index})
    return f


def cross_features(pctx: SentenceContext, ctx: SentenceContext, a: WMention, b: WMention, an: Analysis) -> list[str]:
    """Features of a mention ``a`` of the previous sentence and ``b`` of this one."""
    assert a.span is not None and b.span is not None
    types = f"{a.type}>{b.type}"
    f = [f"X|T={types}", f"lang={ctx.sent.lang}"]
    f += [f"X|{x}" for x in _alternative_types(an, a, b)]
    ra, rb = _root(a), _root(b)
    f += [f"X|adep={ra.dep_}", f"X|bdep={rb.dep_}", f"X|bhead={fold(rb.head.lemma_)}", f"X|ahead={fold(ra.head.lemma_)}"]
    f.append(f"X|T|adep|bdep={types}|{ra.dep_}|{rb.dep_}")
    for key in ctx.keys_in_sentence:
        f.append(f"X|trig_b={key}")
        f.append(f"X|T|trig_b={types}|{key}")
    for key in pctx.keys_in_sentence:
        f.append(f"X|trig_a={key}")
    f.append(f"X|first={ctx.first_word}")
    if ctx.pronoun_subject:
        f.append("X|pronoun_subj")
    b0, b1 = b.span.start, b.span.end
    f += [f"X|lb1={ctx.word(b0 - 1)}", f"X|lb2={ctx.word(b0 - 2)}_{ctx.word(b0 - 1)}", f"X|rb1={ctx.word(b1)}"]
    for i in range(b0 - 4, b0):
        for key in ctx.triggers.get(i, ()):
            f.append(f"X|trig_lb={key}")
    a_mentions = len(pctx.sent.mentions)
    f.append(f"X|amentions={min(a_mentions, 4)}")
    if ra.dep_ in _SUBJ:
        f.append("X|a_subj")
    if rb.dep_ in _SUBJ:
        f.append("X|b_subj")
    if ctx.money:
        f.append("X|money_b")
    if pctx.money:
        f.append("X|money_a")
    f += [f"X|{x}" for x in _rule_features(an, a, b, {ctx.sent.index, pctx.sent.index})]
    return f


def group_values(sent: Sentence, t: Token) -> tuple[int | None, int | None]:
    """The count written before a group noun and the target year of its sentence."""
    return _count_before(sent, t.i), find_target_year(sent.text, sent.lang)


def group_features(
    ctx: SentenceContext, m: WMention, t: Token, count: int | None, year: int | None, an: Analysis, *, same_sentence: bool
) -> list[str]:
    """Features of an organisation mention and a group noun."""
    noun = fold(t.lemma_)
    f = [f"G|noun={noun}", f"lang={ctx.sent.lang}", f"G|same={same_sentence}"]
    if count is not None:
        f.append("G|count")
    if year is not None:
        f.append("G|year")
    f += [f"G|ln1={ctx.word(t.i - 1)}", f"G|ln2={ctx.word(t.i - 2)}_{ctx.word(t.i - 1)}", f"G|rn1={ctx.word(t.i + 1)}"]
    for key in ctx.keys_in_sentence:
        f.append(f"G|trig_sent={key}")
    for i in range(t.i - 6, t.i):
        for key in ctx.triggers.get(i, ()):
            f.append(f"G|trig_before_noun={key}")
    for key in ("trains", "represents"):
        hits = an.rule_hits.get((m.key, key, fold(t.text)), [])
        if hits:
            f.append(f"G|rule={key}")
    if same_sentence:
        assert m.span is not None
        rm = _root(m)
        lo, hi = sorted((m.span.end, t.i)) if m.span.end <= t.i else sorted((t.i + 1, m.span.start))
        f.append(f"G|order={'org_first' if m.span.end <= t.i else 'noun_first'}")
        f.append(f"G|gap={_bucket(hi - lo)}")
        between = list(range(lo, hi))
        f += _words_between(ctx, between, "G|bw")
        for i in between:
            for key in ctx.triggers.get(i, ()):
                f.append(f"G|trig_btw={key}")
        edges, inner = _path(rm, t)
        if edges and len(edges) <= 4:
            f.append(f"G|path={' '.join(edges)}")
        for tok in inner[:4]:
            f.append(f"G|plem={fold(tok.lemma_)}")
        f.append(f"G|odep={rm.dep_}")
        mids = [x for x in ctx.sent.mentions if x.type == "Organization" and lo <= x.span.start < hi]  # type: ignore[union-attr]
        f.append(f"G|midorgs={min(len(mids), 3)}")
    else:
        f.append(f"G|odep_prev={_root(m).dep_}")
    return f


_SPEECH_COLON = re.compile(r":\s*$")
_PRONOUN_SPEECH = re.compile(r"(?:-t-(?:il|elle)\b|\b(?:il|elle|he|she)\b)", re.I)


def quote_features(
    text: str,
    an: Analysis,
    m: WMention,
    qs: int,
    qe: int,
    content: str,
    rule: str,
    near: list[WMention],
    prior: list[WMention],
) -> list[str]:
    """Features of a person mention as the speaker of the quotation at ``qs:qe``."""
    from kg.extract.quotes import _speech_pattern

    speech = _speech_pattern(an.document.lang)
    f = [f"lang={an.document.lang}", f"Q|rule={rule or '-'}"]
    if m in prior and m not in near:
        f.append("Q|prior")
        f.append(f"Q|prior_rank={len(prior) - prior.index(m)}")
        window = text[qe : qe + 40]
        if _PRONOUN_SPEECH.search(window) or _PRONOUN_SPEECH.search(text[max(0, qs - 60) : qs]):
            f.append("Q|pronoun_near")
        if speech.search(fold(window)):
            f.append("Q|speech_after")
        return f
    if qs < m.start < qe:  # named in an incise of the quotation: "« C'est un drame, a déclaré X. »"
        f.append("Q|incise")
        if len(content.split()) < 5:
            f.append("Q|short")
        return f
    if m.start >= qe:
        gap_text = text[qe : m.start]
        f.append("Q|after")
        before_persons = [x for x in near if qe <= x.start < m.start]
        f.append(f"Q|rank={min(len(before_persons), 3)}")
    else:
        gap_text = text[m.end : qs]
        f.append("Q|before")
        between_persons = [x for x in near if m.end <= x.start and x.end <= qs]
        f.append(f"Q|rank={min(len(between_persons), 3)}")
    n = len(gap_text)
    f.append(f"Q|gapc={_bucket(n // 8)}")
    folded = fold(gap_text)
    if speech.search(folded):
        f.append("Q|speech_between")
    if _SPEECH_COLON.search(gap_text):
        f.append("Q|colon")
    if "\n" in gap_text:
        f.append("Q|newline")
    if any(c in gap_text for c in ".!?") and m.start < qs:
        f.append("Q|sentence_break")
    words = re.findall(r"\w+", folded)
    for w in words[:3] + words[-3:]:
        f.append(f"Q|gw={w}")
    after = fold(text[m.end : m.end + 30]) if m.start >= qe else ""
    if after and speech.search(after):
        f.append("Q|speech_after_name")
    if len(content.split()) < 5:
        f.append("Q|short")
    return f

"""A sentence with its entity mentions, and the token-level helpers rules share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from spacy.tokens import Span, Token

from kg.extract.lexicon import fold, load_triggers
from kg.extract.mentions import WMention, doc_text

__all__ = ["Sentence", "Trigger", "compile_triggers", "doc_text", "find_triggers"]

_SEPARATOR = re.compile(
    r"^\s*(?:\([^()]{1,24}\))?\s*(?:,|;|/)?\s*(?:(?:et|and|&|ainsi que|as well as|or|ou|plus|mais aussi|but also)\s+)?"
    r"(?:(?:la|le|les|l['’]|the|des|de|du|d['’])\s*)?(?:[a-zé\-]+\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class Trigger:
    """A trigger phrase found in a sentence (token indices in the chunk Doc)."""

    start: int
    end: int
    phrase: str


@dataclass
class Sentence:
    """One sentence of a chunk Doc, with the mentions it contains."""

    span: Span
    offset: int  # the chunk's character offset in the document text
    index: int
    lang: str
    mentions: list[WMention] = field(default_factory=list)
    #: per token of the span, its folded text and lemma (computed on first use)
    _forms: list[tuple[str, str]] | None = field(default=None, init=False, repr=False, compare=False)
    #: trigger look-ups already done on this sentence, by lexicon key
    _triggers: dict[str, list[Trigger]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _form_index: tuple[frozenset[str], str] | None = field(default=None, init=False, repr=False, compare=False)
    #: results of functions of the sentence alone (job titles, money), computed once
    memo: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def forms(self) -> list[tuple[str, str]]:
        """``(folded text, folded lemma)`` of each token of the sentence."""
        if self._forms is None:
            from kg.extract.tokens import table

            tab = table(self.span.doc)
            s, e = self.span.start, self.span.end
            self._forms = list(zip(tab.folded[s:e], tab.lemma[s:e]))
        return self._forms

    def form_index(self) -> tuple[frozenset[str], str]:
        """Every folded text and lemma of the sentence, as a set and joined by spaces (for quick rejection)."""
        if self._form_index is None:
            words = [w for pair in self.forms() for w in pair]
            self._form_index = (frozenset(words), " ".join(words))
        return self._form_index

    @property
    def start_char(self) -> int:
        return self.offset + self.span.start_char

    @property
    def end_char(self) -> int:
        return self.offset + self.span.end_char

    @property
    def text(self) -> str:
        """The sentence's text (a slice of the Doc's text: spaCy would rebuild it from the tokens)."""
        return doc_text(self.span.doc)[self.span.start_char : self.span.end_char]

    def tok(self, m: WMention) -> tuple[int, int]:
        """Token range of a mention in the chunk Doc."""
        assert m.span is not None
        return m.span.start, m.span.end

    def between(self, a: WMention, b: WMention) -> str:
        """Text between the end of ``a`` and the start of ``b`` (empty if they overlap)."""
        text = doc_text(self.span.doc)
        s, e = a.end - self.offset, b.start - self.offset
        return text[s:e] if s <= e else ""

    def text_between(self, i: int, j: int) -> str:
        """Text of tokens ``i`` (inclusive) to ``j`` (exclusive)."""
        doc = self.span.doc
        if j <= i:
            return ""
        return doc[i:j].text

    def mention_at(self, token_i: int) -> WMention | None:
        for m in self.mentions:
            s, e = self.tok(m)
            if s <= token_i < e:
                return m
        return None

    def group(self, m: WMention, types: set[str] | None = None) -> list[WMention]:
        """The coordination ``m`` belongs to: "A, B et C" -> [A, B, C]."""
        ms = [x for x in self.mentions if types is None or x.type in types]
        # an acronym in parentheses repeats the name before it: "l'Union … (U2P), la Confédération …"
        ms = [
            x
            for k, x in enumerate(ms)
            if k == 0 or x is m or (x.key != ms[k - 1].key and not self._parenthesised(ms[k - 1], x))
        ]
        if m not in ms:
            return [m]
        i = ms.index(m)
        lo = hi = i
        while (
            lo > 0 and _SEPARATOR.match(self.between(ms[lo - 1], ms[lo])) and self.between(ms[lo - 1], ms[lo]).strip()
        ):
            lo -= 1
        while (
            hi < len(ms) - 1
            and _SEPARATOR.match(self.between(ms[hi], ms[hi + 1]))
            and self.between(ms[hi], ms[hi + 1]).strip()
        ):
            hi += 1
        return ms[lo : hi + 1]

    def _parenthesised(self, prev: WMention, m: WMention) -> bool:
        """``m`` is written in parentheses right after ``prev``: "… manageurs (CIDA)"."""
        text = doc_text(self.span.doc)
        return self.between(prev, m).strip() == "(" and text[m.end - self.offset : m.end - self.offset + 1] == ")"

    def left_of(self, token_i: int, types: set[str]) -> list[WMention]:
        return [m for m in self.mentions if m.type in types and self.tok(m)[1] <= token_i]

    def right_of(self, token_i: int, types: set[str]) -> list[WMention]:
        return [m for m in self.mentions if m.type in types and self.tok(m)[0] >= token_i]

    def subject_of(self, token: Token, types: set[str]) -> WMention | None:
        """The mention that is the grammatical subject of the clause of ``token``."""
        node: Token | None = token
        for _ in range(4):
            if node is None:
                break
            for child in node.children:
                if child.dep_ in {"nsubj", "nsubj:pass", "nsubjpass", "csubj", "expl:subj"}:
                    m = self.mention_at(child.i)
                    if m is None:  # the subject phrase may contain the name ("la start-up Mistral AI")
                        for t in child.subtree:
                            if t.i >= token.i:
                                break  # not past the trigger: "les travaux, menés avec A, …"
                            m = self.mention_at(t.i)
                            if m is not None:
                                break
                    if m is not None and m.type in types:
                        return m
                    return None
            if node.dep_ in {"ROOT"} or node.head is node:
                break
            node = node.head
        return None

    def subject_token(self, token: Token) -> Token | None:
        """The head token of the grammatical subject of the clause of ``token``, if any."""
        node: Token = token
        for _ in range(4):
            for child in node.children:
                if child.dep_ in {"nsubj", "nsubj:pass", "nsubjpass", "csubj", "expl:subj"}:
                    return child
            if node.dep_ == "ROOT" or node.head is node:
                break
            node = node.head
        return None

    def has_any(self, words: list[str]) -> bool:
        folded = " " + " ".join(fold(t.text) for t in self.span) + " "
        return any(f" {fold(w)} " in folded for w in words)


@cache
def compile_triggers(lang: str, key: str) -> tuple[tuple[tuple[str, bool], ...], ...]:
    """Trigger phrases of ``relations.yaml[key]`` as word patterns ``(word, is_prefix)``."""
    phrases = load_triggers(lang).get(key, [])
    out = []
    for phrase in phrases:
        words = []
        for w in re.findall(r"[^\s]+", fold(str(phrase))):
            words.append((w.rstrip("*"), w.endswith("*")))
        out.append(tuple(words))
    return tuple(out)


def _form_matches(forms: tuple[str, str], word: str, prefix: bool) -> bool:
    if prefix:
        return forms[0].startswith(word) or forms[1].startswith(word)
    return word == forms[0] or word == forms[1]


@cache
def _indexed_triggers(
    lang: str, key: str
) -> tuple[dict[str, tuple[tuple[tuple[str, bool], ...], ...]], tuple[tuple[tuple[str, bool], ...], ...]]:
    """The patterns of ``key`` indexed by their first word: exact first words in a dict, prefixes in a list.

    Both keep the patterns' order in ``relations.yaml``, which decides which one wins at a token.
    """
    exact: dict[str, list[tuple[int, tuple[tuple[str, bool], ...]]]] = {}
    prefixed: list[tuple[int, tuple[tuple[str, bool], ...]]] = []
    for n, pat in enumerate(compile_triggers(lang, key)):
        if not pat:
            continue
        word, is_prefix = pat[0]
        (prefixed if is_prefix else exact.setdefault(word, [])).append((n, pat))
    return {w: tuple(p for _, p in ps) for w, ps in exact.items()}, tuple(p for _, p in prefixed)


@cache
def _pattern_order(lang: str, key: str) -> dict[tuple[tuple[str, bool], ...], int]:
    return {pat: n for n, pat in reversed(list(enumerate(compile_triggers(lang, key))))}


@cache
def _prefix_regex(lang: str, key: str) -> re.Pattern[str] | None:
    """Matches, in a sentence's words joined by spaces, a word that begins with one of the prefix patterns' first words."""
    _exact, prefixed = _indexed_triggers(lang, key)
    if not prefixed:
        return None
    firsts = sorted({p[0][0] for p in prefixed}, key=lambda w: (-len(w), w))
    return re.compile("(?:^| )(?:" + "|".join(re.escape(w) for w in firsts) + ")")


@lru_cache(maxsize=1 << 16)
def _candidates(sent_forms: tuple[str, str], lang: str, key: str) -> tuple[tuple[tuple[str, bool], ...], ...]:
    """Patterns of ``key`` whose first word matches a token's forms, in their lexicon order (memoised:
    the same words come back in every sentence)."""
    exact, prefixed = _indexed_triggers(lang, key)
    if not prefixed and sent_forms[1] == sent_forms[0]:
        return exact.get(sent_forms[0], ())
    order = _pattern_order(lang, key)
    found = set(exact.get(sent_forms[0], ()))
    if sent_forms[1] != sent_forms[0]:
        found.update(exact.get(sent_forms[1], ()))
    found.update(p for p in prefixed if _form_matches(sent_forms, p[0][0], True))
    return tuple(sorted(found, key=order.__getitem__))


def find_triggers(sent: Sentence, key: str) -> list[Trigger]:
    """Occurrences of the trigger phrases of ``key`` in the sentence (computed once per sentence and key)."""
    done = sent._triggers.get(key)
    if done is not None:
        return list(done)
    forms = sent.forms()
    found: list[Trigger] = []
    exact, _prefixed = _indexed_triggers(sent.lang, key)
    prefix_re = _prefix_regex(sent.lang, key)
    words, joined = sent.form_index()
    if words.isdisjoint(exact) and (prefix_re is None or not prefix_re.search(joined)):
        sent._triggers[key] = found  # no word of the sentence can start a trigger of this key
        return []
    toks = sent.span
    start = toks.start
    n_toks = len(forms)
    for i in range(n_toks):
        for pat in _candidates(forms[i], sent.lang, key):
            if i + len(pat) > n_toks:
                continue
            # a trigger word that is part of a name ("Partners" in "Lightspeed Venture Partners") is not a trigger
            if all(_form_matches(forms[i + k], w, p) for k, (w, p) in enumerate(pat)):
                if sent.mention_at(start + i) is not None:
                    continue
                found.append(Trigger(start + i, start + i + len(pat), " ".join(w for w, _ in pat)))
                break
    sent._triggers[key] = found
    return list(found)

"""Entity mentions of a document: clean the NER spans, type them, group them.

The statistical NER is a starting point only: spans are trimmed of articles,
possessives and job titles, junk is dropped, names of programmes and events
the NER has no label for are added, each mention gets an ontology class from
the gazetteer, name heads ("… Ventures", "… Academy"), cue nouns ("la
start-up X") or the NER label, and mentions of the same thing are grouped into
one doc-local entity (short forms, acronyms, surnames).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from kg.extract.lexicon import fold, load_gazetteer, load_roles, load_yaml

__all__ = ["WMention", "find_mentions", "group_mentions", "norm_key", "WEntity"]

_NER_TYPES = {
    "PER": "Person",
    "PERSON": "Person",
    "ORG": "Organization",
    "LOC": "Place",
    "GPE": "Place",
    "FAC": "Place",
    "PRODUCT": "Product",
    "EVENT": "Event",
    "MISC": None,
}
_TYPES = ("Person", "Organization", "Product", "Program", "Place", "Event")
_LEADING = {
    "the",
    "le",
    "la",
    "les",
    "l'",
    "l’",
    "l",
    "du",
    "de",
    "des",
    "d'",
    "d’",
    "a",
    "an",
    "un",
    "une",
    "au",
    "aux",
}
_LEGAL = {"inc", "corp", "corporation", "ltd", "llc", "sa", "sas", "plc", "gmbh", "ag", "co", "limited", "incorporated"}
_CONNECT = {
    "de",
    "du",
    "des",
    "d'",
    "d’",
    "of",
    "for",
    "the",
    "and",
    "&",
    "pour",
    "la",
    "le",
    "l'",
    "l’",
    "et",
    "on",
    "sur",
    "in",
    "en",
}
_SOURCE_RANK = {"gazetteer": 3, "head": 2, "cue": 2, "ner": 1}


@functools.lru_cache(maxsize=8)
def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once: spaCy rebuilds the string from every token at each access."""
    from kg.extract.tokens import table

    return table(doc).doc_text


def norm_key(text: str) -> str:
    """Matching key of a name: folded, punctuation-free, no article or legal suffix.

    >>> norm_key("Microsoft Corp."), norm_key("l’Europe"), norm_key("the AFL-CIO"), norm_key("C++")
    ('microsoft', 'europe', 'afl cio', 'c plus plus')
    """
    s = fold(text)
    s = re.sub(r"['’]s\b", "", s)
    # symbols that tell names apart ("C++" / "C#", "AT&T" / "AT T") become words
    s = s.replace("+", " plus ").replace("#", " sharp ").replace("&", " and ").replace("%", " percent ")
    s = re.sub(r"[^\w]+", " ", s).strip()
    words = s.split()
    while len(words) > 1 and words[0] in {"the", "le", "la", "les", "l", "du", "d", "des"}:
        words.pop(0)
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return " ".join(words)


@dataclass
class WMention:
    """A working mention: character offsets in the document text, class, evidence."""

    start: int
    end: int
    text: str
    type: str
    source: str
    sent: int  # index of the sentence in the document
    span: Span | None = None
    key: str | None = None  # entity key, set by group_mentions
    confidence: float = 1.0  # probability of the mention's class (the learned extractor's)


@dataclass
class WEntity:
    """A doc-local entity being built from mentions."""

    key: str
    type: str
    mentions: list[WMention] = field(default_factory=list)
    extra_aliases: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        names = [m.text for m in self.mentions]
        if not names:  # an entity the text names only through an adjective ("française")
            return self.extra_aliases[0] if self.extra_aliases else self.key.split(":", 1)[-1]
        counts = Counter(names)
        return max(names, key=lambda n: (len(n.split()), counts[n], -names.index(n)))

    @property
    def aliases(self) -> tuple[str, ...]:
        label = self.label
        seen = {norm_key(label)}
        out = []
        for n in [m.text for m in self.mentions] + self.extra_aliases:
            k = norm_key(n)
            if k not in seen:
                seen.add(k)
                out.append(n)
        return tuple(out)


def _typing() -> dict:
    return load_yaml("typing")


def _cue_type(span: Span, lang: str) -> str | None:
    """Class given by a cue noun just before the name ("la start-up X") or in an apposition after it."""
    cues = _typing()["cue_nouns"]
    doc = span.doc
    before = [t for t in doc[max(span.sent.start, span.start - 4) : span.start]]
    # skip adjectives and determiners between the cue and the name
    words = [fold(t.text) for t in before if t.pos_ not in {"DET", "ADJ", "PUNCT"} or t.text in {"-"}]
    for type_, by_lang in cues.items():
        nouns = {fold(n) for n in by_lang.get(lang, [])}
        if words and (words[-1] in nouns or " ".join(words[-2:]) in nouns):
            return type_
    # apposition: "X, la start-up …" / "X, the union …" / "X, the firm's internal assistant"
    after = doc[span.end : min(span.sent.end, span.end + 8)]
    if len(after) >= 3 and after[0].text == "," and after[1].pos_ == "DET":
        for k in range(2, len(after)):
            t = after[k]
            if t.pos_ in {"VERB", "AUX", "PUNCT", "ADP"} and t.text not in {"'s", "’s"}:
                break
            if t.pos_ != "NOUN" or (k + 1 < len(after) and after[k + 1].text in {"'s", "’s"}):
                continue
            w = fold(t.text)
            for type_, by_lang in cues.items():
                if w in {fold(n) for n in by_lang.get(lang, [])}:
                    return type_
            break
    return None


def _head_type(text: str) -> str | None:
    """Class given by the name's head word: last in English ("Lightspeed Venture Partners"), first
    in French names built with "de" ("Confédération française de l'encadrement")."""
    words = text.split()
    if not words:
        return None
    for type_ in ("Event", "Program", "Place", "Organization"):
        if words[-1] in _typing()["heads"].get(type_, []):
            return type_
    if len(words) > 1 and any(
        fold(w) in {"de", "des", "du", "d'", "of", "pour", "for"} or fold(w).startswith(("d'", "l'")) for w in words[1:]
    ):
        for type_ in ("Event", "Program", "Organization"):
            if words[0] in _typing()["heads"].get(type_, []) + _typing().get("first_heads", {}).get(type_, []):
                return type_
    return None


@functools.cache
def _titles() -> tuple[frozenset[str], frozenset[str]]:
    """Job titles of both languages, and the word sequences that begin a longer title."""
    titles = frozenset(load_roles("en")) | frozenset(load_roles("fr"))
    starts = frozenset(" ".join(t.split()[:n]) for t in titles for n in range(1, len(t.split())))
    return titles, starts


def _trim(span: Span) -> Span | None:
    """Drop leading articles, trailing possessives and punctuation, and job titles at either end."""
    from kg.extract.tokens import table

    titles, title_starts = _titles()
    start, end = span.start, span.end
    doc = span.doc
    tab = table(doc)
    lower, folded, text, punct = tab.lower, tab.folded, tab.text, tab.is_punct
    while (
        start < end
        and span.label_ not in _TYPES
        and (
            lower[start] in _LEADING
            or punct[start]
            or folded[start] in titles
            or (text[start][:1].islower() and tab.pos[start] not in {"PROPN", "NOUN"})
        )
    ):
        start += 1
    for i in range(start + 1, end):  # a quotation mark or a parenthesis ends a name ("Mistral d' »innovateur")
        if text[i] in {"«", "»", "“", "”", '"', "("}:
            end = i
            break
    while end > start and (
        punct[end - 1]
        or lower[end - 1] in {"'s", "’s", "s"}
        and end - 1 > start
        or folded[end - 1] in titles
        or lower[end - 1] in _LEADING | {"d", "l", "d’", "l’"}
    ):
        end -= 1
    if start >= end:
        return None
    words = fold(doc_text(doc)[tab.idx[start] : tab.idx[end - 1] + len(text[end - 1])])
    if words in titles or words in title_starts:
        return None  # a job title, or the start of one ("National Executive")
    # a title inside the span separates two names: keep the last ("Alphabet CEO Sundar Pichai" -> the person)
    for i in range(end - 1, start, -1):
        if folded[i] in titles and text[i].isupper():
            return Span(doc, i + 1, end, label=span.label) if i + 1 < end else None
    return Span(doc, start, end, label=span.label)


def _is_junk(text: str) -> bool:
    words = text.split()
    if words and words[-1] in set(_typing().get("not_entity_heads", [])):
        return True  # a law or a report is not an entity of the ontology
    if len(text) < 2 or not any(c.isupper() for c in text) or not any(c.isalpha() for c in text):
        return True
    if text in set(_typing()["not_entities"]):
        return True
    if not text[0].isupper() and not text[0].isdigit() and not re.match(r"^[a-z]+[A-Z]", text):
        return True  # "cloud", but keep "xAI", "iPhone"
    return len(text) > 80


def _type_of(span: Span, text: str, lang: str) -> tuple[str | None, str]:
    gaz = load_gazetteer()
    if text in gaz:
        return gaz[text][0], "gazetteer"
    if span.label_ in _TYPES:
        return span.label_, "gazetteer"
    if not any(
        t.pos_ == "PROPN"
        or t.text.isupper()
        or any(c.isdigit() for c in t.text)
        or (t.text[:1].isupper() and not t.is_sent_start)
        for t in span
    ):
        return None, "ner"  # a capitalised common word at the start of a sentence ("Surpassant", "Impacts")
    head = _head_type(text)
    cue = _cue_type(span, lang)
    ner = _NER_TYPES.get(span.label_, "drop")
    if ner == "drop":
        return None, "ner"
    if ner == "Person":
        # a person needs at least one capitalised word that is not an organisation head
        if head in {"Organization", "Program", "Event"} and len(text.split()) > 1:
            return head, "head"
        if cue and cue != "Person" and cue != "Product":
            return cue, "cue"
        return "Person", "ner"
    if head:
        return head, "head"
    if cue:
        return cue, "cue"
    if ner is None:  # MISC: in news about companies, most often an organisation
        return "Organization", "ner"
    return ner, "ner"


_SCALE_WORDS = {"billion", "billions", "million", "millions", "milliard", "milliards", "trillion", "bn", "m"}
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ0-9][\w’'.+\-]*$")


_LOWER_HEADS = {"ministère": "Organization", "secrétariat": "Organization", "direction": "Organization"}


def _lower_head_names(doc: Doc) -> Iterable[tuple[Span, str]]:
    """ "ministère de la Transformation et de la Fonction publiques": a lower-case head, then names."""
    from kg.extract.tokens import table

    lower = table(doc).lower
    n = len(doc)
    for i in range(n):
        type_ = _LOWER_HEADS.get(lower[i])
        if type_ is None or i + 2 >= n or lower[i + 1] not in {"de", "du", "des", "d'", "d’"}:
            continue
        j = i + 1
        end = None
        while j < n and (
            doc[j].lower_ in _CONNECT
            or doc[j].text[:1].isupper()
            or (end is not None and doc[j].pos_ == "ADJ" and doc[j - 1].text[:1].isupper())
        ):
            if doc[j].text[:1].isupper() or doc[j].pos_ == "ADJ":
                end = j + 1
            j += 1
        if end is not None:
            yield Span(doc, i, end, label=type_), type_


def _event_nouns(doc: Doc, lang: str) -> Iterable[tuple[Span, str]]:
    """An unnamed event that the text says someone organises or hosts ("un workshop organisé le
    21 novembre", "a two-day plenary hosted by …"): the noun with its modifiers."""
    from kg.extract.context import compile_triggers
    from kg.extract.tokens import table

    nouns = {fold(n) for n in _typing()["cue_nouns"]["Event"].get(lang, [])}
    patterns = compile_triggers(lang, "organizes")
    tab = table(doc)
    for k in range(len(tab)):
        if tab.folded[k] not in nouns or tab.pos[k] != "NOUN" or tab.text[k][:1].isupper():
            continue
        t = doc[k]
        window = doc[max(t.sent.start, t.i - 4) : min(t.sent.end, t.i + 4)]
        if not any(
            any(fold(w.text).startswith(p[0][0]) if p[0][1] else fold(w.text) == p[0][0] for p in patterns)
            for w in window
            if w.i != t.i
        ):
            continue
        start = t.i
        while (
            start > t.sent.start
            and doc[start - 1].dep_ in {"amod", "compound", "nummod"}
            and doc[start - 1].head.i == t.i
            and doc[start - 1].pos_ in {"ADJ", "NOUN", "NUM"}
        ):
            start -= 1
        yield Span(doc, start, t.i + 1, label="Event"), "Event"


def _head_names(doc: Doc, lang: str) -> Iterable[tuple[Span, str]]:
    """Capitalised names ending in a programme or event head the NER has no label for."""
    yield from _lower_head_names(doc)
    yield from _event_nouns(doc, lang)
    from kg.extract.tokens import table

    heads = _typing()["heads"]
    wanted = {w: t for t in ("Program", "Event") for w in heads[t]}
    texts = table(doc).text
    i = 0
    n = len(doc)
    while i < n:
        if texts[i] in wanted:
            j = i
            # extend left over capitalised words and connectors
            while (
                j > 0
                and not doc[j - 1].like_num
                and fold(doc[j - 1].text) not in _SCALE_WORDS
                and (
                    _NAME_TOKEN.match(doc[j - 1].text)
                    or (doc[j - 1].lower_ in _CONNECT and j - 2 >= 0 and _NAME_TOKEN.match(doc[j - 2].text))
                )
                and not doc[j - 1].is_sent_start
            ):
                j -= 1
            while j < i and doc[j].lower_ in _CONNECT:
                j += 1
            if j < i:
                yield Span(doc, j, i + 1, label=wanted[doc[i].text]), wanted[doc[i].text]
        i += 1


def find_mentions(chunks: list[tuple[int, Doc]], lang: str) -> tuple[list[WMention], list[tuple[int, int]]]:
    """Mentions of every chunk, plus the character extent of every sentence."""
    mentions: list[WMention] = []
    sents: list[tuple[int, int]] = []
    for offset, doc in chunks:
        sent_index = {}
        for s in doc.sents:
            sent_index[s.start] = len(sents)
            sents.append((offset + s.start_char, offset + s.end_char))
        candidates: list[tuple[Span, str | None, str]] = []
        for ent in doc.ents:
            for piece in _split_coordination(ent):
                span = _trim(piece)
                if span is None:
                    continue
                text = span.text
                if _is_junk(text):
                    continue
                type_, source = _type_of(span, text, lang)
                if type_:
                    candidates.append((span, type_, source))
        for span, type_ in _head_names(doc, lang):
            candidates.append((span, type_, "head"))
        # longest candidate wins where they overlap; among equals the better source
        candidates.sort(key=lambda c: (-(c[0].end - c[0].start), -_SOURCE_RANK[c[2]], c[0].start))
        taken: set[int] = set()
        for span, type_, source in candidates:
            toks = set(range(span.start, span.end))
            if toks & taken:
                continue
            taken |= toks
            mentions.append(
                WMention(
                    start=offset + span.start_char,
                    end=offset + span.end_char,
                    text=span.text,
                    type=type_,
                    source=source,
                    sent=sent_index[span.sent.start],
                    span=span,
                )
            )
    mentions.sort(key=lambda m: m.start)
    mentions = _join_particles(_country_subsidiaries(mentions))
    _people_by_title(mentions, lang)
    _harmonise_lists(mentions)
    mentions = _surnames(chunks, mentions)
    return mentions, sents


_PARTICLES = {
    "von",
    "van",
    "der",
    "den",
    "de",
    "du",
    "da",
    "di",
    "le",
    "la",
    "bin",
    "ben",
    "al",
    "el",
    "del",
    "della",
    "dos",
    "das",
    "ter",
    "ten",
}


_LIST_GAP = re.compile(r"^\s*(?:,|,?\s*(?:et|and|&|or|ou))\s*(?:(?:la|le|les|l['’]|the)\s*)?$", re.I)


def _harmonise_lists(mentions: list[WMention]) -> None:
    """Names listed together are of one kind: in "the iPhone, iPad and Mac" the names the NER
    typed otherwise take the class of the known ones."""
    runs: list[list[WMention]] = []
    for m in mentions:
        prev = runs[-1][-1] if runs else None
        if (
            prev is not None
            and prev.span is not None
            and m.span is not None
            and prev.span.doc is m.span.doc
            and prev.span.sent == m.span.sent
            and _LIST_GAP.match(doc_text(prev.span.doc)[prev.span.end_char : m.span.start_char])
        ):
            runs[-1].append(m)
        else:
            runs.append([m])
    for run in runs:
        if len(run) < 3:
            continue
        known = {m.type for m in run if m.source == "gazetteer"}
        if len(known) != 1 or sum(m.source == "gazetteer" for m in run) * 2 < len(run):
            continue
        type_ = known.pop()
        for m in run:
            if m.source != "ner" or m.type == type_:
                continue
            words = m.text.split()
            looks_like_person = len(words) >= 2 and all(w[:1].isupper() and w[1:].islower() for w in words)
            if m.type == "Person" and looks_like_person:
                continue
            m.type, m.source = type_, "cue"


def _split_coordination(ent: Span) -> list[Span]:
    """Split a NER span that joins two names: "Share it et Latitudes", "Alpha, Beta"."""
    if ent.label_ in _TYPES or len(ent) < 3:
        return [ent]
    doc = ent.doc
    pieces, start = [], ent.start
    for i in range(ent.start + 1, ent.end - 1):
        t = doc[i]
        conj = t.lower_ in {"et", "and"} and doc[i - 1].pos_ != "ADJ" and i - start <= 2
        if (
            (conj or t.text == ",")
            and doc[i + 1].text[:1].isupper()
            and doc[i + 1].lower_ not in _CONNECT
            and doc[i - 1].text[:1].isalpha()
        ):
            pieces.append(Span(doc, start, i, label=ent.label))
            start = i + 1
    pieces.append(Span(doc, start, ent.end, label=ent.label))
    return [p for p in pieces if len(p)]


def _join_particles(mentions: list[WMention]) -> list[WMention]:
    """ "Ursula von der" + "Leyen" -> "Ursula von der Leyen"."""
    out: list[WMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.type == "Person"
            and prev.text.split()[-1].lower() in _PARTICLES
            and m.start == prev.end + 1
            and prev.span is not None
            and m.span is not None
            and prev.span.doc is m.span.doc
            and len(m.text.split()) == 1
        ):
            span = Span(prev.span.doc, prev.span.start, m.span.end, label=prev.span.label)
            out[-1] = WMention(prev.start, m.end, span.text, "Person", prev.source, prev.sent, span)
            continue
        out.append(m)
    return out


def _people_by_title(mentions: list[WMention], lang: str) -> None:
    """A name right after a job title ("CEO Paul Griggs") or before a title in apposition
    ("Esther Lynch, General Secretary of …") is a person."""
    titles = set(load_roles("en")) | set(load_roles(lang))
    for m in mentions:
        if m.type == "Person" or m.source == "gazetteer" or m.span is None or len(m.span) < 2:
            continue
        doc = m.span.doc
        if any(not t.text[:1].isupper() for t in m.span):
            continue
        before = doc[max(0, m.span.start - 3) : m.span.start]
        after = doc[m.span.end : m.span.end + 5]
        words_before = [fold(t.text) for t in before]
        is_person = any(" ".join(words_before[k:]) in titles for k in range(len(words_before)))
        if not is_person and len(after) >= 2 and after[0].text == ",":
            rest = [fold(t.text) for t in after[1:] if t.pos_ != "DET"]
            is_person = any(" ".join(rest[:k]) in titles for k in range(1, len(rest) + 1))
        if is_person:
            m.type, m.source = "Person", "cue"


def _surnames(chunks: list[tuple[int, Doc]], mentions: list[WMention]) -> list[WMention]:
    """Add the bare surname of a person named in full ("Trump" after "Donald Trump")."""
    surnames = set()
    for m in mentions:
        words = m.text.split()
        if m.type == "Person" and len(words) >= 2 and words[-1][:1].isupper() and len(words[-1]) > 2:
            surnames.add(words[-1])
    if not surnames:
        return mentions
    from kg.extract.tokens import table

    covered = {(id(m.span.doc), i) for m in mentions if m.span is not None for i in range(m.span.start, m.span.end)}
    added = []
    for offset, doc in chunks:
        tab = table(doc)
        for i, text in enumerate(tab.text):
            if text in surnames and (id(doc), i) not in covered:
                if i > 0 and tab.text[i - 1][:1].isupper() and tab.pos[i - 1] == "PROPN":
                    continue  # part of another name
                span = Span(doc, i, i + 1, label="PER")
                start = offset + tab.idx[i]
                added.append(WMention(start, start + len(text), text, "Person", "ner", -1, span))
    if not added:
        return mentions
    # sentence numbers of added mentions follow the chunk's sentence order
    return sorted(mentions + added, key=lambda m: m.start)


def _country_subsidiaries(mentions: list[WMention]) -> list[WMention]:
    """Join an organisation and the country right after it: "Amazon France", "Microsoft France"."""
    from kg.extract.lexicon import load_places

    countries = {fold(n) for p in load_places() for n in (p["fr"], p["en"])}
    out: list[WMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.type == "Organization"
            and m.type == "Place"
            and m.start == prev.end + 1
            and fold(m.text) in countries
            and prev.span is not None
            and m.span is not None
            and prev.span.doc is m.span.doc
            and prev.span.sent == m.span.sent
        ):
            doc = prev.span.doc
            span = Span(doc, prev.span.start, m.span.end, label=prev.span.label)
            out[-1] = WMention(prev.start, m.end, span.text, "Organization", "head", prev.sent, span)
            continue
        out.append(m)
    return out


#: Words after a company's name that say what kind of business it is, which articles drop
#: ("Cerebras Systems" / "Cerebras", "Benchmark Capital" / "Benchmark", "Geely Auto" / "Geely").
_BUSINESS = {
    "group", "groupe", "holding", "holdings", "ventures", "capital", "systems", "studios", "robotics",
    "industries", "motor", "motors", "electronics", "auto",
}  # fmt: skip
_DESIGNATORS = _LEGAL | _BUSINESS | {"ai", "ia", "technologies", "technology", "company", "compagnie"}


def _designators(words: list[str], pool: set[str] = _DESIGNATORS) -> bool:
    """ "Inc.", "Group", "AI": words a company's name may carry or drop."""
    return bool(words) and all(fold(w).rstrip(".") in pool for w in words)


def _only_heads(words: list[str]) -> bool:
    """ "initiative", "program": words that only say what kind of thing a name is."""
    heads = {fold(w) for t in ("Program", "Event") for w in _typing()["heads"][t]}
    return bool(words) and all(w in heads for w in words)


def _acronym_of(short: str, name: str) -> bool:
    """Whether ``short`` can be an acronym of ``name``: mostly capitals, its letters initials of the
    name's words in order ("FTC" / "Federal Trade Commission", "COSATU" / "Congress of South African
    Trade Unions"), not another name ("OpenAI" after "ChatGPT").

    >>> _acronym_of("FTC", "Federal Trade Commission"), _acronym_of("OpenAI", "ChatGPT")
    (True, False)
    """
    letters = [c for c in short if c.isalpha()]
    if len(letters) < 2 or sum(c.isupper() for c in letters) < 0.7 * len(letters):
        return False
    initials = [w[0].upper() for w in re.split(r"[\s\-]+", re.sub(r"\b[ldLD]['’]", "", name)) if w and w[0].isalnum()]
    wanted = [c.upper() for c in letters]
    it = iter(initials)
    return bool(initials) and wanted[0] == initials[0] and all(any(c == x for x in it) for c in wanted)


def _initials(text: str) -> set[str]:
    """The ways an acronym may be read from a name: the initials of its words without the linking
    words, with them ("COSATU" / "Congress of South African Trade Unions"), and with the letters of a
    short all-capital word spelt out ("FAIR" / "Facebook AI Research", "AWU-CWA" / "Alphabet Workers
    Union-CWA").

    >>> sorted(_initials("Facebook AI Research"))
    ['FAIR', 'FAR']
    """
    words = [re.sub(r"^[ldLD]['’]", "", w) for w in re.split(r"[\s\-]+", text)]
    words = [w for w in words if w and w[0].isalpha()]
    content = [w for w in words if w.lower() not in _CONNECT]
    spelt = "".join(w if w.isupper() and len(w) <= 4 else w[0] for w in content)
    return {"".join(w[0] for w in content).upper(), "".join(w[0] for w in words).upper(), spelt.upper()}


@functools.cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """Keys of place names and of nationality adjectives (both languages) -> the place."""
    from kg.extract.lexicon import demonyms, place_names

    names = {norm_key(n): place for n, place in place_names("en").items()}
    return names, {norm_key(a): place for a, place in demonyms("en").items()}


def group_mentions(mentions: list[WMention], text: str) -> list[WEntity]:
    """Group mentions into doc-local entities and set each mention's ``key``."""
    gaz = load_gazetteer()
    clusters: dict[str, list[WMention]] = {}
    for m in mentions:
        clusters.setdefault(norm_key(m.text), []).append(m)

    def best_type(ms: list[WMention]) -> str:
        votes: Counter[str] = Counter()
        for m in ms:
            votes[m.type] += _SOURCE_RANK[m.source]
        return max(sorted(votes), key=lambda t: votes[t])

    keys = sorted(clusters, key=lambda k: (-len(k.split()), k))
    parent: dict[str, str] = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            k = parent[k]
        return k

    # acronyms written in parentheses after a name: "Federal Trade Commission (FTC)"
    for k in keys:
        for m in clusters[k]:
            after = text[m.end : m.end + 16]
            acr = re.match(r"\s*\(\s*([A-Z][A-Za-z0-9\-&]{1,10})\s*\)", after)
            if (
                acr
                and norm_key(acr.group(1)) in parent
                and norm_key(acr.group(1)) != k
                and _acronym_of(acr.group(1), m.text)
                and not (acr.group(1) in gaz and m.text in gaz and gaz[acr.group(1)][1] != gaz[m.text][1])
            ):
                parent[root(norm_key(acr.group(1)))] = root(k)
    split = {k: k.split() for k in keys}
    types = {k: best_type(clusters[k]) for k in keys}
    by_last: dict[str, list[str]] = {}
    for k in keys:
        if split[k]:
            by_last.setdefault(split[k][-1], []).append(k)
    # a nationality adjective read as a place joins the country's name: "Chinese" / "China"
    country_of, adjective_of = _countries()
    countries: dict[str, set[str]] = {}
    for k in keys:
        if types[k] == "Place" and k in country_of:
            countries.setdefault(country_of[k], set()).add(root(k))
    for k in keys:
        named = countries.get(adjective_of.get(k, ""), set()) if types[k] == "Place" else set()
        if len(named) == 1 and root(k) == k and k not in country_of:
            parent[k] = next(iter(named))
    # longer names first, so that a short name finds the longer ones already grouped
    for short in keys:
        s_text = clusters[short][0].text
        if root(short) != short:
            continue
        words = split[short]
        s_type = types[short]
        s_bare = s_text.split()[-1] if len(words) == 1 else s_text  # "La CGT": the name without its article
        # longer names ending with this one
        ending = [
            k for k in by_last.get(words[-1], ()) if len(split[k]) > len(words) and split[k][-len(words) :] == words
        ] if words else []  # fmt: skip
        # "Crabtree-Ireland" / "von der Leyen" after "Duncan Crabtree-Ireland" / "Ursula von der Leyen"
        longer = [k for k in ending if types[k] == "Person" and root(k) != short]
        if longer and (s_type == "Person" or clusters[short][0].source == "ner"):
            if len({root(k) for k in longer}) == 1:
                parent[short] = root(longer[0])
                continue
        # "Teamsters" / "the Council" after "International Brotherhood of Teamsters" / "ITUC General Council"
        if s_type not in ("Place", "Person") and not s_text.isupper():
            ends = {root(k) for k in ending if types[k] not in ("Place", "Person") and root(k) != short}
            if len(ends) == 1:
                parent[short] = ends.pop()
                continue
        if len(words) != 1:
            continue
        candidates = []
        for long in keys:
            l_words = split[long]
            if len(l_words) < 2 or root(long) == root(short):
                continue
            l_type = types[long]
            long_text = max((m.text for m in clusters[long]), key=len)
            if s_type == "Person" or l_type == "Person":
                if s_type == l_type == "Person" and words[0] in (l_words[0], l_words[-1]):
                    candidates.append(long)
            elif s_bare.isupper() and 2 <= len(s_bare) <= 8 and s_bare.replace("-", "") in _initials(long_text):
                candidates.append(long)
            elif (
                l_words[0] == words[0]
                and s_type != "Place"
                and (
                    # a name the gazetteer knows keeps its "AI", "Technologies": "Google AI" is not Google
                    _designators(l_words[1:], (_LEGAL | _BUSINESS) if s_text in gaz else _DESIGNATORS)
                    or (_only_heads(l_words[1:]) and s_type == l_type)
                )
            ):
                candidates.append(long)
        roots = {root(c) for c in candidates}
        if len(roots) == 1:
            parent[short] = roots.pop()

    entities: dict[str, WEntity] = {}
    for k in keys:
        r = root(k)
        ms = clusters[k]
        if r not in entities:
            entities[r] = WEntity(key="", type="", mentions=[])
        entities[r].mentions.extend(ms)
    out = []
    for ent in entities.values():
        # the long form decides the class
        longest = [m for m in ent.mentions if norm_key(m.text) == norm_key(ent.label)]
        ent.type = best_type(longest or ent.mentions)
        ent.key = f"{ent.type}:{norm_key(ent.label)}"
        for m in ent.mentions:
            m.key = ent.key
            m.type = ent.type
        ent.mentions.sort(key=lambda m: m.start)
        out.append(ent)
    return sorted(out, key=lambda e: e.mentions[0].start)

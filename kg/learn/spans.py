"""Entity candidates: spans of a parsed text that may name an entity, and their features.

Candidates come from several generators, each recall-oriented: the statistical
NER's spans (as tagged, trimmed, and split at coordinations), the rule-based
mention finder's mentions (with the class the rules give them), names ending in
a programme or event head, and runs of capitalised words. A learned classifier
(:mod:`kg.learn.linear`) then decides the class of each candidate, or that it
names nothing; overlapping candidates are settled by its probabilities.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.extract import mentions as rules
from kg.extract.lexicon import fold, load_gazetteer, load_roles, load_yaml
from kg.extract.mentions import doc_text
from kg.extract.tokens import TokenTable, table
from kg.learn.names import Names
from kg.learn.places import Places

__all__ = ["SpanCandidate", "span_candidates", "span_features", "NONE"]

#: Label of a candidate that names no entity.
NONE = "NONE"

_CONNECT = {"de", "du", "des", "d'", "d’", "of", "for", "the", "&", "la", "le", "l'", "l’", "on", "en", "and", "et"}
_OPEN_CONNECT = {"de", "du", "des", "d'", "d’", "of", "for", "&", "la", "l'", "l’", "on", "en"}
_QUOTE_CHARS = set("«»“”\"()[]")
#: Lower-case particles inside personal names ("Ursula von der Leyen", "Tahnoon bin Zayed").
_PARTICLES = {"von", "van", "der", "den", "bin", "ibn", "al", "el", "ben", "da", "di", "dos", "y", "zu"}
#: Dashes that, with a space on each side, separate a name from what follows ("Kate Bell - TUC").
_DASHES = {"-", "–", "—"}
#: Forms of address before a personal name, not part of it ("Mr Fechner", "the Honourable Patty Hajdu").
PERSONAL_ADDRESS = frozenset({
    "honourable", "honorable", "hon", "hon.", "h.e.", "s.e.", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.",
    "mme", "mme.", "mlle", "m.", "sir", "dame", "prof", "prof.", "pr.", "professor", "professeur",
})  # fmt: skip
#: Forms of address that open a run without being part of the name.
_HONORIFICS = PERSONAL_ADDRESS | {
    "the", "lord", "roi", "reine", "king", "queen", "prince", "princess", "pope", "pape", "saint", "rev.", "maitre",
    "me", "pr",
}  # fmt: skip
_MAX_RUN = 12
_ORDINAL = re.compile(r"^(?:\d+(?:st|nd|rd|th|e|er|ère|eme|ème)|first|second|third|premier|première)$", re.I)


@dataclass
class SpanCandidate:
    """A span of a chunk Doc (token range) and what the generators said of it."""

    start: int
    end: int
    sources: set[str] = field(default_factory=set)
    ner: str = ""  # label of the NER span it comes from, if any
    rule_type: str = ""  # class the rule-based mention finder gave it, if it kept it
    rule_source: str = ""


def _is_name(text: str) -> bool:
    """A word that can be part of a name: capitalised, a number with letters, or "iPhone"-like."""
    if not text or text in _QUOTE_CHARS:
        return False
    c = text[0]
    return c.isupper() or c.isdigit() and any(ch.isalpha() for ch in text) or bool(_CAMEL.match(text))


_CAMEL = re.compile(r"^[a-z]+[A-Z]")


def _runs(tab: TokenTable, name: list[bool]) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens, joined through connectors inside a sentence."""
    out = []
    n = len(tab)
    i = 0
    while i < n:
        if not name[i]:
            i += 1
            continue
        j = i + 1
        while j < n and j - i < _MAX_RUN:
            if tab.is_sent_start[j]:
                break
            if name[j]:
                j += 1
                continue
            if tab.text[j] in {"-", "&", "."} and j + 1 < n and name[j + 1]:
                j += 1
                continue
            if tab.lower[j] in _OPEN_CONNECT and j + 1 < n and name[j + 1] and not tab.is_sent_start[j + 1]:
                j += 1
                continue
            # "von der Leyen", "bin Zayed": one or two particles between two names
            k = j
            while k < n and k - j < 2 and tab.text[k] in _PARTICLES and not tab.is_sent_start[k]:
                k += 1
            if k > j and k < n and name[k] and not tab.is_sent_start[k]:
                j = k
                continue
            break
        out.append((i, j))
        i = j
    return out


_ARTICLES = {"la", "le", "l'", "l’", "les", "the"}


def span_candidates(doc: Doc, lang: str, rule_mentions: list[tuple[int, int, str, str]]) -> list[SpanCandidate]:
    """Candidate spans of ``doc``.

    ``rule_mentions`` are the rule-based mention finder's mentions of this Doc as
    ``(start token, end token, class, source)``.
    """
    tab = table(doc)
    n = len(tab)
    name = [_is_name(tab.text[i]) and not tab.is_punct[i] for i in range(n)]
    cands: dict[tuple[int, int], SpanCandidate] = {}

    def add(start: int, end: int, source: str, ner: str = "") -> SpanCandidate | None:
        while start < end and (tab.is_space[start] or tab.text[start] in _QUOTE_CHARS):
            start += 1
        while end > start and (tab.is_space[end - 1] or tab.text[end - 1] in _QUOTE_CHARS or tab.is_punct[end - 1]
                               and tab.text[end - 1] not in {".", "+", "!", "?"}):  # fmt: skip
            end -= 1
        # a sentence's full stop is not part of the name it closes ("… de Paris."), an initial's is ("John J.")
        if end - start > 1 and tab.text[end - 1] == "." and len(tab.text[end - 2]) > 1:
            end -= 1
        if end <= start or end - start > _MAX_RUN:
            return None
        if any("\n" in tab.text[k] for k in range(start, end)):
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
    role_words = _role_words(lang)
    for s, e in _runs(tab, name):
        add(s, e, "run")
        # "Web Summit 2016", "MWC 26", "Indus 2.0": a number closing the name
        if e < n and tab.like_num[e] and not tab.is_sent_start[e] and len(tab.text[e]) <= 4:
            add(s, e + 1, "run-number")
        # "4th ITUC World Congress", "49ème congrès": an ordinal opening it
        if s > 0 and _ORDINAL.match(tab.text[s - 1]) and not tab.is_sent_start[s]:
            add(s - 1, e, "run-ordinal")
        if tab.is_sent_start[s] and e - s > 1:
            add(s + 1, e, "run-inner")
        # "Llama 3.1 405B", "Falcon 2 11B": numbers and versions closing the name
        k = e
        while k < n and k - e < 3 and (tab.like_num[k] or name[k]) and not tab.is_sent_start[k] and len(tab.text[k]) <= 6:
            k += 1
        if k > e + 1:
            add(s, k, "run-number")
        # "Kate Bell - TUC ...": the parts of a run around a dash with spaces on both sides
        for k in range(s + 1, e - 1):
            if tab.text[k] in _DASHES and tab.whitespace[k] and tab.whitespace[k - 1]:
                add(s, k, "run-dash")
                add(k + 1, e, "run-dash")
        # "the Honourable Patty Hajdu", "H.E. Lerato Mataboge", "Chris Stephens MP": forms of
        # address and job titles cut out ("European Commission President Ursula von der Leyen":
        # the organisation before the title, the person after it)
        titles = [k for k in range(s, e) if tab.folded[k] in _HONORIFICS or tab.folded[k] in role_words]
        for k in titles:
            if k > s:
                add(s, k, "run-title")
            if k + 1 < e:
                add(k + 1, e, "run-title")
        a, b = s, e
        while a < b - 1 and a in titles:
            a += 1
        while b > a + 1 and b - 1 in titles:
            b -= 1
        if (a, b) != (s, e):
            add(a, b, "run-trim")
        # "Microsoft et OpenAI", "Europe du Sud d'AWS": the parts of a run cut at a connector
        for k in range(s + 1, e - 1):
            if tab.lower[k] in _CONNECT or tab.text[k] == "&":
                add(s, k, "run-part")
                add(k + 1, e, "run-part")
    events = _event_nouns(lang)
    for i in range(n):
        if tab.pos[i] != "NOUN":
            continue
        # a lower-case head noun then a name: "académie de Paris", "ministère de la Culture"
        if tab.text[i][:1].islower() and i + 2 < n and tab.lower[i + 1] in {"de", "du", "des", "d'", "d’", "of", "for",
                                                                             "pour"}:  # fmt: skip
            j = i + 2
            while j < n and tab.lower[j] in _ARTICLES:
                j += 1
            if j < n and name[j]:
                end = j + 1
                while end < n and end - i < _MAX_RUN and name[end]:
                    end += 1
                add(i, end, "lower-head")
                # "la Promotion de la Jeunesse": one more connector and name
                k = end
                if k + 1 < n and tab.lower[k] in _OPEN_CONNECT | {"et", "and"}:
                    k += 1
                    while k < n and tab.lower[k] in _ARTICLES:
                        k += 1
                    if k < n and name[k]:
                        add(i, k + 1, "lower-head")
        # a common noun naming an event, with its modifiers ("cérémonie de clôture", "two-day plenary")
        if tab.lemma[i] in events or tab.folded[i] in events:
            first = tab.sent_start[i]
            start = i
            while start > first and tab.head[start - 1] == i and tab.dep[start - 1] in {"amod", "compound", "nummod"}:
                start -= 1
            if start > first and _ORDINAL.match(tab.text[start - 1]):
                start -= 1
            end = i + 1
            add(start, end, "event-noun")
            # "congrès de la Fédération …", "manifestation interprofessionnelle du 22 mars"
            k = end
            while k < n and tab.head[k] == i and tab.dep[k] == "amod":
                k += 1
            if k > end:
                add(start, k, "event-noun")
            if k + 1 < n and tab.lower[k] in {"de", "du", "des", "d'", "d’", "of", "on", "sur"}:
                j = k + 1
                while j < n and j - start < _MAX_RUN and not tab.is_punct[j] and (
                    name[j] or tab.lower[j] in _CONNECT or tab.like_num[j] or tab.pos[j] in {"NOUN", "ADJ"}
                ):
                    j += 1
                if j > k + 1:
                    add(start, j, "event-noun")
    for start, end, type_, source in rule_mentions:
        c = add(start, end, "rule")
        if c is not None and (start, end) == (c.start, c.end):
            c.rule_type, c.rule_source = type_, source
    return sorted(cands.values(), key=lambda c: (c.start, c.end))


@functools.cache
def _role_words(lang: str) -> frozenset[str]:
    """Single-word job titles of roles.yaml ("ceo", "minister", "président"), folded."""
    return frozenset(fold(k) for k in load_roles(lang) if " " not in k)


@functools.cache
def _event_nouns(lang: str) -> frozenset[str]:
    """Common nouns that name an event (the typing lexicon's cue nouns and heads, and a few more)."""
    cues = _typing()["cue_nouns"]["Event"]
    words = {fold(w) for w in cues.get(lang, []) + cues.get("en", [])}
    words |= {fold(w) for w in _typing()["heads"].get("Event", [])}
    return frozenset(words | {"ceremonie", "ceremony", "manifestation", "protest", "protests", "greve", "strike",
                              "congres", "congress", "plenary", "gala", "briefing", "salon", "journee", "assises"})


@functools.lru_cache(maxsize=1 << 14)
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


def _root(tab: TokenTable, start: int, end: int) -> int:
    """The token of ``start:end`` whose head lies outside it (the first one)."""
    for i in range(start, end):
        h = tab.head[i]
        if h < start or h >= end or h == i:
            return i
    return start


def span_text(doc: Doc, tab: TokenTable, start: int, end: int) -> str:
    """The text of tokens ``start:end`` (a slice of the Doc's text)."""
    return doc_text(doc)[tab.idx[start] : tab.idx[end - 1] + len(tab.text[end - 1])]


def span_features(
    doc: Doc,
    c: SpanCandidate,
    lang: str,
    doc_counts: Counter[str],
    lines: list[str],
    places: Places | None = None,
    names: Names | None = None,
) -> list[str]:
    """Features of one candidate (strings; the model's vocabulary maps them to columns); ``places``
    and ``names``: the model's place names and personal names (:mod:`kg.learn.places`, :mod:`kg.learn.names`)."""
    if places is None:
        places = {}
    if names is None:
        names = {}
    lex = _LEX.get(lang)
    if lex is None:
        lex = _LEX[lang] = _lexicons(lang)
    gaz = load_gazetteer()
    titles = load_roles(lang)
    tab = table(doc)
    start, end = c.start, c.end
    text = span_text(doc, tab, start, end)
    words = tab.text[start:end]
    folded = tab.folded[start:end]
    n = len(words)
    whole = fold(text)
    f = [f"lang={lang}", f"len={min(n, 5)}"]
    f += [f"src={s}" for s in sorted(c.sources)]
    f.append(f"ner={c.ner or '-'}")
    if c.rule_type:
        f += [f"rule={c.rule_type}", f"rule={c.rule_type}/{c.rule_source}"]
    else:
        f.append("rule=-")
    g = gaz.get(text)
    f.append(f"gaz={g[0] if g else '-'}")
    # what a place of that name is: the whole span, and its last and first words ("Orange Fab Tunisie")
    f += [f"geo={k}" for k in sorted(places.get(whole, ("-",)))]
    if n > 1:
        f += [f"geolast={k}" for k in sorted(places.get(folded[-1], ()))]
        f += [f"geofirst={k}" for k in sorted(places.get(folded[0], ()))]
    # a given name first, a family name last ("Marylise Léon")
    given = names.get(folded[0], ("", ""))[0]
    family = names.get(folded[-1], ("", ""))[1]
    f.append(f"fname={given or '-'}" if n > 1 else f"only_fname={given or '-'}")
    f.append(f"lname={family or '-'}")
    if n > 1:
        f.append(f"fname|lname={given or '-'}|{family or '-'}")
    if n > 1:
        f += [f"w={w}" for w in folded]
    f.append(f"first={folded[0]}")
    f.append(f"last={folded[-1]}")
    f.append(f"whole={whole}")
    f.append(f"shape={_shape(text)[:12]}")
    f.append(f"lastshape={_shape(words[-1])[:6]}")
    f.append(f"suf3={folded[-1][-3:]}")
    f.append(f"pos={'_'.join(tab.pos[start : min(end, start + 4)])}")
    head = lex["head"].get(folded[-1])
    if head:
        f.append(f"head={head}")
    first_gaz = gaz.get(words[0]) if n > 1 else None
    if first_gaz:
        f.append(f"firstgaz={first_gaz[0]}")
        if head:
            f.append(f"firstgaz+head={first_gaz[0]}+{head}")
    inner_heads = {lex["head"][w] for w in folded[:-1] if w in lex["head"]}
    for t in sorted(inner_heads):
        f.append(f"innerhead={t}")
    root = _root(tab, start, end)
    if not text[:1].isupper():
        f.append("lower_start")
        f.append(f"lower_head={tab.lemma[root]}")
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
    if n == 1 and whole in titles:
        f.append("is_title")
    if tab.is_sent_start[start]:
        f.append("sent_start")
        f.append(f"sent_start_pos={tab.pos[start]}")
    first, last = tab.sent_start[start], tab.sent_end[start]
    left = list(range(max(first, start - 3), start))
    right = list(range(end, min(last, end + 3)))
    if left:
        lw = tab.folded[left[-1]]
        f.append(f"l1={lw}")
        f.append(f"l1pos={tab.pos[left[-1]]}")
        if lw in titles:
            f.append("l1_title")
        cue = lex["cue"].get(lw)
        if cue:
            f.append(f"l1cue={cue}")
        if len(left) > 1:
            f.append(f"l2={tab.folded[left[-2]]}_{lw}")
            cue2 = lex["cue"].get(tab.folded[left[-2]])
            if cue2 and tab.pos[left[-1]] in {"ADJ", "DET", "PUNCT", "PROPN", "NOUN"}:
                f.append(f"l2cue={cue2}")
    else:
        f.append("l1=<s>")
    if right:
        rw = tab.folded[right[0]]
        f.append(f"r1={rw}")
        f.append(f"r1pos={tab.pos[right[0]]}")
        if len(right) > 1:
            f.append(f"r2={rw}_{tab.folded[right[1]]}")
            if tab.text[right[0]] == ",":
                r2 = tab.folded[right[1]]
                if r2 in titles:
                    f.append("appos_title")
                cue = lex["cue"].get(r2) or (lex["cue"].get(tab.folded[right[2]]) if len(right) > 2 else None)
                if cue:
                    f.append(f"appos_cue={cue}")
    else:
        f.append("r1=</s>")
    f.append(f"dep={tab.dep[root]}")
    h = tab.head[root]
    f.append(f"headlemma={tab.lemma[h]}" if h != root else "headlemma=<root>")
    f.append(f"count={min(doc_counts.get(whole, 0), 4)}")
    f.append(f"line={lines[start] or '-'}")
    return f


def line_categories(doc: Doc) -> list[str]:
    """Per token, what kind of line it is on: page chrome often sits on short lines without a verb."""
    tab = table(doc)
    n = len(tab)
    out = [""] * n
    start = 0
    for i in range(n + 1):
        if i == n or "\n" in tab.text[i]:
            toks = [k for k in range(start, i) if not tab.is_space[k]]
            words = sum(1 for k in toks if not tab.is_punct[k])
            verb = any(tab.pos[k] in {"VERB", "AUX"} for k in toks)
            cat = ("short" if words <= 4 else "mid" if words <= 12 else "long") + ("+v" if verb else "-v")
            for k in range(start, i):
                out[k] = cat
            start = i + 1
    return out

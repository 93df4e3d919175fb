"""Rules for where organisations, people and events are: nationality adjectives, "based in", titles."""

from __future__ import annotations

import re
from collections.abc import Iterator

from spacy.tokens import Token

from kg.extract.common import (
    DESCRIPTION_NOUNS,
    Candidate,
    DocState,
    tokens,
)
from kg.extract.context import Sentence
from kg.extract.lexicon import demonyms, fold, load_roles, place_names
from kg.extract.mentions import WMention, doc_text

__all__ = ["located"]


_BASED = re.compile(
    r"(?:basée?s?|installée?s?|implantée?s?|headquartered|based|located|situé|située|établie?|"
    r"siège(?:\s+social)?|headquarters|offices?|bureaux)\s+(?:\w+\s+){0,2}?(?:à|a|en|au|aux|in|at)\s*(?:the\s+)?$",
    re.I,
)
_FROM = re.compile(
    r"^\s*,\s*(?:un|une|a|an|the|le|la)?\s*(?:[\w\-]+\s+){0,3}?(?:from|originaire\s+de|originaire\s+d['’]|venue?\s+de)\s*$",
    re.I,
)
_STOP_POS = {"VERB", "AUX", "PUNCT", "PRON", "SCONJ", "CCONJ"}
_ORG_NOUNS = {
    "societe",
    "start-up",
    "startup",
    "entreprise",
    "groupe",
    "firme",
    "compagnie",
    "licorne",
    "pepite",
    "company",
    "firm",
    "giant",
    "geant",
    "group",
    "business",
    "maker",
    "editeur",
    "fabricant",
    "jeune",
}


def _place_for(state: DocState, adj_text: str, lang: str) -> str:
    place = demonyms(lang)[fold(adj_text)]
    state.new_places.setdefault(place, [])
    if adj_text not in state.new_places[place]:
        state.new_places[place].append(adj_text)
    return f"Place:@{place}"


def _demonym_near(sent: Sentence, m: WMention) -> Token | None:
    """A nationality adjective qualifying the name: just before it ("le français Mistral AI",
    "la start-up française X") or in an apposition after it ("X, la start-up française")."""
    dem = demonyms(sent.lang)
    s, e = sent.tok(m)
    for t in reversed(tokens(sent, s - 6, s)):
        if fold(t.text) in dem and t.pos_ in {"ADJ", "NOUN", "PROPN"}:
            return t
        if t.pos_ in _STOP_POS or sent.mention_at(t.i) is not None:
            break
        if t.pos_ == "ADP" and fold(t.text) not in {"de", "des", "du", "d'"}:
            break
    after = tokens(sent, e, e + 9)
    if len(after) > 2 and after[0].text == "," and after[1].pos_ == "DET":
        for k, t in enumerate(after[1:], start=1):
            if fold(t.text) in dem:
                # the adjective must not belong to the next name ("…, le milliardaire français Xavier Niel")
                nxt = after[k + 1 : k + 4]
                if any(sent.mention_at(x.i) is not None for x in nxt):
                    return None
                return t
            if t.pos_ in _STOP_POS or t.pos_ == "NUM" or sent.mention_at(t.i) is not None:
                break
            if t.pos_ == "ADP" and fold(t.text) not in {"de", "des", "du", "d'", "of"}:
                break
    return None


def located(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    doc = sent.span.doc
    dem = demonyms(sent.lang)
    roles = load_roles(sent.lang)
    for m in sent.mentions:
        if m.type not in {"Organization", "Person", "Event"}:
            continue
        s, e = sent.tok(m)
        if m.type != "Event":
            adj = _demonym_near(sent, m)
            if adj is not None:
                yield Candidate(
                    m.key, "locatedIn", _place_for(state, adj.text, sent.lang), "locatedIn.nationality", 0.75
                )
        for p in sent.mentions:
            if p is m or p.type not in ({"Place", "Organization"} if m.type == "Event" else {"Place"}):
                continue
            gap = sent.between(m, p)
            if m.start < p.start and len(gap) < 70 and _BASED.search(gap):
                yield Candidate(m.key, "locatedIn", p.key, "locatedIn.based", 0.85)
            elif m.start < p.start and _FROM.match(gap) and m.type == "Person":
                yield Candidate(m.key, "locatedIn", p.key, "locatedIn.from", 0.75)
            elif (
                m.type == "Event"
                and m.start < p.start
                and re.fullmatch(r"\s*(?:\w+\s+){0,3}?(?:à|au|en|in|at)\s*(?:la|le|l['’]|the)?\s*", gap, re.I)
            ):
                yield Candidate(m.key, "locatedIn", p.key, "locatedIn.event", 0.7)
        # "California Governor Gavin Newsom", "US President Donald Trump"
        if m.type == "Person":
            left = [p for p in sent.left_of(s, {"Place"})]
            if left:
                between = fold(sent.text_between(sent.tok(left[-1])[1], s))
                if between and between in roles:
                    yield Candidate(m.key, "locatedIn", left[-1].key, "locatedIn.title", 0.7)
        # "Amazon France": an organisation named after a country
        if m.type == "Organization" and len(m.text.split()) > 1:
            last = fold(m.text.split()[-1])

            if last in place_names(sent.lang) and m.text.split()[0][:1].isupper():
                place = place_names(sent.lang)[last]
                state.new_places.setdefault(place, [])
                yield Candidate(m.key, "locatedIn", f"Place:@{place}", "locatedIn.name", 0.7)
    # "Installé à Paris, Kyutai …", "Based in Toronto, Cohere …": a fronted participle
    for p in (m for m in sent.mentions if m.type == "Place"):
        before = sent.text_between(sent.span.start, sent.tok(p)[0]) + " "
        if not re.fullmatch(r"\s*(?:[\w\-’']+\s+){0,2}?" + _BASED.pattern, before, re.I):
            continue
        orgs = [m for m in sent.mentions if m.type in {"Organization", "Person"} and m.start > p.end]
        if orgs and re.fullmatch(r"\s*(?:\([^)]*\))?\s*,\s*", sent.between(p, orgs[0])):
            yield Candidate(orgs[0].key, "locatedIn", p.key, "locatedIn.based", 0.85)
    # "San Francisco-based Anthropic" / "Anthropic, a San Francisco-based startup"
    for p in (m for m in sent.mentions if m.type == "Place"):
        pe = p.end - sent.offset
        if re.match(r"-based\b", doc_text(doc)[pe : pe + 7]):
            right = [m for m in sent.mentions if m.type == "Organization" and m.start > p.end and m.start - p.end < 40]
            left = [
                m
                for m in sent.mentions
                if m.type == "Organization"
                and m.end <= p.start
                and re.fullmatch(r"\s*,\s*(?:a|an|the)?\s*", sent.between(m, p))
            ]
            targets = right[:1] or left[-1:]
            nxt = doc[p.span.end + 2] if p.span is not None and p.span.end + 2 < len(doc) else None
            if not targets and nxt is not None and fold(nxt.text) in DESCRIPTION_NOUNS and state.focus is not None:
                targets = [state.focus]  # "the Dublin-based consultancy"
            for o in targets:
                yield Candidate(o.key, "locatedIn", p.key, "locatedIn.based", 0.85)
    # "la société parisienne", "la start-up française", "un acteur européen": a description of an
    # organisation named before it
    toks = list(sent.span)
    for i, t in enumerate(toks):
        if (
            fold(t.text) not in dem
            or t.pos_ not in {"ADJ", "NOUN"}
            or t.text[:1].isupper()
            and i > 0
            and t.pos_ == "PROPN"
        ):
            continue
        if sent.mention_at(t.i) is not None:
            continue
        head = toks[i - 1] if i > 0 else None
        if head is None or fold(head.text) not in _ORG_NOUNS | {"acteur", "player", "champion"}:
            continue
        det = toks[i - 2] if i > 1 else None
        if det is None or fold(det.text) not in {"la", "le", "l'", "un", "une", "the", "a", "an", "cette", "ce"}:
            continue
        if "Plur" in t.morph.get("Number") or "Plur" in head.morph.get("Number"):
            continue
        # the name itself may follow ("la start-up française Mistral AI"): handled above
        if i + 1 < len(toks) and sent.mention_at(toks[i + 1].i) is not None:
            continue
        target = None
        before = [m for m in sent.mentions if sent.tok(m)[1] <= det.i and m.type == "Organization"]
        if head.dep_.startswith("nsubj") or not before:
            target = state.focus  # "L'entreprise française, qui …": the organisation the article is about
        else:
            target = before[-1]
        if target is not None:
            yield Candidate(target.key, "locatedIn", _place_for(state, t.text, sent.lang), "locatedIn.description", 0.6)

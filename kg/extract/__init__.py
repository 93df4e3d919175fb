"""Extraction: from an analysed document to doc-local entities and facts.

:func:`extract` is a pure function of a :class:`~kg.model.Document` and the
spaCy Docs of its text; it does not change the Docs.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace

from spacy.tokens import Doc

from kg.extract.context import Sentence
from kg.extract.lexicon import load_yaml
from kg.extract.mentions import WEntity, find_mentions, group_mentions, norm_key
from kg.extract.quotes import attribute_quotes
from kg.extract.relations import Candidate, DocState, run_rules
from kg.model import SIGNATURES, Document, Entity, Extraction, Fact, Mention, Provenance

__all__ = ["extract"]

_SYMMETRIC = {"partnersWith"}
_KIND_CLASS = {"group": "Group", "quote": "Quotation"}


def _provenance_text(text: str, start: int, end: int) -> str:
    return text[start:end].strip()


def extract(document: Document, chunks: list[tuple[int, Doc]]) -> Extraction:
    """Entities and facts of ``document``; ``chunks`` are ``(offset, Doc)`` pairs covering its text."""
    text = document.text
    lang = document.lang
    mentions, _sents = find_mentions(chunks, lang)
    wents = group_mentions(mentions, text)
    by_key: dict[str, WEntity] = {e.key: e for e in wents}

    state = DocState(lang=lang)
    orgs = [e for e in wents if e.type == "Organization"]
    if orgs:
        top = max(orgs, key=lambda e: (len(e.mentions), -e.mentions[0].start))
        state.focus = top.mentions[0]
    found: list[tuple[Candidate, int, int]] = []
    index = 0
    # mentions by start, so each sentence takes its own with a binary search (not a pass over all of them)
    by_start = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in by_start]
    for offset, doc in chunks:
        for span in doc.sents:
            sent = Sentence(span=span, offset=offset, index=index, lang=lang)
            s0, s1 = offset + span.start_char, offset + span.end_char
            inside = by_start[bisect_left(starts, s0) : bisect_left(starts, s1)]
            sent.mentions = [m for m in inside if m.end <= s1 and m.span is not None and m.span.doc is doc]
            for cand in run_rules(sent, state):
                found.append((cand, s0, s1))
            index += 1
    for q in attribute_quotes(text, lang, mentions):
        found.append((Candidate(q.speaker, "said", q.text, q.rule, q.confidence, object_kind="quote"), q.start, q.end))

    # places named by a nationality adjective ("le français Mistral AI")
    place_keys: dict[str, str] = {}
    for label, adjectives in state.new_places.items():
        key = next((k for k, e in by_key.items() if e.type == "Place" and norm_key(e.label) == norm_key(label)), None)
        if key is None:
            key = f"Place:{norm_key(label)}"
            by_key[key] = WEntity(key=key, type="Place", mentions=[])
            by_key[key].extra_aliases.append(label)
        for adj in adjectives:
            if adj not in by_key[key].extra_aliases:
                by_key[key].extra_aliases.append(adj)
        place_keys[f"Place:@{label}"] = key

    facts: dict[tuple[str, str, str], Fact] = {}
    for cand, start, end in found:
        obj = place_keys.get(cand.object, cand.object)
        if cand.object_kind == "entity" and obj not in by_key or cand.subject not in by_key:
            continue
        domain, range_ = SIGNATURES[cand.predicate]
        o_class = by_key[obj].type if cand.object_kind == "entity" else _KIND_CLASS[cand.object_kind]
        if by_key[cand.subject].type not in domain or o_class not in range_ or obj == cand.subject:
            continue
        s, o = cand.subject, obj
        if cand.predicate in _SYMMETRIC and o < s:
            s, o = o, s
        ident = (s, cand.predicate, o if cand.object_kind != "quote" else f"{o}@{start}")
        fact = Fact(
            subject=s,
            predicate=cand.predicate,
            object=o,
            object_kind=cand.object_kind,
            provenance=Provenance(
                sentence=_provenance_text(text, start, end),
                start=start,
                end=end,
                rule=cand.rule,
                confidence=_confidence(cand),
            ),
            amount=cand.amount,
            currency=cand.currency,
            count=cand.count,
            year=cand.year,
            role=cand.role,
        )
        old = facts.get(ident)
        if old is None:
            facts[ident] = fact
        else:
            facts[ident] = _merge(old, fact)

    entities = []
    for key, e in by_key.items():
        label = e.label
        aliases = tuple(a for a in e.aliases if a != label)
        entities.append(
            Entity(
                key=key,
                label=label,
                type=e.type,
                aliases=aliases,
                mentions=tuple(Mention(m.text, m.start, m.end) for m in e.mentions),
            )
        )
    if document.source and not any(norm_key(e.label) == norm_key(document.source) for e in entities):
        key = f"Organization:{norm_key(document.source)}"
        entities.append(Entity(key=key, label=document.source, type="Organization"))
    entities.sort(key=lambda e: (e.mentions[0].start if e.mentions else len(text), e.key))
    ordered = sorted(facts.values(), key=lambda f: (f.provenance.start, f.subject, f.predicate, f.object))
    return Extraction(document=document, entities=tuple(entities), facts=tuple(ordered))


def _confidence(cand: Candidate) -> float:
    """The rule's measured precision (``ontology/lexicon/confidence.yaml``), else its prior."""
    table = load_yaml("confidence") or {}
    return float(table.get(cand.rule, cand.confidence))


def _merge(a: Fact, b: Fact) -> Fact:
    """Keep the more confident fact, completing its attributes from the other."""
    best, other = (a, b) if a.provenance.confidence >= b.provenance.confidence else (b, a)
    role = best.role or other.role
    if best.role and other.role and other.role not in best.role and best.role not in other.role:
        role = f"{best.role} and {other.role}"  # "ceo and co-founder": both are held
    return replace(
        best,
        amount=best.amount if best.amount is not None else other.amount,
        currency=best.currency or other.currency,
        count=best.count if best.count is not None else other.count,
        year=best.year if best.year is not None else other.year,
        role=role,
    )

"""Rules for partnerships, training, representation, products, programmes, membership and events.

Trigger words live in ``ontology/lexicon/relations.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.extract.common import (
    AGENT,
    ORG,
    PERSON,
    Candidate,
    DocState,
    nearest_left,
    nearest_right,
    negated,
    pairs,
    pronoun_subject,
    pronoun_subjects,
    tokens,
)
from kg.extract.context import Sentence, Trigger, find_triggers
from kg.extract.lexicon import fold, load_triggers
from kg.extract.mentions import WMention, doc_text
from kg.extract.values import find_counts, find_target_year

__all__ = ["partners", "trains", "represents", "develops", "offers", "member_of", "organizes"]


_WITH = {"avec", "with", "alongside", "aux côtés de"}


_SUCH_AS = re.compile(r"\b(?:tel(?:le)?s\s+que|such\s+as|comme|including|notamment|like)\s*$", re.I)


def _with_partners(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "Microsoft travaillera également avec X", "Hugging Face a des accords similaires avec Amazon":
    a verb or noun of working together, a few words before "avec / with" and a name."""
    for trig in find_triggers(sent, "with_words"):
        if negated(sent, trig):
            continue
        nxt = tokens(sent, trig.end, trig.end + 4)
        prep = next((t for t in nxt if fold(t.text) in _WITH), None)
        if prep is None:
            continue
        right = [m for m in sent.right_of(prep.i + 1, ORG) if sent.tok(m)[0] - prep.i <= 3]
        if not right:  # "avec des entreprises telles que John Deere et Accenture"
            right = [
                m
                for m in sent.right_of(prep.i + 1, ORG)
                if sent.tok(m)[0] - prep.i <= 7 and _SUCH_AS.search(sent.text_between(prep.i + 1, sent.tok(m)[0]) + " ")
            ]
        left = nearest_left(sent, trig, AGENT, max_gap=10) or pronoun_subject(sent, state, trig)
        if not right or left is None or left.type not in AGENT:
            continue
        for s in sent.group(left, AGENT):
            for o in sent.group(right[0], ORG):
                if s.key != o.key:
                    yield Candidate(s.key, "partnersWith", o.key, "partners.with", 0.7)


def partners(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    yield from _with_partners(sent, state)
    for trig in find_triggers(sent, "partnersWith"):
        if negated(sent, trig):
            continue
        # "un partenariat entre A et B" / "between A and B"
        after = tokens(sent, trig.end, trig.end + 2)
        if after and fold(after[0].text) in {"entre", "between"}:
            first = nearest_right(sent, trig, AGENT, max_gap=3)
            if first:
                grp = sent.group(first, AGENT)
                for i, a in enumerate(grp):
                    for b in grp[i + 1 :]:
                        if a.key != b.key:
                            yield Candidate(a.key, "partnersWith", b.key, "partners.between", 0.85)
            continue
        left = nearest_left(sent, trig, AGENT)
        if left is None:
            left = pronoun_subject(sent, state, trig)
            if left is None and fold(sent.span.doc[trig.start].text).startswith(("partenaire", "partner")):
                left = state.focus  # "les travaux, menés avec 4 partenaires : A, B et C"
            if left is None or left.type not in AGENT:
                continue
            subjects = [left]
        else:
            subjects = sent.group(left, AGENT)
        right = nearest_right(sent, trig, ORG, max_gap=8)
        if right is not None and not re.search(
            r"\b(?:avec|with|à|a|au|aux|entre|between|and|et|alongside|auprès|de|du|des|d|of)\b"
            r"|^[\s\-–—:(,]*(?:(?:la|le|les|l['’]|the)\s*)?$",
            sent.text_between(trig.end, sent.tok(right)[0]),
            re.I,
        ):
            right = None
        objects = sent.group(right, ORG) if right else []
        for s, o in pairs(subjects, objects):
            yield Candidate(s.key, "partnersWith", o.key, "partners.trigger", 0.75)
        # "A et B s'associent" / "A and B, in partnership with C": coordinated agents partner each other
        if len(subjects) > 1 and left is not None and trig.start - sent.tok(subjects[-1])[1] <= 3:
            for i, a in enumerate(subjects):
                for b in subjects[i + 1 :]:
                    if a.key != b.key and a.type in ORG and b.type in ORG:
                        yield Candidate(a.key, "partnersWith", b.key, "partners.coordination", 0.7)


def _group_nouns(sent: Sentence, start: int, end: int) -> Iterator[tuple[int, str]]:
    """Tokens naming a group of people between ``start`` and ``end``: (token index, noun as written)."""
    words = load_triggers(sent.lang)["group_nouns"]
    patterns = [(fold(w).rstrip("*"), w.endswith("*")) for w in words if " " not in w]
    for t in tokens(sent, start, end):
        f = fold(t.text)
        if t.pos_ in {"NOUN", "PROPN"} or f in {"people", "staff"}:
            for w, p in patterns:
                if f == w or (p and f.startswith(w) and len(f) <= len(w) + 3):
                    yield t.i, t.text
                    break


def _count_before(sent: Sentence, token_i: int) -> int | None:
    """A count written just before a noun: "10 millions de travailleurs", "2 million people"."""
    doc = sent.span.doc
    start = max(sent.span.start, token_i - 6)
    text = doc[start:token_i].text
    counts = find_counts(text, sent.lang)
    if not counts:
        return None
    last = counts[-1]
    tail = text[last.end :].strip().lower()
    if tail and not re.fullmatch(r"(?:de|d['’]|of|more|additional|nouveaux|nouvelles|new|plus)?\s*(?:[\w.\-]+)?", tail):
        return None
    return int(last.value)


def trains(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    for trig in find_triggers(sent, "trains"):
        if negated(sent, trig):
            continue
        nouns = list(_group_nouns(sent, trig.end, trig.end + 10))
        if not nouns:
            continue
        agent = nearest_left(sent, trig, ORG, state=state)
        subjects = sent.group(agent, ORG) if agent else []
        if not subjects:
            subjects = [p for p in pronoun_subjects(sent, state, trig) if p.type in ORG]
        if not subjects:
            continue
        i, noun = nouns[0]
        count = _count_before(sent, i)
        year = find_target_year(sent.text, sent.lang)
        for s in subjects:
            yield Candidate(
                s.key,
                "trains",
                noun,
                "trains.trigger",
                0.7 if count else 0.6,
                object_kind="group",
                count=count,
                year=year,
            )


def represents(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    for trig in find_triggers(sent, "represents"):
        if negated(sent, trig):
            continue
        agent = nearest_left(sent, trig, ORG, max_gap=12)
        if agent is None:
            continue
        for i, noun in _group_nouns(sent, trig.end, trig.end + 12):
            count = _count_before(sent, i)
            if (
                count is None
                and trig.phrase not in {"represent", "represente", "representant", "representent"}
                and not trig.phrase.startswith("represent")
            ):
                continue
            yield Candidate(agent.key, "represents", noun, "represents.trigger", 0.7, object_kind="group", count=count)


def _linked(sent: Sentence, a: WMention, b: WMention, pattern: re.Pattern[str]) -> bool:
    return a.start <= b.start and bool(pattern.fullmatch(sent.between(a, b)))


_OF = re.compile(r"\s*,?\s*(?:de|d['’]|du|of|by|from|par)\s*(?:la|le|l['’]|the)?\s*(?:\w+\s+){0,2}?", re.I)
_POSS = re.compile(r"\s*['’‘`]s?\s*(?:new|latest|nouveau|own)?\s*(?:\w+\s+)?", re.I)
_MAKER = re.compile(r"\s*(?:maker|creator|developer|owner|parent)\s*", re.I)
_CREATOR = re.compile(
    r"\s*,?\s*(?:le|la|l['’]|the|a|an|un|une)?\s*(?:[\w\-]+\s+){0,3}?(?:(?:créat\w*|concepteur|conceptrice|éditeur|éditrice|"
    r"développeur|maker|creator|developer|makers|fabricant)\s+(?:de|d['’]|du|of)|behind|derrière)\s*"
    r"(?:la|le|l['’]|the|son|sa|its)?\s*(?:[\w\-]+\s+)?",
    re.I,
)
# "ChatGPT, the chatbot made by OpenAI", "Claude, développé par Anthropic"
_MADE_BY = re.compile(
    r"\s*,?\s*(?:(?:le|la|l['’]|the|a|an|un|une)\s+)?(?:[\w\-]+\s+){0,3}?(?:made|built|developed|created|designed|"
    r"released|trained|conçue?s?|développée?s?|créée?s?|fabriquée?s?|mise?s? au point|éditée?s?)\s+(?:by|par)\s*"
    r"(?:la|le|l['’]|the)?\s*(?:[\w\-]+\s+)?",
    re.I,
)


def _relative_object(sent: Sentence, trig: Trigger, type_: str) -> WMention | None:
    """ "GPT-4, the model OpenAI released in 2023": the name the relative clause is about."""
    tok = sent.span.doc[trig.start]
    if tok.dep_ not in {"relcl", "acl:relcl", "acl"} or tok.head.i >= tok.i:
        return None
    head = tok.head
    left = [m for m in sent.left_of(head.i, {type_}) if head.i - sent.tok(m)[1] <= 4]
    if left and re.fullmatch(r"\s*,\s*(?:\w+\s+){0,3}", sent.text_between(sent.tok(left[-1])[1], head.i) + " "):
        return left[-1]
    return None


def _possessor(sent: Sentence, m: WMention, state: DocState) -> WMention | None:
    """Owner of "its model Claude", "son programme X": the subject before it, else the article's organisation."""
    s0 = sent.tok(m)[0]
    toks = tokens(sent, s0 - 5, s0)
    for k in range(len(toks) - 1, -1, -1):
        t = toks[k]
        if fold(t.text) in _POSSESSIVE_DET and (k == 0 or toks[k - 1].pos_ != "ADP" or fold(toks[k - 1].text) == "via"):
            if any(x.pos_ in {"VERB", "AUX", "PUNCT"} and x.text not in {"-"} for x in toks[k + 1 :]):
                return None
            subj = sent.subject_of(t, ORG)
            if subj is not None and subj.key != m.key:
                return subj
            last = state.last_subject
            return last if last is not None and last.type in ORG and last.key != m.key else None
        if t.pos_ in {"VERB", "AUX", "PUNCT"}:
            return None
    return None


def develops(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    prods = [m for m in sent.mentions if m.type == "Product"]
    orgs = [m for m in sent.mentions if m.type == "Organization"]
    seen = set()
    for p in prods:
        for o in orgs:
            rule = None
            if _linked(sent, o, p, _POSS) and sent.between(o, p).strip().startswith(("'", "’", "‘", "`")):
                rule = "develops.possessive"
            elif _linked(sent, p, o, _MAKER):
                rule = "develops.maker"
            elif _linked(sent, o, p, _CREATOR):
                rule = "develops.creator"
            elif _linked(sent, p, o, _MADE_BY):
                rule = "develops.made-by"
            elif (
                _linked(
                    sent,
                    p,
                    o,
                    re.compile(
                        r"\s*,?\s*(?:de|d['’]|by|from|par)\s*(?:la|le|l['’]|the)?\s*(?:start-up|startup|société|entreprise|company|firm|group|groupe)?\s*(?:\w+\s+)?",
                        re.I,
                    ),
                )
                and len(sent.between(p, o)) <= 30
            ):
                rule = "develops.of"
            if rule and (o.key, p.key) not in seen:
                seen.add((o.key, p.key))
                yield Candidate(o.key, "develops", p.key, rule, 0.8)
    for p in prods:
        owner = _possessor(sent, p, state)
        if owner is not None and (owner.key, p.key) not in seen:
            seen.add((owner.key, p.key))
            yield Candidate(owner.key, "develops", p.key, "develops.its", 0.6)
    for trig in find_triggers(sent, "develops"):
        if negated(sent, trig) or sent.span.doc[trig.start].pos_ in {"NOUN", "PROPN"}:
            continue
        o = nearest_left(sent, trig, ORG, state=state)
        p = _relative_object(sent, trig, "Product") or nearest_right(sent, trig, {"Product"}, max_gap=8)
        if o and p and (o.key, p.key) not in seen:
            seen.add((o.key, p.key))
            for s in sent.group(o, ORG):
                yield Candidate(s.key, "develops", p.key, "develops.trigger", 0.7)


def offers(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    progs = [m for m in sent.mentions if m.type == "Program"]
    if not progs:
        return
    seen = set()
    for p in progs:
        for o in sent.mentions:
            if o.type != "Organization":
                continue
            if (
                _linked(sent, o, p, _POSS)
                and sent.between(o, p).strip().startswith(("'", "’"))
                or _linked(
                    sent, p, o, re.compile(r"\s*,?\s*(?:de|d['’]|du|by|from|par)\s*(?:la|le|l['’]|the)?\s*", re.I)
                )
            ):
                seen.add((o.key, p.key))
                yield Candidate(o.key, "offers", p.key, "offers.of", 0.7)
    for p in progs:
        owner = _possessor(sent, p, state)
        if owner is not None and (owner.key, p.key) not in seen:
            seen.add((owner.key, p.key))
            yield Candidate(owner.key, "offers", p.key, "offers.its", 0.6)
    for trig in find_triggers(sent, "offers"):
        if negated(sent, trig):
            continue
        o = nearest_left(sent, trig, ORG, state=state)
        p = _relative_object(sent, trig, "Program") or nearest_right(sent, trig, {"Program"}, max_gap=8)
        if o is None:
            pr = pronoun_subject(sent, state, trig)
            o = pr if pr is not None and pr.type in ORG else None
        if o and p and (o.key, p.key) not in seen:
            seen.add((o.key, p.key))
            for s in sent.group(o, ORG):
                yield Candidate(s.key, "offers", p.key, "offers.trigger", 0.7)


_SUBSIDIARY = re.compile(
    r"\s*[,(]?\s*(?:une?|la|le|l['’]|the|a|an|another|une\s+autre)?\s*(?:\w+\s+)?"
    r"(?:filiale|division|branche|subsidiary|unit|arm|membre|member|laboratoire|lab|research\s+arm)\s+"
    r"(?:[\w\-’']+\s+){0,3}?(?:de|d['’]|du|of)\s*(?:la|le|l['’]|the)?\s*(?:groupe|group|[a-zé\-]+(?:\s+[a-zé\-]+)?)?\s*",
    re.I,
)
# "Meta, la maison mère de Facebook", "Alphabet, the parent company of Google"
_PARENT_OF = re.compile(
    r"\s*,\s*(?:la|le|l['’]|the|its)?\s*(?:maison[\s\-]mère|société\s+mère|parent(?:\s+company)?|owner|propriétaire)\s+"
    r"(?:de|d['’]|du|of)\s*(?:la|le|l['’]|the)?\s*",
    re.I,
)
# "Outlier AI, another Scale AI subsidiary": the parent's name before the noun
_SUBSIDIARY_OF_NAMED = re.compile(r"\s*,\s*(?:a|an|another|the|one\s+of)?\s*$", re.I)
_SUB_NOUN = re.compile(r"^\s*(?:['’]s\s+)?(?:[\w\-]+\s+){0,2}?(?:subsidiary|unit|division|arm|affiliate)\b", re.I)
# "Google's parent company Alphabet", "Alphabet, Google's parent"
_PARENT = re.compile(r"^\s*['’‘]s\s+(?:parent(?:\s+company)?|owner)\s*,?\s*$", re.I)
_POSSESSIVE_DET = {"its", "their", "son", "sa", "ses", "leur", "leurs"}
_SUB_CUE = {"subsidiary", "filiale", "division", "unit", "branche", "affiliate"}


_BOARD = re.compile(
    r"\b(?:si[eéè]g\w*|sit\w*|join\w*|rejoin\w*|entre\w*|nommée?s?|appointed|named)\s+(?:\w+\s+){0,2}?"
    r"(?:au|à|aux|on|to)\s+(?:la|le|l['’]|the|its|son|sa)?\s*(?:[\w\-]+\s+){0,2}?"
    r"(?:comité|conseil|board|committee|council|bureau)\b[^.;]{0,40}?\b(?:de|du|d['’]|of)\s*(?:la|le|l['’]|the)?\s*$",
    re.I,
)


def _boards(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "X siégera au comité scientifique de Kyutai aux côtés de Y et de Z", "X joins the board of Y"."""
    for o in (m for m in sent.mentions if m.type == "Organization"):
        for p in sent.left_of(sent.tok(o)[0], PERSON):
            gap = sent.between(p, o)
            if len(gap) < 90 and _BOARD.search(gap):
                yield Candidate(p.key, "memberOf", o.key, "memberOf.board", 0.7)
                after = sent.right_of(sent.tok(o)[1], PERSON)
                if after and re.match(
                    r"\s*(?:aux côtés|alongside|with|avec|together with)\b",
                    sent.text_between(sent.tok(o)[1], sent.tok(after[0])[0]),
                    re.I,
                ):
                    for q in sent.group(after[0], PERSON):
                        yield Candidate(q.key, "memberOf", o.key, "memberOf.board", 0.65)


def member_of(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    yield from _boards(sent, state)
    for a in sent.mentions:
        for b in sent.mentions:
            if a is b or b.type != "Organization" or a.key == b.key:
                continue
            if a.type in AGENT and _linked(sent, a, b, _SUBSIDIARY):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.apposition", 0.8)
            # "Leïla Chaibi (La Gauche)": a party or group in parentheses after a person
            elif (
                a.type == "Person"
                and re.fullmatch(r"\s*\(\s*", sent.between(a, b))
                and doc_text(sent.span.doc)[b.end - sent.offset : b.end - sent.offset + 2].strip().startswith(")")
            ):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.parenthesis", 0.7)
            elif (
                a.type == "Organization"
                and a.start < b.start
                and _SUBSIDIARY_OF_NAMED.fullmatch(sent.between(a, b))
                and _SUB_NOUN.match(doc_text(sent.span.doc)[b.end - sent.offset : b.end - sent.offset + 20])
            ):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.named-parent", 0.75)
            elif a.type == "Organization" and a.start < b.start and _PARENT.fullmatch(sent.between(a, b)):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.parent", 0.8)
            elif a.type == "Organization" and b.start < a.start and _PARENT_OF.fullmatch(sent.between(b, a)):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.parent", 0.8)
    # "via its subsidiary Remotasks", "sa filiale X": the subsidiary of the clause's subject
    for m in sent.mentions:
        if m.type != "Organization":
            continue
        s0 = sent.tok(m)[0]
        before = [fold(t.text) for t in tokens(sent, s0 - 2, s0)]
        if len(before) == 2 and before[0] in _POSSESSIVE_DET and before[1] in _SUB_CUE:
            owner = sent.subject_of(sent.span.doc[s0], ORG) or (state.focus if state.focus is not m else None)
            if owner is not None and owner.key != m.key:
                yield Candidate(m.key, "memberOf", owner.key, "memberOf.possessive", 0.7)


def organizes(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    events = [m for m in sent.mentions if m.type == "Event"]
    if not events:
        return
    for trig in find_triggers(sent, "organizes"):
        if negated(sent, trig):
            continue
        nxt = tokens(sent, trig.end, trig.end + 2)
        if nxt and fold(nxt[0].text) in {"par", "by", "de", "d'"}:
            ev = [e for e in events if sent.tok(e)[1] <= trig.start]
            first = nearest_right(sent, trig, AGENT, max_gap=4)
            if ev and first:
                for a in sent.group(first, AGENT):
                    yield Candidate(a.key, "organizes", ev[-1].key, "organizes.passive", 0.75)
            continue
        head = sent.mention_at(sent.span.doc[trig.start].head.i)
        if head is not None and head.type == "Event" and sent.tok(head)[1] <= trig.start:
            # "X introduisait un workshop organisé le 21 novembre": the event is the participle's noun
            by = nearest_right(sent, trig, AGENT, max_gap=8)
            agent = (
                by
                if by is not None and re.search(r"\b(?:par|by)\b", sent.text_between(trig.end, sent.tok(by)[0]))
                else nearest_left(sent, Trigger(sent.tok(head)[0], sent.tok(head)[1], ""), AGENT)
            )
            if agent is not None:
                for a in sent.group(agent, AGENT):
                    yield Candidate(a.key, "organizes", head.key, "organizes.participle", 0.65)
            continue
        agent = nearest_left(sent, trig, AGENT)
        ev = nearest_right(sent, trig, {"Event"}, max_gap=10)
        if agent and ev:
            for a in sent.group(agent, AGENT):
                yield Candidate(a.key, "organizes", ev.key, "organizes.trigger", 0.7)

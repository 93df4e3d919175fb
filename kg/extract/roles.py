"""Rules for who works for whom, with the role ("PDG de", "CEO of", founders, "led by").

Job titles live in ``ontology/lexicon/roles.yaml``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from kg.extract.common import (
    DESCRIPTION_NOUNS,
    ORG,
    PERSON,
    Candidate,
    DocState,
    nearest_right,
    resolve_subject,
    tokens,
)
from kg.extract.context import Sentence, Trigger, find_triggers
from kg.extract.lexicon import fold, load_roles, load_titles, load_triggers
from kg.extract.mentions import WMention

__all__ = ["works_for"]


_PREP_ORG = re.compile(
    r"^\s*(?:(?:de|du|des|d['’]|of|at|chez|for|au sein de|à|au)\s*(?:la|le|les|l['’]|the)?)?\s*$", re.I
)
# "coanimateur du collectif numérique de l'Ugict-CGT", "head of research at X"
_PREP_ORG_FAR = re.compile(
    r"^\s*(?:de|du|des|d['’]|of|at|chez|au sein de|à|au|in charge of)\s*(?:la|le|les|l['’]|the)?\s*(?:[\w\-]+\s+){1,3}"
    r"(?:de|du|des|d['’]|of|at)\s*(?:la|le|les|l['’]|the)?\s*$",
    re.I,
)
_PUBLIC_ROLES = {"minister", "member of parliament", "senator", "commissioner", "secretary of state"}


@functools.cache
def _role_starts(lang: str, titles: bool = False) -> tuple[frozenset[str], int]:
    """Words a role title can start with (as a token: "vice" of "vice-président" too), and the longest title."""
    roles = load_titles(lang) if titles else load_roles(lang)
    starts = set()
    for k in roles:
        first = k.split()[0]
        starts.update({first, first.split("-")[0]})
    # in tokens: "under-secretary-general" is five, "conseil d'administration" three
    return frozenset(starts), max(len(k.split()) + 2 * k.count("-") + k.count("'") for k in roles)


def _role_spans(sent: Sentence, titles: bool = False) -> list[tuple[int, int, str]]:
    """Job titles of the sentence: (first token, end token, role), computed once per sentence.

    With ``titles``, the further titles of roles.yaml that only name a role are found too.
    """
    key = "titles" if titles else "roles"
    done = sent.memo.get(key)
    if done is None:
        done = sent.memo[key] = _find_role_spans(sent, titles)
    return list(done)  # type: ignore[call-overload]


def _find_role_spans(sent: Sentence, titles: bool = False) -> list[tuple[int, int, str]]:
    roles = load_titles(sent.lang) if titles else load_roles(sent.lang)
    starts, maxlen = _role_starts(sent.lang, titles)
    toks = list(sent.span)
    words = [text for text, _lemma in sent.forms()]
    out = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(maxlen, len(toks) - i), 0, -1) if words[i] in starts else ():
            phrase = " ".join(words[i : i + n]).replace(" - ", "-").replace("' ", "'")
            if phrase in roles:
                hit = (toks[i].i, toks[i].i + n, roles[phrase])
                break
        if hit and sent.mention_at(hit[0]) is None:
            prev = out[-1] if out else None
            # "vice-président et président", "vice chair and president": one role
            if (
                prev is not None
                and 0 < hit[0] - prev[1] <= 1
                and fold(sent.span.doc[prev[1]].text) in {"et", "and", "&"}
            ):
                out[-1] = (prev[0], hit[1], f"{prev[2]} and {hit[2]}")
            elif prev is not None and hit[0] == prev[1]:
                out[-1] = (prev[0], hit[1], f"{prev[2]} {hit[2]}")
            else:
                out.append(hit)
            i += hit[1] - hit[0]
        else:
            i += 1
    return out


_OWN_DESCRIPTION = re.compile(
    r"(?:\b(?:the|its|their)\s+(?:company|firm|group|union|federation|startup|start-up|lab|organi[sz]ation)['’]s"
    r"|\b(?:son|sa|ses|its|their|leur)\b)\s*$",
    re.I,
)


def _focus_roles(sent: Sentence, state: DocState, rs: int, re_: int, role: str) -> Iterator[Candidate]:
    """ "Duncan Crabtree-Ireland, the union's national executive director", "The union's president,
    Fran Drescher", "Son directeur financier, Roger Dassen": the role of an organisation the text
    names by a description or a possessive."""
    before = sent.text_between(max(sent.span.start, rs - 4), rs) + " "
    if not _OWN_DESCRIPTION.search(before.rstrip()):
        return
    owner = state.focus
    if re.search(r"\b(?:son|sa|ses|its|their|leur)\s*$", before.strip(), re.I):
        near = [m for m in sent.left_of(rs, ORG) if rs - sent.tok(m)[1] <= 10]
        subject = sent.subject_of(sent.span.doc[rs], ORG)
        if subject is not None and subject.end <= sent.span.doc[rs].idx + sent.offset:
            owner = subject  # "Anthropic was founded by …, including its chief executive, …"
        elif near:
            owner = near[-1]  # "OpenAI, led by its chief executive …"
        elif state.last_subject is not None and state.last_subject.type in ORG:
            owner = state.last_subject
    if owner is None:
        return
    lefts = sent.left_of(rs, PERSON)
    rights = sent.right_of(re_, PERSON)
    person = None
    if lefts and re.fullmatch(
        r"\s*,\s*(?:(?:the|le|la|l['’])\s+)?(?:\w+['’]s\s+)?\w*\s*", sent.text_between(sent.tok(lefts[-1])[1], rs) + " "
    ):
        person = lefts[-1]
    elif rights and re.fullmatch(r"\s*,?\s*", sent.text_between(re_, sent.tok(rights[0])[0])):
        person = rights[0]
    if person is not None:
        yield Candidate(person.key, "worksFor", owner.key, "worksFor.description", 0.6, role=role)


_CORPORATE_ROLES = {"ceo", "cto", "cfo", "coo", "co-founder", "founder", "chief scientist", "cpo"}
_ROLE_GAP_FOCUS = re.compile(
    r"\s*(?:,|\bis\b|\best\b|\bwas\b|\bétait\b|\bsont\b|\bare\b)\s*(?:(?:tous|toutes|all)\s+(?:deux|trois|quatre|cinq|two|three|four|five)\s+|both\s+)?"
    r"(?:(?:le|la|l['’]|the|its|son|sa)\s+)?"
    r"(?:(?:company|firm|group|startup|start-up)['’]s\s+)?(?:[\w\-]+\s+(?:et|and|&)\s+)?",
    re.I,
)
_OF_COMPANY = re.compile(
    r"^\s*(?:de\s+l['’]\s*entreprise|de\s+la\s+(?:société|start-up)|du\s+groupe|of\s+the\s+(?:company|firm|group|startup))",
    re.I,
)


def _founders(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "X, fondée par A, B et C", "founded in 2016 by A and B", "A a fondé la start-up avec B et C":
    founders hold the role "co-founder" (or "founder" when alone)."""
    doc = sent.span.doc
    for trig in find_triggers(sent, "founded_by"):
        nxt = tokens(sent, trig.end, trig.end + 10)
        by = next((t for t in nxt if fold(t.text) in {"par", "by"}), None)
        if by is None:
            continue
        people = [m for m in sent.right_of(by.i + 1, PERSON) if sent.tok(m)[0] - by.i <= 8]
        if not people:
            continue
        founders = sent.group(people[0], PERSON)
        org = None
        left = [m for m in sent.left_of(trig.start, ORG) if trig.start - sent.tok(m)[1] <= 12]
        if left:
            org = left[-1]
        else:
            subj = sent.subject_token(doc[sent.span.root.i])
            if subj is not None:
                org = sent.mention_at(subj.i) or resolve_subject(sent, subj, state, ORG)
            org = org if org is not None and org.type in ORG else state.focus
        if org is None:
            continue
        role = "co-founder" if len(founders) > 1 or "co" in fold(doc[trig.start].text)[:3] else "founder"
        for p in founders:
            yield Candidate(p.key, "worksFor", org.key, "worksFor.founded", 0.7, role=role)
    for trig in find_triggers(sent, "founded"):
        tok = doc[trig.start]
        if tok.pos_ not in {"VERB", "AUX"}:
            continue
        subj = _person_subject(sent, tok)
        obj = nearest_right(sent, trig, ORG, max_gap=6)
        if obj is None:
            nxt = tokens(sent, trig.end, trig.end + 4)
            if any(fold(t.text) in DESCRIPTION_NOUNS for t in nxt):
                obj = state.focus  # "a fondé la start-up avec …"
        if subj is None or obj is None:
            continue
        others = []
        after = tokens(sent, trig.end, trig.end + 8)
        w = next((t for t in after if fold(t.text) in {"avec", "with", "alongside"}), None)
        if w is not None:
            first = nearest_right(sent, Trigger(w.i, w.i + 1, ""), PERSON, max_gap=3)
            others = sent.group(first, PERSON) if first else []
        role = "co-founder" if others else "founder"
        for p in [subj, *others]:
            yield Candidate(p.key, "worksFor", obj.key, "worksFor.founded", 0.7, role=role)


def _led_by(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "OpenAI, led by its chief executive Sam Altman", "dirigée par X": the leader is its ceo."""
    for trig in find_triggers(sent, "led_by"):
        people = [m for m in sent.right_of(trig.end, PERSON) if sent.tok(m)[0] - trig.end <= 6]
        if not people:
            continue
        between = fold(sent.text_between(trig.end, sent.tok(people[0])[0]))
        if sent.right_of(trig.end, ORG) and any(
            sent.tok(o)[0] < sent.tok(people[0])[0] for o in sent.right_of(trig.end, ORG)
        ):
            continue
        roles = load_roles(sent.lang)
        default = "chairman" if re.search(r"presid|chair", trig.phrase) else "ceo"
        role = next(
            (roles[k] for k in sorted(roles, key=len, reverse=True) if re.search(rf"\b{re.escape(k)}\b", between)),
            default,
        )
        left = [m for m in sent.left_of(trig.start, ORG) if trig.start - sent.tok(m)[1] <= 8]
        org = left[-1] if left else None
        if org is None and any(fold(t.text) in DESCRIPTION_NOUNS for t in tokens(sent, trig.start - 4, trig.start)):
            org = state.focus  # "le chiffre d'affaires du groupe, présidé par X"
        if org is not None:
            yield Candidate(people[0].key, "worksFor", org.key, "worksFor.led-by", 0.7, role=role)


def _person_subject(sent: Sentence, tok) -> WMention | None:
    """The person doing ``tok``, through a relative pronoun if need be ("Elon Musk, who runs …")."""
    subj = sent.subject_of(tok, PERSON)
    if subj is not None:
        return subj
    st = sent.subject_token(tok)
    if st is not None and fold(st.text) in {"who", "qui"}:
        left = [m for m in sent.left_of(st.i, PERSON) if st.i - sent.tok(m)[1] <= 3]
        return left[-1] if left else None
    return None


def _leads(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "Elon Musk, who runs Tesla and SpaceX", "X dirige Y": the person is its ceo (chairman when presiding)."""
    for trig in find_triggers(sent, "leads"):
        tok = sent.span.doc[trig.start]
        if tok.pos_ not in {"VERB", "AUX"}:
            continue
        person = _person_subject(sent, tok)
        right = [m for m in sent.right_of(trig.end, ORG) if sent.tok(m)[0] - trig.end <= 2]
        if person is None or not right:
            continue
        role = "chairman" if re.search(r"presid|chair", fold(tok.text)) else "ceo"
        for o in sent.group(right[0], ORG):
            yield Candidate(person.key, "worksFor", o.key, "worksFor.leads", 0.7, role=role)


def works_for(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    yield from _founders(sent, state)
    yield from _led_by(sent, state)
    yield from _leads(sent, state)
    former = {fold(w) for w in load_triggers(sent.lang)["former_markers"]}
    for rs, re_, role in _role_spans(sent):
        window = [fold(t.text) for t in tokens(sent, rs - 2, rs)]
        if any(w in former or w.startswith("ex-") for w in window):
            continue
        org = None
        # "PDG de Walmart" / "CEO of OpenAI"
        for m in sent.right_of(re_, ORG):
            between = sent.text_between(re_, sent.tok(m)[0])
            if _PREP_ORG.match(between) or _PREP_ORG_FAR.match(between + " "):
                org = m
            break
        # "Alphabet CEO" / "OpenAI's Chief Financial Officer"
        if org is None:
            left = sent.left_of(rs, ORG)
            if left and re.fullmatch(r"\s*(['’]s)?\s*", sent.text_between(sent.tok(left[-1])[1], rs)):
                org = left[-1]
        if org is None and any(True for _ in _focus_roles(sent, state, rs, re_, role)):
            yield from _focus_roles(sent, state, rs, re_, role)
            continue
        if org is None:
            # "Julien Chaumond, co-fondateur et directeur de la technologie.", "Delangue is the company's
            # chief executive", "le directeur général Clément Delangue": the organisation the article is about
            parts = set(role.split(" and "))
            if (
                state.focus is None
                or parts & _PUBLIC_ROLES
                or (
                    sent.right_of(re_, ORG)
                    and not _OF_COMPANY.match(sent.text_between(re_, min(re_ + 4, sent.span.end)))
                )
            ):
                continue
            lefts = sent.left_of(rs, PERSON)
            rights = [m for m in sent.right_of(re_, PERSON) if sent.tok(m)[0] - re_ <= 8]
            person = None
            if (
                lefts
                and _ROLE_GAP_FOCUS.fullmatch(sent.text_between(sent.tok(lefts[-1])[1], rs) + " ")
                and (parts & (_CORPORATE_ROLES | {"president", "chairman"}) or not sent.left_of(rs, ORG))
            ):
                person = lefts[-1]
            elif (
                rights
                and re.fullmatch(
                    r"\s*(?:[\w\-’']+\s+){0,4}?,?\s*", sent.text_between(re_, sent.tok(rights[0])[0]) + " "
                )
                and (
                    rs == sent.span.start
                    or parts & _CORPORATE_ROLES
                    and fold(sent.span.doc[rs - 1].text) in {"le", "la", "l'", "the", "notre", "our"}
                )
            ):
                person = rights[0]  # "Secrétaire national à la transition, Nicolas Blanc"
            if person is not None and not sent.left_of(rs, ORG) or person is not None and parts & _CORPORATE_ROLES:
                plural = re.search(r"\b(?:tous|toutes|all|both|sont|are)\b", sent.text_between(sent.tok(person)[1], rs))
                for p in sent.group(person, PERSON) if plural else [person]:
                    yield Candidate(p.key, "worksFor", state.focus.key, "worksFor.focus", 0.5, role=role)
            continue
        person = None
        o_end = max(re_, sent.tok(org)[1])
        o_start = min(rs, sent.tok(org)[0])
        # "X, PDG de Y" / "X, Y's CEO" / "X, vice-président et président de Y"
        lefts = sent.left_of(o_start, PERSON)
        if lefts:
            gap = sent.text_between(sent.tok(lefts[-1])[1], o_start) + " "
            if re.fullmatch(
                r"\s*[,(–—-]?\s*(?:(?:le|la|l['’]|the|a|an|un|une|est|is|was|devenu|devenue|nouveau|nouvelle|new|actuel|actuelle|current)\s+)*"
                r"(?:[\w\-]+\s+(?:et|and|&)\s+)?(?:[\w\-]+\s+)?",
                gap,
                re.I,
            ):
                person = lefts[-1]
        # "Le PDG de Walmart, John Furner" / "Alphabet CEO Sundar Pichai"
        if person is None:
            rights = sent.right_of(o_end, PERSON)
            if rights and re.fullmatch(r"\s*,?\s*", sent.text_between(o_end, sent.tok(rights[0])[0])):
                person = rights[0]
        if person is None:
            continue
        # "chief executive of Google and Alphabet"
        orgs = sent.group(org, ORG) if sent.tok(org)[0] >= re_ else [org]
        for o in orgs:
            yield Candidate(person.key, "worksFor", o.key, "worksFor.role", 0.85, role=role)

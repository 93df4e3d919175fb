"""Relation rules: from a sentence and its mentions to facts.

Each rule is a generator over one :class:`~kg.extract.context.Sentence` that
yields :class:`Candidate` facts; trigger words and word lists live in
``ontology/lexicon/relations.yaml``, job titles in ``roles.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from spacy.tokens import Token

from kg.extract.context import Sentence, Trigger, find_triggers
from kg.extract.lexicon import demonyms, fold, load_roles, load_triggers
from kg.extract.mentions import WMention
from kg.extract.values import find_counts, find_money, find_target_year

__all__ = ["Candidate", "DocState", "RULES", "run_rules"]

ORG = {"Organization"}
AGENT = {"Organization", "Person"}
PERSON = {"Person"}


@dataclass
class Candidate:
    """A fact before provenance is attached."""

    subject: str
    predicate: str
    object: str
    rule: str
    confidence: float
    object_kind: str = "entity"
    amount: Decimal | None = None
    currency: str | None = None
    count: int | None = None
    year: int | None = None
    role: str | None = None


@dataclass
class DocState:
    """What rules remember across the sentences of one document."""

    lang: str
    last_subject: WMention | None = None  # subject of the previous sentence
    last_orgs: list[WMention] = field(default_factory=list)
    last_group: list[WMention] = field(default_factory=list)  # the last coordination of organisations
    raiser: WMention | None = None  # organisation that raised money earlier in the text
    focus: WMention | None = None  # the organisation the document names most
    new_places: dict[str, list[str]] = field(default_factory=dict)  # place label -> adjectives as written


# ---------------------------------------------------------------- helpers

def _tokens(sent: Sentence, i: int, j: int) -> list:
    doc = sent.span.doc
    return [doc[k] for k in range(max(i, sent.span.start), min(j, sent.span.end))]


def _negated(sent: Sentence, trig: Trigger) -> bool:
    words = {fold(w) for w in load_triggers(sent.lang)["negations"]}
    window = _tokens(sent, trig.start - 3, trig.end + 1)
    return any(fold(t.text) in words for t in window)


_MODIFIER_DEPS = {"acl", "acl:relcl", "relcl", "appos", "amod", "nmod", "nmod:poss", "compound", "pobj", "dep"}


_DESCRIPTION_NOUNS = {"societe", "start-up", "startup", "entreprise", "groupe", "firme", "compagnie", "company",
                      "firm", "giant", "geant", "group", "business", "jeune", "pousse", "licorne", "editeur", "maker",
                      "fabricant", "syndicat", "union", "federation", "confederation", "organisation", "organization"}
_DEFINITE = {"la", "le", "l'", "the", "this", "cette", "ce", "its", "son", "sa"}


def _resolve_subject(sent: Sentence, subj: Token, state: DocState, types: set[str]) -> WMention | None:
    """A subject that names no one: a pronoun ("Il", "It") is the previous sentence's subject; a
    definite description ("l'entreprise", "the company") is the organisation the article is about."""
    if "Rel" in subj.morph.get("PronType") or fold(subj.text) in {"qui", "que", "which", "that", "who", "lequel", "laquelle"}:
        return None  # a relative pronoun: its antecedent is the name just before
    if subj.pos_ == "PRON" and fold(subj.text) not in _PLURAL_PRONOUNS:
        target = state.last_subject
    elif fold(subj.text) in _DESCRIPTION_NOUNS and any(fold(c.text) in _DEFINITE for c in subj.children):
        target = state.focus
    else:
        return None
    return target if target is not None and target.type in types else None


def _nearest_left(sent: Sentence, trig: Trigger, types: set[str], max_gap: int = 25,
                  state: DocState | None = None) -> WMention | None:
    """The agent of a trigger: its grammatical subject, else the nearest mention before it.

    A trigger that modifies a noun ("AFL-CIO, ... représentant 60 unions", "OpenAI, le créateur de
    ChatGPT") takes the nearest name before it, not the subject of the main clause. With ``state``,
    a subject that is a pronoun or a description ("l'entreprise") is resolved instead.
    """
    doc = sent.span.doc
    tok = doc[trig.start]
    own = any(c.dep_.startswith("nsubj") for c in tok.children)
    if own or tok.dep_ not in _MODIFIER_DEPS:
        subj = sent.subject_of(tok, types)
        if subj is not None:
            return subj
        subj_tok = sent.subject_token(tok)
        if state is not None and subj_tok is not None and sent.mention_at(subj_tok.i) is None:
            resolved = _resolve_subject(sent, subj_tok, state, types)
            if resolved is not None:
                return resolved
    left = [m for m in sent.left_of(trig.start, types) if trig.start - sent.tok(m)[1] <= max_gap]
    return left[-1] if left else None


def _nearest_right(sent: Sentence, trig: Trigger, types: set[str], max_gap: int = 12) -> WMention | None:
    right = [m for m in sent.right_of(trig.end, types) if sent.tok(m)[0] - trig.end <= max_gap]
    return right[0] if right else None


def _pairs(subjects: list[WMention], objects: list[WMention]) -> Iterator[tuple[WMention, WMention]]:
    for s in subjects:
        for o in objects:
            if s.key != o.key:
                yield s, o


_PLURAL_PRONOUNS = {"ils", "elles", "they", "both", "tous", "toutes"}


def _pronoun_subject(sent: Sentence, state: DocState, trig: Trigger) -> WMention | None:
    """Resolve a pronoun subject ("Il", "It", "L'entreprise") to the previous sentence's subject."""
    found = _pronoun_subjects(sent, state, trig)
    return found[0] if len(found) == 1 else (state.last_subject if found else None)


def _pronoun_subjects(sent: Sentence, state: DocState, trig: Trigger) -> list[WMention]:
    """Like :func:`_pronoun_subject`; a plural pronoun ("Ils", "They") gives the last group named ("Walmart et OpenAI")."""
    doc = sent.span.doc
    tok = doc[trig.start]
    for _ in range(3):
        for child in tok.children:
            if child.dep_.startswith("nsubj") and child.pos_ in {"PRON", "NOUN", "DET"}:
                if fold(child.text) in _PLURAL_PRONOUNS and len(state.last_group) > 1:
                    return list(state.last_group)
                return [state.last_subject] if state.last_subject is not None else []
        if tok.head is tok:
            break
        tok = tok.head
    return []


# ---------------------------------------------------------------- partnersWith

_WITH = {"avec", "with", "alongside", "aux côtés de"}


def _with_partners(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "Microsoft travaillera également avec X", "Hugging Face a des accords similaires avec Amazon":
    a verb or noun of working together, a few words before "avec / with" and a name."""
    for trig in find_triggers(sent, "with_words"):
        if _negated(sent, trig):
            continue
        nxt = _tokens(sent, trig.end, trig.end + 4)
        prep = next((t for t in nxt if fold(t.text) in _WITH), None)
        if prep is None:
            continue
        right = [m for m in sent.right_of(prep.i + 1, ORG) if sent.tok(m)[0] - prep.i <= 3]
        left = _nearest_left(sent, trig, AGENT, max_gap=10) or _pronoun_subject(sent, state, trig)
        if not right or left is None or left.type not in AGENT:
            continue
        for s in sent.group(left, AGENT):
            for o in sent.group(right[0], ORG):
                if s.key != o.key:
                    yield Candidate(s.key, "partnersWith", o.key, "partners.with", 0.7)


def partners(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    yield from _with_partners(sent, state)
    for trig in find_triggers(sent, "partnersWith"):
        if _negated(sent, trig):
            continue
        # "un partenariat entre A et B" / "between A and B"
        after = _tokens(sent, trig.end, trig.end + 2)
        if after and fold(after[0].text) in {"entre", "between"}:
            first = _nearest_right(sent, trig, AGENT, max_gap=3)
            if first:
                grp = sent.group(first, AGENT)
                for i, a in enumerate(grp):
                    for b in grp[i + 1 :]:
                        if a.key != b.key:
                            yield Candidate(a.key, "partnersWith", b.key, "partners.between", 0.85)
            continue
        left = _nearest_left(sent, trig, AGENT)
        if left is None:
            left = _pronoun_subject(sent, state, trig)
            if left is None and fold(sent.span.doc[trig.start].text).startswith(("partenaire", "partner")):
                left = state.focus  # "les travaux, menés avec 4 partenaires : A, B et C"
            if left is None or left.type not in AGENT:
                continue
            subjects = [left]
        else:
            subjects = sent.group(left, AGENT)
        right = _nearest_right(sent, trig, ORG, max_gap=8)
        if right is not None and not re.search(
                r"\b(?:avec|with|à|a|au|aux|entre|between|and|et|alongside|auprès|de|du|des|d|of)\b"
                r"|^[\s\-–—:(,]*(?:(?:la|le|les|l['’]|the)\s*)?$",
                sent.text_between(trig.end, sent.tok(right)[0]), re.I):
            right = None
        objects = sent.group(right, ORG) if right else []
        for s, o in _pairs(subjects, objects):
            yield Candidate(s.key, "partnersWith", o.key, "partners.trigger", 0.75)
        # "A et B s'associent" / "A and B, in partnership with C": coordinated agents partner each other
        if len(subjects) > 1 and left is not None and trig.start - sent.tok(subjects[-1])[1] <= 3:
            for i, a in enumerate(subjects):
                for b in subjects[i + 1 :]:
                    if a.key != b.key and a.type in ORG and b.type in ORG:
                        yield Candidate(a.key, "partnersWith", b.key, "partners.coordination", 0.7)


# ---------------------------------------------------------------- investsIn

_PASSIVE_FUNDING = re.compile(r"^(backed|funded|financed|financée?s?|soutenue?s?|detenue?s?)$", re.I)


def _single_amount(sent: Sentence, investors: list[WMention]) -> tuple[Decimal | None, str | None]:
    if len(investors) != 1:
        return None, None
    money = find_money(sent.text, sent.lang)
    if len(money) >= 1:
        return money[0].value, money[0].currency
    return None, None


_LIST_MARKER = re.compile(
    r"(?:figur\w*|incluent|comprennent|include\w*|includ\w*|dont|parmi|:|sont|are|were|such\s+as|like|tels?\s+que|"
    r"telles?\s+que|notamment|comme)\s", re.I)


def _preceded_by_of(sent: Sentence, m: WMention) -> bool:
    """A name complementing a noun ("chef de Google", "head of Google") rather than an agent."""
    toks = _tokens(sent, sent.tok(m)[0] - 2, sent.tok(m)[0])
    if not toks or fold(toks[-1].text) not in {"de", "d'", "du", "of", "chez", "at"}:
        return False
    return len(toks) < 2 or not (toks[-2].pos_ == "NOUN" and fold(toks[-2].text).startswith(("particip", "part")))


def _raiser_named(sent: Sentence, state: DocState) -> WMention | None:
    """The organisation whose round or investors the sentence names: "tour de Mistral", "investors in X"."""
    for trig in find_triggers(sent, "round_words"):
        nxt = _tokens(sent, trig.end, trig.end + 4)
        for k, t in enumerate(nxt):
            if fold(t.text) in {"de", "d'", "du", "of", "in", "for", "dans"}:
                m = sent.mention_at(t.i + 1) if t.i + 1 < sent.span.end else None
                if m is not None and m.type in ORG:
                    return m
                break
            if t.pos_ not in {"ADJ", "NOUN", "DET"} or k > 2:
                break
    return None


def invests(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    doc = sent.span.doc
    done: set[tuple[str, str]] = set()
    claimed: set[str] = set()

    def emit(inv: WMention, investee: WMention, rule: str, conf: float, amount=None, cur=None) -> Iterator[Candidate]:
        if inv.key != investee.key and (inv.key, investee.key) not in done and inv.type in AGENT:
            done.add((inv.key, investee.key))
            claimed.add(inv.key)
            yield Candidate(inv.key, "investsIn", investee.key, rule, conf, amount=amount, currency=cur)

    # "X, l'un des bailleurs de fonds d'entreprises telles que A, B et C": X invests in A, B, C
    for trig in find_triggers(sent, "investor_nouns"):
        right = [m for m in sent.right_of(trig.end, ORG) if sent.tok(m)[0] - trig.end <= 6]
        if not right or not re.search(r"\b(de|d['’]|of|in|dans)\b", sent.text_between(trig.end, sent.tok(right[0])[0])):
            continue
        agent = _nearest_left(sent, trig, AGENT, max_gap=8)
        if agent is None:
            continue
        if sent.tok(agent)[1] <= trig.start and right[0].key != agent.key:
            for target in sent.group(right[0], ORG):
                claimed.add(target.key)
                yield from emit(agent, target, "invests.investor-of", 0.7)
    # money raised: "X lève 105 millions d'euros auprès de A, B et C"
    for trig in find_triggers(sent, "raise"):
        investee = _nearest_left(sent, trig, ORG, state=state) or _pronoun_subject(sent, state, trig)
        if investee is None or investee.type not in ORG:
            continue
        state.raiser = investee
        marked = _after_markers(sent, trig.end, "investor_markers")
        investors = [m for m in sent.right_of(marked, AGENT) if m.key != investee.key] if marked is not None else []
        if investors:
            for inv in sent.group(investors[0], AGENT):
                yield from emit(inv, investee, "invests.raise", 0.8)
    named = _raiser_named(sent, state)
    if named is not None:
        state.raiser = named
    # the investors of a round: "A mène le tour", "with participation from B, C", "parmi les investisseurs, D"
    rounds = find_triggers(sent, "round_words")
    raiser = state.raiser or state.focus
    if rounds and raiser is not None and not find_triggers(sent, "raise"):
        leads = find_triggers(sent, "lead_verbs")
        investors = [
            m for m in sent.mentions
            if m.type in AGENT and m.key != raiser.key and m.key not in claimed and not _preceded_by_of(sent, m)
        ]
        if leads or any(t.phrase.startswith(("particip", "took part", "pris part", "prend part")) for t in rounds):
            for inv in investors:
                yield from emit(inv, raiser, "invests.round", 0.65)
        else:
            # "Parmi les autres investisseurs figurent A, B et C", "investors include A and B"
            for t in rounds:
                if not t.phrase.startswith(("investi", "bailleur", "backer")):
                    continue
                after = [m for m in investors if sent.tok(m)[0] >= t.end]
                if after and _LIST_MARKER.search(sent.text_between(t.end, sent.tok(after[0])[0]) + " "):
                    for inv in after:
                        yield from emit(inv, raiser, "invests.round", 0.65)
                    break
    triggers = find_triggers(sent, "investsIn")
    if find_money(sent.text, sent.lang):
        triggers += find_triggers(sent, "money_verbs")
    for trig in triggers:
        if _negated(sent, trig):
            continue
        trig_text = doc[trig.start : trig.end].text
        nxt = _tokens(sent, trig.end, trig.end + 1)
        if _PASSIVE_FUNDING.match(trig_text) and nxt and fold(nxt[0].text) in {"by", "par"}:
            # "X, backed by A and B"
            investee = _nearest_left(sent, trig, ORG, max_gap=6)
            first = _nearest_right(sent, trig, AGENT, max_gap=3)
            if investee and first:
                for inv in sent.group(first, AGENT):
                    yield from emit(inv, investee, "invests.passive", 0.8)
            continue
        nominal = doc[trig.start].pos_ in {"NOUN", "PROPN"}
        if nominal and not fold(trig_text).startswith(("investissement", "investment", "financement", "funding")):
            continue  # "round", "investors", "participation": handled above
        right = [m for m in sent.right_of(trig.end, ORG) if sent.tok(m)[0] - trig.end <= 15]
        into = [m for m in right if re.search(r"(?:\bdans|\bin|\binto|\ben)\s*(?:la|le|l['’]|les|the)?\s*(?:\w+\s+){0,2}$",
                                             sent.text_between(trig.end, sent.tok(m)[0]) + " ", re.I)]
        investee = into[0] if into else (right[0] if right else None)
        investor = _nearest_left(sent, trig, AGENT)
        if nominal and investee is not None:
            # "l'investissement de Microsoft dans OpenAI", "the investment by Amazon in Anthropic"
            between = [m for m in sent.right_of(trig.end, AGENT) if m.end <= investee.start]
            if between:
                investor = between[-1]
        if investor is None or investee is None or investor.key == investee.key:
            continue
        investors = sent.group(investor, AGENT)
        amount, cur = _single_amount(sent, investors)
        for inv in investors:
            yield from emit(inv, investee, "invests.trigger", 0.75, amount, cur)


def _after_markers(sent: Sentence, start: int, key: str) -> int | None:
    """Token index right after the first marker phrase of ``key`` at or after ``start``."""
    markers = [tuple(fold(w) for w in str(p).split()) for p in load_triggers(sent.lang).get(key, [])]
    toks = _tokens(sent, start, sent.span.end)
    for k in range(len(toks)):
        for mk in markers:
            if tuple(fold(t.text) for t in toks[k : k + len(mk)]) == mk:
                return toks[k].i + len(mk)
    return None


# ---------------------------------------------------------------- trains / represents

def _group_nouns(sent: Sentence, start: int, end: int) -> Iterator[tuple[int, str]]:
    """Tokens naming a group of people between ``start`` and ``end``: (token index, noun as written)."""
    words = load_triggers(sent.lang)["group_nouns"]
    patterns = [(fold(w).rstrip("*"), w.endswith("*")) for w in words if " " not in w]
    for t in _tokens(sent, start, end):
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
    if tail and not re.fullmatch(r"(de|d['’]|of|more|additional|nouveaux|nouvelles|new|plus)?\s*(\w+\s+)?", tail):
        return None
    return int(last.value)


def trains(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    for trig in find_triggers(sent, "trains"):
        if _negated(sent, trig):
            continue
        nouns = list(_group_nouns(sent, trig.end, trig.end + 10))
        if not nouns:
            continue
        agent = _nearest_left(sent, trig, ORG, state=state)
        subjects = sent.group(agent, ORG) if agent else []
        if not subjects:
            subjects = [p for p in _pronoun_subjects(sent, state, trig) if p.type in ORG]
        if not subjects:
            continue
        i, noun = nouns[0]
        count = _count_before(sent, i)
        year = find_target_year(sent.text, sent.lang)
        for s in subjects:
            yield Candidate(s.key, "trains", noun, "trains.trigger", 0.7 if count else 0.6, object_kind="group",
                            count=count, year=year)


def represents(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    for trig in find_triggers(sent, "represents"):
        if _negated(sent, trig):
            continue
        agent = _nearest_left(sent, trig, ORG, max_gap=12)
        if agent is None:
            continue
        for i, noun in _group_nouns(sent, trig.end, trig.end + 12):
            count = _count_before(sent, i)
            if count is None and trig.phrase not in {"represent", "represente", "representant", "representent"} \
                    and not trig.phrase.startswith("represent"):
                continue
            yield Candidate(agent.key, "represents", noun, "represents.trigger", 0.7, object_kind="group", count=count)


# ---------------------------------------------------------------- worksFor

_PREP_ORG = re.compile(r"^\s*(?:de|du|des|d['’]|of|at|chez|for|au sein de|à|au)\s*(?:la|le|les|l['’]|the)?\s*$", re.I)


def _role_spans(sent: Sentence) -> list[tuple[int, int, str]]:
    roles = load_roles(sent.lang)
    maxlen = max(len(k.split()) for k in roles)
    toks = list(sent.span)
    out = []
    i = 0
    while i < len(toks):
        hit = None
        for n in range(min(maxlen, len(toks) - i), 0, -1):
            phrase = fold(" ".join(t.text for t in toks[i : i + n])).replace(" - ", "-")
            if phrase in roles:
                hit = (toks[i].i, toks[i].i + n, roles[phrase])
                break
        if hit and sent.mention_at(hit[0]) is None:
            prev = out[-1] if out else None
            # "vice-président et président", "vice chair and president": one role
            if prev is not None and 0 < hit[0] - prev[1] <= 1 and fold(sent.span.doc[prev[1]].text) in {"et", "and", "&"}:
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
    r"|\b(?:son|sa|ses|its|their|leur)\b)\s*$", re.I)


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
        if near:
            owner = near[-1]  # "OpenAI, led by its chief executive …"
        elif state.last_subject is not None and state.last_subject.type in ORG:
            owner = state.last_subject
    if owner is None:
        return
    lefts = sent.left_of(rs, PERSON)
    rights = sent.right_of(re_, PERSON)
    person = None
    if lefts and re.fullmatch(r"\s*,\s*(?:(?:the|le|la|l['’])\s+)?(?:\w+['’]s\s+)?\w*\s*",
                              sent.text_between(sent.tok(lefts[-1])[1], rs) + " "):
        person = lefts[-1]
    elif rights and re.fullmatch(r"\s*,?\s*", sent.text_between(re_, sent.tok(rights[0])[0])):
        person = rights[0]
    if person is not None:
        yield Candidate(person.key, "worksFor", owner.key, "worksFor.description", 0.6, role=role)


_CORPORATE_ROLES = {"ceo", "cto", "cfo", "coo", "co-founder", "founder", "chief scientist", "cpo"}
_ROLE_GAP_FOCUS = re.compile(
    r"\s*(?:,|\bis\b|\best\b|\bwas\b|\bétait\b)\s*(?:(?:le|la|l['’]|the|its|son|sa)\s+)?"
    r"(?:(?:company|firm|group|startup|start-up)['’]s\s+)?(?:[\w\-]+\s+(?:et|and|&)\s+)?", re.I)
_OF_COMPANY = re.compile(r"^\s*(?:de\s+l['’]\s*entreprise|de\s+la\s+(?:société|start-up)|du\s+groupe|of\s+the\s+(?:company|firm|group|startup))", re.I)


def _founders(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """ "X, fondée par A, B et C", "founded in 2016 by A and B", "A a fondé la start-up avec B et C":
    founders hold the role "co-founder" (or "founder" when alone)."""
    doc = sent.span.doc
    for trig in find_triggers(sent, "founded_by"):
        nxt = _tokens(sent, trig.end, trig.end + 10)
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
                org = sent.mention_at(subj.i) or _resolve_subject(sent, subj, state, ORG)
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
        subj = sent.subject_of(tok, PERSON)
        obj = _nearest_right(sent, trig, ORG, max_gap=4)
        if obj is None:
            nxt = _tokens(sent, trig.end, trig.end + 4)
            if any(fold(t.text) in _DESCRIPTION_NOUNS for t in nxt):
                obj = state.focus  # "a fondé la start-up avec …"
        if subj is None or obj is None:
            continue
        others = []
        after = _tokens(sent, trig.end, trig.end + 8)
        w = next((t for t in after if fold(t.text) in {"avec", "with", "alongside"}), None)
        if w is not None:
            first = _nearest_right(sent, Trigger(w.i, w.i + 1, ""), PERSON, max_gap=3)
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
        if sent.right_of(trig.end, ORG) and any(sent.tok(o)[0] < sent.tok(people[0])[0]
                                                for o in sent.right_of(trig.end, ORG)):
            continue
        roles = load_roles(sent.lang)
        role = next((roles[k] for k in sorted(roles, key=len, reverse=True) if re.search(rf"\b{re.escape(k)}\b", between)), "ceo")
        left = [m for m in sent.left_of(trig.start, ORG) if trig.start - sent.tok(m)[1] <= 8]
        org = left[-1] if left else None
        if org is None and any(fold(t.text) in _DESCRIPTION_NOUNS for t in _tokens(sent, trig.start - 4, trig.start)):
            org = state.focus  # "le chiffre d'affaires du groupe, présidé par X"
        if org is not None:
            yield Candidate(people[0].key, "worksFor", org.key, "worksFor.led-by", 0.7, role=role)


def works_for(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    yield from _founders(sent, state)
    yield from _led_by(sent, state)
    former = {fold(w) for w in load_triggers(sent.lang)["former_markers"]}
    for rs, re_, role in _role_spans(sent):
        window = [fold(t.text) for t in _tokens(sent, rs - 2, rs)]
        if any(w in former or w.startswith("ex-") for w in window):
            continue
        org = None
        # "PDG de Walmart" / "CEO of OpenAI"
        for m in sent.right_of(re_, ORG):
            if _PREP_ORG.match(sent.text_between(re_, sent.tok(m)[0])):
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
            # chief executive": the organisation the article is about
            lefts = sent.left_of(rs, PERSON)
            after = sent.text_between(re_, min(re_ + 4, sent.span.end))
            if (state.focus is not None and lefts and role in _CORPORATE_ROLES | {"president", "chairman"}
                    and (not sent.right_of(re_, ORG) or _OF_COMPANY.match(after))
                    and _ROLE_GAP_FOCUS.fullmatch(sent.text_between(sent.tok(lefts[-1])[1], rs) + " ")):
                yield Candidate(lefts[-1].key, "worksFor", state.focus.key, "worksFor.focus", 0.5, role=role)
            continue
        person = None
        o_end = max(re_, sent.tok(org)[1])
        o_start = min(rs, sent.tok(org)[0])
        # "X, PDG de Y" / "X, Y's CEO" / "X, vice-président et président de Y"
        lefts = sent.left_of(o_start, PERSON)
        if lefts:
            gap = sent.text_between(sent.tok(lefts[-1])[1], o_start) + " "
            if re.fullmatch(r"\s*[,(–—-]?\s*(?:(?:le|la|l['’]|the|a|an|un|une|est|is|was|devenu|devenue|nouveau|nouvelle|new|actuel|actuelle|current)\s+)*"
                            r"(?:[\w\-]+\s+(?:et|and|&)\s+)?(?:[\w\-]+\s+)?", gap, re.I):
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


# ---------------------------------------------------------------- memberOf / develops / offers / organizes

def _linked(sent: Sentence, a: WMention, b: WMention, pattern: re.Pattern[str]) -> bool:
    return a.start <= b.start and bool(pattern.fullmatch(sent.between(a, b)))


_OF = re.compile(r"\s*,?\s*(?:de|d['’]|du|of|by|from|par)\s*(?:la|le|l['’]|the)?\s*(?:\w+\s+){0,2}?", re.I)
_POSS = re.compile(r"\s*['’‘`]s?\s*(?:new|latest|nouveau|own)?\s*(?:\w+\s+)?", re.I)
_MAKER = re.compile(r"\s*(?:maker|creator|developer|owner|parent)\s*", re.I)
_CREATOR = re.compile(
    r"\s*,?\s*(?:le|la|l['’]|the|a|an|un|une)?\s*(?:\w+\s+)?(?:créat\w*|concepteur|conceptrice|éditeur|éditrice|développeur|"
    r"maker|creator|developer|makers|fabricant)\s+(?:de|d['’]|du|of)\s*(?:la|le|l['’]|the|son|sa|its)?\s*(?:\w+\s+)?",
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
    toks = _tokens(sent, s0 - 5, s0)
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
            elif _linked(sent, p, o, re.compile(r"\s*,?\s*(?:de|d['’]|by|from|par)\s*(?:la|le|l['’]|the)?\s*(?:start-up|startup|société|entreprise|company|firm|group|groupe)?\s*(?:\w+\s+)?", re.I)) and len(sent.between(p, o)) <= 30:
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
        if _negated(sent, trig) or sent.span.doc[trig.start].pos_ in {"NOUN", "PROPN"}:
            continue
        o = _nearest_left(sent, trig, ORG, state=state)
        p = _relative_object(sent, trig, "Product") or _nearest_right(sent, trig, {"Product"}, max_gap=8)
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
            if _linked(sent, o, p, _POSS) and sent.between(o, p).strip().startswith(("'", "’")) or \
                    _linked(sent, p, o, re.compile(r"\s*,?\s*(?:de|d['’]|du|by|from|par)\s*(?:la|le|l['’]|the)?\s*", re.I)):
                seen.add((o.key, p.key))
                yield Candidate(o.key, "offers", p.key, "offers.of", 0.7)
    for p in progs:
        owner = _possessor(sent, p, state)
        if owner is not None and (owner.key, p.key) not in seen:
            seen.add((owner.key, p.key))
            yield Candidate(owner.key, "offers", p.key, "offers.its", 0.6)
    for trig in find_triggers(sent, "offers"):
        if _negated(sent, trig):
            continue
        o = _nearest_left(sent, trig, ORG, state=state)
        p = _relative_object(sent, trig, "Program") or _nearest_right(sent, trig, {"Program"}, max_gap=8)
        if o is None:
            pr = _pronoun_subject(sent, state, trig)
            o = pr if pr is not None and pr.type in ORG else None
        if o and p and (o.key, p.key) not in seen:
            seen.add((o.key, p.key))
            for s in sent.group(o, ORG):
                yield Candidate(s.key, "offers", p.key, "offers.trigger", 0.7)


_SUBSIDIARY = re.compile(
    r"\s*[,(]?\s*(?:une?|la|le|l['’]|the|a|an|another|une\s+autre)?\s*(?:\w+\s+)?(?:filiale|division|branche|subsidiary|unit|division|arm|membre|member)\s+"
    r"(?:\w+\s+)?(?:de|d['’]|du|of)\s*(?:la|le|l['’]|the)?\s*(?:groupe|group)?\s*",
    re.I,
)
# "Outlier AI, another Scale AI subsidiary": the parent's name before the noun
_SUBSIDIARY_OF_NAMED = re.compile(r"\s*,\s*(?:a|an|another|the|one\s+of)?\s*$", re.I)
_SUB_NOUN = re.compile(r"^\s*(?:['’]s\s+)?(?:subsidiary|unit|division|arm|affiliate|company)\b", re.I)
# "Google's parent company Alphabet", "Alphabet, Google's parent"
_PARENT = re.compile(r"^\s*['’‘]s\s+(?:parent(?:\s+company)?|owner)\s*,?\s*$", re.I)
_POSSESSIVE_DET = {"its", "their", "son", "sa", "ses", "leur", "leurs"}
_SUB_CUE = {"subsidiary", "filiale", "division", "unit", "branche", "affiliate"}


def member_of(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    for a in sent.mentions:
        for b in sent.mentions:
            if a is b or b.type != "Organization" or a.key == b.key:
                continue
            if a.type in AGENT and _linked(sent, a, b, _SUBSIDIARY):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.apposition", 0.8)
            # "Leïla Chaibi (La Gauche)": a party or group in parentheses after a person
            elif a.type == "Person" and re.fullmatch(r"\s*\(\s*", sent.between(a, b)) and \
                    sent.span.doc.text[b.end - sent.offset : b.end - sent.offset + 2].strip().startswith(")"):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.parenthesis", 0.7)
            elif a.type == "Organization" and a.start < b.start and _SUBSIDIARY_OF_NAMED.fullmatch(sent.between(a, b)) \
                    and _SUB_NOUN.match(sent.span.doc.text[b.end - sent.offset : b.end - sent.offset + 20]):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.named-parent", 0.75)
            elif a.type == "Organization" and a.start < b.start and _PARENT.fullmatch(sent.between(a, b)):
                yield Candidate(a.key, "memberOf", b.key, "memberOf.parent", 0.8)
    # "via its subsidiary Remotasks", "sa filiale X": the subsidiary of the clause's subject
    for m in sent.mentions:
        if m.type != "Organization":
            continue
        s0 = sent.tok(m)[0]
        before = [fold(t.text) for t in _tokens(sent, s0 - 2, s0)]
        if len(before) == 2 and before[0] in _POSSESSIVE_DET and before[1] in _SUB_CUE:
            owner = sent.subject_of(sent.span.doc[s0], ORG) or (state.focus if state.focus is not m else None)
            if owner is not None and owner.key != m.key:
                yield Candidate(m.key, "memberOf", owner.key, "memberOf.possessive", 0.7)


def organizes(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    events = [m for m in sent.mentions if m.type == "Event"]
    if not events:
        return
    for trig in find_triggers(sent, "organizes"):
        if _negated(sent, trig):
            continue
        nxt = _tokens(sent, trig.end, trig.end + 2)
        if nxt and fold(nxt[0].text) in {"par", "by", "de", "d'"}:
            ev = [e for e in events if sent.tok(e)[1] <= trig.start]
            first = _nearest_right(sent, trig, AGENT, max_gap=4)
            if ev and first:
                for a in sent.group(first, AGENT):
                    yield Candidate(a.key, "organizes", ev[-1].key, "organizes.passive", 0.75)
            continue
        head = sent.mention_at(sent.span.doc[trig.start].head.i)
        if head is not None and head.type == "Event" and sent.tok(head)[1] <= trig.start:
            # "X introduisait un workshop organisé le 21 novembre": the event is the participle's noun
            by = _nearest_right(sent, trig, AGENT, max_gap=8)
            agent = by if by is not None and re.search(r"\b(?:par|by)\b", sent.text_between(trig.end, sent.tok(by)[0])) \
                else _nearest_left(sent, Trigger(sent.tok(head)[0], sent.tok(head)[1], ""), AGENT)
            if agent is not None:
                for a in sent.group(agent, AGENT):
                    yield Candidate(a.key, "organizes", head.key, "organizes.participle", 0.65)
            continue
        agent = _nearest_left(sent, trig, AGENT)
        ev = _nearest_right(sent, trig, {"Event"}, max_gap=10)
        if agent and ev:
            for a in sent.group(agent, AGENT):
                yield Candidate(a.key, "organizes", ev.key, "organizes.trigger", 0.7)


# ---------------------------------------------------------------- locatedIn

_BASED = re.compile(
    r"(?:basée?s?|installée?s?|implantée?s?|headquartered|based|located|situé|située|établie?|"
    r"siège(?:\s+social)?|headquarters|offices?|bureaux)\s+(?:\w+\s+){0,2}?(?:à|a|en|au|aux|in|at)\s*(?:the\s+)?$",
    re.I,
)
_FROM = re.compile(r"^\s*,\s*(?:un|une|a|an|the|le|la)?\s*(?:[\w\-]+\s+){0,3}?(?:from|originaire\s+de|originaire\s+d['’]|venue?\s+de)\s*$", re.I)
_STOP_POS = {"VERB", "AUX", "PUNCT", "PRON", "SCONJ", "CCONJ"}
_ORG_NOUNS = {"societe", "start-up", "startup", "entreprise", "groupe", "firme", "compagnie", "licorne", "pepite",
              "company", "firm", "giant", "geant", "group", "business", "maker", "editeur", "fabricant", "jeune"}


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
    for t in reversed(_tokens(sent, s - 6, s)):
        if fold(t.text) in dem and t.pos_ in {"ADJ", "NOUN", "PROPN"}:
            return t
        if t.pos_ in _STOP_POS or sent.mention_at(t.i) is not None:
            break
        if t.pos_ == "ADP" and fold(t.text) not in {"de", "des", "du", "d'"}:
            break
    after = _tokens(sent, e, e + 9)
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
                yield Candidate(m.key, "locatedIn", _place_for(state, adj.text, sent.lang), "locatedIn.nationality", 0.75)
        for p in sent.mentions:
            if p is m or p.type not in ({"Place", "Organization"} if m.type == "Event" else {"Place"}):
                continue
            gap = sent.between(m, p)
            if m.start < p.start and len(gap) < 70 and _BASED.search(gap):
                yield Candidate(m.key, "locatedIn", p.key, "locatedIn.based", 0.85)
            elif m.start < p.start and _FROM.match(gap) and m.type == "Person":
                yield Candidate(m.key, "locatedIn", p.key, "locatedIn.from", 0.75)
            elif m.type == "Event" and m.start < p.start and re.fullmatch(
                    r"\s*(?:\w+\s+){0,3}?(?:à|au|en|in|at)\s*(?:la|le|l['’]|the)?\s*", gap, re.I):
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
            from kg.extract.lexicon import place_names

            if last in place_names(sent.lang) and m.text.split()[0][:1].isupper():
                place = place_names(sent.lang)[last]
                state.new_places.setdefault(place, [])
                yield Candidate(m.key, "locatedIn", f"Place:@{place}", "locatedIn.name", 0.7)
    # "San Francisco-based Anthropic" / "Anthropic, a San Francisco-based startup"
    for p in (m for m in sent.mentions if m.type == "Place"):
        pe = p.end - sent.offset
        if re.match(r"-based\b", doc.text[pe : pe + 7]):
            right = [m for m in sent.mentions if m.type == "Organization" and m.start > p.end and m.start - p.end < 40]
            left = [m for m in sent.mentions if m.type == "Organization" and m.end <= p.start
                    and re.fullmatch(r"\s*,\s*(?:a|an|the)?\s*", sent.between(m, p))]
            for o in (right[:1] or left[-1:]):
                yield Candidate(o.key, "locatedIn", p.key, "locatedIn.based", 0.85)
    # "la société parisienne", "la start-up française", "un acteur européen": a description of an
    # organisation named before it
    toks = list(sent.span)
    for i, t in enumerate(toks):
        if fold(t.text) not in dem or t.pos_ not in {"ADJ", "NOUN"} or t.text[:1].isupper() and i > 0 and t.pos_ == "PROPN":
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


RULES = (partners, invests, trains, represents, works_for, develops, offers, member_of, organizes, located)


def run_rules(sent: Sentence, state: DocState) -> Iterator[Candidate]:
    """Apply every rule to one sentence, then remember its subject for the next one."""
    for rule in RULES:
        yield from rule(sent, state)
    root = sent.span.root
    subj = sent.subject_of(root, AGENT) if root is not None else None
    if subj is not None:
        state.last_subject = subj
        state.last_orgs = sent.group(subj, ORG) if subj.type in ORG else [subj]
    for m in sent.mentions:
        if m.type in ORG:
            grp = sent.group(m, ORG)
            if len(grp) > 1:
                state.last_group = grp

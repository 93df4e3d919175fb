"""Rules for investments: direct investments, rounds and their investors, "investor in"."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from decimal import Decimal

from kg.extract.common import (
    AGENT,
    DESCRIPTION_NOUNS,
    ORG,
    Candidate,
    DocState,
    nearest_left,
    nearest_right,
    negated,
    pronoun_subject,
    tokens,
)
from kg.extract.context import Sentence, find_triggers
from kg.extract.lexicon import fold, load_triggers
from kg.extract.mentions import WMention
from kg.extract.values import find_money

__all__ = ["invests"]


_PASSIVE_FUNDING = re.compile(
    r"^(backed|funded|financed|bankrolled|financée?s?|soutenue?s?|detenue?s?|apportée?s?|fournie?s?|versée?s?)$", re.I
)


def _single_amount(sent: Sentence, investors: list[WMention]) -> tuple[Decimal | None, str | None]:
    if len(investors) != 1:
        return None, None
    money = find_money(sent.text, sent.lang)
    if len(money) >= 1:
        return money[0].value, money[0].currency
    return None, None


_LIST_MARKER = re.compile(
    r"(?:figur\w*|incluent|comprennent|include\w*|includ\w*|dont|parmi|:|sont|are|were|such\s+as|like|tels?\s+que|"
    r"telles?\s+que|notamment|comme)\s",
    re.I,
)


def _preceded_by_of(sent: Sentence, m: WMention) -> bool:
    """A name complementing a noun ("chef de Google", "head of Google") rather than an agent."""
    toks = tokens(sent, sent.tok(m)[0] - 2, sent.tok(m)[0])
    if not toks or fold(toks[-1].text) not in {"de", "d'", "du", "of", "chez", "at"}:
        return False
    return len(toks) < 2 or not (toks[-2].pos_ == "NOUN" and fold(toks[-2].text).startswith(("particip", "part")))


def _raiser_named(sent: Sentence, state: DocState) -> WMention | None:
    """The organisation whose round or investors the sentence names: "tour de Mistral", "investors in X"."""
    for trig in find_triggers(sent, "round_words"):
        nxt = tokens(sent, trig.end, trig.end + 4)
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
        agent = nearest_left(sent, trig, AGENT, max_gap=8)
        if agent is None:
            continue
        if sent.tok(agent)[1] <= trig.start and right[0].key != agent.key:
            for target in sent.group(right[0], ORG):
                claimed.add(target.key)
                yield from emit(agent, target, "invests.investor-of", 0.7)
    # money raised: "X lève 105 millions d'euros auprès de A, B et C"
    for trig in find_triggers(sent, "raise"):
        investee = nearest_left(sent, trig, ORG, state=state) or pronoun_subject(sent, state, trig)
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
            m
            for m in sent.mentions
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
        if negated(sent, trig):
            continue
        trig_text = doc[trig.start : trig.end].text
        nxt = tokens(sent, trig.end, trig.end + 1)
        if _PASSIVE_FUNDING.match(trig_text) and nxt and fold(nxt[0].text) in {"by", "par"}:
            # "X, backed by A and B", "Le projet est financé par trois mécènes : A, B et C"
            investee = nearest_left(sent, trig, ORG, max_gap=6, state=state)
            if investee is None and any(
                fold(t.text) in DESCRIPTION_NOUNS for t in tokens(sent, trig.start - 6, trig.start)
            ):
                investee = state.focus
            first = nearest_right(sent, trig, AGENT, max_gap=6)
            if investee and first:
                for inv in sent.group(first, AGENT):
                    yield from emit(inv, investee, "invests.passive", 0.8)
            continue
        nominal = doc[trig.start].pos_ in {"NOUN", "PROPN"}
        if nominal and not fold(trig_text).startswith(("investissement", "investment", "financement", "funding")):
            continue  # "round", "investors", "participation": handled above
        right = [m for m in sent.right_of(trig.end, ORG) if sent.tok(m)[0] - trig.end <= 15]
        into = [
            m
            for m in right
            if re.search(
                r"(?:\bdans|\bin|\binto|\ben)\s*(?:la|le|l['’]|les|the)?\s*(?:\w+\s+){0,2}$",
                sent.text_between(trig.end, sent.tok(m)[0]) + " ",
                re.I,
            )
        ]
        investee = into[0] if into else (right[0] if right else None)
        investor = nearest_left(sent, trig, AGENT, state=state)
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


@functools.cache
def _markers(lang: str, key: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold(w) for w in str(p).split()) for p in load_triggers(lang).get(key, []))


def _after_markers(sent: Sentence, start: int, key: str) -> int | None:
    """Token index right after the first marker phrase of ``key`` at or after ``start``."""
    markers = _markers(sent.lang, key)
    words = [w for w, _ in sent.forms()]
    base = sent.span.start
    for k in range(max(0, start - base), len(words)):
        for mk in markers:
            if words[k] == mk[0] and tuple(words[k : k + len(mk)]) == mk:
                return base + k + len(mk)
    return None

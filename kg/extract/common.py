"""What the relation rules share: the fact candidate, the document state, and
helpers that find the agent and the object of a trigger in a sentence."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from spacy.tokens import Token

from kg.extract.context import Sentence, Trigger
from kg.extract.lexicon import fold, load_triggers
from kg.extract.mentions import WMention

__all__ = [
    "AGENT",
    "ORG",
    "PERSON",
    "DESCRIPTION_NOUNS",
    "PLURAL_PRONOUNS",
    "Candidate",
    "DocState",
    "tokens",
    "negated",
    "nearest_left",
    "nearest_right",
    "pairs",
    "pronoun_subject",
    "pronoun_subjects",
    "resolve_subject",
]

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


def tokens(sent: Sentence, i: int, j: int) -> list:
    doc = sent.span.doc
    return [doc[k] for k in range(max(i, sent.span.start), min(j, sent.span.end))]


def negated(sent: Sentence, trig: Trigger) -> bool:
    words = {fold(w) for w in load_triggers(sent.lang)["negations"]}
    window = tokens(sent, trig.start - 3, trig.end + 1)
    return any(fold(t.text) in words for t in window)


_MODIFIER_DEPS = {"acl", "acl:relcl", "relcl", "appos", "amod", "nmod", "nmod:poss", "compound", "pobj", "dep"}


DESCRIPTION_NOUNS = {
    "societe",
    "start-up",
    "startup",
    "entreprise",
    "groupe",
    "firme",
    "compagnie",
    "company",
    "firm",
    "giant",
    "geant",
    "group",
    "business",
    "jeune",
    "pousse",
    "licorne",
    "editeur",
    "maker",
    "fabricant",
    "consultancy",
    "cabinet",
    "structure",
    "laboratoire",
    "labo",
    "lab",
    "laboratory",
    "projet",
    "project",
    "institut",
    "institute",
    "syndicat",
    "union",
    "federation",
    "confederation",
    "organisation",
    "organization",
}
_DEFINITE = {"la", "le", "l'", "the", "this", "cette", "ce", "its", "son", "sa"}


def resolve_subject(sent: Sentence, subj: Token, state: DocState, types: set[str]) -> WMention | None:
    """A subject that names no one: a pronoun ("Il", "It") is the previous sentence's subject; a
    definite description ("l'entreprise", "the company") is the organisation the article is about."""
    if "Rel" in subj.morph.get("PronType") or fold(subj.text) in {
        "qui",
        "que",
        "which",
        "that",
        "who",
        "lequel",
        "laquelle",
    }:
        return None  # a relative pronoun: its antecedent is the name just before
    if subj.pos_ == "PRON" and fold(subj.text) not in PLURAL_PRONOUNS:
        target = state.last_subject
    elif fold(subj.text) in DESCRIPTION_NOUNS and any(fold(c.text) in _DEFINITE for c in subj.children):
        target = state.focus
    else:
        return None
    return target if target is not None and target.type in types else None


def nearest_left(
    sent: Sentence, trig: Trigger, types: set[str], max_gap: int = 25, state: DocState | None = None
) -> WMention | None:
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
            resolved = resolve_subject(sent, subj_tok, state, types)
            if resolved is not None:
                return resolved
    left = [m for m in sent.left_of(trig.start, types) if trig.start - sent.tok(m)[1] <= max_gap]
    return left[-1] if left else None


def nearest_right(sent: Sentence, trig: Trigger, types: set[str], max_gap: int = 12) -> WMention | None:
    right = [m for m in sent.right_of(trig.end, types) if sent.tok(m)[0] - trig.end <= max_gap]
    return right[0] if right else None


def pairs(subjects: list[WMention], objects: list[WMention]) -> Iterator[tuple[WMention, WMention]]:
    for s in subjects:
        for o in objects:
            if s.key != o.key:
                yield s, o


PLURAL_PRONOUNS = {"ils", "elles", "they", "both", "tous", "toutes"}


def pronoun_subject(sent: Sentence, state: DocState, trig: Trigger) -> WMention | None:
    """Resolve a pronoun subject ("Il", "It", "L'entreprise") to the previous sentence's subject."""
    found = pronoun_subjects(sent, state, trig)
    return found[0] if len(found) == 1 else (state.last_subject if found else None)


def pronoun_subjects(sent: Sentence, state: DocState, trig: Trigger) -> list[WMention]:
    """Like :func:`pronoun_subject`; a plural pronoun ("Ils", "They") gives the last group named ("Walmart et OpenAI")."""
    doc = sent.span.doc
    tok = doc[trig.start]
    for _ in range(3):
        for child in tok.children:
            if child.dep_.startswith("nsubj") and child.pos_ in {"PRON", "NOUN", "DET"}:
                if fold(child.text) in PLURAL_PRONOUNS and len(state.last_group) > 1:
                    return list(state.last_group)
                return [state.last_subject] if state.last_subject is not None else []
        if tok.head is tok:
            break
        tok = tok.head
    return []

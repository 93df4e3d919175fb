"""The learned extractor: from an analysed document to entities and facts, decided by a model.

1. Entities: every candidate span (:func:`~kg.learn.candidates.entity_candidates`) gets a
   class or NONE from the entity classifier; overlapping spans are settled by probability.
2. Facts: every candidate pair, group object and quotation
   (:func:`~kg.learn.candidates.analyse`) gets class probabilities; a fact's score is the
   best score of any candidate that states it in the document, and it is kept when that
   reaches the model's threshold for the property. Its confidence is the score calibrated
   on documents the model did not see while it was trained.
3. Attributes: the role of ``worksFor``, the amount of ``investsIn``, the count and year of
   ``trains`` / ``represents``, read next to the candidate that decided the fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from spacy.tokens import Doc

from kg.evaluate import normalise
from kg.extract.lexicon import fold
from kg.extract.mentions import WMention, norm_key
from kg.learn import annotated, known
from kg.learn.candidates import (
    DEMONYM_PREFIX,
    Analysis,
    PairCandidate,
    analyse,
    choose_mentions,
    entity_candidates,
)
from kg.learn.model import ExtractionModel
from kg.learn.spans import NONE
from kg.model import SIGNATURES, Document, Entity, Extraction, Fact, Mention, Provenance

__all__ = ["extract", "ScoredFact", "score_facts", "analyse_document"]

_SYMMETRIC = {"partnersWith"}
#: Words that make a job title more precise when written before it (English).
_ROLE_MODIFIERS = frozenset({
    "deputy", "executive", "senior", "general", "managing", "group", "national", "global", "associate", "assistant",
    "interim", "acting", "regional", "country", "first", "second", "special", "scientific", "founding",
})  # fmt: skip
#: French modifiers written after a job title, in English.
_FRENCH_ROLE_MODIFIERS = {
    "adjoint": "deputy", "adjointe": "deputy", "regional": "regional", "regionale": "regional",
    "executif": "executive", "executive": "executive", "national": "national", "nationale": "national",
    "scientifique": "scientific", "senior": "senior", "principal": "senior", "principale": "senior",
}  # fmt: skip
#: French ordinals written before a job title ("1er vice-président"), in English.
_FRENCH_ORDINALS = {"1er": "first", "1re": "first", "1ere": "first", "premier": "first", "premiere": "first",
                    "2e": "second", "2eme": "second", "2nd": "second", "2nde": "second", "deuxieme": "second",
                    "seconde": "second"}  # fmt: skip


@dataclass
class ScoredFact:
    """The best evidence for one fact of a document."""

    subject: str
    predicate: str
    object: str  # entity key, group noun, or quotation text
    kind: str  # entity | group | quote
    score: float
    start: int  # provenance: the sentence (or two) of the best candidate
    end: int
    rule: str = ""
    sentence: int = -1
    attributes: dict[str, object] = field(default_factory=dict)


def analyse_document(document: Document, chunks: list[tuple[int, Doc]], model: ExtractionModel) -> Analysis:
    """Entities chosen by the model, and the document's candidate facts."""
    cands = entity_candidates(chunks, document.lang, model.places, model.names)
    ent = model.classifiers["entities"]
    memory = model.annotated  # what the training annotations made of each name, when the model has it
    probs = ent.predict_proba([c.features + annotated.features(memory.get(normalise(c.text))) if memory else c.features
                               for c in cands])  # fmt: skip
    chosen = choose_mentions(cands, probs, ent.classes, model.entity_threshold, model.longer_span)
    return analyse(document, chunks, chosen)


def _sentence_bounds(an: Analysis, i: int, j: int) -> tuple[int, int]:
    return an.sentences[min(i, j)].start_char, an.sentences[max(i, j)].end_char


def _rule_of(an: Analysis, s: str, p: str, o: str) -> tuple[str, object | None]:
    hits = an.rule_hits.get((s, p, o)) or (an.rule_hits.get((o, p, s)) if p in _SYMMETRIC else None)
    if not hits:
        return "", None
    return hits[0][0].rule, hits[0][0]


def score_facts(an: Analysis, model: ExtractionModel) -> dict[tuple, ScoredFact]:
    """Every fact some candidate supports, with its best score (no threshold applied).

    Keys are ``(subject, predicate, object)``; a group fact's key also holds the count its
    organisation's own sentence gives (``None`` for none), so each count stated for one group is
    a fact of its own ("30 millions de personnes" and "dont 2 millions dans l'IA").
    """
    facts: dict[tuple, ScoredFact] = {}
    support: dict[tuple, list[tuple[float, PairCandidate]]] = {}
    counted: dict[tuple, ScoredFact] = {}  # per group fact without a count of its own, the best count read across

    def put(f: ScoredFact) -> None:
        if f.kind == "group":
            own = f.attributes["count"] if f.attributes.pop("_same") else None
            key: tuple = (f.subject, f.predicate, f.object.casefold(), own)
            if own is None and "count" in f.attributes:
                best = counted.get(key)
                if best is None or f.score > best.score:
                    counted[key] = f
        else:
            key = (f.subject, f.predicate, f.object if f.kind != "quote" else f"{f.object}@{f.start}")
        pair = f.attributes.get("_pair")
        if pair is not None:
            support.setdefault(key, []).append((f.score, pair))  # type: ignore[arg-type]
        old = facts.get(key)
        if old is None or f.score > old.score:
            facts[key] = f

    pairs = model.classifiers["pairs"]
    if an.pairs:
        probs = pairs.predict_proba(known.pair_rows(model.known, an))
        for cand, row in zip(an.pairs, probs):
            start, end = _sentence_bounds(an, cand.first_sentence, cand.sentence)
            for k, label in enumerate(pairs.classes):
                if label == NONE or row[k] < 0.02:
                    continue
                predicate = label.rstrip("<>")
                s, o = (cand.b, cand.a) if label.endswith("<") else (cand.a, cand.b)
                domain, range_ = SIGNATURES[predicate]
                s_type = next((t for t in an.types(s) if t in domain), None)
                o_type = next((t for t in an.types(o) if t in range_), None)
                if s_type is None or o_type is None or s.key == o.key:
                    continue
                skey, okey = s.key or "", o.key or ""
                attrs: dict[str, object] = {"_pair": cand}
                needs = {k_: t for k_, t, m in ((skey, s_type, s), (okey, o_type, o)) if t != m.type}
                if needs:  # the fact holds only if an entity takes another of its possible classes
                    attrs["_types"] = needs
                if predicate in _SYMMETRIC and okey < skey:
                    skey, okey = okey, skey
                put(ScoredFact(skey, predicate, okey, "entity", float(row[k]), start, end, sentence=cand.sentence,
                               attributes=attrs))  # fmt: skip
    groups = model.classifiers["groups"]
    if an.groups:
        probs = groups.predict_proba([g.features for g in an.groups])
        for cand, row in zip(an.groups, probs):
            sent = an.sentences[cand.sentence]
            for k, label in enumerate(groups.classes):
                if label == NONE or row[k] < 0.02:
                    continue
                attrs: dict[str, object] = {"_same": cand.count is not None and cand.org.start >= sent.start_char}
                if cand.count is not None:
                    attrs["count"] = cand.count
                if cand.year is not None and label == "trains":
                    attrs["year"] = cand.year
                put(ScoredFact(cand.org.key or "", label, cand.noun, "group", float(row[k]), sent.start_char,
                               sent.end_char, sentence=cand.sentence, attributes=attrs))  # fmt: skip
    quotes = model.classifiers["quotes"]
    if an.quotes:
        probs = quotes.predict_proba([q.features for q in an.quotes])
        said = quotes.classes.index("said")
        best: dict[tuple[int, int], tuple[float, object]] = {}
        for cand, row in zip(an.quotes, probs):
            k = (cand.start, cand.end)
            if k not in best or row[said] > best[k][0]:
                best[k] = (float(row[said]), cand)
        for (qs, qe), (score, cand) in best.items():
            start = min(qs, cand.speaker.start)  # type: ignore[attr-defined]
            end = max(qe, cand.speaker.end)  # type: ignore[attr-defined]
            put(ScoredFact(cand.speaker.key or "", "said", cand.quote, "quote", score, start, end))  # type: ignore[attr-defined]
    _merge_counts(facts, counted)
    for key, f in facts.items():
        if f.kind == "entity":
            f.rule, hit = _rule_of(an, f.subject, f.predicate, f.object)
            pairs = [pair for _, pair in sorted(support.get(key, []), key=lambda x: -x[0])]
            _attributes(an, f, hit, pairs)
            f.attributes["_sentences"] = list(dict.fromkeys(k for p in pairs for k in (p.first_sentence, p.sentence)))
            f.attributes.pop("_pair", None)
    return facts


def _merge_counts(facts: dict[tuple, ScoredFact], counted: dict[tuple, ScoredFact]) -> None:
    """Group facts: the statements of a group without a count of their own ("former les salariés")
    support the best-scored fact that gives one; where none does, the fact takes the count of
    the best statement read across sentences, if any."""
    plain = [k for k, f in facts.items() if f.kind == "group" and k[3] is None]
    for key in plain:
        rivals = [k for k, f in facts.items() if f.kind == "group" and k[:3] == key[:3] and k[3] is not None]
        f = facts[key]
        if rivals:
            best = facts[max(rivals, key=lambda k: (facts[k].score, -facts[k].start))]
            if f.score > best.score:
                best.score = f.score
            if "year" not in best.attributes and "year" in f.attributes:
                best.attributes["year"] = f.attributes["year"]
            del facts[key]
        elif key in counted:
            f.attributes["count"] = counted[key].attributes["count"]
        else:
            f.attributes.pop("count", None)


def _attributes(an: Analysis, f: ScoredFact, hit: object | None, pairs: list[PairCandidate]) -> None:
    """Role of worksFor and amount of investsIn, from the rule that agrees or the best sentence
    that gives one (``pairs``: the candidates that state the fact, best first)."""
    if f.predicate == "worksFor":
        role = getattr(hit, "role", None)
        found = next(((r, pair) for r, pair in ((_nearest_role(an, f, pair), pair) for pair in pairs) if r), None)
        near = found[0] if found else None
        if not role and not near:
            near = _role_elsewhere(an, f.subject, f.object)
        # the title next to the person, with its modifiers ("executive vice president" for "vice president"),
        # or a longer title that holds the rule's ("co-head", "président du directoire")
        if not role or (
            near
            and near != role
            and (re.search(rf"(?:^|[\s-]){re.escape(role)}(?:$|\s)", near) or _holds_role(an, found[1], near, role))  # type: ignore[index]
        ):
            role = near
        if role:
            f.attributes["role"] = role
    elif f.predicate == "investsIn":
        amount, currency = getattr(hit, "amount", None), getattr(hit, "currency", None)
        if amount is not None and currency:
            f.attributes["amount"], f.attributes["currency"] = amount, currency


def _holds_role(an: Analysis, pair: PairCandidate, near: str, role: str) -> bool:
    """Whether the job title ``near`` of the pair's sentence is a longer title holding one that names ``role``."""
    from kg.extract.roles import _role_spans

    sent = an.sentences[pair.sentence]
    titles = [(t0, t1) for t0, t1, t in _role_spans(sent, titles=True) if near.endswith(t)]
    roles = [(r0, r1) for r0, r1, r in _role_spans(sent) if r == role]
    return any(t0 <= r0 and r1 <= t1 and r1 - r0 < t1 - t0 for r0, r1 in roles for t0, t1 in titles)


def _nearest_role(an: Analysis, f: ScoredFact, pair: PairCandidate) -> str | None:
    person = pair.a if pair.a.key == f.subject else pair.b  # type: ignore[attr-defined]
    org = pair.b if person is pair.a else pair.a  # type: ignore[attr-defined]
    # across sentences, the title is looked for beside the person only
    return _role_near(an, person, org if org.sent == person.sent else None, own=org.key)


def _role_elsewhere(an: Analysis, person_key: str, org_key: str) -> str | None:
    """The title written right beside another mention of the person ("the company's first chief
    learning officer, John Palmer"; "Sumit Virmani, Trustee, ..."), or "founder" where the text
    says who founded what, for a fact whose own sentences name no role."""
    for m in an.mentions:
        if m.key == person_key and m.type == "Person":
            role = _role_near(an, m, None, reach=2, own=org_key) or _founder(an, m)
            if role:
                return role
    return None


#: Verbs of founding, and the word that introduces their agent ("founded by", "fondée par").
_FOUNDED = {"founded": False, "co-founded": True, "cofounded": True, "fonde": False, "fondee": False,
            "fondes": False, "fondees": False, "cofonde": True, "cofondee": True, "co-fonde": True, "co-fondee": True}  # fmt: skip


def _founder(an: Analysis, person: WMention) -> str | None:
    """ "Founded in 1992 by Marc Raibert", "fondée par A et B": the founder (co-founder when several
    people, or a co-founding verb, are named)."""
    if person.span is None:
        return None
    sent = an.sentences[person.sent]
    doc = sent.span.doc
    start = person.span.start
    words = [fold(t.text) for t in doc[max(sent.span.start, start - 20) : start]]
    agent = next((k for k in range(len(words) - 1, -1, -1) if words[k] in {"by", "par"}), None)
    if agent is None or any(w in {";", ".", ":"} for w in words[agent:]):
        return None
    verb = next((words[k] for k in range(agent - 1, -1, -1) if words[k] in _FOUNDED), None)
    if verb is None or any(w in {";", ".", ":"} for w in words[words.index(verb) : agent]):
        return None
    several = _FOUNDED[verb] or len(sent.group(person, {"Person"})) > 1
    return "co-founder" if several else "founder"


def _role_near(an: Analysis, person: WMention, org: WMention | None, reach: int = 6, own: str | None = None) -> str | None:
    """The job title nearest the person in the person's sentence (``org``: the organisation's
    mention, when the same sentence names it; ``own``: its entity key), with the modifiers that
    make it precise; None past ``reach`` tokens."""
    from kg.extract.roles import _role_spans

    sent = an.sentences[person.sent]
    spans = _role_spans(sent, titles=True)
    if not spans or person.span is None or (org is not None and org.span is None):
        return None
    lo = min(person.span.start, org.span.start if org is not None else person.span.start)  # type: ignore[union-attr]
    hi = max(person.span.end, org.span.end if org is not None else person.span.end)  # type: ignore[union-attr]
    # "A, B and C were re-elected as managing directors": a title outside a coordination of
    # people is as near to each of them as to the coordination
    group = [m for m in sent.group(person, {"Person"}) if m.span is not None]
    g0, g1 = min(m.span.start for m in group), max(m.span.end for m in group)  # type: ignore[union-attr]

    def distance(r: tuple[int, int, str]) -> int:
        inside = lo <= r[0] and r[1] <= hi
        p0, p1 = (g0, g1) if r[1] <= g0 or r[0] >= g1 else (person.span.start, person.span.end)  # type: ignore[union-attr]
        d = min(abs(r[0] - p1), abs(p0 - r[1]))
        return d - (5 if inside else 0)

    doc = sent.span.doc
    for best in sorted(spans, key=lambda r: (distance(r), r[0])):
        if distance(best) > reach:
            return None
        # "President, and CEO of Per Scholas": one title
        more = next((r for r in spans if r[0] == best[1] + 2 and [fold(t.text) for t in doc[best[1] : r[0]]] in ([",", "and"], [",", "et"])), None)
        if more is not None:
            best = (best[0], more[1], f"{best[2]} and {more[2]}")
        role = _title_at(sent, best, own)
        if role:
            return role
    return None


#: Words that mark a title as one the person no longer holds.
_FORMER = frozenset({"ancien", "ancienne", "ex", "former", "ex-"})
#: Words that tie a title to the organisation named after it ("CEO of", "directeur de").
_TITLE_OF = frozenset({"of", "at", "de", "du", "d'", "d’", "chez"})


def _after_link(sent, best: tuple[int, int, str], j: int, links: frozenset[str]) -> int | None:  # type: ignore[no-untyped-def]
    """The first token after a word of ``links`` that ends the title span ``best`` ("head of") or
    follows it at ``j``, the end of the title and its modifiers ("CEO of"); None without one."""
    doc = sent.span.doc
    if fold(doc[best[1] - 1].text) in links:
        return j
    if j < sent.span.end and fold(doc[j].text) in links:
        return j + 1
    return None


def _of_what(sent, best: tuple[int, int, str], j: int) -> list[str]:  # type: ignore[no-untyped-def]
    """ "director of machine learning and AI", "head of its secretariat": the field an English
    title is of, when a common noun phrase rather than an organisation ("of research")."""
    doc = sent.span.doc
    i = _after_link(sent, best, j, frozenset({"of"})) if sent.lang == "en" else None
    if i is None:
        return []
    out: list[str] = []
    while i < sent.span.end and fold(doc[i].text) in {"the", "its", "their", "his", "her"}:
        i += 1
    while i < sent.span.end and len(out) < 6 and sent.mention_at(i) is None:
        t = doc[i]
        if not (t.pos_ in {"NOUN", "PROPN", "ADJ", "CCONJ"} or t.text == "&"):
            break
        out.append(fold(t.text))
        i += 1
    while out and (out[-1] in {"and", "&", "or"}):
        out.pop()
    if not out or not any(doc[k].pos_ in {"NOUN", "PROPN"} for k in range(i - len(out), i)):
        return []
    return ["of", *out]


def _title_at(sent, best: tuple[int, int, str], own: str | None) -> str | None:  # type: ignore[no-untyped-def]
    """The role named by the title span ``best`` with its modifiers, or None when it is a former
    title or the title of an organisation other than ``own`` ("Quora CEO", "CEO of Quora")."""
    doc = sent.span.doc
    role = best[2]
    # "directrice régionale adjointe": French modifiers after the title, in English order before it
    j = best[1]
    after: list[str] = []
    while sent.lang == "fr" and j < sent.span.end and len(after) < 3:
        modifier = _FRENCH_ROLE_MODIFIERS.get(fold(doc[j].text))
        if modifier is None:
            break
        after.append(modifier)
        j += 1
    role = " ".join([*reversed(after), role])
    # "managing partner", "executive vice president", "western regional director": English
    # modifiers before the title, known ones or those the parse attaches to it
    k = best[0]
    words = role.split()
    while k > sent.span.start and len(words) < 6:
        t = doc[k - 1]
        word = fold(t.text)
        attached = (
            sent.lang == "en"
            and t.dep_ in {"amod", "compound"}
            and k <= t.head.i < best[1]
            and t.pos_ in {"ADJ", "NOUN", "PROPN"}
            and sent.mention_at(k - 1) is None
            and not word.endswith("'s")
        )
        if sent.lang == "fr":
            word = _FRENCH_ORDINALS.get(word, word)
        if word in _FORMER or (word not in _ROLE_MODIFIERS and not attached):
            break
        k -= 1
        words.insert(0, word)
    words += _of_what(sent, best, j)
    # a former role is no role ("former CEO", "Summers was Treasury Secretary")
    if any(fold(t.text) in _FORMER for t in doc[max(sent.span.start, k - 2) : k]):
        return None
    if k > sent.span.start and fold(doc[k - 1].text) in {"was", "were", "etait", "fut"}:
        return None
    # the title of another organisation: "Quora CEO", "Quora's CEO", "CEO of Quora"
    m = sent.mention_at(k - 1) if k > sent.span.start else None
    if m is None and k - 1 > sent.span.start and fold(doc[k - 1].text) in {"'s", "’s"}:
        m = sent.mention_at(k - 2)
    if m is None:
        i = _after_link(sent, best, j, _TITLE_OF)
        while i is not None and i < sent.span.end - 1 and fold(doc[i].text) in {"the", "la", "le", "l'", "l’", "les"}:
            i += 1
        m = sent.mention_at(i) if i is not None and i < sent.span.end else None
    if m is not None and m.type == "Organization" and own is not None:
        if own not in {x.key for x in sent.group(m, {"Organization"})}:  # "Facebook and Meta founder"
            return None
    return " ".join(words)


def _money_for(an: Analysis, f: ScoredFact, facts: list[ScoredFact]) -> None:
    """A funding amount for an investor's fact, from the sentences that state it (best first):
    an amount written right after the investor ("Tamarack ($27 million)", "la BPI qui investit
    20 millions d'euros", not "X raised $40 million") is its own; the one amount of a sentence
    where no other investor in the same company is kept is too. A fact kept the other way round
    with a better score ("Kestrel invests in Microsoft" beside "Microsoft invests in Kestrel") has
    the money: an amount goes one way."""
    from kg.extract.context import find_triggers
    from kg.extract.values import find_money

    if f.predicate != "investsIn" or "amount" in f.attributes or f.sentence < 0:
        return
    if any(g.predicate == "investsIn" and (g.subject, g.object) == (f.object, f.subject) and g.score > f.score for g in facts):
        return
    # per sentence stating the fact (best first) that has an amount: the amounts, the investor's
    # mentions and where a raise is written ("X raised $40 million")
    stating = []
    for k in dict.fromkeys([f.sentence, *(f.attributes.get("_sentences") or [])]):  # type: ignore[misc]
        sent = an.sentences[k]
        money = find_money(sent.text, an.document.lang)
        if money:
            doc = sent.span.doc
            raising = [sent.offset + doc[t.start].idx for t in find_triggers(sent, "raise")]
            stating.append((k, sent, money, [m for m in sent.mentions if m.key == f.subject], raising))
    for _k, sent, money, mine, raising in stating:  # an amount written right after the investor, in any of them
        others = [m for m in sent.mentions if m.key not in (f.subject, f.object) and m.type in {"Organization", "Person"}]
        for q in money:
            qs = sent.start_char + q.start
            before = [m for m in mine if m.end <= qs and qs - m.end <= 60]
            if (
                before
                and not any(before[-1].end <= o.start < qs for o in others)
                and not any(before[-1].end <= r < qs for r in raising)
            ):
                f.attributes["amount"], f.attributes["currency"] = q.value, q.currency
                return
    for k, sent, money, mine, raising in stating:  # else the one amount of the best one without another investor
        rivals = [g for g in facts if g is not f and g.predicate == "investsIn" and g.object == f.object
                  and g.sentence == k]  # fmt: skip
        raises = any(m.end <= r < sent.start_char + money[0].start for m in mine for r in raising)
        if not rivals and len(money) == 1 and (mine or k == f.sentence) and not raises:
            f.attributes["amount"], f.attributes["currency"] = money[0].value, money[0].currency
            return


def decide(an: Analysis, scored: dict[tuple, ScoredFact], model: ExtractionModel) -> list[ScoredFact]:
    """The facts whose score reaches the model's threshold for their property, with their attributes.

    A fact that needs an entity to take another of its possible classes ("Copilot" typed an
    organisation, the object of ``develops``) retypes it, unless a better fact needs the class
    the entity has: facts are taken from the best down, and each fixes the classes it uses.
    """
    fixed: dict[str, str] = {}
    kept = []
    for f in sorted(scored.values(), key=lambda f: (-f.score, f.start, f.subject, f.predicate, f.object)):
        if f.score < model.threshold(f.predicate):
            continue
        needs = f.attributes.get("_types", {})
        keys = [f.subject, f.object] if f.kind == "entity" else [f.subject]
        wanted = {k: needs.get(k) or (an.entities[k].type if k in an.entities else None) for k in keys}  # type: ignore[union-attr]
        if any(k in fixed and t is not None and fixed[k] != t for k, t in wanted.items()):
            continue  # a better fact gave the entity a class this one does not fit
        for k, t in wanted.items():
            if t is not None:
                fixed.setdefault(k, t)
        kept.append(f)
    for key, type_ in fixed.items():
        e = an.entities.get(key)
        if e is not None and e.type != type_:
            e.type = type_
            for m in e.mentions:
                m.type = type_
    roles = model.config.get("roles", {})
    if any(isinstance(v, dict) for v in roles.values()):  # one map per language
        roles = roles.get(an.document.lang, {})
    for f in kept:
        _money_for(an, f, kept)
        role = f.attributes.get("role")
        if isinstance(role, str) and role in roles:
            f.attributes["role"] = roles[role]
    return kept


def extract(document: Document, chunks: list[tuple[int, Doc]], model: ExtractionModel) -> Extraction:
    """Entities and facts of ``document`` as the model decides them."""
    an = analyse_document(document, chunks, model)
    kept = decide(an, score_facts(an, model), model)
    return to_extraction(an, kept, model)


def to_extraction(an: Analysis, kept: list[ScoredFact], model: ExtractionModel) -> Extraction:
    """An :class:`~kg.model.Extraction` of the analysed document with the kept facts."""
    document = an.document
    text = document.text
    by_key = dict(an.entities)
    # places named by a nationality adjective, when a kept fact uses them
    places: dict[str, Entity] = {}
    for f in kept:
        for key in (f.subject, f.object):
            if f.kind == "entity" and key.startswith(DEMONYM_PREFIX) and key not in places:
                label = key[len(DEMONYM_PREFIX) :]
                existing = next((k for k, e in by_key.items() if e.type == "Place" and norm_key(e.label) == norm_key(label)),
                                None)  # fmt: skip
                adjectives = sorted({m.text for p in an.pairs for m in (p.a, p.b) if m.key == key})
                if existing is not None:
                    places[key] = Entity(key=existing, label=label, type="Place", aliases=tuple(adjectives))
                else:
                    places[key] = Entity(key=f"Place:{norm_key(label)}", label=label, type="Place",
                                         aliases=tuple(adjectives))  # fmt: skip
    facts: dict[tuple, Fact] = {}
    for f in sorted(kept, key=lambda f: (f.start, f.subject, f.predicate, f.object)):
        s = places[f.subject].key if f.subject in places else f.subject
        o = places[f.object].key if f.kind == "entity" and f.object in places else f.object
        if s not in by_key and s not in {p.key for p in places.values()}:
            continue
        if f.predicate in _SYMMETRIC and o < s:
            s, o = o, s
        confidence = round(model.calibration(f.predicate)(f.score), 4)
        amount = f.attributes.get("amount")
        fact = Fact(
            subject=s,
            predicate=f.predicate,
            object=o,
            object_kind=f.kind,
            provenance=Provenance(text[f.start : f.end].strip(), f.start, f.end, f"model:{f.rule}" if f.rule else "model",
                                  confidence),  # fmt: skip
            amount=Decimal(str(amount)) if amount is not None else None,
            currency=f.attributes.get("currency"),  # type: ignore[arg-type]
            count=int(f.attributes["count"]) if f.attributes.get("count") is not None else None,  # type: ignore[call-overload]
            year=int(f.attributes["year"]) if f.attributes.get("year") is not None else None,  # type: ignore[call-overload]
            role=f.attributes.get("role"),  # type: ignore[arg-type]
        )
        ident = (s, f.predicate, o if f.kind != "quote" else f"{o}@{f.start}", fact.count if f.kind == "group" else None)
        if ident not in facts:
            facts[ident] = fact
    entities = []
    for key, e in by_key.items():
        extra = [a for p in places.values() if p.key == key for a in p.aliases]
        aliases = tuple(dict.fromkeys(a for a in (*e.aliases, *extra) if a != e.label))
        confidence = _entity_confidence(e)
        entities.append(Entity(key=key, label=e.label, type=e.type, aliases=aliases,
                               mentions=tuple(Mention(m.text, m.start, m.end) for m in e.mentions),
                               confidence=confidence))  # fmt: skip
    listed = {e.key for e in entities}
    for p in places.values():
        if p.key not in listed:
            entities.append(p)
            listed.add(p.key)
    if document.source and not any(norm_key(e.label) == norm_key(document.source) for e in entities):
        entities.append(Entity(key=f"Organization:{norm_key(document.source)}", label=document.source,
                               type="Organization"))  # fmt: skip
    entities.sort(key=lambda e: (e.mentions[0].start if e.mentions else len(text), e.key))
    ordered = sorted(facts.values(), key=lambda f: (f.provenance.start, f.subject, f.predicate, f.object))
    return Extraction(document=document, entities=tuple(entities), facts=tuple(ordered))


def _entity_confidence(e) -> float:
    """Mean probability of the class over the entity's mentions."""
    return round(sum(m.confidence for m in e.mentions) / len(e.mentions), 4) if e.mentions else 1.0

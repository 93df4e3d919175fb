"""Facts the training annotations state: which names were the subject and the object of which property.

Articles on one beat keep relating the same names: a federation is the object of ``memberOf``
in article after article, a union the subject of ``represents``, a company the subject of
``investsIn``, a person an employee of one organisation. A candidate pair whose names the
training annotations related gets features saying so: the properties each name took as
subject or object (``ka=s:memberOf``, ``kb=o:memberOf``), the properties both fit in one
direction (``kr=memberOf>``), and the property that related the two names themselves
(``kp=memberOf>``). They are features, not facts: the pair classifier learns how far they can
be trusted. Like the memory of names (:mod:`kg.learn.annotated`), the memory is kept with the
model (``known.json``), and training reads each document's features from the other documents
only (leave one out).

>>> memory = build([contribution({"entities": [{"label": "CFDT"}, {"label": "CES", "aliases": ["ETUC"]}],
...                               "facts": [{"s": "CFDT", "p": "memberOf", "o": "CES"}]})])
>>> memory["roles"]["etuc"], memory["pairs"]["cfdt\\tces"]
(['o:memberOf'], ['memberOf'])
>>> features(memory, ["cfdt"], ["etuc"])
['ka=s:memberOf', 'kb=o:memberOf', 'kr=memberOf>', 'kp=memberOf>']
>>> features(memory, ["ces"], ["acme"])
['ka=o:memberOf']

A document inside the memory reads it without its own part:

>>> parts = [contribution({"entities": [{"label": "A"}, {"label": "B"}], "facts": [{"s": "A", "p": "investsIn", "o": "B"}]}),
...          contribution({"entities": [{"label": "A"}, {"label": "C"}], "facts": [{"s": "A", "p": "investsIn", "o": "C"}]})]
>>> memory, counts = build(parts), tally(parts)
>>> alone = leave_out(memory, counts, parts[0])
>>> alone["roles"]["a"], alone["roles"]["b"], alone["pairs"]["a\\tb"], alone["pairs"]["a\\tc"]
(['s:investsIn'], [], [], ['investsIn'])
"""

from __future__ import annotations

from collections import ChainMap, Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kg.evaluate import normalise, predicate_key
from kg.model import PREDICATES

__all__ = [
    "Memory",
    "Contribution",
    "Tally",
    "contribution",
    "tally",
    "build",
    "from_tally",
    "leave_out",
    "features",
    "pair_rows",
    "to_json",
    "from_json",
]

#: ``{"roles": {name: ["s:P" or "o:P", ...]}, "pairs": {"subject\\tobject": [P, ...]}}``, names
#: normalised as the scorer does (:func:`kg.evaluate.normalise`), everything sorted.
Memory = Mapping[str, Mapping[str, Sequence[str]]]
#: One document's part: its (name, role) and (subject name, object name, property) triples.
Contribution = tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str, str]]]

_CANON = {predicate_key(p): p for p in PREDICATES}
#: Properties between two entities or an organisation and a group (quotations are left out).
_PROPERTIES = tuple(p for p in PREDICATES if p != "said")
_ROLES = frozenset(f"{side}:{p}" for side in "so" for p in _PROPERTIES)


def contribution(gold: Mapping[str, Any]) -> Contribution:
    """A document's part of the memory, from its annotation (in the guideline's JSON)."""
    names: dict[str, list[str]] = {}
    for e in gold.get("entities", []) or []:
        if isinstance(e, dict):
            keys = (normalise(n) for n in [e.get("label", ""), *(e.get("aliases") or [])])
            names[str(e.get("label", ""))] = list(dict.fromkeys(k for k in keys if k))
    roles: set[tuple[str, str]] = set()
    pairs: set[tuple[str, str, str]] = set()
    for f in gold.get("facts", []) or []:
        p = _CANON.get(predicate_key(f.get("p", ""))) if isinstance(f, dict) else None
        if p not in _PROPERTIES:
            continue
        subjects = names.get(str(f.get("s", "")), [])
        objects = names.get(str(f.get("o", "")), [])
        roles.update((a, f"s:{p}") for a in subjects)
        roles.update((b, f"o:{p}") for b in objects)
        pairs.update((a, b, p) for a in subjects for b in objects)
    return frozenset(roles), frozenset(pairs)


Tally = tuple[Counter[tuple[str, str]], Counter[tuple[str, str, str]]]


def tally(parts: Iterable[Contribution]) -> Tally:
    """In how many documents each (name, role) and each (subject, object, property) is annotated."""
    roles: Counter[tuple[str, str]] = Counter()
    pairs: Counter[tuple[str, str, str]] = Counter()
    for r, p in parts:
        roles.update(r)
        pairs.update(p)
    return roles, pairs


def build(parts: Iterable[Contribution]) -> dict[str, dict[str, list[str]]]:
    """The memory of a training corpus, from its documents' contributions."""
    return from_tally(tally(parts))


def from_tally(counts: Tally) -> dict[str, dict[str, list[str]]]:
    """The memory of the documents ``counts`` tallies."""
    roles: dict[str, list[str]] = {}
    pairs: dict[str, list[str]] = {}
    for (name, role), n in sorted(counts[0].items()):
        if n > 0:
            roles.setdefault(name, []).append(role)
    for (a, b, prop), n in sorted(counts[1].items()):
        if n > 0:
            pairs.setdefault(f"{a}\t{b}", []).append(prop)
    return {"roles": roles, "pairs": pairs}


def leave_out(memory: Memory, counts: Tally, own: Contribution) -> Memory:
    """``memory`` (of the documents ``counts`` tallies) without the part ``own`` of one of them:
    what the others say. Only the names ``own`` holds are looked at again."""
    roles: dict[str, list[str]] = {}
    for name in {n for n, _ in own[0]}:
        roles[name] = [r for r in memory["roles"].get(name, ()) if counts[0][(name, r)] - ((name, r) in own[0]) > 0]
    pairs: dict[str, list[str]] = {}
    for a, b in {(a, b) for a, b, _ in own[1]}:
        key = f"{a}\t{b}"
        pairs[key] = [p for p in memory["pairs"].get(key, ()) if counts[1][(a, b, p)] - ((a, b, p) in own[1]) > 0]
    return {"roles": ChainMap(roles, memory["roles"]), "pairs": ChainMap(pairs, memory["pairs"])}  # type: ignore[dict-item]


def features(memory: Memory, a_names: Sequence[str], b_names: Sequence[str]) -> list[str]:
    """Pair features of two mentions named ``a_names`` (the first in the text) and ``b_names``."""
    roles, pairs = memory.get("roles", {}), memory.get("pairs", {})
    ra = {r for n in a_names for r in roles.get(n, ())}
    rb = {r for n in b_names for r in roles.get(n, ())}
    out = [f"ka={r}" for r in sorted(ra)] + [f"kb={r}" for r in sorted(rb)]
    for p in _PROPERTIES:
        if f"s:{p}" in ra and f"o:{p}" in rb:
            out.append(f"kr={p}>")
        if f"o:{p}" in ra and f"s:{p}" in rb:
            out.append(f"kr={p}<")
    for a in a_names:
        for b in b_names:
            out += [f"kp={p}>" for p in pairs.get(f"{a}\t{b}", ())]
            out += [f"kp={p}<" for p in pairs.get(f"{b}\t{a}", ())]
    return list(dict.fromkeys(out))


def _namer(an: Any):  # type: ignore[no-untyped-def]
    """Normalised names of a mention's entity (label and aliases), looked up once per entity.

    Unlike :func:`kg.learn.candidates.mention_names`, a country named by an adjective
    ("française") is looked up by the country's name alone: the adjective is no name the
    annotations relate."""
    from kg.learn.candidates import DEMONYM_PREFIX, mention_names

    cache: dict[object, list[str]] = {}

    def names(m: Any) -> list[str]:
        if m.key not in cache:
            raw = (
                [m.key[len(DEMONYM_PREFIX) :]]
                if m.key and m.key.startswith(DEMONYM_PREFIX)
                else mention_names(m, an.entities)
            )
            cache[m.key] = list(dict.fromkeys(k for k in map(normalise, raw) if k))
        return cache[m.key]

    return names


def pair_rows(memory: Memory | None, an: Any) -> list[list[str]]:
    """Feature rows of an analysis's candidate pairs, with the memory's features when there is one."""
    if not memory:
        return [p.features for p in an.pairs]
    names = _namer(an)
    return [p.features + features(memory, names(p.a), names(p.b)) for p in an.pairs]


def _strings(value: object, allowed: frozenset[str] | tuple[str, ...], what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise ValueError(f"expected a list of {what}, not {value!r}")
    return list(value)


def from_json(data: object) -> dict[str, dict[str, list[str]]]:
    """The memory of a ``known.json`` file; ``ValueError`` if it is not one."""
    if not isinstance(data, dict) or set(data) != {"roles", "pairs"}:
        raise ValueError('expected an object with "roles" and "pairs"')
    roles, pairs = data["roles"], data["pairs"]
    if not isinstance(roles, dict) or not isinstance(pairs, dict):
        raise ValueError('"roles" and "pairs" must be objects')
    out_roles = {str(k): _strings(v, _ROLES, "roles such as 's:memberOf'") for k, v in roles.items()}
    out_pairs = {}
    for k, v in pairs.items():
        if k.count("\t") != 1:
            raise ValueError(f"a pair of names is two names joined by a tab, not {k!r}")
        out_pairs[k] = _strings(v, _PROPERTIES, "properties")
    return {"roles": out_roles, "pairs": out_pairs}


def to_json(memory: Memory) -> dict[str, dict[str, list[str]]]:
    """The memory as written to ``known.json`` (sorted: a stable file)."""
    return {"roles": {k: sorted(v) for k, v in sorted(memory.get("roles", {}).items())},
            "pairs": {k: sorted(v) for k, v in sorted(memory.get("pairs", {}).items())}}  # fmt: skip

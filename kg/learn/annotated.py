"""Names the training annotations have typed: a memory of which names were entities, and as what.

Articles on one beat keep naming the same companies, unions, products and programmes. A
candidate span whose name the training annotations typed ("Copilot" a Product in two
articles) gets that class as a feature; one that was a candidate in several training
articles and never annotated ("Europe", a menu word) gets ``kn_none``. Like the place names
(:mod:`kg.learn.places`), the memory is kept with the model (``annotated.json``).

Training reads each document's features from the other documents only (leave one out), so
the entity classifier learns how far a name seen elsewhere can be trusted, not the
document's own annotation.

>>> memory = build([({"copilot": "Product"}, ["copilot", "europe"]),
...                 ({"copilot": "Product"}, ["copilot", "europe"]),
...                 ({}, ["europe"])])
>>> memory["copilot"], memory["europe"]
('Product|2+', 'NONE')
>>> features(memory.get("copilot")), features(memory.get("paris"))
(['kn=Product', 'kn=Product|2+'], [])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from kg.evaluate import normalise
from kg.learn.lookups import grouped, ungrouped

__all__ = ["Memory", "Contribution", "contribution", "build", "leave_one_out", "features", "to_json", "from_json"]

#: Normalised name -> what the annotations made of it: "Type|1" or "Type|2+" (the class it was
#: annotated with most, in one or more articles), "|mixed" added when other articles left it
#: unannotated, or "NONE" (a candidate in two articles or more, never annotated).
Memory = Mapping[str, str]
#: One document's part: its annotated names with their class, and the names of all its candidates.
Contribution = tuple[dict[str, str], Sequence[str]]

_CLASSES = ("Event", "Organization", "Person", "Place", "Product", "Program")
_NONE = "NONE"


def contribution(gold: Mapping[str, object], candidate_names: Sequence[str]) -> Contribution:
    """A document's part of the memory: ``gold`` is its annotation, ``candidate_names`` the
    normalised names of its candidate spans (:func:`kg.evaluate.normalise`)."""
    typed: dict[str, str] = {}
    for e in gold.get("entities", []) or []:  # type: ignore[union-attr]
        if not isinstance(e, dict) or e.get("type") not in _CLASSES:
            continue
        for name in [e.get("label", ""), *(e.get("aliases") or [])]:
            key = normalise(name)
            if key:
                typed[key] = str(e["type"])
    return typed, candidate_names


def _counts(parts: Iterable[Contribution]) -> dict[str, tuple[Counter[str], int]]:
    out: dict[str, tuple[Counter[str], int]] = {}
    for typed, names in parts:
        for key, type_ in typed.items():
            out.setdefault(key, (Counter(), 0))[0][type_] += 1
        for key in set(names) - set(typed):
            types, untyped = out.get(key, (Counter(), 0))
            out[key] = (types, untyped + 1)
    return out


def _value(types: Counter[str], untyped: int) -> str | None:
    n = sum(types.values())
    if n:
        top = max(sorted(types), key=lambda t: types[t])
        return f"{top}|{'1' if n == 1 else '2+'}" + ("|mixed" if untyped else "")
    return _NONE if untyped >= 2 else None


def build(parts: Iterable[Contribution]) -> dict[str, str]:
    """The memory of a training corpus, from its documents' contributions."""
    out = {}
    for key, (types, untyped) in _counts(parts).items():
        value = _value(types, untyped)
        if value is not None:
            out[key] = value
    return out


def leave_one_out(parts: Sequence[Contribution], inside: Sequence[int]) -> list[list[list[str]]]:
    """Features of every candidate of every document, from the memory of the documents
    ``inside``: a document inside reads the memory without its own part, one outside reads
    all of it (as an article the model never saw does)."""
    counts = _counts(parts[i] for i in inside)
    members = set(inside)
    out = []
    for i, (typed, names) in enumerate(parts):
        rows = []
        for key in names:
            types, untyped = counts.get(key, (Counter(), 0))
            if i in members:
                if key in typed:
                    types = Counter(types)
                    types[typed[key]] -= 1
                    types = +types
                else:
                    untyped -= 1
            rows.append(features(_value(types, untyped)))
        out.append(rows)
    return out


def features(value: str | None) -> list[str]:
    """Entity features of a name the memory holds as ``value`` (none for a name it lacks)."""
    if not value:
        return []
    if value == _NONE:
        return ["kn_none"]
    type_, many, *mixed = value.split("|")
    return [f"kn={type_}", f"kn={type_}|{many}", *(["kn_mixed"] if mixed else [])]


def to_json(memory: Memory) -> dict[str, list[str]]:
    """``{value: [names, sorted]}``: a stable, compact file."""
    return grouped(memory, str)


def _checked(value: str) -> str:
    parts = value.split("|")
    if value == _NONE or (
        parts[0] in _CLASSES and len(parts) in (2, 3) and parts[1] in ("1", "2+") and parts[2:] in ([], ["mixed"])
    ):
        return value
    raise ValueError(f"not a class of the memory of names: {value!r}")


def from_json(data: object) -> dict[str, str]:
    """The memory of :func:`to_json`'s output; ``ValueError`` if it is not one."""
    return ungrouped(data, _checked)

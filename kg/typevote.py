"""One class per real-world entity: the vote that settles it when documents disagree.

Documents may give one real-world entity different classes (OpenAI a Product in
one article, an Organization in the others). :func:`kg.resolve.resolve` finds
such entities by their names and asks :func:`settle` which class the graph
keeps; this module holds that rule.

**The vote.** Each document's entity votes for the class its document gave it,
with the weight :func:`weight`: the extractor's ``confidence`` (how sure it is
of the entity and its class, 1.0 when it does not know) times
``1 + log2(mentions)``. Mentions count because a document that names the entity
often gave the extractor more context to type it, but with diminishing returns:
the mentions of one document were typed together, they are not independent
votes (1 mention weighs 1, 2 weigh 2, 4 weigh 3, 8 weigh 4).

**When a class change is justified.** The class with the largest weight wins,
and the others are changed to it only when the vote is clear for that pair of
classes; otherwise the entities stay apart, one node per class, as without a
vote:

- between Organization, Product, Program and Event (the usual confusions: a
  company and its app, a programme and the body that runs it, a summit and its
  organiser), the winner needs 2/3 of the weight;
- when a Person or a Place is on either side, the winner needs 3/4 of the
  weight and at least two documents, and a Person needs a name of two words or
  more: a single word may be a first name, a surname or a company named after
  someone ("Alan", "Dell"), and a person wrongly made a company loses every
  fact about them;
- a tie never changes a class.

**Facts.** After a change, a fact of a document whose subject or object class
no longer fits the property's signature (:data:`kg.model.SIGNATURES`: "X
develops Midjourney" once Midjourney is an Organization) is left out of the
graph, and :mod:`kg.resolve` records it beside the vote in ``merges.json``.
Facts do not vote: an extractor makes its facts fit the classes it chose, so
they would count the same decision twice.

>>> settle({"Organization": 3.0, "Product": 1.0}, {"Organization": {"d1", "d2"}, "Product": {"d3"}}, False)
('Organization', 0.75)
>>> settle({"Organization": 1.0, "Product": 1.0}, {"Organization": {"d1"}, "Product": {"d2"}}, False)
(None, 0.5)
>>> settle({"Person": 4.0, "Organization": 1.0}, {"Person": {"d1", "d2"}, "Organization": {"d3"}}, False)
(None, 0.8)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from kg.model import SIGNATURES, Entity, Fact

__all__ = ["FLEXIBLE", "CLEAR", "STRONG", "weight", "settle", "fits"]

#: Classes that extractors confuse with each other for one name; a clear vote may change one into another.
FLEXIBLE: frozenset[str] = frozenset({"Organization", "Product", "Program", "Event"})
#: Share of the weight the winner needs among :data:`FLEXIBLE` classes.
CLEAR = 2 / 3
#: Share of the weight the winner needs when a Person or a Place is on either side.
STRONG = 3 / 4

_OBJECT_CLASS = {"group": "Group", "quote": "Quotation"}


def weight(entity: Entity) -> float:
    """The vote of one document's entity: ``confidence * (1 + log2(mentions))``.

    An entity without recorded mentions counts as mentioned once; a confidence
    outside [0, 1] is clipped to it.

    >>> from kg.model import Entity, Mention
    >>> weight(Entity("k", "OpenAI", "Organization", mentions=(Mention("OpenAI", 0, 6),) * 4, confidence=0.5))
    1.5
    """
    confidence = min(1.0, max(0.0, float(entity.confidence)))
    return confidence * (1.0 + math.log2(max(1, len(entity.mentions))))


def settle(votes: Mapping[str, float], documents: Mapping[str, set[str]], long_name: bool) -> tuple[str | None, float]:
    """The class an entity takes from its documents' votes, or ``None`` when they must stay apart.

    Args:
        votes: class -> summed :func:`weight` of the entities that have it.
        documents: class -> documents that gave it.
        long_name: the name that links the entities has two words or more.

    Returns:
        ``(winner or None, winner's share of the weight)``.
    """
    total = sum(votes.values())
    ranked = sorted(votes, key=lambda c: (-votes[c], c))
    if not ranked or total <= 0:
        return None, 0.0
    winner = ranked[0]
    share = votes[winner] / total
    if len(ranked) > 1 and votes[ranked[1]] >= votes[winner]:
        return None, share  # a tie
    for other in ranked[1:]:
        if other in FLEXIBLE and winner in FLEXIBLE:
            if share < CLEAR:
                return None, share
            continue
        if share < STRONG or len(documents.get(winner, ())) < 2:
            return None, share
        if "Person" in (other, winner) and not long_name:
            return None, share
    return winner, share


def fits(fact: Fact, classes: Mapping[str, str]) -> bool:
    """Whether ``fact`` fits its property's signature given the classes of the document's entity keys.

    >>> from kg.model import Provenance
    >>> f = Fact("a", "develops", "b", Provenance("", 0, 0, "r", 1.0))
    >>> fits(f, {"a": "Organization", "b": "Product"}), fits(f, {"a": "Organization", "b": "Organization"})
    (True, False)
    """
    domain, range_ = SIGNATURES.get(fact.predicate, (frozenset(), frozenset()))
    obj = classes.get(fact.object) if fact.object_kind == "entity" else _OBJECT_CLASS.get(fact.object_kind)
    return classes.get(fact.subject) in domain and obj in range_

"""Relation rules: from a sentence and its mentions to facts.

Each rule is a generator over one :class:`~kg.extract.context.Sentence` that
yields :class:`~kg.extract.common.Candidate` facts; trigger words and word
lists live in ``ontology/lexicon/relations.yaml``, job titles in ``roles.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.extract.common import AGENT, ORG, Candidate, DocState
from kg.extract.context import Sentence
from kg.extract.funding import invests
from kg.extract.links import develops, member_of, offers, organizes, partners, represents, trains
from kg.extract.places import located
from kg.extract.roles import works_for

__all__ = ["Candidate", "DocState", "RULES", "run_rules"]


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

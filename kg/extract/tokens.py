"""Token attributes of a Doc as plain Python lists, read once.

spaCy builds a new Token object at every ``doc[i]``; the candidate generators and
feature functions look at each token many times, so they read these lists instead.
A table is built on first use; those of the last Docs seen are kept (a build looks at one
document at a time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from spacy.attrs import DEP, HEAD, IDX, IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, ORTH, POS, SENT_START, SPACY
from spacy.tokens import Doc

from kg.extract.lexicon import fold

__all__ = ["TokenTable", "table"]

@dataclass
class TokenTable:
    """Per token of one Doc: its text and analysis, and the bounds of its sentence."""

    text: list[str]
    lower: list[str]
    folded: list[str]
    lemma: list[str]  # folded lemma
    pos: list[str]
    dep: list[str]
    head: list[int]
    idx: list[int]
    sent_start: list[int]  # index of the first token of the token's sentence
    sent_end: list[int]  # index after the last token of the token's sentence
    is_sent_start: list[bool]
    like_num: list[bool]
    is_punct: list[bool]
    is_space: list[bool]
    whitespace: list[bool]  # followed by a space

    @property
    def doc_text(self) -> str:
        """The Doc's text, rebuilt from the tokens."""
        return "".join(t + " " if w else t for t, w in zip(self.text, self.whitespace))

    def __len__(self) -> int:
        return len(self.text)


_recent: dict[int, tuple[Doc, TokenTable]] = {}
_RECENT = 64


def table(doc: Doc) -> TokenTable:
    """The token table of ``doc`` (built once; the tables of the last Docs are kept)."""
    hit = _recent.get(id(doc))
    if hit is not None and hit[0] is doc:
        return hit[1]
    out = _build(doc)
    if len(_recent) >= _RECENT:
        _recent.pop(next(iter(_recent)))
    _recent[id(doc)] = (doc, out)
    return out


_ATTRS = (ORTH, LOWER, LEMMA, POS, DEP, HEAD, IDX, SENT_START, LIKE_NUM, IS_PUNCT, IS_SPACE, SPACY)


def _build(doc: Doc) -> TokenTable:
    n = len(doc)
    if n == 0:
        return TokenTable(*([] for _ in range(15)))  # type: ignore[arg-type]
    raw = doc.to_array(list(_ATTRS))
    strings = doc.vocab.strings
    cols = raw.T.tolist()  # hashes as unsigned integers
    signed = raw.view(np.int64).T  # relative heads and sentence starts are signed
    text = [strings[h] for h in cols[0]]
    lower = [strings[h] for h in cols[1]]
    lemma = [fold(strings[h]) for h in cols[2]]
    pos = [strings[h] if h else "" for h in cols[3]]
    dep = [strings[h] if h else "" for h in cols[4]]
    head = [i + rel for i, rel in enumerate(signed[5].tolist())]
    idx = cols[6]
    first = [v == 1 or i == 0 for i, v in enumerate(signed[7].tolist())]
    like_num = [bool(v) for v in cols[8]]
    punct = [bool(v) for v in cols[9]]
    space = [bool(v) for v in cols[10]]
    ws = [bool(v) for v in cols[11]]
    folded = [fold(t) for t in text]
    starts = [0] * n
    ends = [n] * n
    current = 0
    for i in range(n):
        if first[i]:
            current = i
        starts[i] = current
    current = n
    for i in range(n - 1, -1, -1):
        ends[i] = current
        if first[i]:
            current = i
    return TokenTable(text, lower, folded, lemma, pos, dep, head, idx, starts, ends, first, like_num, punct, space, ws)

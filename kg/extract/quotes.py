"""Quotations and their speakers, in French and English quote styles.

Quotes are found on the whole text (they may span sentences): « … », “ … ”,
and straight "…" pairs, these paired by what surrounds each mark so that one stray
mark does not shift the pairs after it. A quotation may quote a name inside it
(« … le plan « Oser l’IA » … ») and a curly opening mark may be closed by a straight
one (“ … "). A quotation whose paragraph holds no closing mark runs to the paragraph's
end (a quotation continued in the next paragraph, or an excerpt that ends inside it).
The speaker is a person named next to a speech verb just after the quote ("…», a
déclaré Brad Smith", "…," Sarah Friar said, "…", according to X) or just before it
("Julien Chaumond explique : « …"), or the person last named when a singular pronoun
speaks ("a-t-il ajouté").

>>> [q[2] for q in find_quotes('Il a dit « bonjour à tous » puis “au revoir mes amis”.')]
['bonjour à tous', 'au revoir mes amis']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.extract.lexicon import fold, load_triggers
from kg.extract.mentions import WMention

__all__ = ["find_quotes", "attribute_quotes", "Quote"]

_PAIRS = [("«", "»"), ("“", "”"), ('"', '"'), ("„", "“")]
_MAX_QUOTE = 1200
_MARKS = re.compile("[«»“”„\"]")
_PRONOUN = re.compile(
    r"(?:-t-(?:il|elle)\b|\b(?:il|elle|he|she)\s+(?:\w+\s+)?(?:a\s+|had\s+|has\s+)?\w+|\b\w+-(?:il|elle)\b|\b(?:said|says|added|told)\s+(?:he|she)\b)",
    re.I,
)


@dataclass(frozen=True)
class Quote:
    """A quotation attributed to a person (doc-local entity key)."""

    speaker: str
    text: str
    start: int  # of the whole attribution context (quote and speaker)
    end: int
    rule: str
    confidence: float


def _balanced(text: str, s: int, open_: str, close: str, para: int) -> int | None:
    """The closing mark that balances the one opening at ``s`` when quotations nest inside it
    before the paragraph ends (``« … « Oser l’IA » … »``), or None."""
    depth = 0
    for k in range(s, para):
        c = text[k]
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return k
    return None


def _straight_closers(text: str) -> dict[int, int]:
    """Straight double quotes paired by what surrounds them: a mark after a space and before a word
    opens, one after a word and before a space or punctuation closes. An opening mark followed by
    another that can only open is left unpaired (``"Il n'y aura "pas de changement"``), so one
    stray mark does not shift every later pair of the text. Returns opening -> closing offsets."""
    pairs: dict[int, int] = {}
    opened: int | None = None
    for m in re.finditer('"', text):
        k = m.start()
        before = text[k - 1] if k else " "
        after = text[k + 1] if k + 1 < len(text) else " "
        can_open = (before.isspace() or before in "([{-–—/'’") and not after.isspace()
        can_close = not before.isspace() and (after.isspace() or not after.isalnum())
        if opened is not None and "\n\n" in text[opened:k]:
            opened = None  # a quotation does not run over a paragraph break
        if opened is None:
            if can_open or not can_close:
                opened = k
        elif can_close or not can_open:
            pairs[opened] = k
            opened = None
        else:  # an opening mark while one is open: the earlier one is a stray
            opened = k
    return pairs


def find_quotes(text: str) -> list[tuple[int, int, str]]:
    """Quotations in ``text`` as ``(start, end, content)``; start/end include the marks.

    >>> [q[2] for q in find_quotes('Il dit "Il n’y aura "pas de changement de ligne". Puis "au revoir mes amis", dit-il.')]
    ['pas de changement de ligne', 'au revoir mes amis']
    """
    out: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    straight = _straight_closers(text) if '"' in text else {}
    for open_, close in _PAIRS:
        i = 0
        while True:
            s = text.find(open_, i)
            if s < 0:
                break
            if open_ == '"':
                e = straight.get(s, -1)
                if e < 0:
                    i = s + 1
                    continue
            else:
                e = text.find(close, s + 1)
                para = text.find("\n\n", s + 1)
                para = len(text) if para < 0 else para
                again = text.find(open_, s + 1)
                if 0 <= again < min(para, e if e >= 0 else len(text)):
                    nested = _balanced(text, s, open_, close, para)
                    if nested is not None:  # « … « titre » … »: a quotation that quotes a name
                        e, again = nested, -1
                if open_ == "“":
                    typed = text.find('"', s + 1)  # “ … " : a closing mark typed straight
                    first = min(x for x in (e, again, para) if x >= 0)
                    if 0 <= typed < first and not text[typed - 1].isspace() and "\n" not in text[s:typed]:
                        e, again = typed, -1
                if 0 <= again < min(para, e if e >= 0 else len(text)):
                    line = text.find("\n", s + 1)
                    if not 0 <= line < again:
                        i = again  # another quotation opens before this one closes: this mark is a stray
                        continue
                    # the mark opens the line after this one again: a quotation going on in the next
                    # paragraph, which English opens anew and closes only at its end
                    e, para = -1, line
                if e < 0 or e > para:
                    # no closing mark in the paragraph: the quotation runs to its end (continued in the
                    # next paragraph, or cut short where an excerpt ends)
                    e = len(text[:para].rstrip())
                    content = text[s + 1 : e].strip()
                    i = s + 1
                    # marks further on, or punctuation right after it ("… “."): a stray, not an opening
                    plain = not _MARKS.search(content) and content[:1].isalnum()
                    if plain and len(content.split()) >= 4 and len(content) <= _MAX_QUOTE and not any(a <= s < b for a, b in taken):
                        taken.append((s, e))
                        out.append((s, e, content))
                    continue
            content = text[s + 1 : e]
            if "\n\n" in content or len(content) > _MAX_QUOTE:
                i = s + 1 if open_ != close else e
                continue
            i = e + 1
            if any(a <= s < b for a, b in taken):
                continue
            taken.append((s, e + 1))
            content = re.sub(r"^[\s(\[]*(?:…|\.\.\.)[)\]]?\s*", "", content.strip()).strip(",").strip()
            if len(content.split()) >= 2:
                out.append((s, e + 1, content))
    return sorted(out)


@functools.cache
def _speech_pattern(lang: str) -> re.Pattern[str]:
    verbs = load_triggers(lang)["speech_verbs"]
    parts = []
    for v in verbs:
        v = fold(v)
        parts.append(re.escape(v.rstrip("*")) + (r"\w*" if v.endswith("*") else r"\b"))
    return re.compile(r"(?:^|[\s'’(\-])(?:" + "|".join(parts) + ")", re.I)


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to the surrounding sentence-ish boundaries (., !, ?, newline)."""
    s = max(text.rfind("\n", 0, start), *(text.rfind(p, 0, start) for p in (". ", "! ", "? ")))
    s = 0 if s < 0 else s + 1
    e_candidates = [i for i in (text.find("\n", end), *(text.find(p, end) for p in (". ", "! ", "? "))) if i >= 0]
    e = min(e_candidates) + 1 if e_candidates else len(text)
    while s < start and text[s].isspace():
        s += 1
    return s, min(e, len(text))


def attribute_quotes(text: str, lang: str, mentions: list[WMention]) -> Iterator[Quote]:
    """Quotations of ``text`` attributed to the person mentions that speak them."""
    speech = _speech_pattern(lang)
    persons = [m for m in mentions if m.type == "Person" and m.key]
    quotes = find_quotes(text)
    last_speaker: str | None = None
    for qs, qe, content in quotes:
        s_start, s_end = _sentence_bounds(text, qs, qe)
        if content.rstrip().endswith((".", "!", "?", "…")) and re.match(r"\s+[A-ZÀ-Ý«“\"]", text[qe : qe + 3]):
            s_end = qe  # 'made clear the rollout is "phase one." Anthropic CEO …': the sentence ends with the quote
        if text[:s_start].rstrip().endswith(":"):
            # "…, stating:\n“…”": the speaker is on the line before
            s_start = _sentence_bounds(text, text[:s_start].rstrip().rfind(":"), qs)[0]
        # don't let the window run into another quotation
        nxt = [a for a, _, _ in quotes if a >= qe]
        after_end = min([s_end, *nxt]) if nxt else s_end
        prv = [b for _, b, _ in quotes if b <= qs]
        before_start = max([s_start, *prv]) if prv else s_start
        after = text[qe:after_end]
        before = text[before_start:qs]
        speaker: WMention | None = None
        rule = ""
        conf = 0.0
        f_after = fold(after)
        in_after = [m for m in persons if qe <= m.start < after_end]
        in_before = [m for m in persons if before_start <= m.start and m.end <= qs]
        if in_after and speech.search(fold(text[qe : in_after[0].start + 1])):
            speaker, rule, conf = in_after[0], "said.after", 0.85
        elif (
            in_after
            and speech.search(fold(text[in_after[0].end : after_end]))
            and len(text[qe : in_after[0].start].strip(" ,.;:")) <= 3
        ):
            speaker, rule, conf = in_after[0], "said.after", 0.85
        elif in_before and (speech.search(fold(before)) or before.rstrip().endswith(":")):
            speaker, rule, conf = in_before[-1], "said.before", 0.75
        elif (
            speech.search(f_after[:60])
            and _PRONOUN.search(after[:60])
            or _PRONOUN.search(before[-60:])
            and speech.search(fold(before[-60:]))
        ):
            prior = [m for m in persons if m.end <= qs]
            key = prior[-1].key if prior else last_speaker
            if key:
                yield Quote(key, content, min(s_start, qs), max(s_end, qe), "said.pronoun", 0.6)
                last_speaker = key
            continue
        elif in_after and speech.search(f_after):
            speaker, rule, conf = in_after[0], "said.sentence", 0.6
        if speaker is None:
            # the speaker may open the next sentence: "« … » C'est ainsi que le sociologue X introduisait …"
            nxt_s, nxt_e = _sentence_bounds(text, after_end + 1, after_end + 1)
            if (not after.strip() or after.strip() in {".", ","}) and not before.strip():
                nxt_e = min([nxt_e, *[a for a, _, _ in quotes if a > qe]])
                nxt_persons = [m for m in persons if qe <= m.start < nxt_e]
                if nxt_persons and speech.search(fold(text[qe:nxt_e])):
                    speaker, rule, conf = nxt_persons[0], "said.next-sentence", 0.55
                    s_end = nxt_e
        if speaker is None:
            continue
        last_speaker = speaker.key
        assert speaker.key is not None
        yield Quote(speaker.key, content, min(s_start, speaker.start, qs), max(s_end, speaker.end, qe), rule, conf)

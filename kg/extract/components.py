"""spaCy components kg adds to each pipeline.

``kg_gazetteer`` runs after the statistical NER and reconciles its entities
with the known names of ``ontology/lexicon/gazetteer.yaml`` (and the place
names of ``places.yaml``): a known name keeps its class, a known name the NER
missed or cut ("Hugging" for "Hugging Face") is added, and a person whose first
name happens to be a product ("Claude Dupont") stays a person.
Gazetteer entities carry the ontology class as label ("Organization"); the
others keep the model's label (PER, ORG, GPE...).
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.extract.lexicon import fold, load_gazetteer, load_roles

__all__ = ["add_to", "GazetteerComponent"]

_PERSON_LABELS = {"PER", "PERSON"}
_ORG_LABELS = {"ORG", "MISC", "PRODUCT"}
_TITLES = set(load_roles("en")) | set(load_roles("fr"))
_TITLE_WORDS = {w for t in _TITLES for w in t.split()}


class GazetteerComponent:
    """Tag known names with their ontology class (see module docstring)."""

    def __init__(self, nlp: Language, name: str = "kg_gazetteer") -> None:
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.types: dict[str, str] = {}
        by_type: dict[str, list[Doc]] = {}
        for surface, (type_, _names) in sorted(load_gazetteer().items()):
            self.types[surface] = type_
            by_type.setdefault(type_, []).append(nlp.make_doc(surface))
        for type_, docs in by_type.items():
            self.matcher.add(type_, docs)

    def __call__(self, doc: Doc) -> Doc:
        matches = [
            Span(doc, start, end, label=doc.vocab.strings[match_id]) for match_id, start, end in self.matcher(doc)
        ]
        if not matches:
            return doc
        # a known name glued by a hyphen to another word is part of that word ("Crabtree-Ireland")
        matches = [k for k in matches if not _glued(doc, k)]
        known = filter_spans(matches)  # longest match wins
        keep: list[Span] = []
        for ent in doc.ents:
            overlapping = [k for k in known if k.start < ent.end and ent.start < k.end]
            if not overlapping:
                keep.append(ent)
                continue
            # a person name that begins with a known name ("Claude Dupont")
            first = min(overlapping, key=lambda k: k.start)
            extends = (
                len(overlapping) == 1
                and first.start == ent.start
                and first.end < ent.end
                and all(
                    (t.is_title or t.is_upper and len(t) > 1) and fold(t.text) not in _TITLE_WORDS
                    for t in doc[first.end : ent.end]
                )
            )
            # a person whose first name is a product ("Claude Dupont"), an organisation's own unit or
            # product named after it ("Apple Intelligence", "Accenture Technology")
            if extends and (
                ent.label_ in _PERSON_LABELS
                and first.label_ == "Product"
                or ent.label_ in _ORG_LABELS
                and first.label_ == "Organization"
            ):
                keep.append(ent)
                known = [k for k in known if k is not first]
                continue
            # keep what the NER found beside the known names ("Elon Musk" in "Elon Musk's xAI")
            covered = set()
            for k in overlapping:
                covered.update(range(k.start, k.end))
            run: list[int] = []
            for i in [*range(ent.start, ent.end), -1]:
                if i >= 0 and i not in covered:
                    run.append(i)
                    continue
                while run and not _name_token(doc[run[0]]):
                    run.pop(0)
                while run and not _name_token(doc[run[-1]]):
                    run.pop()
                if run:
                    keep.append(Span(doc, run[0], run[-1] + 1, label=ent.label_))
                run = []
        taken = set()
        for ent in keep:
            taken.update(range(ent.start, ent.end))
        for k in known:
            if not taken.intersection(range(k.start, k.end)):
                keep.append(k)
                taken.update(range(k.start, k.end))
        doc.ents = filter_spans(keep)
        return doc


def _glued(doc: Doc, span: Span) -> bool:
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if before is not None and not before.whitespace_ and before.text in {"-", "‑"} and span.start >= 2:
        return doc[span.start - 2].is_alpha and not doc[span.start - 2].whitespace_
    if after is not None and not doc[span.end - 1].whitespace_ and after.text in {"-", "‑"} and span.end + 1 < len(doc):
        return doc[span.end + 1].is_alpha and not after.whitespace_ and doc[span.end + 1].text[:1].isupper()
    return False


def _name_token(token: Token) -> bool:
    """A token that can start or end a name: capitalised and not a job title ("CEO")."""
    return token.text[:1].isupper() and fold(token.text) not in _TITLES


_ENDS = {".", "!", "?", "…", "...", "!?", "?!"}
_CLOSERS = {"»", "”", '"', ")", "]", "’", "'"}
_OPENERS = {"«", "“", '"', "-", "–"}


@Language.component("kg_sentences")
def sentence_boundaries(doc: Doc) -> Doc:
    """Sentence starts for the parser: after a line break and after . ! ? (and closing quotes).

    Every other token is marked as not starting a sentence, so the parser cannot
    split a sentence in the middle of a name list. The tokens' texts are read once and the
    starts written as one array (this runs on every document).
    """
    n = len(doc)
    if not n:
        return doc
    texts = [t.text for t in doc]
    starts = [-1] * n  # spaCy's SENT_START: 1 starts a sentence, -1 does not
    starts[0] = 1
    after_end = False
    for i in range(1, n):
        prev, text = texts[i - 1], texts[i]
        space = text.isspace()  # spaCy's is_space
        start = False
        if "\n" in prev:  # a line break token (a token's trailing whitespace is one space at most)
            start = not space
        elif after_end and text not in _CLOSERS and not space:
            start = text[:1].isupper() or text[:1].isdigit() or text in _OPENERS
        if space and "\n" in text:
            start = False
        if start:
            starts[i] = 1
        if text in _ENDS:
            after_end = True
        elif not (text in _CLOSERS or space):
            after_end = False
    doc.from_array([SENT_START], numpy.asarray(starts, dtype=numpy.int64).astype(numpy.uint64))
    return doc


@Language.factory("kg_gazetteer")
def _make_gazetteer(nlp: Language, name: str) -> GazetteerComponent:
    return GazetteerComponent(nlp, name)


def add_to(nlp: Language, lang: str) -> None:
    """Add kg's components to a loaded pipeline (idempotent)."""
    if "kg_sentences" not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe("kg_sentences", before="parser")
    if "kg_gazetteer" not in nlp.pipe_names:
        nlp.add_pipe("kg_gazetteer", last=True)

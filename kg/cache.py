"""Extraction cache of an output folder, for incremental builds.

What the extractor found in a document is kept in ``OUT_DIR/.cache/`` under the
hash of the document's bytes. A rebuild reuses it when the file is unchanged
and the extractor is the same (same kg version, rule data and spaCy models), so
only new or changed documents go through the NLP pipeline. Entity resolution
and the graph are always redone over all documents, so a deleted document
disappears and a changed one replaces its named graph.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import fields, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from kg.model import Document, Entity, Extraction, Fact, Mention, Provenance

__all__ = ["ExtractionCache", "extractor_version"]

CACHE_DIR = ".cache"


def extractor_version(model: str | os.PathLike[str] | None = None) -> str:
    """A digest of everything that decides what the extractor finds: kg's version, the
    extraction code, the rule data under ``ontology/lexicon``, the spaCy models in use and
    the extraction model (``model``: its directory; None for the one shipped with kg)."""
    from kg.learn.model import load_model

    return _version(load_model(model).model_id)


@functools.cache
def _version(model_id: str) -> str:
    from kg import __version__, nlp

    h = hashlib.sha256(__version__.encode())
    lexicon = resources.files("kg.ontology").joinpath("lexicon")
    for item in sorted(lexicon.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            h.update(item.name.encode())
            h.update(item.read_bytes())
    for lang in nlp.LANGUAGES:
        try:
            name = nlp.model_name(lang)
        except Exception:  # no model: documents of that language get no facts anyway
            name = "none"
        h.update(f"{lang}:{name}:{nlp.package_version(name) if name != 'none' else ''}".encode())
    code = Path(__file__).resolve().parent
    for folder in ("extract", "learn"):
        for path in sorted((code / folder).glob("*.py")):
            h.update(path.read_bytes())
    h.update(f"model:{model_id}".encode())
    return h.hexdigest()[:16]


def _to_json(ex: Extraction) -> dict[str, Any]:
    """``dataclasses.asdict(ex)`` with amounts as strings, built directly (asdict's deep copies cost
    more than the rest of writing a document's cache entry)."""
    doc = ex.document
    document = {f: getattr(doc, f) for f in _DOCUMENT_FIELDS}
    document["warnings"] = list(doc.warnings)
    entities = [
        {"key": e.key, "label": e.label, "type": e.type, "aliases": list(e.aliases),
         "mentions": [{"text": m.text, "start": m.start, "end": m.end} for m in e.mentions],
         "confidence": e.confidence}
        for e in ex.entities
    ]  # fmt: skip
    facts = []
    for f in ex.facts:
        p = f.provenance
        facts.append({
            "subject": f.subject, "predicate": f.predicate, "object": f.object,
            "provenance": {"sentence": p.sentence, "start": p.start, "end": p.end, "rule": p.rule,
                           "confidence": p.confidence},
            "object_kind": f.object_kind, "amount": None if f.amount is None else str(f.amount),
            "currency": f.currency, "count": f.count, "year": f.year, "role": f.role,
        })  # fmt: skip
    return {"document": document, "entities": entities, "facts": facts}


_DOCUMENT_FIELDS = tuple(f.name for f in fields(Document))


def _from_json(data: dict[str, Any], document: Document) -> Extraction:
    entities = tuple(
        Entity(
            key=e["key"], label=e["label"], type=e["type"], aliases=tuple(e["aliases"]),
            mentions=tuple(Mention(**m) for m in e["mentions"]), confidence=float(e.get("confidence", 1.0)),
        )
        for e in data["entities"]
    )
    facts = tuple(
        Fact(
            subject=f["subject"], predicate=f["predicate"], object=f["object"],
            provenance=Provenance(**f["provenance"]), object_kind=f["object_kind"],
            amount=Decimal(f["amount"]) if f["amount"] is not None else None, currency=f["currency"],
            count=f["count"], year=f["year"], role=f["role"],
        )
        for f in data["facts"]
    )
    return Extraction(document=document, entities=entities, facts=facts)


class ExtractionCache:
    """Cached extractions of one output folder, keyed by the document's sha256."""

    def __init__(self, out_dir: str | os.PathLike[str], model: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(out_dir) / CACHE_DIR
        self.version = extractor_version(model)
        self.used: set[bytes] = set()  # the entries this build read or wrote: their names' digests, as bytes

    def _path(self, doc: Document) -> Path:
        return self.folder / f"{doc.sha256}.json"

    def get(self, doc: Document) -> Extraction | None:
        """The cached extraction of ``doc``, re-attached to this build's Document, or None."""
        path = self._path(doc)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != self.version or data.get("text_sha256") != _text_hash(doc):
                return None
            ex = _from_json(data["extraction"], doc)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # no entry, or an unreadable one: extract again
        self._use(path)
        return replace(ex, document=doc)

    def put(self, ex: Extraction) -> None:
        """Keep ``ex`` for the next build (errors writing the cache are not fatal)."""
        from kg.store import atomic_write

        doc = ex.document
        data = {"version": self.version, "text_sha256": _text_hash(doc), "extraction": _to_json(ex)}
        try:
            # no fsync: a cache entry lost in a crash is only extracted again
            atomic_write(self._path(doc), json.dumps(data, ensure_ascii=False).encode("utf-8"), sync=False)
        except Exception:  # a read-only or full disk costs speed next time, not this build
            return
        self._use(self._path(doc))

    def _use(self, path: Path) -> None:
        self.used.add(_digest_of(path.stem))

    def prune(self) -> None:
        """Drop the entries no document of this build used (deleted or changed files)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("*.json"):
            if _digest_of(path.stem) not in self.used:
                try:
                    path.unlink()
                except OSError:
                    pass


def _digest_of(stem: str) -> bytes:
    """A hex digest as its bytes (half the memory for each entry a build uses); any other name as it is."""
    try:
        return bytes.fromhex(stem)
    except ValueError:
        return stem.encode("utf-8", "surrogatepass")


def _text_hash(doc: Document) -> str:
    return hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()

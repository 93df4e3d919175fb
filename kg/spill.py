"""A build's documents and extractions, kept on disk until the graph is written.

Entity resolution needs every document's entities at once, but the graph file is
written one document at a time after it. Between the two, a build keeps each
document (its text and metadata) and its extraction in a scratch SQLite file of the
output folder instead of in memory, and reads them back one at a time in graph-name
order. Beside it the file keeps :func:`summary` of each extraction (its entities'
names, classes and weights, which is all resolution reads), read back all at once
when resolution starts, and the report line of each input once it is final, read
back in the report's order at the end. While the corpus is read, what the build
holds in memory does not grow with the number of documents it has analysed.

The file is private to one build: it is removed when the build ends, and a file
left by a killed build is removed by the next one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from kg.cache import _from_json, _to_json
from kg.model import Document, Extraction, Mention

__all__ = ["Spill", "SummaryEntity", "summary"]

_PREFIX = ".spill-"
_COMMIT_EVERY = 500


class SummaryEntity(NamedTuple):
    """What entity resolution reads of an entity (see :class:`kg.model.Entity`).

    ``mentions`` only needs its length (the weight of the entity's class vote).
    """

    key: str
    label: str
    type: str
    aliases: tuple[str, ...]
    mentions: tuple[Mention, ...]
    confidence: float


_MENTION = Mention("", 0, 0)
_MENTIONS: dict[int, tuple[Mention, ...]] = {}


def summary(ex: Extraction) -> Extraction:
    """``ex`` reduced to what entity resolution reads: the document's id, and its entities
    without their mentions' text or offsets (strings shared between documents); no facts."""
    doc = ex.document
    entities = []
    for e in ex.entities:
        n = len(e.mentions)
        mentions = _MENTIONS.get(n)
        if mentions is None:
            mentions = _MENTIONS.setdefault(n, (_MENTION,) * n)
        entities.append(
            SummaryEntity(
                sys.intern(e.key),
                sys.intern(e.label),
                sys.intern(e.type),
                tuple(sys.intern(a) for a in e.aliases),
                mentions,
                e.confidence,
            )  # fmt: skip
        )
    stub = Document(doc_id=doc.doc_id, path="", text="", lang=sys.intern(doc.lang), sha256="")
    return Extraction(document=stub, entities=tuple(entities))  # type: ignore[arg-type]


def _dump_summary(ex: Extraction) -> bytes:
    """What :func:`summary` keeps of ``ex``, as compact JSON."""
    rows = [[e.key, e.label, e.type, e.aliases, len(e.mentions), e.confidence] for e in ex.entities]
    return json.dumps([ex.document.lang, rows], ensure_ascii=False).encode("utf-8", "surrogatepass")


def _load_summary(doc_id: str, blob: bytes) -> Extraction:
    lang, rows = json.loads(blob.decode("utf-8", "surrogatepass"))
    entities = []
    for key, label, type_, aliases, n, confidence in rows:
        mentions = _MENTIONS.get(n)
        if mentions is None:
            mentions = _MENTIONS.setdefault(n, (_MENTION,) * n)
        entities.append(
            SummaryEntity(
                sys.intern(key),
                sys.intern(label),
                sys.intern(type_),
                tuple(sys.intern(a) for a in aliases),
                mentions,
                confidence,
            )
        )
    stub = Document(doc_id=doc_id, path="", text="", lang=sys.intern(lang), sha256="")
    return Extraction(document=stub, entities=tuple(entities))  # type: ignore[arg-type]


def _key(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _graph_name(doc_id: str) -> str:
    from kg.rdf import document_iri

    return str(document_iri(doc_id))


def _dump(ex: Extraction) -> bytes:
    return zlib.compress(json.dumps(_to_json(ex), ensure_ascii=False).encode("utf-8", "surrogatepass"), 1)


def _load(blob: bytes) -> Extraction:
    data: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8", "surrogatepass"))
    fields = data["document"]
    fields["warnings"] = tuple(fields.get("warnings") or ())
    return _from_json(data, Document(**fields))


class Spill:
    """The scratch store of one build in ``folder`` (created if needed)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob(f"{_PREFIX}*.sqlite*"):  # left by a build that was killed
            try:
                old.unlink()
            except OSError:
                pass
        self.path = self.folder / f"{_PREFIX}{os.getpid()}.sqlite"
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA cache_size=-8192")  # 8 MB of page cache, whatever the corpus size
        self._db.execute(
            "CREATE TABLE docs (name TEXT PRIMARY KEY, doc_id TEXT NOT NULL, path TEXT NOT NULL,"
            " sha256 TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID"
        )
        # text keys as UTF-8 bytes: SQLite compares them byte by byte, which is Python's order of strings
        self._db.execute("CREATE TABLE summaries (doc_id BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID")
        self._db.execute(
            "CREATE TABLE reports (path BLOB PRIMARY KEY, k0 BLOB NOT NULL, k1 INTEGER NOT NULL,"
            " k2 INTEGER NOT NULL, k3 BLOB NOT NULL, data TEXT NOT NULL) WITHOUT ROWID"
        )
        self._db.execute("BEGIN")
        self._pending = 0
        self.count = 0

    def put(self, ex: Extraction) -> None:
        """Keep ``ex`` and its :func:`summary` (a later one for the same document id replaces them)."""
        doc = ex.document
        self._db.execute(
            "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?)",
            (_graph_name(doc.doc_id), doc.doc_id, doc.path, doc.sha256, _dump(ex)),
        )
        self._db.execute("INSERT OR REPLACE INTO summaries VALUES (?, ?)", (_key(doc.doc_id), _dump_summary(ex)))
        self.count += 1
        self._written()

    def _written(self) -> None:
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self._db.execute("COMMIT")
            self._db.execute("BEGIN")
            self._pending = 0

    def summaries(self) -> list[Extraction]:
        """:func:`summary` of every extraction kept, in document id order."""
        self._commit()
        rows = self._db.execute("SELECT doc_id, data FROM summaries ORDER BY doc_id")
        return [_load_summary(key.decode("utf-8", "surrogatepass"), blob) for key, blob in rows]

    def put_report(self, path: str, order: tuple[str, int, int, str], fields: list[Any]) -> None:
        """Keep the report line of the input at ``path`` (a later one for the same path replaces it):
        its ``fields`` (JSON values), given back by :meth:`reports` in the order of the ``order`` keys."""
        k0, k1, k2, k3 = order
        self._db.execute(
            "INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?)",
            (_key(path), _key(k0), k1, k2, _key(k3), json.dumps(fields)),
        )
        self._written()

    def reports(self) -> Iterator[list[Any]]:
        """The fields of every report line kept, in the order of their ``order`` keys."""
        self._commit()
        for (data,) in self._db.execute("SELECT data FROM reports ORDER BY k0, k1, k2, k3"):
            yield json.loads(data)

    def _commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0

    def __iter__(self) -> Iterator[Extraction]:
        """Every extraction, in graph-name order (the order of ``graph.trig``), one at a time."""
        self._commit()
        for (blob,) in self._db.execute("SELECT data FROM docs ORDER BY name"):
            yield _load(blob)

    def get(self, doc_ids: Iterable[str]) -> Iterator[Extraction]:
        """The extractions of ``doc_ids`` (those kept), in the order given."""
        self._commit()
        for doc_id in doc_ids:
            row = self._db.execute("SELECT data FROM docs WHERE name = ?", (_graph_name(doc_id),)).fetchone()
            if row is not None:
                yield _load(row[0])

    def manifest(self) -> dict[str, dict[str, str]]:
        """``doc_id -> {"path": ..., "sha256": ...}`` of every document kept."""
        self._commit()
        return {d: {"path": p, "sha256": s} for d, p, s in self._db.execute("SELECT doc_id, path, sha256 FROM docs")}

    def close(self) -> None:
        """Close and remove the file."""
        try:
            self._db.close()
        finally:
            for path in (self.path, self.path.with_name(self.path.name + "-journal")):
                try:
                    path.unlink()
                except OSError:
                    pass

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""A corpus's inputs as one stream of documents: files, and the records of news archives.

:class:`Corpus` goes through the inputs :func:`kg.ingest.discover` found, in order,
and yields an :class:`Entry` per document as it reads it: a ``.txt``/``.md``/``.html``
file, or one record of a JSON Lines, CSV, WARC or feed file (:mod:`kg.records`,
:mod:`kg.warc`, :mod:`kg.feeds`). Nothing is held but the record being read, the
URLs already seen and the ids already given, so an archive of any size streams.

Each record gets a document id that stays the same from one build to the next:

- a record with a URL: a slug of the URL's host and last path segment and a digest
  of the URL (``harbour-courier.example-acme-signs-3f2a9c1b``), so the same article
  has the same id in any file;
- else a record with an id field: the file's name and that id (``news.jsonl-a41``);
- else: the file's name and the record's position (``news.jsonl-42``: line 42).

A record whose URL (compared without fragment, tracking parameters, ``http``/``https``
or case of the host) or own id was already read is a ``duplicate``: it is reported,
not analysed. WARC revisit records are recognised and counted. After its records,
each archive gets an entry of its own (kind ``"archive"``) that sums up what it held:
documents, skipped and duplicate records, and the records that are not articles.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from kg import ingest
from kg.errors import IngestError
from kg.model import Document
from kg.records import ArchiveStats, Record

__all__ = ["Corpus", "Entry", "normalise_url", "reason_of"]

_SLUG = re.compile(r"[^a-z0-9.]+")
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|igshid|xtor|at_medium|at_campaign)$", re.I)


@dataclass(slots=True)
class Entry:
    """One line of a build's report, as the corpus is read.

    ``kind`` is ``"file"`` (one document per file), ``"record"`` (one record of an
    archive) or ``"archive"`` (the summary of an archive file). ``path`` is the file's
    path relative to the corpus, followed for a record by ``#`` and its position
    (``news.jsonl#line=42``). ``status`` is ``ok``, ``warning``, ``skipped`` or
    ``duplicate``; ``document`` is set for ``ok`` and ``warning`` documents.
    """

    path: str
    kind: str
    status: str
    reason: str = ""
    document: Document | None = None


def reason_of(exc: Exception, path: Path | str) -> str:
    """The error's message without the file's path in front (the report names the file)."""
    if not isinstance(exc, IngestError):
        return f"unexpected error while reading: {type(exc).__name__}: {exc}"
    text = str(exc)
    prefix = f"{path}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def _slug(text: str, limit: int) -> str:
    return _SLUG.sub("-", text.casefold()).strip("-.")[:limit].rstrip("-.")


def _digest(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def normalise_url(url: str) -> str | None:
    """The form of a URL under which duplicates are found: no fragment, no tracking
    parameters, ``https``, host in lower case, no default port.

    >>> normalise_url("HTTP://WWW.Example.org:80/a/B?utm_source=x&id=3#top")
    'https://www.example.org/a/B?id=3'
    >>> normalise_url("  ") is None
    True
    """
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url
    if not parts.scheme or not host:
        return url
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return f"{scheme}://{netloc}{parts.path or '/'}" + (f"?{query}" if query else "")


def _url_id(key: str) -> str:
    parts = urlsplit(key) if "://" in key else None
    if parts is None:
        head = _slug(key, 60)
    else:
        host = (parts.hostname or "").removeprefix("www.")
        last = next((s for s in reversed(parts.path.split("/")) if s), "")
        last = re.sub(r"\.(?:s?html?|php|aspx?)$", "", last, flags=re.I)
        head = _slug(f"{host}-{last}" if last else host, 72)
    return f"{head}-{_digest(key)}" if head else f"url-{_digest(key)}"


class Corpus:
    """The inputs of a corpus folder, read as a stream of :class:`Entry` (see the module's docstring).

    Args:
        root: the corpus folder.
        paths: its inputs (:func:`kg.ingest.discover`), in the order to read them.
        fields: field names to read in JSON Lines and CSV records (:func:`kg.records.parse_fields`).
    """

    def __init__(self, root: Path, paths: list[Path], fields: Mapping[str, str] | None = None) -> None:
        from kg.pipeline import assign_doc_ids

        self.root = root
        self.paths = paths
        self.fields = dict(fields or {})
        self.kinds = {p: ingest.input_kind(p) or "document" for p in paths}
        self.file_ids = assign_doc_ids([p for p in paths if self.kinds[p] == "document"], root)
        archives = [p for p in paths if self.kinds[p] != "document"]
        names = Counter(_without_gz(p.name) for p in archives)
        self.bases = {
            p: _without_gz(p.name)
            if names[_without_gz(p.name)] == 1
            else _without_gz(p.relative_to(root).as_posix()).replace("/", "__")
            for p in archives
        }
        self._ids: set[str] = set(self.file_ids.values())
        self._urls: dict[bytes, str] = {}

    @property
    def has_archives(self) -> bool:
        return bool(self.bases)

    def estimate(self) -> int:
        """About how many documents the inputs hold (files, and records counted ahead in archives)."""
        from kg.feeds import count_feed
        from kg.records import count_csv, count_jsonl
        from kg.warc import count_warc

        counters: dict[str, Callable[[Path], int]] = {
            "jsonl": count_jsonl, "csv": count_csv, "warc": count_warc, "feed": count_feed,
        }  # fmt: skip
        return sum(1 if self.kinds[p] == "document" else counters[self.kinds[p]](p) for p in self.paths)

    def entries(self) -> Iterator[Entry]:
        """Every document, skipped input and archive summary, in the order of the inputs.

        The URLs and ids seen are forgotten once the last input is read (they only serve
        to find duplicates while reading)."""
        self._ids, self._urls = set(self.file_ids.values()), {}
        for path in self.paths:
            rel = path.relative_to(self.root).as_posix()
            if self.kinds[path] == "document":
                yield self._file(path, rel)
            else:
                yield from self._archive(path, rel)
        self._ids, self._urls = set(), {}

    def _file(self, path: Path, rel: str) -> Entry:
        try:
            doc = ingest.read_document(path, root=self.root, doc_id=self.file_ids[path])
        except Exception as exc:  # IngestError, or a bug in ingestion: it must not stop the build
            return Entry(rel, "file", "skipped", reason_of(exc, path))
        return Entry(rel, "file", "warning" if doc.warnings else "ok", "; ".join(doc.warnings), doc)

    def _archive(self, path: Path, rel: str) -> Iterator[Entry]:
        from kg.feeds import read_feed
        from kg.records import read_csv, read_jsonl
        from kg.warc import read_warc

        kind = self.kinds[path]
        stats = ArchiveStats()
        counts: Counter[str] = Counter()
        own_ids: dict[str, str] = {}
        readers = {
            "jsonl": lambda: read_jsonl(path, stats, self.fields),
            "csv": lambda: read_csv(path, stats, self.fields),
            "warc": lambda: read_warc(path, stats),
            "feed": lambda: read_feed(path, stats),
        }
        failure = None
        try:
            for record in readers[kind]():
                entry = self._record(record, rel, path, counts, stats, own_ids)
                if entry is not None:
                    counts[entry.status] += 1
                    yield entry
        except IngestError as exc:
            failure = reason_of(exc, path)
        except Exception as exc:  # a bug in a reader: the records read so far are kept
            failure = reason_of(exc, path)
        yield _summary(rel, kind, counts, stats, failure)

    def _record(
        self, record: Record, rel: str, path: Path, counts: Counter[str], stats: ArchiveStats, own_ids: dict[str, str]
    ) -> Entry | None:
        where = f"{rel}#{record.position}"
        key = normalise_url(record.url) if record.url else None
        url_digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=12).digest() if key else None
        if record.kind == "revisit":
            seen = url_digest is not None and url_digest in self._urls
            stats.other["revisits of pages already read" if seen else "revisits of pages not in the corpus"] += 1
            return None
        if record.error:
            return Entry(where, "record", "skipped", record.error)
        if url_digest is not None and url_digest in self._urls:
            return Entry(where, "record", "duplicate", f"same URL as {self._urls[url_digest]}")
        ident = record.ident.strip() if record.ident else None
        if key is None and ident and ident in own_ids:
            return Entry(where, "record", "duplicate", f"same id {ident!r} as {own_ids[ident]}")
        doc_id = self._doc_id(record, path, key, ident)
        try:
            doc = ingest.record_document(
                record.text or "", doc_id=doc_id, path=where, sha256=record.sha256, html=record.html,
                title=record.title, lead=record.lead, date=record.date, url=record.url, lang=record.lang,
                source=record.source, fallback_date=record.fallback_date, warnings=record.warnings,
            )  # fmt: skip
        except Exception as exc:  # a bug in ingestion: this record only
            return Entry(where, "record", "skipped", reason_of(exc, where))
        self._ids.add(doc_id)
        if url_digest is not None:
            self._urls[url_digest] = where
        if ident and key is None:
            own_ids[ident] = where
        if record.summary_only:
            counts["summary only"] += 1
        return Entry(where, "record", "warning" if doc.warnings else "ok", "; ".join(doc.warnings), doc)

    def _doc_id(self, record: Record, path: Path, key: str | None, ident: str | None) -> str:
        base = self.bases[path]
        if key is not None:
            doc_id = _url_id(key)
        elif ident:
            slug = _slug(ident, 40)
            doc_id = f"{base}-{slug}" if slug == ident else f"{base}-{slug}-{_digest(ident, 6)}".replace("--", "-")
        else:
            doc_id = f"{base}-{record.number}"
        if doc_id in self._ids:  # another input already has this id: a suffix keeps them apart
            n = 2
            while f"{doc_id}-{n}" in self._ids:
                n += 1
            doc_id = f"{doc_id}-{n}"
        return doc_id


def _without_gz(name: str) -> str:
    return name[:-3] if name.lower().endswith(".gz") else name


_UNITS = {"jsonl": ("record", "records"), "csv": ("record", "records"), "warc": ("page", "pages"),
          "feed": ("entry", "entries")}  # fmt: skip


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _summary(rel: str, kind: str, counts: Counter[str], stats: ArchiveStats, failure: str | None) -> Entry:
    """The archive's own report line: what its records gave, what else it held, what went wrong."""
    documents = counts["ok"] + counts["warning"]
    read = documents + counts["skipped"] + counts["duplicate"]
    if failure is not None and read == 0:
        return Entry(rel, "archive", "skipped", failure)
    one, many = _UNITS[kind]
    parts = [f"{_count(read, one, many)}: {_count(documents, 'document', 'documents')}"]
    details = []
    if counts["warning"]:
        details.append(f"{counts['warning']:,} with warnings")
    if counts["summary only"]:
        details.append(f"{counts['summary only']:,} summary only")
    if details:
        parts[0] += f" ({', '.join(details)})"
    if counts["skipped"]:
        parts.append(f"{counts['skipped']:,} skipped")
    if counts["duplicate"]:
        parts.append(_count(counts["duplicate"], "duplicate", "duplicates"))
    text = ", ".join(parts)
    if stats.other:
        text += "; not articles: " + ", ".join(f"{n:,} {what}" for what, n in sorted(stats.other.items()))
    problems = list(stats.warnings)
    if stats.undecodable:
        problems.append(f"{stats.undecodable:,} of them not valid UTF-8 (decoded as cp1252)")
    if failure is not None:
        problems.append(failure)
    if read == 0 and failure is None:
        problems.append(f"no {one} found")
    if problems:
        text += "; " + "; ".join(problems)
    return Entry(rel, "archive", "warning" if problems else "ok", text)

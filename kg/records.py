"""News archives with one article per record: JSON Lines and CSV exports.

A reader streams a file and yields one :class:`Record` per record, never holding
the file whole: the record's text and metadata found under their usual field
names (or the names given with ``fields``), where it is in the file, and the
digest of its bytes. A record that cannot be read (malformed JSON, a line over
:data:`MAX_RECORD_BYTES`, a row the CSV parser refuses) is yielded with an
``error`` and reading goes on with the next one. What concerns the file as a
whole (encoding, a gzip stream that ends early) goes into :class:`ArchiveStats`.

The WARC and feed readers (:mod:`kg.warc`, :mod:`kg.feeds`) yield the same records.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = Path(tmp, "news.jsonl")
...     _ = path.write_text('{"headline": "Une usine", "body": "Texte.", "publishedAt": "2024-03-05"}\\n{oops\\n')
...     records = list(read_jsonl(path, ArchiveStats()))
>>> [(r.position, r.title, r.text, r.date, r.error) for r in records]
[('line=1', 'Une usine', 'Texte.', '2024-03-05', None), ('line=2', None, None, None, 'malformed JSON: Expecting property name enclosed in double quotes at column 2')]
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from kg import ingest
from kg.errors import IngestError
from kg.ingest import check_file, iso_date

__all__ = [
    "FIELDS",
    "FIELD_NAMES",
    "MAX_RECORD_BYTES",
    "ArchiveStats",
    "Record",
    "parse_fields",
    "read_jsonl",
    "read_csv",
    "record_date",
    "count_jsonl",
    "count_csv",
]

#: A record longer than this (bytes of its line or row) is skipped with its size. It is
#: larger than the limit on a text (:data:`kg.ingest.MAX_BYTES`): an HTML body with inline
#: images can weigh tens of megabytes for a few paragraphs of text.
MAX_RECORD_BYTES = 64_000_000

#: What kg reads from a record, and the field names it looks under, in order (compared
#: without case, ``_``, ``-`` or spaces: ``publishedAt``, ``published_at`` and ``Published At``
#: are one name). A dotted name reads inside an object (``source.name``).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "maintext", "articleBody", "article_body", "full_text",
             "body_text", "story", "html", "content_html"),
    "title": ("title", "headline", "heading"),
    "lead": ("description", "summary", "excerpt", "lead", "abstract", "subtitle", "standfirst", "teaser"),
    "date": ("date", "published", "publishedAt", "pubDate", "datePublished", "date_publish", "publish_date",
             "publication_date", "pub_date", "published_date", "created_at", "created", "timestamp", "seendate"),
    "url": ("url", "link", "uri", "canonical_url", "canonical", "webUrl", "originalUrl", "article_url", "href"),
    "lang": ("lang", "language", "locale", "inLanguage"),
    "source": ("source", "outlet", "domain", "source_domain", "source_name", "publisher", "site_name",
               "siteName", "media", "provider"),
    "id": ("id", "_id", "uuid", "guid", "article_id", "doc_id", "docid", "uid"),
}  # fmt: skip

#: The names ``--fields`` accepts.
FIELDS: tuple[str, ...] = tuple(FIELD_NAMES)

_KEY = re.compile(r"[\s_\-]+")
_TRUNCATED = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\s*\Z")


@dataclass
class Record:
    """One record of an archive file, before ingestion.

    ``position`` locates it in its file (``line=42``, ``offset=1234``, ``entry=3``) and
    ``number`` is its rank there (for ordering). ``error`` is set when the record cannot
    be read: it is skipped with that reason. ``kind`` is ``"article"``, or ``"revisit"``
    for a WARC revisit record (not a document: it is recognised and counted).
    """

    position: str
    number: int
    sha256: str = ""
    text: str | None = None
    html: bool | None = None
    title: str | None = None
    lead: str | None = None
    date: str | None = None
    fallback_date: str | None = None
    url: str | None = None
    lang: str | None = None
    source: str | None = None
    ident: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    summary_only: bool = False
    kind: str = "article"


@dataclass
class ArchiveStats:
    """What a reader saw in one archive file besides its records.

    ``other`` counts records that are not articles, by what they are ("request
    records", "non-HTML responses (image/png)"); ``warnings`` concern the whole file.
    """

    other: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    undecodable: int = 0  # records that were not valid UTF-8

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def parse_fields(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"text=body,date=published_at"`` (or a mapping) as ``{"text": "body", "date": "published_at"}``.

    >>> parse_fields("text=body, date=published_at,source=source.name")
    {'text': 'body', 'date': 'published_at', 'source': 'source.name'}

    Raises:
        IngestError: an unknown name, a pair without ``=``, an empty field or a name given twice.
    """
    if not spec:
        return {}
    pairs = list(spec.items()) if isinstance(spec, Mapping) else []
    if not isinstance(spec, Mapping):
        for item in str(spec).split(","):
            if not item.strip():
                continue
            name, eq, column = item.partition("=")
            if not eq:
                raise IngestError(f"--fields: {item.strip()!r} is not NAME=FIELD (e.g. text=body)")
            pairs.append((name, column))
    out: dict[str, str] = {}
    for name, column in pairs:
        name, column = str(name).strip().lower(), str(column).strip()
        if name not in FIELD_NAMES:
            raise IngestError(f"--fields: unknown name {name!r}; expected one of {', '.join(FIELDS)}")
        if not column:
            raise IngestError(f"--fields: no field given for {name!r}")
        if name in out:
            raise IngestError(f"--fields: {name!r} given twice")
        out[name] = column
    return out


# --------------------------------------------------------------------------- field values


def _norm(name: str) -> str:
    return _KEY.sub("", name).casefold()


_DEFAULT_KEYS = {k: tuple(_norm(n) for n in names) for k, names in FIELD_NAMES.items()}


def _value(record: Mapping[str, Any], name: str) -> Any:
    """The value of ``name`` (dotted for nesting) in ``record``: an exact key, else one that
    compares equal without case and separators."""
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        if part in value:
            value = value[part]
            continue
        wanted = _norm(part)
        value = next((v for k, v in value.items() if isinstance(k, str) and _norm(k) == wanted), None)
    return value


def _lookup(
    record: Mapping[str, Any], what: str, fields: Mapping[str, str], index: Mapping[str, str]
) -> tuple[Any, str | None]:
    """The value of field ``what`` and the key it was found under (None: absent or empty).

    ``index`` maps the record's keys compared without case and separators to the keys.
    """
    if what in fields:
        value = _value(record, fields[what])
        return (value, fields[what]) if not _empty(value) else (None, None)
    for norm in _DEFAULT_KEYS[what]:
        key = index.get(norm)
        if key is not None and not _empty(record[key]):
            return record[key], key
    return None, None


def _empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str | list | dict) and not value)
        or (isinstance(value, str) and not value.strip())
    )


def _as_text(value: Any) -> str | None:
    """A string, the strings of a list joined as paragraphs, or the ``name``/``text`` of an object."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        parts = [t for v in value if (t := _as_text(v))]
        return "\n\n".join(parts) if parts else None
    if isinstance(value, Mapping):
        for key in ("name", "text", "value", "title", "url", "href", "domain"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key]
    return None


_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})Z?)?")


def record_date(value: Any) -> str | None:
    """A record's date as ISO 8601: what :func:`kg.ingest.iso_date` reads, Unix timestamps
    (seconds or milliseconds) and compact forms (``20240305T100000Z``, ``20240305100000``).

    >>> record_date(1709632800), record_date("1709632800000"), record_date("20240305T100000Z")
    ('2024-03-05T10:00:00+00:00', '2024-03-05T10:00:00+00:00', '2024-03-05T10:00:00+00:00')
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{9,13}(?:\.\d+)?", value.strip()):
        value = float(value)
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        if not 0 < seconds < 4.2e9:  # 1970-2103
            return None
        return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()
    if isinstance(value, str) and (m := _COMPACT_DATE.fullmatch(value.strip())):
        y, mo, d, h, mi, s = m.groups()
        try:
            if h is None:
                return datetime(int(y), int(mo), int(d)).date().isoformat()
            return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc).isoformat()
        except ValueError:
            return None
    return iso_date(value)


def from_mapping(row: Mapping[str, Any], fields: Mapping[str, str], record: Record) -> Record:
    """Fill ``record`` from the fields of one JSON object or CSV row."""
    index: dict[str, str] = {}
    for k in row:
        if isinstance(k, str):
            index.setdefault(_norm(k), k)
    found = {what: _lookup(row, what, fields, index) for what in FIELD_NAMES}
    text, key = found["text"]
    record.text = _as_text(text)
    if record.text is not None and key is not None and _norm(key) in ("html", "contenthtml"):
        record.html = True
    record.title = _as_text(found["title"][0])
    record.lead = _as_text(found["lead"][0])
    record.url = _as_text(found["url"][0])
    record.lang = _as_text(found["lang"][0])
    record.source = _as_text(found["source"][0])
    record.ident = _as_text(found["id"][0])
    raw_date, date_key = found["date"]
    if raw_date is not None:
        record.date = record_date(raw_date)
        if record.date is None:
            record.warnings.append(f"unrecognised date {raw_date!r} in field {date_key!r}")
    if record.text is not None and not record.html and len(record.text) > ingest.MAX_BYTES:
        cut = record.text.rfind("\n", 0, ingest.MAX_BYTES)
        record.text = record.text[: cut if cut > 0 else ingest.MAX_BYTES]
        record.warnings.append(f"truncated: the text is over {ingest.MAX_BYTES:,} characters; the first part was read")
    if record.text is not None and (m := _TRUNCATED.search(record.text[-200:])):
        record.text = record.text[: len(record.text) - len(record.text[-200:]) + m.start()]
        record.warnings.append(f"the text was cut by the export (it ended with {m.group().strip()!r})")
    if record.text is None or not record.text.strip():
        if record.lead and record.lead.strip():
            record.text, record.lead, record.summary_only = record.lead, None, True
            record.warnings.append("summary only: the record has no article text")
        else:
            named = (
                f"field {fields['text']!r}"
                if "text" in fields
                else ("none of the fields " + ", ".join(FIELD_NAMES["text"][:4]) + ", ...")
            )
            record.error = f"no text ({named})"
    return record


# --------------------------------------------------------------------------- files


_GZIP = b"\x1f\x8b"


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, gunzipped when it is gzip (by its content, whatever its name).

    Raises:
        IngestError: the file cannot be opened, or is another kind of binary file.
    """
    from kg.ingest import _MAGIC

    check_file(path)
    try:
        handle: IO[bytes] = open(path, "rb")  # noqa: SIM115 - returned to the caller
        head = handle.read(16)
        handle.seek(0)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    if head.startswith(_GZIP):
        return gzip.GzipFile(fileobj=handle, mode="rb")  # type: ignore[return-value]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            handle.close()
            raise IngestError(f"{path}: binary file ({kind}), not text")
    return handle


#: What reading a gzip or file can raise once it has started (a cut or corrupt stream).
READ_ERRORS = (OSError, EOFError, zlib.error)


def _utf16(handle: IO[bytes]) -> str | None:
    """The encoding of a file that starts with a UTF-16 or UTF-32 byte order mark."""
    head = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _lines(handle: IO[bytes], stats: ArchiveStats) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, UTF-8 bytes or None when over the limit, size)`` of each line, one at a time."""
    encoding = _utf16(handle)
    if encoding is not None:  # rare: JSON Lines must be UTF-8, but some tools write UTF-16
        stats.warn(f"the file is {encoding.upper()}, not UTF-8")
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        source: Iterator[bytes] = (line.encode("utf-8", "surrogatepass") for line in text)
        for number, line in enumerate(source, 1):
            yield number, line, len(line)
        return
    number = 0
    while True:
        line = handle.readline(MAX_RECORD_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_RECORD_BYTES and not line.endswith(b"\n"):
            size = len(line)
            while True:  # the rest of the line, a block at a time
                chunk = handle.readline(1 << 20)
                size += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield number, None, size
            continue
        yield number, line, len(line)


def _decode_line(data: bytes, record: Record, stats: ArchiveStats) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        stats.undecodable += 1
        record.warnings.append("not valid UTF-8: decoded as cp1252")
        return data.decode("cp1252", errors="replace")


def read_jsonl(path: Path, stats: ArchiveStats, fields: Mapping[str, str] | None = None) -> Iterator[Record]:
    """The records of a JSON Lines file (``.jsonl``, ``.ndjson``, gzipped or not), one per line.

    Blank lines are not records. Positions are line numbers (``line=42``).

    Raises:
        IngestError: the file cannot be opened at all (a gzip stream that breaks later
            ends the records with a warning in ``stats``).
    """
    fields = fields or {}
    handle = open_binary(path)
    number = 0
    try:
        for number, line, size in _lines(handle, stats):
            record = Record(position=f"line={number}", number=number)
            if line is None:
                record.error = f"a record of {size:,} bytes, over the limit of {MAX_RECORD_BYTES:,}"
                yield record
                continue
            body = line.strip()
            if number == 1:
                body = body.removeprefix(codecs.BOM_UTF8)
            if not body:
                continue
            record.sha256 = hashlib.sha256(body).hexdigest()
            text = _decode_line(body, record, stats)
            try:
                data = json.loads(text, strict=False)
            except json.JSONDecodeError as exc:
                record.error = f"malformed JSON: {exc.msg} at column {exc.colno}"
                yield record
                continue
            except RecursionError:
                record.error = "malformed JSON: nested too deeply"
                yield record
                continue
            if not isinstance(data, dict):
                record.error = f"not a JSON object (a {type(data).__name__ if data is not None else 'null'})"
                yield record
                continue
            yield from_mapping(data, fields, record)
    except READ_ERRORS as exc:
        stats.warn(f"the file ends early or is corrupt after line {number}: {exc}; the records before were read")
    finally:
        handle.close()


def count_jsonl(path: Path) -> int:
    """About how many records a JSON Lines file holds (its lines), read in blocks."""
    try:
        handle = open_binary(path)
    except IngestError:
        return 0
    lines, last = 0, b"\n"
    try:
        with handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
    except READ_ERRORS:
        pass
    return lines + (last != b"\n")


# --------------------------------------------------------------------------- CSV


def _csv_text(path: Path) -> tuple[IO[str], str]:
    """The CSV file as text (UTF-8 with undecodable bytes kept as surrogates; or UTF-16) and its delimiter."""
    handle = open_binary(path)
    encoding = _utf16(handle) or "utf-8-sig"
    text = io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="")
    try:
        header = text.readline(1 << 20)
        text.seek(0)
    except READ_ERRORS as exc:
        text.close()
        raise IngestError(f"{path}: cannot read file: {exc}") from exc
    except io.UnsupportedOperation:  # not seekable: reopen
        text.close()
        handle = open_binary(path)
        text = io.TextIOWrapper(handle, encoding=encoding, errors="surrogateescape", newline="")
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    return text, delimiter


_SURROGATES = re.compile("[\udc80-\udcff]")


def _fix_cell(value: str, record: Record, stats: ArchiveStats) -> str:
    """A cell whose bytes were not UTF-8, decoded as cp1252 instead."""
    if not _SURROGATES.search(value):
        return value
    if "not valid UTF-8: decoded as cp1252" not in record.warnings:
        stats.undecodable += 1
        record.warnings.append("not valid UTF-8: decoded as cp1252")
    return value.encode("utf-8", "surrogateescape").decode("cp1252", errors="replace")


def read_csv(path: Path, stats: ArchiveStats, fields: Mapping[str, str] | None = None) -> Iterator[Record]:
    """The records of a CSV file (gzipped or not), one per row after the header row.

    The delimiter (``,``, ``;``, tab or ``|``) is the one the header uses most. Positions
    are the line where the row starts (``line=2`` is the first row after the header).

    Raises:
        IngestError: the file cannot be opened, or has no header row.
    """
    fields = fields or {}
    if csv.field_size_limit() < MAX_RECORD_BYTES:
        csv.field_size_limit(MAX_RECORD_BYTES)
    text, delimiter = _csv_text(path)
    reader = csv.reader(text, delimiter=delimiter)
    line = 0
    try:
        try:
            header = next(reader)
        except StopIteration:
            raise IngestError(f"{path}: empty CSV file (no header row)") from None
        except csv.Error as exc:
            raise IngestError(f"{path}: unreadable CSV header: {exc}") from None
        header = [h.strip() for h in header]
        if not any(header):
            raise IngestError(f"{path}: the first row (the header) is empty")
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(position=f"line={start}", number=start, error=f"malformed CSV row: {exc}")
                continue
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            record = Record(position=f"line={start}", number=start)
            raw = "\x1f".join(header) + "\x1e" + "\x1f".join(row)
            record.sha256 = hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()
            size = len(raw)
            if size > MAX_RECORD_BYTES:
                record.error = f"a record of {size:,} characters, over the limit of {MAX_RECORD_BYTES:,}"
                yield record
                continue
            if len(row) != len(header):
                record.warnings.append(f"{len(row)} cells where the header has {len(header)}")
            cells = {h: _fix_cell(v, record, stats) for h, v in zip(header, row, strict=False) if h}
            yield from_mapping(cells, fields, record)
    except READ_ERRORS as exc:
        stats.warn(f"the file ends early or is corrupt after line {line}: {exc}; the records before were read")
    finally:
        text.close()


def count_csv(path: Path) -> int:
    """About how many records a CSV file holds (its rows after the header)."""
    try:
        text, delimiter = _csv_text(path)
    except IngestError:
        return 0
    if csv.field_size_limit() < MAX_RECORD_BYTES:
        csv.field_size_limit(MAX_RECORD_BYTES)
    rows = 0
    try:
        with text:
            for row in csv.reader(text, delimiter=delimiter):
                rows += bool(row)
    except (csv.Error, *READ_ERRORS):
        pass
    return max(0, rows - 1)

"""Web archives (``.warc``, ``.warc.gz``) as records, read with warcio.

Each ``response`` (or ``resource``) record of an HTML page with a 2xx status becomes
a :class:`~kg.records.Record`: the page (decoded with the charset of its HTTP
``Content-Type``, else as kg decodes HTML files), the record's target URI as its URL
and the capture date as the date when the page gives none. Its position is the
record's byte offset in the file (``offset=1234``), the one WARC indexes (CDX) use.

A ``revisit`` record says that a URL was captured again with the same content: it is
yielded with ``kind="revisit"`` so the build can tell whether the page it refers to
was read. Every other record (``warcinfo``, ``request``, ``metadata``, responses that
are images, scripts, redirects or errors, ...) is counted in
:class:`~kg.records.ArchiveStats` by what it is, and skipped.

The file is streamed one record at a time. A gzip stream compressed as one member
(not per record, as WARC tools write it) is read through Python's gzip module.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.ingest import check_file, decode
from kg.records import MAX_RECORD_BYTES, READ_ERRORS, ArchiveStats, Record, record_date

__all__ = ["read_warc", "count_warc"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_NAMES = {
    "warcinfo": "warcinfo records",
    "request": "request records",
    "metadata": "metadata records",
    "conversion": "conversion records",
    "continuation": "continuation records (segmented payloads)",
}


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``text/html; charset=UTF-8``."""
    if not content_type:
        return "", None
    media, *params = content_type.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media.strip().lower(), charset


def _records(path: Path, stats: ArchiveStats) -> Iterator[tuple[Callable[[], int], Any]]:
    """``(offset, warcio record)`` of each record, warcio's complaints kept as warnings.

    ``offset()`` gives the record's byte offset in the file; call it after reading the
    record's content (warcio reads the record to its end to know it).

    warcio writes its warnings (a record not followed by blank lines) to stderr: they
    are caught and counted instead.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    check_file(path)
    seen = 0
    for attempt in ("chunked", "whole-file gzip"):
        try:
            handle = open(path, "rb") if attempt == "chunked" else gzip.open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise IngestError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
        try:
            iterator = ArchiveIterator(handle)
            records = iter(iterator)
            index = 0
            while True:
                err = io.StringIO()
                try:
                    with contextlib.redirect_stderr(err):
                        record = next(records)
                except StopIteration:
                    return
                finally:
                    if err.getvalue():
                        stats.other["records with a wrong Content-Length (warcio read on)"] += 1
                index += 1
                if index == 1 and (record.format != "warc" or not record.rec_type):
                    raise IngestError(f"{path}: not a WARC file (its first record is not a WARC record)")
                if index <= seen:  # already given before the file was reopened as one gzip stream
                    continue
                seen = index
                yield iterator.get_record_offset, record
        except ArchiveLoadFailed as exc:
            message = str(exc)
            if "non-chunked gzip" in message and attempt == "chunked":
                stats.warn("gzip compressed as one stream, not record by record (warcio recompress fixes that)")
                continue
            if seen == 0:
                raise IngestError(f"{path}: not a WARC file: {message.strip().splitlines()[0]}") from None
            stats.warn(
                f"unreadable after record {seen}: {message.strip().splitlines()[0]}; the records before were read"
            )
            return
        except READ_ERRORS as exc:
            if seen == 0:
                raise IngestError(f"{path}: cannot read the WARC file: {exc}") from None
            stats.warn(f"the file ends early or is corrupt after record {seen}: {exc}; the records before were read")
            return
        finally:
            handle.close()


def read_warc(path: Path, stats: ArchiveStats) -> Iterator[Record]:
    """The HTML pages and revisits of a WARC file, as records (see the module's docstring).

    Raises:
        IngestError: the file cannot be opened or is not a WARC file.
    """
    for offset_of, rec in _records(path, stats):
        headers = rec.rec_headers
        kind = rec.rec_type
        uri = headers.get_header("WARC-Target-URI")
        if kind == "revisit":
            offset = offset_of()
            yield Record(position=f"offset={offset}", number=offset, url=uri, kind="revisit")
            continue
        if kind not in ("response", "resource"):
            stats.other[_NAMES.get(kind, f"{kind} records") if kind else "records without a WARC-Type"] += 1
            continue
        http = rec.http_headers
        if kind == "response" and http is None:
            stats.other["responses that are not HTTP (dns, ...)"] += 1
            continue
        content_type = http.get_header("Content-Type") if http is not None else headers.get_header("Content-Type")
        media, charset = _media_type(content_type)
        if http is not None:
            status = http.get_statuscode() or ""
            if not status.startswith("2"):
                what = {"3": "redirects", "4": "client errors", "5": "server errors"}.get(status[:1], "other statuses")
                stats.other[f"responses with HTTP status {status[:1]}xx ({what})"] += 1
                continue
        if media not in _HTML_TYPES:
            stats.other[f"non-HTML {kind}s ({media or 'no content type'})"] += 1
            continue
        try:
            payload = rec.content_stream().read(MAX_RECORD_BYTES + 1)
            error = None
        except Exception as exc:  # noqa: BLE001 - a broken content encoding: this record only
            payload, error = b"", f"cannot read the page: {type(exc).__name__}: {exc}"
        cut = len(payload) <= MAX_RECORD_BYTES and getattr(rec.raw_stream, "limit", 0) > 0
        offset = offset_of()
        position = f"offset={offset}"
        record = Record(position=position, number=offset, url=uri, html=True, error=error)
        record.fallback_date = record_date(headers.get_header("WARC-Date"))
        if error is not None:
            yield record
            continue
        if cut:  # fewer bytes than the record's Content-Length: the file ends inside it
            record.warnings.append("the record is cut (the file ends inside it): the start of the page was read")
            stats.warn("the file ends inside a record")
        if len(payload) > MAX_RECORD_BYTES:
            payload = payload[:MAX_RECORD_BYTES]
            record.warnings.append(f"truncated: the page is over {MAX_RECORD_BYTES:,} bytes; the first part was read")
        record.sha256 = hashlib.sha256(payload).hexdigest()
        try:
            record.text, warnings = decode(payload, name=f"{path.name}#{position}", charset=charset, html=True)
        except IngestError as exc:
            record.error = str(exc).split(": ", 1)[-1]
            yield record
            continue
        record.warnings.extend(warnings)
        if not record.text.strip():
            record.error = "empty page"
        yield record


def count_warc(path: Path) -> int:
    """About how many HTML pages a WARC file holds (its response and resource records of HTML)."""
    stats = ArchiveStats()
    pages = 0
    try:
        for _offset, rec in _records(path, stats):
            if rec.rec_type in ("response", "resource"):
                http = rec.http_headers
                ctype = (
                    http.get_header("Content-Type") if http is not None else rec.rec_headers.get_header("Content-Type")
                )
                pages += _media_type(ctype)[0] in _HTML_TYPES and (
                    http is None or http.get_statuscode().startswith("2")
                )
    except IngestError:
        return pages
    return pages

"""Saved RSS and Atom feeds (``.rss``, ``.atom``, feed ``.xml``) as records, read with feedparser.

Each entry becomes a :class:`~kg.records.Record`: its full content (``content:encoded``
in RSS, ``<content>`` in Atom; HTML, sanitised by feedparser), its title, link,
publication date and language (the entry's, else the feed's), and the feed's title
as its source. An entry with a summary only (``<description>``, ``<summary>``) is kept
with that summary as its text and flagged ``summary_only``; the report says so. An
entry with neither is skipped. Positions are entry numbers (``entry=3``).

The file's bytes are given to feedparser (never a name it could fetch over the
network); a feed that is not well-formed XML is read leniently, with a warning.
A feed is read whole (feeds are small); its entries are yielded one at a time.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kg.errors import IngestError
from kg.ingest import check_file
from kg.records import ArchiveStats, Record, record_date

__all__ = ["read_feed", "count_feed", "MAX_FEED_BYTES"]

#: A feed file larger than this is refused (feedparser holds a feed whole).
MAX_FEED_BYTES = 200_000_000

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _parse(path: Path) -> Any:
    import feedparser

    info = check_file(path)
    if info.st_size > MAX_FEED_BYTES:
        raise IngestError(f"{path}: a feed of {info.st_size:,} bytes, over the limit of {MAX_FEED_BYTES:,}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    # a stream: given bytes or a string, feedparser would first try them as a file name or a URL
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=True)
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        raise IngestError(f"{path}: not an RSS or Atom feed" + (f" ({problem})" if problem else ""))
    return parsed


def _date(entry: Any) -> str | None:
    """The entry's publication date as written (its time zone kept), else as feedparser read it (UTC)."""
    for key in ("published", "updated", "created"):
        if entry.get(key) and (iso := record_date(entry[key])):
            return iso
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc).isoformat()
    return None


def _plain(detail: Any, value: str | None) -> str | None:
    """A title as plain text (feedparser keeps the markup of an HTML title)."""
    if not value:
        return None
    if detail and detail.get("type") in _HTML_TYPES and "<" in value:
        import lxml.html

        try:
            return " ".join(lxml.html.fragment_fromstring(value, create_parent="div").text_content().split()) or None
        except Exception:  # noqa: BLE001 - a broken title keeps its text as written
            return value
    return value


def read_feed(path: Path, stats: ArchiveStats) -> Iterator[Record]:
    """The entries of a feed, as records (see the module's docstring).

    Raises:
        IngestError: the file cannot be read or is not a feed.
    """
    parsed = _parse(path)
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        if problem is not None and "CharacterEncodingOverride" not in type(problem).__name__:
            stats.warn(f"not well-formed XML ({problem}); read leniently")
    feed = parsed.get("feed", {})
    feed_lang = feed.get("language")
    source = _plain(feed.get("title_detail"), feed.get("title"))
    for number, entry in enumerate(parsed.entries, 1):
        record = Record(position=f"entry={number}", number=number, source=source)
        contents = [c for c in entry.get("content") or [] if (c.get("value") or "").strip()]
        summary = entry.get("summary_detail") or {}
        if contents:
            chosen = max(contents, key=lambda c: len(c["value"]))
        elif (summary.get("value") or "").strip():
            chosen = summary
            record.summary_only = True
            record.warnings.append("summary only: the feed gives no full text for this entry")
        else:
            chosen = None
            record.error = "no content or summary in the entry"
        record.title = _plain(entry.get("title_detail"), entry.get("title"))
        record.url = entry.get("link") or None
        record.ident = entry.get("id") or None
        record.date = _date(entry)
        if chosen is not None:
            record.text = chosen["value"]
            record.html = chosen.get("type") in _HTML_TYPES
            record.lang = chosen.get("language") or (entry.get("title_detail") or {}).get("language") or feed_lang
            if record.lead is None and not record.summary_only and (summary.get("value") or "").strip():
                lead = summary["value"]
                record.lead = _plain(summary, lead) if summary.get("type") in _HTML_TYPES else lead
        raw = json.dumps([record.ident, record.url, record.title, record.date, record.text], ensure_ascii=False)
        record.sha256 = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
        yield record


def count_feed(path: Path) -> int:
    """How many entries a feed holds."""
    try:
        return len(_parse(path).entries)
    except IngestError:
        return 0

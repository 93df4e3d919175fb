"""Turn input files into :class:`~kg.model.Document` objects.

One function per step: :func:`discover` lists a corpus, :func:`read_document`
reads one file: bytes are checked (no binary files) and decoded, the text is
normalised (:func:`normalise_text`), front matter and HTML ``<head>`` give
metadata, Markdown and HTML bodies become plain text, page chrome is removed
line by line (:mod:`kg.chrome`) and the language is decided. The analysed
``Document.text`` is fixed only after all that, so every later offset refers to it.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     root = Path(tmp)
...     _ = (root / "n1.txt").write_text("Partager\\nUne usine ouvre à Nantes\\n\\nLa société a embauché 200 personnes.\\n")
...     doc = read_document(root / "n1.txt", root=root)
>>> doc.title, doc.lang, doc.text
('Une usine ouvre à Nantes', 'fr', 'Une usine ouvre à Nantes\\n\\nLa société a embauché 200 personnes.')
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any

import yaml

from kg.chrome import html_body_text, load_rules, markdown_to_text, strip_chrome
from kg.errors import IngestError
from kg.model import Document

__all__ = [
    "SUFFIXES",
    "ARCHIVE_SUFFIXES",
    "discover",
    "input_kind",
    "read_document",
    "record_document",
    "decode",
    "looks_like_html",
    "normalise_text",
    "detect_language",
    "iso_date",
]

#: Suffixes of files that hold one document each (compared in lower case).
SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
_MARKDOWN = frozenset({".md", ".markdown"})
_HTML = frozenset({".html", ".htm"})

#: Suffixes of files that hold many documents (news archives), and their format.
#: A ``.xml`` file is read only when it is an RSS or Atom feed.
ARCHIVE_SUFFIXES: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".ndjson.gz": "jsonl",
    ".csv": "csv",
    ".csv.gz": "csv",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"BZh91AY&SY", "bzip2 archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable"),
    (b"MZ\x90\x00", "executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"RIFF", "RIFF media"),
    (b"\x00asm", "WebAssembly"),
)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u2028": "\n", "\u2029": "\n"})
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u00ad\u200b\u2060\ufeff]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A\s*---[ \t]*\n")
_HTML_START = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>])", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_ALNUM_KEY = re.compile(r"[\W_]+")

_FM_TITLE = ("title", "headline")
_FM_DATE = (
    "date",
    "publishedDateTime",
    "published",
    "pubDate",
    "datePublished",
    "published_at",
    "publishedAt",
    "publish_date",
    "created",
    "created_at",
)
_FM_URL = ("url", "originalUrl", "webUrl", "link", "canonical", "canonical_url", "canonicalUrl")
_FM_LANG = ("lang", "language", "locale", "inLanguage")
_FM_SOURCE = ("source", "publisher", "provider.name", "site_name", "siteName")
_FM_LEAD = ("excerpt", "description", "summary", "subtitle")
_LANGS = ("fr", "en")


def discover(root: Path) -> list[Path]:
    """Return every input file under ``root``, sorted: text, Markdown and HTML files, and
    news archives (JSON Lines, CSV, WARC, RSS and Atom feeds; see :func:`input_kind`).

    Hidden files and directories (name starting with ``.``) are skipped; suffixes
    compare case-insensitively (see :data:`SUFFIXES` and :data:`ARCHIVE_SUFFIXES`).

    Raises:
        IngestError: ``root`` is not a directory.
    """
    root = Path(root)
    if not root.is_dir():
        raise IngestError(f"{root}: not a directory")
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(Path(dirpath, f) for f in filenames if not f.startswith(".") and input_kind(Path(dirpath, f)))
        # a folder named like a document is reported (skipped: not a file), and still searched
        found.extend(Path(dirpath, d) for d in dirnames if Path(d).suffix.lower() in SUFFIXES)
    return sorted(found)


def input_kind(path: Path) -> str | None:
    """What ``path`` holds, by its name: ``"document"`` (one document: :data:`SUFFIXES`),
    an archive format (``"jsonl"``, ``"csv"``, ``"warc"``, ``"feed"``), or None (not an input).

    A ``.xml`` file is a feed when its start holds an ``<rss>``, ``<feed>`` or ``<rdf:RDF>``
    element; other XML files are not inputs.

    >>> [input_kind(Path(n)) for n in ("a.TXT", "b.jsonl.gz", "c.csv", "d.warc.gz", "e.rss", "f.json", "g.gz")]
    ['document', 'jsonl', 'csv', 'warc', 'feed', None, None]
    """
    name = path.name.lower()
    suffix = Path(name).suffix
    if suffix in SUFFIXES:
        return "document"
    if suffix == ".gz":
        suffix = Path(name[:-3]).suffix + ".gz"
    kind = ARCHIVE_SUFFIXES.get(suffix)
    if suffix == ".xml":
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):  # never open a pipe: it would block
                return None
            with open(path, "rb") as handle:
                head = handle.read(4096)
        except OSError:
            return None
        return kind if _FEED_ROOT.search(head) else None
    return kind


#: Files larger than this are read up to the last line break before it, with a warning.
MAX_BYTES = 20_000_000


def check_file(path: Path) -> os.stat_result:
    """``path``'s status, when it is a regular file that can be read.

    A broken link, a directory, a pipe or a device is refused before any read (a
    pipe would block forever).

    Raises:
        IngestError: what is wrong, with the file's name.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise IngestError(f"{path}: broken link (its target {os.readlink(path)!r} does not exist)") from None
        raise IngestError(f"{path}: file not found") from None
    except OSError as exc:
        raise IngestError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a pipe" if stat.S_ISFIFO(info.st_mode) else "a special file"
        raise IngestError(f"{path}: not a regular file ({kind})")
    return info


def _read_bytes(path: Path) -> tuple[bytes, str | None]:
    """The file's bytes (at most :data:`MAX_BYTES`) and a warning if it was cut (see :func:`check_file`)."""
    info = check_file(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read file: {exc.strerror or exc}") from exc
    if len(data) <= MAX_BYTES:
        return data, None
    cut = data.rfind(b"\n", 0, MAX_BYTES)
    data = data[: cut if cut > 0 else MAX_BYTES]
    return data, f"truncated: the file has {info.st_size:,} bytes; only the first {len(data):,} were read"


def read_document(path: Path, *, root: Path, doc_id: str | None = None) -> Document:
    """Read one file into a :class:`~kg.model.Document`.

    Args:
        path: the file.
        root: corpus root; ``Document.path`` is ``path`` relative to it, POSIX style.
        doc_id: identifier; the file stem by default.

    Raises:
        IngestError: the file cannot be read, is binary, cannot be decoded, or is
            not under ``root`` (the message names the file).
    """
    path, root = Path(path), Path(root)
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        raise IngestError(f"{path}: not under the corpus root {root}") from None
    data, truncated = _read_bytes(path)
    suffix = path.suffix.lower()
    text, warnings = _decode(data, path, html=suffix in _HTML)
    if truncated:
        warnings.insert(0, truncated)
    text = normalise_text(text)
    if suffix in _HTML or (suffix == ".txt" and _HTML_START.match(text)):
        parts = _from_html(_drop_inline_data(text))
    elif suffix in _MARKDOWN or (suffix == ".txt" and _FRONT_MATTER.match(text)):
        parts = _from_front_matter(text, markdown=True)
    else:
        parts = _Parts(body=text)
    return _document(
        parts,
        warnings,
        doc_id=doc_id if doc_id is not None else path.stem,
        path=rel,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def record_document(
    text: str,
    *,
    doc_id: str,
    path: str,
    sha256: str,
    html: bool | None = None,
    title: str | None = None,
    lead: str | None = None,
    date: str | None = None,
    url: str | None = None,
    lang: str | None = None,
    source: str | None = None,
    fallback_date: str | None = None,
    warnings: tuple[str, ...] | list[str] = (),
) -> Document:
    """One record of a news archive (a JSON Lines or CSV record, a feed entry, a WARC
    response) as a :class:`~kg.model.Document`.

    The text goes through the same steps as a file's: normalisation, HTML to text with
    page chrome removed (a whole saved page also gives its ``<head>`` metadata), chrome
    lines removed, language decided. The record's own metadata wins over what its HTML
    says; ``fallback_date`` (a crawl date) is used when neither gives a date. The title
    and the lead are analysed with the text, as for a Markdown file's front matter.

    Args:
        text: the record's article text, plain or HTML.
        doc_id: the document's id.
        path: where the record is (``news.jsonl#line=42``).
        sha256: digest of the record's bytes (what incremental builds compare).
        html: whether ``text`` is HTML (None: decided by :func:`looks_like_html`).

    >>> doc = record_document("<p>La société Ventoline a ouvert une usine à Nantes et embauché 200 personnes.</p>",
    ...                       doc_id="r1", path="news.jsonl#line=1", sha256="0" * 64, title="Une usine à Nantes")
    >>> doc.title, doc.lang, doc.text
    ('Une usine à Nantes', 'fr', 'Une usine à Nantes\\n\\nLa société Ventoline a ouvert une usine à Nantes et embauché 200 personnes.')
    """
    warnings = list(warnings)
    if html is None:
        html = looks_like_html(text)
    elif html and not _ANY_TAG.search(text[:100_000]):  # "HTML" without a tag: a text with entities
        text, html = unescape(text), False
    text = normalise_text(_drop_inline_data(text) if html else text)
    if html and _HTML_START.match(text):
        parts = _from_html(text)
        parts.kind = "record"
    elif html:
        body, _ = html_body_text(text)  # a fragment: trafilatura finding no "page" in it is expected
        parts = _Parts(body=body, kind="record")
    else:
        parts = _Parts(body=text, kind="record")
    warnings.extend(parts.warnings)
    parts.warnings = []
    parts.title = _one_line(title) or parts.title
    parts.lead = _one_line(lead) or parts.lead
    parts.url = _one_line(url) or parts.url
    parts.source = _one_line(source) or parts.source
    parts.meta_lang = _one_line(lang) or parts.meta_lang
    parts.date = date or parts.date or fallback_date
    return _document(parts, warnings, doc_id=doc_id, path=path, sha256=sha256)


def _document(parts: _Parts, warnings: list[str], *, doc_id: str, path: str, sha256: str) -> Document:
    """The Document of a file or record once its parts are known: chrome removed, title and language decided."""
    warnings.extend(parts.warnings)
    cleaned = _assemble(parts)
    title = parts.title
    if title is None and parts.kind != "html" and cleaned:
        first = cleaned.split("\n", 1)[0].strip()
        title = first if _looks_like_headline(first) else None

    lang = None
    if parts.meta_lang:
        code = parts.meta_lang.strip().lower()[:2]
        if code in _LANGS:
            lang = code
        else:
            warnings.append(f"unsupported language {parts.meta_lang!r} in metadata; detected from the text")
    if lang is None:
        lang = detect_language(cleaned)
        if lang is None:
            lang, how = _guess_short_language(cleaned)
            if lang == "und":
                warnings.append("language is neither French nor English (no model for it): kept without facts")
            elif how == "letters" and cleaned.strip():
                warnings.append(f"language guessed from too few words: {lang!r}")
    if not cleaned:
        warnings.append("no article text after cleanup")
    return Document(
        doc_id=doc_id,
        path=path,
        text=cleaned,
        lang=lang,
        sha256=sha256,
        title=title,
        date=parts.date,
        url=parts.url,
        source=parts.source,
        warnings=tuple(warnings),
    )


_ANY_TAG = re.compile(r"<[a-zA-Z/!]")
_HTML_TAG = re.compile(
    r"<(?:p|div|br|html|body|article|section|main|header|h[1-6]|ul|ol|li|span|a|img|figure|table|blockquote|em|strong)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


_INLINE_DATA = re.compile(r"""(=\s*["']?)data:[^"'\s>]{512,}""", re.IGNORECASE)


def _drop_inline_data(html: str) -> str:
    """The page without the ``data:`` URIs of inline images and fonts (a saved page's bulk:
    megabytes that carry no text, and attribute values longer than the HTML parser takes).

    >>> _drop_inline_data('<img src="data:image/png;base64,' + 'A' * 600 + '"><p>Text</p>')
    '<img src="data:,"><p>Text</p>'
    """
    if "data:" not in html:
        return html
    return _INLINE_DATA.sub(r"\1data:,", html)


def looks_like_html(text: str) -> bool:
    """Whether a record's text is HTML: it starts with a tag, or holds at least three HTML tags.

    >>> looks_like_html("<p>Une usine ouvre.</p>"), looks_like_html("Prix < 5 € et > 3 €"), looks_like_html("a<br>b<br/>c<br>")
    (True, False, True)
    """
    head = text[:20_000]
    tags = _HTML_TAG.findall(head)
    if not tags:
        return False
    return head.lstrip().startswith("<") or len(tags) >= 3


def decode(data: bytes, *, name: str, charset: str | None = None, html: bool = False) -> tuple[str, list[str]]:
    """Bytes of a file or record as text, and warnings (as for files: binary content refused,
    UTF-8 or a declared charset, else CP1252 with a warning).

    Args:
        name: what the bytes are, for messages.
        charset: the encoding declared beside the bytes (an HTTP ``Content-Type``), tried first.

    Raises:
        IngestError: binary content, or bytes that cannot be decoded.
    """
    if charset:
        try:
            codec = codecs.lookup(charset.strip().strip("\"'")).name
        except LookupError:
            codec = None
        if codec is not None and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
            for magic, kind in _MAGIC:
                if data.startswith(magic):
                    raise IngestError(f"{name}: binary content ({kind}), not text")
            try:
                return data.decode(codec), []
            except UnicodeDecodeError:
                pass
    return _decode(data, Path(name), html=html)


def normalise_text(text: str) -> str:
    """Unicode NFC, ``\\n`` newlines, no control or invisible characters, plain spaces.

    Non-breaking and thin spaces become spaces, runs of spaces collapse, trailing
    spaces go, and three or more newlines collapse to one blank line. An opening
    quote or accent between two letters ("Google‘s") becomes an apostrophe.

    >>> normalise_text("Prix\\u00a0: 5\\u00a0€\\r\\n\\r\\n\\r\\n\\r\\nFin\\x07  ok ")
    'Prix : 5 €\\n\\nFin ok'
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text.translate(_SPACES))
    text = re.sub(r"(?<=\S) {2,}", " ", text)
    text = re.sub(r"(?<=\w)[‘`´](?=\w)", "’", text)  # an opening quote or accent used as an apostrophe
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_FRENCH_LETTERS = re.compile(r"[éèêàçùûôîœ]", re.I)


def _guess_short_language(text: str) -> tuple[str, str]:
    """Language of a text too short for :func:`detect_language`, and how it was found:
    ``"und"`` for a longer text of another language, else by its few stop words,
    else French if it has French letters."""
    words = _WORD.findall(text.casefold())
    fr_stop, en_stop = _stop_words()
    fr = sum(w in fr_stop for w in words)
    en = sum(w in en_stop for w in words)
    if len(words) >= 8 and max(fr, en) < 0.1 * len(words):
        return "und", "stop words"
    if fr != en:
        return ("fr" if fr > en else "en"), "stop words"
    return ("fr" if _FRENCH_LETTERS.search(text) else "en"), "letters"


def detect_language(text: str) -> str | None:
    """Return ``"fr"`` or ``"en"`` by the share of spaCy stop words, or ``None``.

    ``None`` means too few stop words of either language (fewer than 3, or under
    10% of the words) to decide.

    >>> detect_language("Le conseil a voté la loi et les syndicats ont protesté.")
    'fr'
    >>> detect_language("The board said that it would sign the deal with the union.")
    'en'
    >>> detect_language("ChatGPT GPT-4 Claude Gemini") is None
    True
    """
    fr_stop, en_stop = _stop_words()
    words = _WORD.findall(text.casefold().replace("’", "'"))
    if not words:
        return None
    fr = sum(1 for w in words if w in fr_stop or w + "'" in fr_stop)
    en = sum(1 for w in words if w in en_stop)
    best = max(fr, en)
    if best < 3 or best < 0.1 * len(words):
        return None
    return "fr" if fr > en else "en"


@lru_cache(maxsize=1)
def _stop_words() -> tuple[frozenset[str], frozenset[str]]:
    from kg.nlp import stop_words

    return stop_words("fr"), stop_words("en")


# --------------------------------------------------------------------------- decoding


def _decode(data: bytes, path: Path, *, html: bool) -> tuple[str, list[str]]:
    """Check for binary content, then decode; return the text and warnings."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(f"{path}: binary file ({kind}), not text")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = None
        if b"\x00" in data:
            raise IngestError(f"{path}: binary file (contains NUL bytes), not text")
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise IngestError(f"{path}: cannot decode {encoding} text: {exc.reason} at byte {exc.start}") from exc
        if "\x00" in text:
            raise IngestError(f"{path}: binary file (contains NUL characters), not text")
        return text.removeprefix("\ufeff"), []
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    if html and (m := _CHARSET.search(data[:4096])):
        try:
            return data.decode(codecs.lookup(m.group(1).decode("ascii")).name), []
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("cp1252"), ["not valid UTF-8: decoded as cp1252"]
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"{path}: cannot decode text (neither UTF-8 nor cp1252): byte 0x{data[exc.start]:02x} at offset {exc.start}"
        ) from exc


# --------------------------------------------------------------------------- assembly


@dataclass
class _Parts:
    """What a file yields before chrome removal: metadata, lead and body."""

    body: str = ""
    kind: str = "text"
    title: str | None = None
    lead: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    meta_lang: str | None = None
    warnings: list[str] = field(default_factory=list)


def _alnum_key(text: str) -> str:
    return _ALNUM_KEY.sub("", text.casefold())


def _assemble(parts: _Parts) -> str:
    """Title, lead and body separated by blank lines, chrome removed, lines trimmed."""
    body = parts.body.strip()
    pieces = []
    if parts.title and parts.kind != "text":
        first_line, _, rest = body.partition("\n")
        if _alnum_key(first_line) == _alnum_key(parts.title):
            body = rest.strip()
        pieces.append(parts.title)
    if parts.lead and _alnum_key(parts.lead) not in _alnum_key(body[:3000]):
        pieces.append(parts.lead)
    pieces.append(body)
    text, _ = strip_chrome("\n\n".join(p for p in pieces if p), rules=load_rules())
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _looks_like_headline(line: str) -> bool:
    """A short first line without final period that starts with a capital, digit or quote."""
    words = line.split()
    return (
        0 < len(words) <= 18
        and len(line) <= 150
        and not line.endswith((".", ",", ";", ":", "…"))
        and not line[0].islower()
        and any(c.isalpha() for c in line)
    )


# --------------------------------------------------------------------------- front matter


def _from_front_matter(text: str, *, markdown: bool) -> _Parts:
    meta, body, warnings = _split_front_matter(text)
    parts = _Parts(kind="markdown", warnings=warnings)
    parts.body = markdown_to_text(body) if markdown else body
    if meta:
        parts.title = _one_line(_first(meta, _FM_TITLE))
        parts.lead = _one_line(_first(meta, _FM_LEAD))
        parts.url = _one_line(_first(meta, _FM_URL))
        parts.source = _one_line(_first(meta, _FM_SOURCE, name_of_mapping=True))
        parts.meta_lang = _one_line(_first(meta, _FM_LANG))
        parts.date = _first_date(meta, _FM_DATE, parts.warnings)
    return parts


class _SafeYAML:
    """python-frontmatter's YAML handler with the loader pinned to ``yaml.SafeLoader``."""

    def __init__(self) -> None:
        from frontmatter.default_handlers import YAMLHandler

        self._handler = YAMLHandler()

    def split(self, text: str) -> tuple[str, str]:
        fm, body = self._handler.split(text)
        return fm, body

    @staticmethod
    def load(fm: str) -> Any:
        return yaml.load(fm, Loader=yaml.SafeLoader)  # noqa: S506 - SafeLoader, never anything else


def _split_front_matter(text: str) -> tuple[dict[str, Any], str, list[str]]:
    """Return ``(metadata, body, warnings)``; a text without front matter is all body."""
    if not _FRONT_MATTER.match(text):
        return {}, text, []
    handler = _SafeYAML()
    try:
        fm, body = handler.split(text.lstrip())
    except ValueError:
        return {}, text, ["front matter opened with '---' but never closed; read as text"]
    try:
        meta = handler.load(fm)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""  # fm starts after the '---' line
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in (problem or ""):
            return {}, body, [f"front matter refused{line}: {problem} (only plain YAML is loaded); metadata ignored"]
        return {}, body, [f"malformed front matter{line}: {problem}; metadata ignored"]
    if meta is None:
        return {}, body, []
    if not isinstance(meta, Mapping):
        return {}, text, []
    return {str(k): v for k, v in meta.items()}, body, []


def _lookup(meta: Mapping[str, Any], dotted: str) -> Any:
    value: Any = meta
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _first(meta: Mapping[str, Any], keys: tuple[str, ...], *, name_of_mapping: bool = False) -> str | None:
    for k in keys:
        value = _lookup(meta, k)
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, (str, Mapping))), None)
        if name_of_mapping and isinstance(value, Mapping):
            value = value.get("name")
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
            return str(value)
    return None


def _one_line(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _first_date(meta: Mapping[str, Any], keys: tuple[str, ...], warnings: list[str]) -> str | None:
    for k in keys:
        value = _lookup(meta, k)
        if value is None or isinstance(value, bool):
            continue
        iso = iso_date(value)
        if iso:
            return iso
        warnings.append(f"unrecognised date {value!r} in front matter field {k!r}")
    return None


def iso_date(value: Any) -> str | None:
    """Return ``value`` (date, datetime or string) as ISO 8601, or ``None``.

    >>> iso_date("Tue, 05 Mar 2024 10:00:00 GMT"), iso_date("05/03/2024"), iso_date("2024-03-05")
    ('2024-03-05T10:00:00+00:00', '2024-03-05', '2024-03-05')
    """
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    s = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            return date.fromisoformat(s).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(s.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", s) else s).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(s).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    if m := re.match(r"(\d{4}-\d{2}-\d{2})[T ]", s):
        return iso_date(m.group(1))
    return None


# --------------------------------------------------------------------------- HTML


_HTML_DATE_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish_date",
    "publication_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "dcterms.date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—·»]|::|-)\s+")


def _from_html(html: str) -> _Parts:
    """Metadata from the page's head, body text from :func:`kg.chrome.html_body_text`."""
    import lxml.html

    body, warnings = html_body_text(html)
    parts = _Parts(body=body, kind="html", warnings=warnings)
    try:
        tree = lxml.html.document_fromstring(re.sub(r"\A\s*<\?xml[^>]*\?>", "", html))
    except Exception:  # noqa: BLE001 - lxml's ParserError/ValueError on an empty or broken page
        return parts
    meta: dict[str, str] = {}
    for m in tree.iter("meta"):
        name = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        if name and (m.get("content") or "").strip():
            meta.setdefault(name, " ".join(m.get("content").split()))
    canonical = next(
        (
            link.get("href")
            for link in tree.iter("link")
            if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
        ),
        None,
    )
    parts.url = canonical or meta.get("og:url")
    parts.source = meta.get("og:site_name") or meta.get("application-name")
    parts.meta_lang = tree.get("lang") or tree.get("xml:lang") or meta.get("og:locale") or meta.get("content-language")
    parts.date = next((d for k in _HTML_DATE_KEYS if (d := iso_date(meta.get(k)))), None)
    parts.title = meta.get("og:title") or meta.get("twitter:title") or _title_tag(tree, parts.source)
    if parts.title is None:
        h1 = tree.find(".//h1")
        parts.title = " ".join(h1.text_content().split()) or None if h1 is not None else None
    if parts.date is None or parts.source is None or parts.title is None:
        _trafilatura_metadata(html, parts)
    return parts


def _title_tag(tree: Any, site: str | None) -> str | None:
    """The ``<title>`` without the site name that page templates add to it.

    The ``<h1>`` is used when the title contains it; otherwise a segment equal to
    the site name, or else a short last segment after ``|``/``-``/``–``, is cut.
    """
    el = tree.find(".//title")
    title = " ".join(el.text_content().split()) if el is not None else ""
    if not title:
        return None
    h1 = tree.find(".//h1")
    heading = " ".join(h1.text_content().split()) if h1 is not None else ""
    if heading and len(heading) >= 10 and heading in title:
        return heading
    cuts = list(_TITLE_SEPARATORS.finditer(title))
    if not cuts:
        return title
    if site is not None:
        if _alnum_key(title[cuts[-1].end() :]) == _alnum_key(site):
            return title[: cuts[-1].start()]
        if _alnum_key(title[: cuts[0].start()]) == _alnum_key(site):
            return title[cuts[0].end() :]
    head, tail = title[: cuts[-1].start()], title[cuts[-1].end() :]
    return head if len(tail) <= 40 and len(tail) < len(head) else title


def _trafilatura_metadata(html: str, parts: _Parts) -> None:
    """Fill missing title, date and source from trafilatura's metadata extraction."""
    try:
        from trafilatura.metadata import extract_metadata

        found = extract_metadata(html, date_config={"extensive_search": False, "original_date": True})
    except Exception:  # noqa: BLE001 - metadata is optional; a broken page keeps what it has
        return
    if found is None:
        return
    parts.title = parts.title or (found.title or None)
    parts.date = parts.date or iso_date(found.date)
    parts.source = parts.source or (found.sitename or None)

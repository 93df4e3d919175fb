"""Line-based removal of page chrome (menus, share buttons, paywalls, comments...).

Saved web pages keep much text that is not the article: share and like widgets,
language pickers, cookie banners, newsletter prompts, paywall notices, comment
sections, "read also" teasers, advertisement labels and photo credits. The
phrases and patterns that recognise such lines are data, in
``ontology/lexicon/chrome.yaml``; this module applies them one line at a time,
so the text that comes out is made of whole input lines (plus the few in-line
trims the lexicon declares) and later character offsets simply refer to it.

Two structural rules need no lexicon: a line without any letter or digit
(separators, lone bullets) is dropped, and so is an exact repeat of an earlier
line of three words or more (titles that page templates print twice). A line
that would end the article (a paywall notice, a comment section's heading) ends
it only when what follows is not article prose.

>>> text, removed = strip_chrome("Partager\\nLa société a levé 10 millions d'euros.\\nPublicité")
>>> text
"La société a levé 10 millions d'euros."
>>> [r.reason for r in removed]
['share/like widget', 'advertisement']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kg.errors import IngestError
from kg.yamlsafe import safe_load

__all__ = [
    "Removal",
    "ChromeRules",
    "HtmlRules",
    "load_rules",
    "key",
    "strip_chrome",
    "prune_html",
    "html_blocks",
    "html_body_text",
    "markdown_to_text",
]

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
_LEAD = " \t•·▪◦‣∙●○■□►▶▸→*-–—|>»›+"
_TRAIL = " \t:.…!·•|>»›-–—"
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?!:;])")
_WS = re.compile(r"\s+")
_DEFAULT_MAX_CHARS = 400
_REPEAT_MIN_WORDS = 3
_ACTIONS = ("drop", "cut", "keep")
_SENTENCE_END = tuple(".!?…»”\"')")
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+\b")


def key(line: str) -> str:
    """Return the form of ``line`` that chrome phrases are compared with.

    NFKC, straight quotes, no list bullet in front, no colon/ellipsis/dash at the
    end, single spaces, no space before ``? ! : ;``. Case is kept (phrases compare
    it folded, patterns usually ignore it).

    >>> key("  • Déjà abonné\\u00a0? Se connecter :")
    'Déjà abonné? Se connecter'
    """
    s = unicodedata.normalize("NFKC", line).translate(_QUOTES)
    s = _WS.sub(" ", s).strip().lstrip(_LEAD).rstrip(_TRAIL)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", s)


@dataclass(frozen=True)
class Removal:
    """A line (or part of one) that chrome removal took out.

    Attributes:
        line: 0-based index of the line in the text given to :func:`strip_chrome`.
        text: what was removed (the whole line, or the trimmed part).
        reason: the rule group's reason, e.g. ``"paywall notice"``.
    """

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class _Group:
    name: str
    reason: str
    action: str
    lines: frozenset[str]
    prefixes: tuple[str, ...]
    contains: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    max_chars: int

    def matches(self, keyed: str, folded: str) -> bool:
        if folded in self.lines:
            return True
        if len(keyed) > self.max_chars:
            return False
        for prefix in self.prefixes:
            if folded.startswith(prefix):
                rest = keyed[len(prefix) :].lstrip() if len(folded) == len(keyed) else folded[len(prefix) :].lstrip()
                if not rest or not rest[0].islower():
                    return True
        if any(c in folded for c in self.contains):
            return True
        return any(p.search(keyed) for p in self.patterns)


def _phrases(value: Any, where: str) -> list[str]:
    """Flatten ``{lang: [phrases]}`` or ``[phrases]`` into keyed, folded phrases."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        items: Iterable[Any] = (p for v in value.values() for p in (v or []))
    elif isinstance(value, list):
        items = value
    else:
        raise IngestError(f"chrome lexicon: {where} must be a list or a mapping of lists")
    return [key(str(p)).casefold() for p in items if key(str(p))]


@dataclass(frozen=True)
class HtmlRules:
    """Element-level chrome of HTML pages (the lexicon's ``html`` section)."""

    drop_tags: frozenset[str] = frozenset()
    drop_headers: bool = True
    drop_roles: frozenset[str] = frozenset()
    class_words: frozenset[str] = frozenset()
    class_phrases: tuple[str, ...] = ()
    caption_words: frozenset[str] = frozenset()
    byline_words: frozenset[str] = frozenset()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> HtmlRules:
        def words(name: str) -> frozenset[str]:
            return frozenset(_class_words(str(w)) for w in data.get(name) or [])

        return cls(
            drop_tags=frozenset(str(t).lower() for t in data.get("drop_tags") or []),
            drop_headers=bool(data.get("drop_headers", True)),
            drop_roles=frozenset(str(r).lower() for r in data.get("drop_roles") or []),
            class_words=words("class_words"),
            class_phrases=tuple(_class_words(str(p)) for p in data.get("class_phrases") or []),
            caption_words=words("caption_words"),
            byline_words=words("byline_words"),
        )


@dataclass(frozen=True)
class ChromeRules:
    """Compiled chrome lexicon (see ``ontology/lexicon/chrome.yaml``)."""

    groups: tuple[_Group, ...]
    min_chars_before_cut: int = 200
    prose_min_words: int = 20
    glued_prefix: re.Pattern[str] | None = None
    trailing: tuple[re.Pattern[str], ...] = ()
    caption_credits: tuple[re.Pattern[str], ...] = ()
    caption_min_words: int = 3
    html: HtmlRules = HtmlRules()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "chrome lexicon") -> ChromeRules:
        """Compile the lexicon's parsed YAML; raise IngestError naming ``source`` if it is invalid."""
        groups = []
        try:
            for name, spec in (data.get("groups") or {}).items():
                action = spec.get("action", "drop")
                if action not in _ACTIONS:
                    raise IngestError(f"{source}: group {name!r} has unknown action {action!r}")
                flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
                pats = spec.get("patterns") or []
                if isinstance(pats, Mapping):
                    pats = [p for v in pats.values() for p in (v or [])]
                groups.append(
                    _Group(
                        name=str(name),
                        reason=str(spec.get("reason", name)),
                        action=action,
                        lines=frozenset(_phrases(spec.get("lines"), f"{name}.lines")),
                        prefixes=tuple(_phrases(spec.get("prefixes"), f"{name}.prefixes")),
                        contains=tuple(_phrases(spec.get("contains"), f"{name}.contains")),
                        patterns=tuple(re.compile(p, flags) for p in pats),
                        max_chars=int(spec.get("max_chars", _DEFAULT_MAX_CHARS)),
                    )
                )
            glued = [re.escape(str(w)) for w in data.get("glued_prefixes") or []]
            return cls(
                groups=tuple(groups),
                min_chars_before_cut=int(data.get("min_chars_before_cut", 200)),
                prose_min_words=int(data.get("prose_min_words", 20)),
                glued_prefix=re.compile(rf"^\s*({'|'.join(glued)})(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ])") if glued else None,
                trailing=tuple(re.compile(p) for p in data.get("trailing_patterns") or []),
                caption_credits=tuple(re.compile(p, re.IGNORECASE) for p in data.get("caption_credits") or []),
                caption_min_words=int(data.get("caption_min_words", 3)),
                html=HtmlRules.from_mapping(data.get("html") or {}),
            )
        except re.error as exc:
            raise IngestError(f"{source}: invalid pattern {exc.pattern!r}: {exc}") from exc
        except (AttributeError, TypeError, ValueError) as exc:
            raise IngestError(f"{source}: malformed lexicon: {exc}") from exc

    def classify(self, line: str) -> tuple[str, str] | None:
        """Return ``(reason, action)`` if ``line`` is chrome, else ``None``.

        A line that a ``keep`` group matches (a byline) is not chrome.

        >>> load_rules().classify("Il reste 69% de l'article à découvrir.")
        ('paywall notice', 'cut')
        >>> load_rules().classify("La FML représente 9 000 adhérents.") is None
        True
        """
        if not line.strip():
            return None
        if not any(c.isalnum() for c in line):
            return ("punctuation", "drop")
        keyed = key(line)
        folded = keyed.casefold()
        for group in self.groups:
            if group.matches(keyed, folded):
                return None if group.action == "keep" else (group.reason, group.action)
        return None

    def caption_credit(self, line: str) -> int | None:
        """Where the photo credit that follows a caption on ``line`` starts, or ``None``.

        >>> rules = load_rules()
        >>> line = "Le siège de la coopérative à Brest © J. Morvan / AFP"
        >>> line[: rules.caption_credit(line)]
        'Le siège de la coopérative à Brest'
        >>> rules.caption_credit("© J. Morvan / AFP") is None  # a credit alone: the whole line is chrome
        True
        """
        for pattern in self.caption_credits:
            m = pattern.search(line)
            if m is None:
                continue
            caption = line[: m.start()].strip()
            if len(caption.split()) >= self.caption_min_words and (
                caption.endswith(_SENTENCE_END) or _LOWER_WORD.search(caption)
            ):
                return m.start()
        return None

    def is_prose(self, line: str) -> bool:
        """Whether ``line`` reads as a paragraph of article text (long enough, ending like a sentence).

        >>> load_rules().is_prose("Super article !")
        False
        """
        line = line.strip()
        return len(line.split()) >= self.prose_min_words and line.endswith(_SENTENCE_END)

    def prose_follows(self, lines: list[str], start: int) -> bool:
        """Whether the first line from ``start`` on that is neither blank nor chrome is article prose."""
        for line in lines[start:]:
            if not line.strip() or self.classify(line) is not None:
                continue
            return self.is_prose(line)
        return False


@lru_cache(maxsize=8)
def load_rules(path: Path | None = None) -> ChromeRules:
    """Load and compile the chrome lexicon (the packaged ``chrome.yaml`` by default).

    Raises:
        IngestError: the file is missing or is not a valid lexicon (message names it).
    """
    try:
        if path is None:
            res = resources.files("kg.ontology").joinpath("lexicon", "chrome.yaml")
            source, text = str(res), res.read_text(encoding="utf-8")
        else:
            source, text = str(path), Path(path).read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError) as exc:
        raise IngestError(f"{path or 'kg.ontology/lexicon/chrome.yaml'}: cannot read chrome lexicon: {exc}") from exc
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise IngestError(f"{source}: invalid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise IngestError(f"{source}: chrome lexicon must be a mapping")
    return ChromeRules.from_mapping(data, source=source)


def strip_chrome(text: str, *, rules: ChromeRules | None = None) -> tuple[str, list[Removal]]:
    """Remove chrome lines from ``text``; return the cleaned text and what was removed.

    Lines are kept or dropped whole, except a glued navigation word at a line's
    start, a photo credit after a caption and a bracketed citation label at its
    end. A ``cut`` line removes the rest of the text only when at least
    ``min_chars_before_cut`` characters were kept before it and the text after it
    does not go on with article prose; otherwise it is only dropped. Runs of blank
    lines left behind collapse to one; leading and trailing blank lines go.

    Args:
        text: normalised text (``\\n`` newlines).
        rules: compiled lexicon; the packaged one by default.

    >>> article = "Le syndicat a signé l'accord avec le groupe. " * 6
    >>> strip_chrome(article + "\\nCommentaires (2)\\nSuper article !")[0] == article.strip()
    True
    >>> strip_chrome("Titre\\nCommentaires (2)\\nTexte")[0]  # too little text before: only dropped
    'Titre\\nTexte'
    >>> prose = "Le groupe formera quatre cents salariés, a précisé le syndicat. " * 3
    >>> strip_chrome(article + "\\n0 Comments\\n" + prose)[0] == article.strip() + "\\n" + prose.strip()
    True
    """
    rules = rules or load_rules()
    kept: list[str] = []
    removed: list[Removal] = []
    seen: set[str] = set()
    kept_chars = 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if rules.glued_prefix is not None and (m := rules.glued_prefix.match(line)):
            removed.append(Removal(i, m.group(0).strip(), "navigation link"))
            line = line[m.end() :]
        if (start := rules.caption_credit(line)) is not None:
            removed.append(Removal(i, line[start:].strip(), "photo credit"))
            line = line[:start].rstrip()
        verdict = rules.classify(line)
        if verdict is not None:
            reason, action = verdict
            if action == "cut" and kept_chars >= rules.min_chars_before_cut and not rules.prose_follows(lines, i + 1):
                removed.extend(
                    Removal(j, rest, f"after {reason}" if j > i else reason)
                    for j, rest in enumerate(lines[i:], start=i)
                    if rest.strip()
                )
                break
            removed.append(Removal(i, line, reason))
            continue
        norm = _WS.sub(" ", unicodedata.normalize("NFKC", line)).strip()
        if len(norm.split()) >= _REPEAT_MIN_WORDS:
            if norm in seen:
                removed.append(Removal(i, line, "repeated line"))
                continue
            seen.add(norm)
        for pattern in rules.trailing:
            if m := pattern.search(line):
                removed.append(Removal(i, m.group(0).strip(), "citation label"))
                line = line[: m.start()]
        kept.append(line.rstrip())
        kept_chars += len(line.strip())
    return _collapse_blank_lines("\n".join(kept)), removed


def _collapse_blank_lines(text: str) -> str:
    return re.sub(r"\n(?:[ \t]*\n)+", "\n\n", text).strip("\n")


# --------------------------------------------------------------------------- HTML and Markdown

_BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p pre section summary table tbody "
    "tfoot thead tr ul caption".split()
)
_CELL_TAGS = frozenset({"td", "th"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_BYLINE = 200
_MAX_CAPTION = 600


def _class_words(raw: str) -> str:
    """``"shareBar main-nav"`` -> ``"share bar main nav"`` (lower case, camelCase split)."""
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw)
    return " ".join(w for w in re.split(r"[\s_\-]+", raw.lower()) if w)


def _marks(el: Any) -> str:
    return _class_words(" ".join(v for v in (el.get("class"), el.get("id")) if v))


def _content_root(tree: Any) -> Any:
    """The element holding the article: the largest ``<article>``, else ``<main>``, else ``<body>``."""
    articles = tree.xpath("//article")
    if articles:
        best = max(articles, key=lambda a: len(a.text_content()))
        if len(best.text_content().strip()) >= 200:
            return best
    mains = tree.xpath("//main | //*[@role='main']")
    if mains:
        return mains[0]
    body = tree.find(".//body")
    return body if body is not None else tree


def _is_chrome_element(el: Any, rules: HtmlRules, in_article: bool) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in rules.drop_tags:
        return True
    if tag == "header" and rules.drop_headers and not in_article and el.find(".//h1") is None:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    if (el.get("role") or "").lower() in rules.drop_roles:
        return True
    marks = _marks(el)
    if not marks:
        return False
    if any(w in rules.class_words for w in marks.split()):
        return True
    padded = f" {marks} "
    return any(f" {p} " in padded for p in rules.class_phrases)


def prune_html(tree: Any, *, rules: ChromeRules | None = None) -> int:
    """Remove chrome elements (nav, share bars, comments...) from an lxml tree in place.

    Comments, processing instructions, ``script``/``style``/``template``/``noscript``
    and the lexicon's ``html`` rules are applied; an element containing the article
    (see the lexicon) is never removed. Tail text of removed elements is kept.
    Returns how many elements were removed.
    """
    html_rules = (rules or load_rules()).html
    root = _content_root(tree)
    protected = {root, *root.iterancestors()}
    doomed = []
    for el in tree.iter():
        if el in protected:
            continue
        if not isinstance(el.tag, str):
            doomed.append(el)
            continue
        in_article = any(a.tag in ("article", "main") for a in el.iterancestors())
        if el.tag in ("script", "style", "template", "noscript") or _is_chrome_element(el, html_rules, in_article):
            doomed.append(el)
    doomed_set = set(doomed)
    removed = 0
    for el in doomed:
        if el.getparent() is not None and not any(a in doomed_set for a in el.iterancestors()):
            el.drop_tree()
            removed += 1
    return removed


class _Walker:
    """Collects the text of an lxml tree as ``(line, kind)`` blocks; kind is text, caption or byline."""

    def __init__(self, rules: HtmlRules) -> None:
        self.rules = rules
        self.blocks: list[tuple[str, str, int]] = []
        self.buf: list[str] = []
        self.flag: str | None = None
        self.para = 0

    def kind_of(self, el: Any) -> str | None:
        if not isinstance(el.tag, str):
            return None
        if el.tag == "figcaption":
            return "caption"
        if el.tag == "address" or el.get("rel") == "author" or el.get("itemprop") == "author":
            return "byline"
        words = set(_marks(el).split())
        if words & self.rules.caption_words:
            return "caption"
        if words & self.rules.byline_words:
            return "byline"
        return None

    def flush(self, kind: str) -> None:
        text = "".join(self.buf)
        self.buf = []
        flag, self.flag = self.flag, None
        self.para += 1
        for line in text.split("\n"):
            line = " ".join(line.split())
            if not line:
                continue
            k = kind
            if k == "text" and flag == "byline" and len(line) <= _MAX_BYLINE:
                k = "byline"
            elif k == "text" and flag == "caption" and len(line) <= _MAX_CAPTION:
                k = "caption"
            self.blocks.append((line, k, self.para))

    def walk(self, el: Any, kind: str, pre: bool = False) -> None:
        if not isinstance(el.tag, str):
            return
        tag = el.tag.lower()
        mark = self.kind_of(el)
        block = tag in _BLOCK_TAGS
        inner = kind
        if block:
            self.flush(kind)
            if mark and kind == "text":
                inner = mark
        elif mark:
            self.flag = mark
        if tag == "br":
            self.buf.append("\n")
        elif tag in _CELL_TAGS and self.buf and "".join(self.buf).strip():
            self.buf.append(" | ")
        pre = pre or tag == "pre"
        if el.text:
            self.buf.append(el.text if pre else re.sub(r"\s+", " ", el.text))
        for child in el:
            self.walk(child, inner, pre)
            if child.tail:
                self.buf.append(child.tail if pre else re.sub(r"\s+", " ", child.tail))
        if block:
            self.flush(inner)


def html_blocks(tree: Any, *, rules: ChromeRules | None = None) -> list[tuple[str, str, int]]:
    """The visible text of an (already pruned) lxml tree as ``(line, kind, paragraph)`` triples.

    ``kind`` is ``"caption"`` for figure captions, ``"byline"`` for bylines and
    ``"text"`` otherwise; lines of one block element share ``paragraph``. Block
    elements and ``<br>`` end lines; table cells are joined by `` | ``; inline
    markup (links, emphasis) keeps its text; images give none.
    """
    walker = _Walker((rules or load_rules()).html)
    walker.walk(tree, "text")
    walker.flush("text")
    return walker.blocks


def _parse_html(html: str) -> Any:
    import lxml.html

    html = re.sub(r"\A\s*<\?xml[^>]*\?>", "", html)
    try:
        return lxml.html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - lxml raises ParserError/ValueError on empty or odd documents
        return lxml.html.document_fromstring(f"<html><body>{html}</body></html>")


def html_body_text(html: str, *, rules: ChromeRules | None = None) -> tuple[str, list[str]]:
    """The article text of an HTML page, one block per paragraph; also warnings.

    trafilatura decides which blocks are the article (comments excluded); the
    page's own blocks, pruned of chrome elements, give order and keep the figure
    captions and bylines that trafilatura drops. If trafilatura finds nothing, the
    pruned text of ``<article>``/``<main>``/``<body>`` is used.
    """
    import trafilatura

    rules = rules or load_rules()
    tree = _parse_html(html)
    prune_html(tree, rules=rules)
    blocks = html_blocks(tree.find(".//body") if tree.find(".//body") is not None else tree, rules=rules)
    try:
        extracted = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            output_format="txt",
        )
    except Exception:  # noqa: BLE001 - trafilatura may fail on broken markup; fall back below
        extracted = None
    if not extracted or not extracted.strip():
        root = _content_root(tree)
        text = _join(html_blocks(root, rules=rules))
        return text, (["main content not found by trafilatura; used the page's own text"] if text else [])
    return _merge(blocks, extracted), []


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _join(blocks: list[tuple[str, str, int]]) -> str:
    """Lines of one paragraph joined by a newline, paragraphs by a blank line."""
    out: list[str] = []
    prev = None
    for line, _, para in blocks:
        if out:
            out.append("\n" if para == prev else "\n\n")
        out.append(line)
        prev = para
    return "".join(out)


def _merge(blocks: list[tuple[str, str, int]], extracted: str) -> str:
    """Keep the page blocks trafilatura kept, plus captions and bylines within the article."""
    lines = [line.strip().removeprefix("- ") for line in extracted.split("\n") if line.strip()]
    keys = {_key(line) for line in lines}
    joined = "".join(_key(line) for line in lines)
    matched = [bool(k) and (k in keys or (len(k) >= 20 and k in joined)) for k in (_key(text) for text, _, _ in blocks)]
    if not any(matched):
        return "\n\n".join(lines)
    covered = sum(len(_key(text)) for (text, _, _), m in zip(blocks, matched, strict=True) if m)
    if covered < 0.7 * len(joined):
        return "\n\n".join(lines)
    first = matched.index(True)
    last = len(matched) - 1 - matched[::-1].index(True)
    start = first
    while start > 0 and first - start < 3 and blocks[start - 1][1] in ("caption", "byline"):
        start -= 1
    return _join(
        [
            block
            for i, (block, m) in enumerate(zip(blocks, matched, strict=True))
            if m or (block[1] in ("caption", "byline") and start <= i <= last)
        ]
    )


def markdown_to_text(markdown: str, *, rules: ChromeRules | None = None) -> str:
    """Plain text of a Markdown body: no heading marks, emphasis, link targets or images.

    Line breaks inside paragraphs are kept, so line-based chrome rules still see
    one widget per line.

    >>> markdown_to_text("# Titre\\n\\nUn *accord* signé avec [la FML](https://x.example).\\n![logo](l.png)")
    'Titre\\n\\nUn accord signé avec la FML.'
    """
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"breaks": True}).enable("table").render(markdown)
    tree = _parse_html(f"<html><body>{rendered}</body></html>")
    prune_html(tree, rules=rules)
    body = tree.find(".//body")
    return _join(html_blocks(body if body is not None else tree, rules=rules))

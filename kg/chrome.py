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
line of three words or more (titles that page templates print twice).

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

__all__ = ["Removal", "ChromeRules", "load_rules", "key", "strip_chrome"]

_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "´": "'", "`": "'", "“": '"', "”": '"', "„": '"'})
_LEAD = " \t•·▪◦‣∙●○■□►▶▸→*-–—|>»›+"
_TRAIL = " \t:.…!·•|>»›-–—"
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?!:;])")
_WS = re.compile(r"\s+")
_DEFAULT_MAX_CHARS = 400
_REPEAT_MIN_WORDS = 3


def key(line: str) -> str:
    """Return the form of ``line`` that chrome phrases are compared with.

    NFKC, straight quotes, no list bullet in front, no colon/ellipsis/dash at the
    end, single spaces, no space before ``? ! : ;``. Case is kept (phrases compare
    it folded, patterns usually ignore it).

    >>> key("  • Déjà abonné\\u00a0? Se connecter :")
    "Déjà abonné? Se connecter"
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
                rest = keyed[len(prefix):].lstrip() if len(folded) == len(keyed) else folded[len(prefix):].lstrip()
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
class ChromeRules:
    """Compiled chrome lexicon (see ``ontology/lexicon/chrome.yaml``)."""

    groups: tuple[_Group, ...]
    min_chars_before_cut: int = 200
    glued_prefix: re.Pattern[str] | None = None
    trailing: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: str = "chrome lexicon") -> ChromeRules:
        """Compile the lexicon's parsed YAML; raise IngestError naming ``source`` if it is invalid."""
        groups = []
        try:
            for name, spec in (data.get("groups") or {}).items():
                action = spec.get("action", "drop")
                if action not in ("drop", "cut"):
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
                glued_prefix=re.compile(rf"^\s*({'|'.join(glued)})(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ])") if glued else None,
                trailing=tuple(re.compile(p) for p in data.get("trailing_patterns") or []),
            )
        except re.error as exc:
            raise IngestError(f"{source}: invalid pattern {exc.pattern!r}: {exc}") from exc
        except (AttributeError, TypeError, ValueError) as exc:
            raise IngestError(f"{source}: malformed lexicon: {exc}") from exc

    def classify(self, line: str) -> tuple[str, str] | None:
        """Return ``(reason, action)`` if ``line`` is chrome, else ``None``.

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
                return (group.reason, group.action)
        return None


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
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IngestError(f"{source}: invalid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise IngestError(f"{source}: chrome lexicon must be a mapping")
    return ChromeRules.from_mapping(data, source=source)


def strip_chrome(text: str, *, rules: ChromeRules | None = None) -> tuple[str, list[Removal]]:
    """Remove chrome lines from ``text``; return the cleaned text and what was removed.

    Lines are kept or dropped whole, except a glued navigation word at a line's
    start and a bracketed citation label at its end. Runs of blank lines left
    behind collapse to one; leading and trailing blank lines go.

    Args:
        text: normalised text (``\\n`` newlines).
        rules: compiled lexicon; the packaged one by default.

    >>> strip_chrome("Titre de l'article\\n\\nCommentaires (2)\\nSuper !")[0]
    "Titre de l'article"
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
            line = line[m.end():]
        verdict = rules.classify(line)
        if verdict is not None:
            reason, action = verdict
            if action == "cut" and kept_chars >= rules.min_chars_before_cut:
                removed.extend(Removal(j, rest, f"after {reason}" if j > i else reason)
                               for j, rest in enumerate(lines[i:], start=i) if rest.strip())
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
        kept.append(line)
        kept_chars += len(line.strip())
    return _collapse_blank_lines("\n".join(kept)), removed


def _collapse_blank_lines(text: str) -> str:
    return re.sub(r"\n(?:[ \t]*\n)+", "\n\n", text).strip("\n")

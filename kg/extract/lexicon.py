"""Load the rule data kept under ``ontology/lexicon/`` (YAML), once per process.

>>> roles = load_roles("fr")
>>> roles["pdg"]
'ceo'
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources
from typing import Any

import yaml

from kg.errors import ExtractionError
from kg.yamlsafe import safe_load

__all__ = [
    "load_yaml",
    "load_gazetteer",
    "load_places",
    "load_roles",
    "load_triggers",
    "fold",
]


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` used for lexicon look-ups.

    Memoised: the rules fold the same words (tokens, lemmas, lexicon entries) over and over.

    >>> fold("Présidente")
    'presidente'
    """
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).casefold()
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.cache
def load_yaml(name: str) -> Any:
    """Return the parsed content of ``ontology/lexicon/<name>.yaml``."""
    path = resources.files("kg.ontology").joinpath("lexicon", f"{name}.yaml")
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ExtractionError(f"cannot read lexicon {path}: {exc}") from exc


@functools.cache
def load_gazetteer() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Known names -> (class, every name of the same thing).

    Names come from ``gazetteer.yaml`` and the place names of ``places.yaml``.
    """
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for type_, entries in load_yaml("gazetteer").items():
        for entry in entries:
            names = tuple(n.strip() for n in str(entry).split("|") if n.strip())
            for n in names:
                out.setdefault(n, (type_, names))
    for place in load_places():
        names = tuple(dict.fromkeys([place["fr"], place["en"], *place.get("alt", [])]))
        for n in names:
            out.setdefault(n, ("Place", names))
    return out


@functools.cache
def load_places() -> tuple[dict[str, Any], ...]:
    """Entries of ``places.yaml``: ``{fr, en, alt, adj}``."""
    return tuple(load_yaml("places"))


@functools.cache
def demonyms(lang: str) -> dict[str, str]:
    """Folded nationality adjective -> place name in ``lang``.

    >>> demonyms("fr")["americaine"]
    'États-Unis'
    """
    out: dict[str, str] = {}
    for place in load_places():
        for adj in place.get("adj", []):
            out.setdefault(fold(adj), place[lang])
    return out


@functools.cache
def place_names(lang: str) -> dict[str, str]:
    """Folded place name or alternative -> the place's name in ``lang``."""
    out: dict[str, str] = {}
    for place in load_places():
        for n in [place["fr"], place["en"], *place.get("alt", [])]:
            out.setdefault(fold(n), place[lang])
    return out


@functools.cache
def load_roles(lang: str) -> dict[str, str]:
    """Job title as written (folded) -> role name recorded on ``worksFor``."""
    data = load_yaml("roles")
    roles = {fold(k): v for k, v in data.get(lang, {}).items()}
    # English titles appear in French articles too ("CEO", "CTO")
    for k, v in data.get("en", {}).items():
        roles.setdefault(fold(k), v)
    return roles


@functools.cache
def load_titles(lang: str) -> dict[str, str]:
    """Job titles that only name the role of a ``worksFor`` fact (``titles`` of roles.yaml), with the roles."""
    data = load_yaml("roles")
    titles = dict(load_roles(lang))
    for source in (data.get("titles", {}).get(lang, {}), data.get("titles", {}).get("en", {})):
        for k, v in source.items():
            titles.setdefault(fold(k), v)
    return titles


@functools.cache
def load_triggers(lang: str) -> dict[str, Any]:
    """Trigger words and word lists of ``relations.yaml`` for ``lang``."""
    data = load_yaml("relations")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and ("fr" in value or "en" in value):
            out[key] = value.get(lang, [])
        else:
            out[key] = value
    return out

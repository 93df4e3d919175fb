"""Check gold annotation files (the guideline's JSON format) before they are trained or scored on.

People write gold files by hand, usually starting from ``kg export --format
gold-json``. :func:`check_annotations` reads a folder of them and names every
problem with its file, fact and entity, so that training can refuse
annotations that cannot be used and report the doubtful ones.

Severities. An **error** makes the annotation unusable or silently wrong: the
file cannot be read or paired with its document, a field is missing or has the
wrong type, a type or predicate is unknown, a fact names something that is not
an entity of the file, an attribute cannot be read as what it means, an entity
is listed twice with the same type. A **warning** is something a careful
annotator may do on purpose, or that the scorer tolerates:

- a predicate, entity type or currency in another case than the ontology's
  ("partnerswith", "person", "usd"): accepted, as the scorer compares them
  case-insensitively, but the ontology's spelling is expected;
- a fact whose subject or object class the ontology forbids (``kg.model.SIGNATURES``;
  a group noun object counts as ``Group``): the guideline's text sometimes
  allows more than the ontology, and such facts still score, but kg's
  extractor never produces them;
- a fact that names an entity by an alias or a variant of its label, rather
  than by the label itself;
- an object of ``trains`` / ``represents`` that is neither an entity nor a
  lower-case group noun;
- a role that is not lower case, a count or year written as a decimal number
  (``2030.0``), an attribute the guideline does not give that predicate
  (a ``role`` on ``investsIn``), a field the format does not have;
- two entities with the same label and different types ("Alan" the company,
  Alan the person), and a fact listed twice (in either direction for the
  symmetric ``partnersWith``);
- with the corpus: an entity none of whose names (label or aliases) occurs in
  the document's text, and a ``said`` quotation that does not occur in it.
  Text is compared after folding case, accents, punctuation and spacing; an
  entity passes when any one of its names occurs (the guideline labels a
  nationality adjective's place with the country's name and keeps the
  adjective as an alias).

>>> import json, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     _ = (Path(tmp) / "n1.json").write_text(json.dumps({
...         "doc": "n1", "entities": [{"label": "Nadia Roux", "type": "Person", "aliases": []}],
...         "facts": [{"s": "Nadia Roux", "p": "worksFor", "o": "Acme"}]}))
...     problems = check_annotations(tmp)
>>> [(p.severity, p.fact) for p in problems]
[('error', 1)]
>>> print(str(problems[0]).split("/")[-1])
n1.json: fact 1 (Nadia Roux worksFor Acme): the object "Acme" is not an entity of the file
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.evaluate import GROUP_PREDICATES, document_key, normalise, predicate_key
from kg.model import ENTITY_TYPES, PREDICATES, SIGNATURES

__all__ = [
    "AnnotationError",
    "Problem",
    "SEVERITIES",
    "DOCUMENT_FIELDS",
    "ENTITY_FIELDS",
    "FACT_FIELDS",
    "PREDICATE_ATTRIBUTES",
    "load_annotations",
    "check_annotations",
]


class AnnotationError(KGError):
    """The folder of annotations (or the corpus beside it) cannot be read at all."""


SEVERITIES: tuple[str, ...] = ("error", "warning")
#: Fields of a document, an entity and a fact in the gold format (``iri`` is written by ``kg export``).
DOCUMENT_FIELDS: frozenset[str] = frozenset({"doc", "lang", "entities", "facts"})
ENTITY_FIELDS: frozenset[str] = frozenset({"label", "type", "aliases", "iri"})
FACT_FIELDS: frozenset[str] = frozenset({"s", "p", "o", "amount", "currency", "count", "year", "role"})
#: The attributes the guideline gives each predicate.
PREDICATE_ATTRIBUTES: dict[str, frozenset[str]] = {
    "investsIn": frozenset({"amount", "currency"}),
    "trains": frozenset({"count", "year"}),
    "represents": frozenset({"count"}),
    "worksFor": frozenset({"role"}),
}
YEAR_RANGE = (1900, 2100)

_PREDICATES_BY_KEY = {predicate_key(p): p for p in PREDICATES}
_TYPES_BY_KEY = {t.casefold(): t for t in ENTITY_TYPES}
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Problem:
    """One problem of an annotation file.

    Attributes:
        file: the annotation file (as found under the folder given).
        doc: the document it annotates (its pairing key), when known.
        fact: the fact's number in the file's ``facts`` list, counting from 1; None
            when the problem is not about one fact.
        entity: the label of the entity concerned, if any.
        severity: ``"error"`` (the annotation cannot be used as it is) or ``"warning"``.
        message: what is wrong.
        fact_text: the fact as ``subject predicate object``, for messages.
    """

    file: str
    doc: str | None
    fact: int | None
    entity: str | None
    severity: str
    message: str
    fact_text: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.fact is not None:
            where += f": fact {self.fact}" + (f" ({self.fact_text})" if self.fact_text else "")
        elif self.entity is not None:
            where += f': entity "{self.entity}"'
        return f"{where}: {self.message}"


# --------------------------------------------------------------------------- text of the documents


def _fold(text: str) -> str:
    """Case, accents, punctuation and spacing folded: words separated by one space.

    >>> _fold("L’Île-de-France,  région")
    'l ile de france region'
    """
    text = unicodedata.normalize("NFKD", text).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", text).split())


def _occurs(name: str, folded_text: str) -> bool:
    """Whether ``name`` occurs in the folded text; a name glued to a neighbour ("CNAM1") counts."""
    key = _fold(name)
    return key != "" and key in folded_text


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


# --------------------------------------------------------------------------- one file


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "AEIOU" else "a ") + noun


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _fact_text(fact: Mapping[str, Any]) -> str:
    def part(key: str) -> str:
        value = fact.get(key)
        return str(value) if value not in (None, "") else "?"

    return f"{part('s')} {part('p')} {part('o')}"


class _FileCheck:
    """The checks of one annotation file; problems accumulate in ``problems``."""

    def __init__(self, path: Path, data: dict[str, Any], doc: str, text: str | None) -> None:
        self.path, self.data, self.doc = path, data, doc
        self.folded = _fold(text) if text is not None else None
        self.problems: list[Problem] = []
        self.entities: list[dict[str, Any]] = []  # those with a label; "type" None when unknown

    def add(
        self,
        severity: str,
        message: str,
        *,
        fact: int | None = None,
        entity: str | None = None,
        fact_text: str | None = None,
    ) -> None:
        self.problems.append(Problem(str(self.path), self.doc, fact, entity, severity, message, fact_text))

    def run(self) -> None:
        for key in sorted(set(self.data) - DOCUMENT_FIELDS):
            self.add("warning", f'unknown field "{key}" (a document has {", ".join(sorted(DOCUMENT_FIELDS))})')
        entities = self._list("entities")
        facts = self._list("facts")
        if entities is not None:
            for n, entity in enumerate(entities, 1):
                self._entity(n, entity)
            self._duplicate_labels()
        if facts is not None:
            seen: dict[tuple, tuple[int, str]] = {}
            for n, fact in enumerate(facts, 1):
                self._fact(n, fact, seen, check_names=entities is not None)

    def _list(self, field: str) -> list | None:
        if field not in self.data:
            self.add("error", f'no "{field}" list')
            return None
        value = self.data[field]
        if not isinstance(value, list):
            self.add("error", f'"{field}" must be a list, not {type(value).__name__}')
            return None
        return value

    # ------------------------------------------------------------------ entities

    def _entity(self, n: int, entity: Any) -> None:
        if not isinstance(entity, dict):
            self.add("error", f"entity {n} is not a JSON object")
            return
        label = entity.get("label")
        if not isinstance(label, str) or not label.strip():
            self.add("error", f'entity {n} has no "label" (a non-empty string)')
            return
        etype = entity.get("type")
        if not isinstance(etype, str):
            self.add("error", 'no "type" (a string)', entity=label)
        elif etype not in ENTITY_TYPES:
            canonical = _TYPES_BY_KEY.get(etype.casefold())
            if canonical is None:
                self.add("error", f'unknown type "{etype}" (expected one of {", ".join(ENTITY_TYPES)})', entity=label)
            else:
                self.add("warning", f'type "{etype}" is written "{canonical}" in the ontology', entity=label)
        aliases = entity.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            self.add("error", '"aliases" must be a list of strings', entity=label)
            aliases = []
        for key in sorted(set(entity) - ENTITY_FIELDS):
            self.add(
                "warning", f'unknown field "{key}" (an entity has {", ".join(sorted(ENTITY_FIELDS))})', entity=label
            )
        canonical_type = _TYPES_BY_KEY.get(etype.casefold()) if isinstance(etype, str) else None
        self.entities.append({"label": label, "type": canonical_type, "aliases": aliases})
        if self.folded is not None and not any(_occurs(name, self.folded) for name in (label, *aliases)):
            names = "its label does not occur" if not aliases else "none of its names (label, aliases) occurs"
            self.add("warning", f"{names} in the document's text", entity=label)

    def _duplicate_labels(self) -> None:
        first: dict[str, dict[str, Any]] = {}
        for entity in self.entities:
            key = normalise(entity["label"])
            other = first.setdefault(key, entity)
            if other is entity:
                continue
            same = "" if other["label"] == entity["label"] else f' (as "{other["label"]}")'
            if entity["type"] == other["type"]:
                self.add("error", f"listed twice{same}, both as {entity['type']}", entity=entity["label"])
            else:
                self.add(
                    "warning",
                    f"the label is also that of {_a(str(other['type']))}{same}: facts naming it are ambiguous",
                    entity=entity["label"],
                )

    # ------------------------------------------------------------------ facts

    def _resolve(self, name: str) -> tuple[list[dict[str, Any]], str]:
        """Entities a fact's subject or object names, and how: label, variant, alias, or none."""
        exact = [e for e in self.entities if e["label"] == name]
        if exact:
            return exact, "label"
        key = normalise(name)
        variant = [e for e in self.entities if normalise(e["label"]) == key]
        if variant:
            return variant, "variant"
        alias = [e for e in self.entities if key in {normalise(a) for a in e["aliases"]}]
        return alias, "alias" if alias else "none"

    def _fact(self, n: int, fact: Any, seen: dict[tuple, tuple[int, str]], *, check_names: bool) -> None:
        if not isinstance(fact, dict):
            self.add("error", "not a JSON object", fact=n)
            return
        text = _fact_text(fact)

        def add(severity: str, message: str) -> None:
            self.add(severity, message, fact=n, fact_text=text)

        missing = False
        for field, what in (("s", "subject"), ("p", "predicate"), ("o", "object")):
            value = fact.get(field)
            if field not in fact:
                add("error", f'no "{field}" ({what})')
                missing = True
            elif not isinstance(value, str) or not value.strip():
                add("error", f'"{field}" ({what}) must be a non-empty string, not {json.dumps(value)}')
                missing = True
        for key in sorted(set(fact) - FACT_FIELDS):
            add("warning", f'unknown field "{key}" (a fact has {", ".join(sorted(FACT_FIELDS))})')
        predicate = None
        if isinstance(fact.get("p"), str) and fact["p"].strip():
            predicate = _PREDICATES_BY_KEY.get(predicate_key(fact["p"]))
            if predicate is None:
                add("error", f'unknown predicate "{fact["p"]}" (expected one of {", ".join(PREDICATES)})')
            elif predicate != fact["p"]:
                add("warning", f'predicate "{fact["p"]}" is written "{predicate}" in the ontology (accepted)')
        self._attributes(fact, predicate, add)
        if missing or predicate is None:
            return
        duplicate_key = self._duplicate_key(fact, predicate)
        if duplicate_key in seen:
            again, subject = seen[duplicate_key]
            reversed_ = subject != normalise(fact["s"])
            add(
                "warning",
                f"repeats fact {again}"
                + (" in the other direction (partnersWith is symmetric: list it once)" if reversed_ else ""),
            )
        else:
            seen[duplicate_key] = (n, normalise(fact["s"]))
        if check_names:
            self._fact_entities(fact, predicate, add)

    @staticmethod
    def _duplicate_key(fact: Mapping[str, Any], predicate: str) -> tuple:
        s, o = normalise(fact["s"]), normalise(fact["o"])
        if predicate == "partnersWith":
            s, o = sorted((s, o))
        rest = json.dumps({k: v for k, v in fact.items() if k not in ("s", "p", "o")}, sort_keys=True, default=str)
        return predicate, s, o, rest

    def _fact_entities(self, fact: Mapping[str, Any], predicate: str, add: Any) -> None:
        domain, range_ = SIGNATURES[predicate]
        subjects = self._end(fact["s"], "subject", add)
        if subjects is not None:
            self._check_types({e["type"] for e in subjects}, domain, "subject", predicate, add)
        if predicate == "said":
            if self.folded is not None and not _occurs(fact["o"], self.folded):
                add("warning", f'the quotation "{fact["o"]}" does not occur in the document\'s text')
            return
        if predicate in _GROUP_OBJECTS:
            found, how = self._resolve(fact["o"])
            lower = fact["o"] == fact["o"].lower()
            if how == "none" or (how == "alias" and lower):  # a group noun, as for the scorer
                if not lower:
                    add(
                        "warning",
                        f'the object "{fact["o"]}" is neither an entity of the file nor a lower-case group noun',
                    )
                return
        objects = self._end(fact["o"], "object", add)
        if objects is not None:
            self._check_types({e["type"] for e in objects}, range_, "object", predicate, add)

    def _end(self, name: str, role: str, add: Any) -> list[dict[str, Any]] | None:
        found, how = self._resolve(name)
        if how == "none":
            add("error", f'the {role} "{name}" is not an entity of the file')
            return None
        if how == "variant":
            add("warning", f'the {role} "{name}" is written "{found[0]["label"]}" in the entities')
        elif how == "alias":
            add("warning", f'the {role} "{name}" is an alias of "{found[0]["label"]}": facts name entities by label')
        return found

    @staticmethod
    def _check_types(types: set[str | None], allowed: frozenset[str], role: str, predicate: str, add: Any) -> None:
        if None in types or types & allowed:
            return  # an unknown type is reported with its entity
        given = " / ".join(sorted(t for t in types if t))
        wanted = " or ".join(sorted(allowed))
        add("warning", f"the ontology does not allow {_a(given)} as {role} of {predicate} (only {wanted})")

    # ------------------------------------------------------------------ attributes

    def _attributes(self, fact: Mapping[str, Any], predicate: str | None, add: Any) -> None:
        present = [name for name in ("amount", "currency", "count", "year", "role") if name in fact]
        for name in present:
            value = fact[name]
            shown = json.dumps(value, ensure_ascii=False)
            if name == "amount":
                if not _is_number(value) or not math.isfinite(value) or value <= 0:
                    add("error", f"the amount {shown} is not a positive number")
            elif name == "currency":
                if not isinstance(value, str) or value.upper() not in _currencies():
                    add("error", f"the currency {shown} is not an ISO 4217 code (such as USD, EUR)")
                elif value != value.upper():
                    add("warning", f'the currency "{value}" is written "{value.upper()}" in ISO 4217')
            elif name in ("count", "year"):
                self._integer(name, value, shown, add)
            elif name == "role":
                if not isinstance(value, str) or not value.strip():
                    add("error", f"the role {shown} is not a non-empty string")
                elif value != value.lower():
                    add("warning", f"the role {shown} is not lower case")
            if predicate is not None and name not in PREDICATE_ATTRIBUTES.get(predicate, frozenset()):
                add("warning", f'the guideline gives {predicate} no "{name}"')

    @staticmethod
    def _integer(name: str, value: Any, shown: str, add: Any) -> None:
        what = "a positive integer" if name == "count" else f"a year from {YEAR_RANGE[0]} to {YEAR_RANGE[1]}"
        if not _is_number(value) or not math.isfinite(value) or value != int(value):
            add("error", f"the {name} {shown} is not {what}")
            return
        if (name == "count" and value <= 0) or (name == "year" and not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]):
            add("error", f"the {name} {shown} is not {what}")
        elif isinstance(value, float):
            add("warning", f"the {name} {shown} is written as a decimal number (write {int(value)})")


_GROUP_OBJECTS = frozenset(p for p in PREDICATES if predicate_key(p) in GROUP_PREDICATES)


# --------------------------------------------------------------------------- folders


def _read(path: Path) -> tuple[Any, str | None]:
    """The parsed JSON of ``path``, or None and the reason it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"


def _corpus(corpus_dir: Path) -> dict[str, Path]:
    from kg.ingest import discover
    from kg.pipeline import assign_doc_ids

    try:
        ids = assign_doc_ids(discover(corpus_dir), corpus_dir)
    except KGError as exc:
        raise AnnotationError(str(exc)) from exc
    return {Path(doc_id).stem: path for path, doc_id in sorted(ids.items())}


def _document_text(path: Path, root: Path) -> str:
    """Where an annotation's names are looked for: the file's whole text as an annotator reads it
    (page chrome included; HTML character references resolved) and the text kg analyses
    (:func:`kg.ingest.read_document`: front matter fields, HTML visible text)."""
    from kg.ingest import normalise_text, read_document

    doc = read_document(path, root=root)
    data = path.read_bytes()
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raw = data.decode("cp1252", errors="replace")
    raw = normalise_text(html.unescape(raw))
    return "\n".join(part for part in (doc.title, doc.text, doc.source, raw) if part)


def load_annotations(
    gold_dir: str | os.PathLike[str], corpus_dir: str | os.PathLike[str] | None = None
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Read and check every ``*.json`` annotation file of ``gold_dir``.

    Args:
        gold_dir: a folder of gold files, one per document, named by its file stem.
        corpus_dir: the documents' folder; when given, each gold file must have
            its document there, and names and quotations are looked for in its text.

    Returns:
        The documents that could be read as JSON objects, keyed as the scorer
        pairs them (``doc`` field, else file stem), and the problems of all
        files, file by file in name order.

    Raises:
        AnnotationError: ``gold_dir`` or ``corpus_dir`` is not a folder.
    """
    gold = Path(gold_dir)
    if not gold.is_dir():
        raise AnnotationError(f"{gold}: not a folder of annotation files")
    root = Path(corpus_dir) if corpus_dir is not None else None
    if root is not None and not root.is_dir():
        raise AnnotationError(f"{root}: not a corpus folder")
    corpus = _corpus(root) if root is not None else None
    docs: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    files = sorted(gold.glob("*.json"))
    if not files:
        problems.append(Problem(str(gold), None, None, None, "error", "no annotation files (*.json)"))
    for path in files:
        data, reason = _read(path)
        if reason is None and not isinstance(data, dict):
            reason = f"must hold one JSON object (a document), not {type(data).__name__}"
        if reason is not None:
            problems.append(Problem(str(path), path.stem, None, None, "error", reason))
            continue
        file_problems: list[Problem] = []
        doc = path.stem
        declared = data.get("doc")
        if "doc" in data and (not isinstance(declared, str) or not declared.strip()):
            file_problems.append(Problem(str(path), doc, None, None, "error", '"doc" must be a non-empty string'))
        elif isinstance(declared, str):
            doc = document_key(data, path.stem)
            if doc != path.stem:
                message = f'"doc" is "{declared}" but the file is named {path.name}: it would be scored as {doc}'
                file_problems.append(Problem(str(path), doc, None, None, "error", message))
            elif declared != path.stem:
                message = f'"doc" is "{declared}"; write the file stem, "{path.stem}"'
                file_problems.append(Problem(str(path), doc, None, None, "warning", message))
        text = None
        if corpus is not None:
            source = corpus.get(doc)
            if source is None:
                message = f'no document "{doc}" in the corpus {root}'
                file_problems.append(Problem(str(path), doc, None, None, "error", message))
            else:
                try:
                    text = _document_text(source, root)  # type: ignore[arg-type]
                except KGError as exc:
                    message = f"its document cannot be read: {exc}"
                    file_problems.append(Problem(str(path), doc, None, None, "error", message))
        check = _FileCheck(path, data, doc, text)
        check.run()
        problems.extend(file_problems + check.problems)
        docs[doc] = data
    return docs, problems


def check_annotations(
    gold_dir: str | os.PathLike[str], corpus_dir: str | os.PathLike[str] | None = None
) -> list[Problem]:
    """The problems of the annotation files of ``gold_dir`` (see :func:`load_annotations`).

    Raises:
        AnnotationError: ``gold_dir`` or ``corpus_dir`` is not a folder.
    """
    return load_annotations(gold_dir, corpus_dir)[1]

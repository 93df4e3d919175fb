"""Guard rails for user SPARQL: what a query is, and whether it may run.

:func:`inspect_query` reads a query with a small tokenizer (comments, strings,
IRIs, variables and prefixed names are recognised, so a keyword inside them
does not count) and refuses, before any store sees it:

- updates (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``DROP``, ...): the graph is read-only;
- ``SERVICE`` (a request to another endpoint), unless ``allow_network=True``.

It also returns the graphs named by ``FROM`` / ``FROM NAMED``, so that the
store can refuse the ones it does not hold (rdflib would download them).
``\\uXXXX`` escapes are decoded first, as the SPARQL grammar requires, so
``\\u0053ERVICE`` is caught too. The check is deliberately conservative: a
query that merely *mentions* ``SERVICE`` as a keyword is refused.

>>> inspect_query("SELECT * WHERE { ?s ?p ?o }").form
'SELECT'
>>> inspect_query("PREFIX d: <https://w3id.org/kg-news/doc/> ASK FROM d:a { ?s ?p ?o }").from_graphs
('https://w3id.org/kg-news/doc/a',)
>>> inspect_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.sparql.QueryRefused: SERVICE is refused: a query may not reach the network (allow it with --allow-network)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.errors import QueryError

__all__ = [
    "QueryInfo",
    "QueryRefused",
    "QueryTimeout",
    "inspect_query",
    "tokens",
    "token_spans",
    "unescape",
    "PREDECLARED",
]


class QueryRefused(QueryError):
    """A query the guard rails do not let run (an update, a network access)."""


class QueryTimeout(QueryError):
    """A query ran longer than its time limit and was stopped."""


#: Prefixes every query may use without declaring them (ontology, instances, usual vocabularies).
PREDECLARED: dict[str, str] = {
    "kg": "https://w3id.org/kg-news/ontology#",
    "kgr": "https://w3id.org/kg-news/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
}

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W]+)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w:%.\-]|\\.)*|_:[\w.\-]+)
  | (?P<word>[^\W\d][\w]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class QueryInfo:
    """What :func:`inspect_query` learnt about a query.

    Attributes:
        form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``; ``""`` when
            no query form was found (the store's parser will say why).
        variables: every variable name the query mentions (without ``?``).
        from_graphs: IRIs of the ``FROM`` clauses.
        from_named: IRIs of the ``FROM NAMED`` clauses.
        service: whether the query calls ``SERVICE`` (only when allowed).
        star: a ``SELECT *`` query.
        order: the variables in the order they first appear in the query.
    """

    form: str
    variables: frozenset[str] = frozenset()
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    service: bool = False
    star: bool = False
    order: tuple[str, ...] = ()


def unescape(text: str) -> str:
    """Decode ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes, as SPARQL does before parsing.

    >>> unescape(r"\\u0053ERVICE")
    'SERVICE'
    """

    def _char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)

    return ESCAPE.sub(_char, text)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, text)`` for each significant token (whitespace and comments dropped).

    >>> [t for t in tokens("SELECT ?s # SERVICE\\n{ 'SERVICE' }")]
    [('word', 'SELECT'), ('var', '?s'), ('other', '{'), ('string', "'SERVICE'"), ('other', '}')]
    """
    for kind, token, _, _ in token_spans(text):
        yield kind, token


def token_spans(text: str) -> Iterator[tuple[str, str, int, int]]:
    """Yield ``(kind, text, start, end)`` for each significant token of ``text``.

    >>> list(token_spans("ASK { }"))
    [('word', 'ASK', 0, 3), ('other', '{', 4, 5), ('other', '}', 6, 7)]
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        yield kind, match.group(0), match.start(), match.end()


def _expand(kind: str, text: str, prefixes: Mapping[str, str], base: str | None) -> str | None:
    if kind == "iri":
        iri = text[1:-1]
        return urljoin(base, iri) if base and ":" not in iri.split("/", 1)[0] else iri
    if kind == "pname" and not text.startswith("_:"):
        prefix, _, local = text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


def inspect_query(sparql: str, *, allow_network: bool = False, prefixes: Mapping[str, str] = PREDECLARED) -> QueryInfo:
    """Classify ``sparql`` and refuse what the graph must not run.

    Args:
        sparql: the query text.
        allow_network: let ``SERVICE`` through.
        prefixes: prefixes known without a ``PREFIX`` declaration.

    Raises:
        QueryRefused: an update, or ``SERVICE`` without ``allow_network``.
        QueryError: the query is empty.
    """
    if not sparql or not sparql.strip():
        raise QueryError("empty SPARQL query")
    known = dict(prefixes)
    base: str | None = None
    form = ""
    variables: set[str] = set()
    from_graphs: list[str] = []
    from_named: list[str] = []
    service = False
    star = False
    order: dict[str, None] = {}
    toks = list(tokens(unescape(sparql)))
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        if kind == "var":
            variables.add(text[1:])
            order.setdefault(text[1:])
        elif kind == "word":
            word = text.upper()
            if word == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri":
                iri = _expand("iri", toks[i + 2][1], known, base) or ""
                known[toks[i + 1][1].split(":", 1)[0]] = iri
                i += 3
                continue
            if word == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
                base = _expand("iri", toks[i + 1][1], known, base)
                i += 2
                continue
            if not form and word in UPDATES:
                raise QueryRefused(f"{word} is an update: the graph is read-only, only queries are allowed")
            if word == "LOAD":
                raise QueryRefused("LOAD is an update: the graph is read-only, only queries are allowed")
            if not form and word in FORMS:
                form = word
                k = i + 1
                while k < len(toks) and toks[k][1].upper() in ("DISTINCT", "REDUCED"):
                    k += 1
                star = form == "SELECT" and k < len(toks) and toks[k][1] == "*"
            elif word == "SERVICE":
                if not allow_network:
                    raise QueryRefused(
                        "SERVICE is refused: a query may not reach the network (allow it with --allow-network)"
                    )
                service = True
            elif word == "FROM":
                named = i + 1 < len(toks) and toks[i + 1][0] == "word" and toks[i + 1][1].upper() == "NAMED"
                j = i + 2 if named else i + 1
                iri = _expand(*toks[j], known, base) if j < len(toks) else None
                if iri is None:
                    raise QueryError("FROM must be followed by an IRI")
                (from_named if named else from_graphs).append(iri)
                i = j + 1
                continue
        i += 1
    return QueryInfo(form, frozenset(variables), tuple(from_graphs), tuple(from_named), service, star, tuple(order))

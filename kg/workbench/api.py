r"""What the query page asks the server: run a question or a query, and say where a query is wrong.

:func:`read_request` turns the page's JSON (a named query and its fields, or
SPARQL text and its parameters) into a query and parameters bound as terms;
:func:`answer` writes a result as SPARQL 1.1 results JSON plus the labels of
the entities and the titles of the documents it names; :func:`problem` turns
an error into a status and a message, with the line and column of a syntax
error (read with Oxigraph's and rdflib's parsers, on the query as the user wrote it).

>>> read_request({"query": "SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }", "params": {"name": "x"}})[1]
{'name': Term(kind='literal', value='x', datatype=None, lang=None)}
>>> syntax_error("SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s kg:x ?y ?z .\n}")["message"]
'line 3, column 14: cannot read the query from “?z .”'
"""

from __future__ import annotations

import re
from typing import Any

from kg.errors import QueryError
from kg.query import NamedQuery, named_query, parse_param
from kg.results import QueryResult, Term
from kg.sparql import PREDECLARED, QueryRefused, QueryTimeout

__all__ = ["MAX_ROWS", "read_request", "answer", "problem", "syntax_error"]

#: Rows sent to the page at most (the page says when there were more).
MAX_ROWS = 10_000
MAX_QUERY_CHARS = 1 << 20
_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)
_PHRASE = re.compile(r"[A-Z][a-z]+(?: [A-Za-z]+){2,}")


def read_request(body: Any) -> tuple[str, dict[str, Term], NamedQuery | None]:
    """The query, its parameters as terms, and the named query (if one was asked).

    ``body``: ``{"name": NAME, "params": {...}}`` or ``{"query": SPARQL, "params": {...}}``;
    a parameter value written ``<…>`` is an IRI, anything else a literal.

    Raises:
        QueryError: a malformed request, an unknown named query or parameter, a missing value.
    """
    if not isinstance(body, dict):
        raise QueryError("send a JSON object with a query (or the name of a question) and its parameters")
    params = body.get("params") or {}
    if not isinstance(params, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in params.items()):
        raise QueryError("params must map parameter names to strings")
    name, text = body.get("name"), body.get("query")
    if (name is None) == (text is None):
        raise QueryError("give either a query or the name of a question, not both")
    spec = None
    if name is not None:
        if not isinstance(name, str):
            raise QueryError("the name of a question must be a string")
        spec = named_query(name)
        params = spec.arguments(params)
        text = spec.sparql
    elif not isinstance(text, str) or not text.strip():
        raise QueryError("the query is empty: write one, or pick a question")
    elif len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
    bound = dict(parse_param(f"{key.strip()}={value}") for key, value in params.items())
    return text, bound, spec


def _cell(term: Term) -> dict[str, str]:
    cell = {"type": term.kind, "value": term.value}
    if term.lang:
        cell["xml:lang"] = term.lang
    elif term.datatype:
        cell["datatype"] = term.datatype
    return cell


def answer(result: QueryResult, describe: Any = None, *, limit: int = MAX_ROWS) -> dict[str, Any]:
    """``result`` as SPARQL 1.1 results JSON (``head``, ``results`` or ``boolean``), at most ``limit`` rows.

    Also ``type``, ``total`` (rows before the limit), ``truncated``, and, when
    ``describe`` is given (see :meth:`kg.workbench.index.GraphIndex.describe`),
    ``entities`` and ``documents``: what the page shows of the IRIs in the rows.
    Triples of ``CONSTRUCT`` / ``DESCRIBE`` come as rows of ``subject``,
    ``predicate``, ``object``.
    """
    if result.type == "ASK":
        return {"type": "ASK", "head": {}, "boolean": bool(result.boolean), "total": 1, "truncated": False}
    if result.is_graph:
        names: tuple[str, ...] = ("subject", "predicate", "object")
        rows: list[tuple[Term | None, ...]] = list(result.triples)
    else:
        names, rows = result.vars, result.bindings
    shown = rows[:limit]
    bindings = [{n: _cell(t) for n, t in zip(names, row) if t is not None} for row in shown]
    out: dict[str, Any] = {
        "type": result.type,
        "head": {"vars": list(names)},
        "results": {"bindings": bindings},
        "total": len(rows),
        "truncated": len(rows) > len(shown),
    }
    if describe is not None:
        iris = {t.value for row in shown for t in row if t is not None and t.kind == "uri"}
        out["entities"], out["documents"] = describe(iris)
    return out


def syntax_error(sparql: str) -> dict[str, Any] | None:
    """Line, column (1-based, in characters) and message of the first syntax error of ``sparql``, if any.

    Oxigraph's parser says what it expected, at the furthest point it reached;
    when that is the end of the query, rdflib's parser (which stops at the
    start of the construct it could not read) gives the better place. Neither
    runs the query on the graph: Oxigraph's runs on an empty in-memory store,
    and its answer is never read.
    """
    import pyoxigraph as ox

    first: tuple[int, int, str] | None = None
    try:
        ox.Store().query(sparql, prefixes=PREDECLARED)
    except SyntaxError as exc:
        match = _POSITION.match(str(exc))
        first = (int(match.group(1)), int(match.group(2)), match.group(3)) if match else (0, 0, str(exc))
    except Exception:  # the parser accepted the query: it failed for another reason
        pass
    second = _rdflib_position(sparql) if len(sparql) <= _RDFLIB_PARSE_LIMIT else None
    if first is None and second is None:
        return None
    if first is None or (first[0] and _at_end(sparql, first[0], first[1]) and second is not None):
        line, column = second  # type: ignore[misc]
        detail = first[2] if first is not None else ""
    else:
        line, column, detail = first
    if not line:
        return {"line": None, "column": None, "message": detail}
    return {"line": line, "column": column, "message": _explain(sparql, line, column, detail)}


_RDFLIB_PARSE_LIMIT = 50_000


def _rdflib_position(sparql: str) -> tuple[int, int] | None:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(sparql)
    except ParseBaseException as exc:
        return int(exc.lineno), int(exc.col)
    except Exception:  # rdflib raises assorted types for bad queries (an invalid \\u escape, ...)
        return None
    return None


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: max(0, line - 1)]) + max(0, column - 1)


def _at_end(text: str, line: int, column: int) -> bool:
    return not text[_offset(text, line, column) :].strip()


def _explain(text: str, line: int, column: int, detail: str) -> str:
    at = _offset(text, line, column)
    where = f"line {line}, column {column}"
    if "Prefix not found" in detail:
        prefix = re.search(r"([A-Za-z][\w.\-]*)?:[\w.\-]*$", text[:at])
        name = prefix.group(1) or "" if prefix else ""
        return f"{where}: unknown prefix {name}: (declare it: PREFIX {name}: <…>)"
    phrase = _PHRASE.search(detail)
    if phrase:
        return f"{where}: {phrase.group(0).rstrip('.').lower()}"
    rest = text[at:].split("\n", 1)[0].strip()
    if rest:
        near = rest if len(rest) <= 30 else rest[:30] + "…"
        problem = f"cannot read the query from “{near}”"
    else:
        before = re.search(r"(\S{1,24})\s*$", text[:at])
        problem = "the query ends too early" + (f", after “{before.group(1)}”" if before else "")
    quoted = [
        x.strip()[1:-1] for x in re.split(r",\s+", detail.split("expected", 1)[-1]) if re.match(r'^\s*".+"\s*$', x)
    ]
    if quoted and not rest:
        return f"{where}: {problem}; expected {' or '.join(quoted)}"
    return f"{where}: {problem}"


def problem(exc: Exception, sparql: str | None) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body that report ``exc`` (raised running ``sparql``)."""
    if isinstance(exc, QueryRefused):
        return 403, {"error": str(exc), "kind": "refused"}
    if isinstance(exc, QueryTimeout):
        return 503, {"error": str(exc), "kind": "timeout"}
    message = str(exc)
    if isinstance(exc, QueryError) and message.startswith("invalid SPARQL query") and sparql:
        found = syntax_error(sparql)
        if found is not None:
            return 400, {"error": "syntax error at " + found["message"], "kind": "syntax", **found}
        return 400, {"error": message, "kind": "syntax", "line": None, "column": None}
    if isinstance(exc, QueryError):
        param = re.match(r"parameter '([^']+)'", message)
        body: dict[str, Any] = {"error": message, "kind": "parameter" if param else "query"}
        if param:
            body["param"] = param.group(1)
        return 400, body
    return 500, {"error": message, "kind": "server"}

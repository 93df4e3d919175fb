r"""Query parameters bound as RDF terms, wherever the variable stands.

:func:`bind` gives a parameter's value to every occurrence of its variable: in
triple patterns, ``FILTER``, ``BIND`` expressions, ``OPTIONAL``, ``UNION``,
``GRAPH``, ``EXISTS``, subqueries, ``GROUP BY`` / ``HAVING`` / ``ORDER BY`` and
the result. It does so with standard SPARQL, the same on every store: a
``VALUES ?name { term }`` block opens each group graph pattern that mentions
the variable (and the query's ``WHERE`` clause, so the value is in the
result), and a query that groups gets ``?name`` as one more (constant) group
key. The value is written as one RDF term (:func:`sparql_term`), never pasted
as text: a string is a literal, whatever quotes, backslashes, newlines or
braces it holds. Inside ``MINUS`` the parameter's variable is renamed to a
fresh one bound to the same value, so that ``MINUS`` sees a constant there, as
if the value had been written in place of the variable.

>>> from kg.results import Term
>>> print(bind('SELECT ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?name) }', {"name": Term("literal", 'x" }')}))
SELECT ?s WHERE { VALUES ?name { "x\" }" } ?s rdfs:label ?l FILTER(STR(?l) = ?name) }
>>> print(sparql_term(Term("literal", "\\u0022")))  # a backslash, then u0022
"\\\U000000750022"
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.results import Term
from kg.sparql import ESCAPE, token_spans

__all__ = ["bind", "sparql_term"]

_LANG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ENDS_GROUP_BY = frozenset({"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"})


def _string(value: str) -> str:
    """A SPARQL string literal that both rdflib and Oxigraph read back as ``value``.

    rdflib decodes ``\\uXXXX`` escapes in the whole query before parsing it, and
    Oxigraph only inside strings and IRIs; a ``u`` or ``U`` right after a
    backslash of the value is therefore written ``\\U000000xx``, which both
    decode to the letter, so the backslash before it stays a backslash.
    """
    out = []
    previous = ""
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch in "uU" and previous == "\\":
            out.append(f"\\U{ord(ch):08X}")
        else:
            out.append(ch)
        previous = ch
    return '"' + "".join(out) + '"'


def _iri(value: str) -> str:
    if not value or _IRI_FORBIDDEN.search(value) or ":" not in value:
        raise QueryError(f"parameter value <{value}> is not an absolute IRI")
    return f"<{value}>"


def sparql_term(term: Term) -> str:
    """``term`` in SPARQL syntax, as one RDF term (an IRI or a literal).

    >>> sparql_term(Term("literal", "13", "http://www.w3.org/2001/XMLSchema#integer"))
    '"13"^^<http://www.w3.org/2001/XMLSchema#integer>'
    >>> sparql_term(Term("literal", "Société", lang="fr"))
    '"Société"@fr'

    Raises:
        QueryError: a blank node (a query cannot name one), an invalid IRI or language tag.
    """
    if term.kind == "uri":
        return _iri(term.value)
    if term.kind != "literal":
        raise QueryError(f"a {term.kind} cannot be a parameter value: use an IRI or a literal")
    text = _string(term.value)
    if term.lang:
        if not _LANG.match(term.lang):
            raise QueryError(f"parameter value {text}: {term.lang!r} is not a language tag")
        return f"{text}@{term.lang}"
    if term.datatype and term.datatype != "http://www.w3.org/2001/XMLSchema#string":
        return f"{text}^^{_iri(term.datatype)}"
    return text


# --- reading the query's structure ------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    """A ``{ … }`` block: a group graph pattern, a subquery, a VALUES data block or a CONSTRUCT template."""

    kind: str  # "group", "subselect", "data", "template", "short" (the pattern of CONSTRUCT WHERE)
    open: int  # token index of "{"
    parens: int  # parenthesis depth at "{"
    parent: _Node | None
    minus: bool = False
    close: int = -1
    children: list[_Node] = field(default_factory=list)
    var_tokens: list[tuple[str, int]] = field(default_factory=list)  # variables directly inside

    def names(self) -> set[str]:
        return {name for name, _ in self.var_tokens}

    def where(self) -> _Node | None:
        """The WHERE group of a subquery."""
        for child in self.children:
            if child.parens == self.parens and child.kind in ("group", "subselect"):
                return child
        return None


class _Query:
    """The tokens of a query with positions in the original text, and its tree of blocks."""

    def __init__(self, text: str) -> None:
        self.text = text
        plain, self.offsets = _unescape_with_offsets(text)
        self.toks = list(token_spans(plain))
        self.owner: list[_Node | None] = []
        self.parens: list[int] = []
        self.roots: list[_Node] = []
        self.assigned: set[str] = set()
        self.form = ""
        self._build()

    def start(self, i: int) -> int:
        """Offset in the original text where token ``i`` starts (the text's end past the last token)."""
        return self.offsets[self.toks[i][2]] if i < len(self.toks) else len(self.text)

    def end(self, i: int) -> int:
        return self.offsets[self.toks[i][3]]

    def word(self, i: int) -> str:
        return self.toks[i][1].upper() if 0 <= i < len(self.toks) and self.toks[i][0] == "word" else ""

    def _build(self) -> None:
        stack: list[_Node] = []
        parens = 0
        data_next = False
        for i, (kind, text, _, _) in enumerate(self.toks):
            self.owner.append(stack[-1] if stack else None)
            self.parens.append(parens)
            word = self.word(i)
            if not self.form and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                self.form = word
            if word == "VALUES":
                data_next = True
            elif kind == "var":
                name = text[1:]
                if stack:
                    stack[-1].var_tokens.append((name, i))
                if self.word(i - 1) == "AS":
                    self.assigned.add(name)
            elif text == "(":
                parens += 1
            elif text == ")":
                parens -= 1
            elif text == "{":
                if data_next:
                    node_kind, data_next = "data", False
                elif self.word(i - 1) == "CONSTRUCT":
                    node_kind = "template"
                elif self.word(i - 1) == "WHERE" and self.word(i - 2) == "CONSTRUCT":
                    node_kind = "short"
                elif self.word(i + 1) == "SELECT":
                    node_kind = "subselect"
                else:
                    node_kind = "group"
                parent = stack[-1] if stack else None
                node = _Node(node_kind, i, parens, parent, minus=self.word(i - 1) == "MINUS")
                (parent.children if parent else self.roots).append(node)
                stack.append(node)
            elif text == "}" and stack:
                stack.pop().close = i
        for node in stack:  # unbalanced: the store's parser will say where
            node.close = len(self.toks)

    def top(self) -> _Node | None:
        """The query's WHERE group."""
        for node in self.roots:
            if node.parens == 0 and node.kind in ("group", "subselect", "short"):
                return node
        return None

    def group_by_end(self, scope: _Node | None, after: int) -> int | None:
        """Token index where the GROUP BY clause of ``scope``'s query (after token ``after``) ends, if any."""
        stop = scope.close if scope is not None else len(self.toks)
        base = scope.parens if scope is not None else 0
        i = after + 1
        while i < stop and not (self.owner[i] is scope and self.word(i) == "GROUP" and self.word(i + 1) == "BY"):
            i += 1
        if i >= stop:
            return None
        i += 2
        while i < stop and not (self.owner[i] is scope and self.parens[i] == base and self.word(i) in _ENDS_GROUP_BY):
            i += 1
        return i


def _unescape_with_offsets(text: str) -> tuple[str, list[int]]:
    """``text`` with ``\\uXXXX`` escapes decoded (as the guard rails read it), and each character's offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in ESCAPE.finditer(text):
        for k in range(position, match.start()):
            chars.append(text[k])
            offsets.append(k)
        try:
            decoded = chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            decoded = ""
        if decoded:
            chars.append(decoded)
            offsets.append(match.start())
        else:
            for k in range(match.start(), match.end()):
                chars.append(text[k])
                offsets.append(k)
        position = match.end()
    for k in range(position, len(text)):
        chars.append(text[k])
        offsets.append(k)
    offsets.append(len(text))
    return "".join(chars), offsets


# --- binding ----------------------------------------------------------------------------------------------


class _Plan:
    """Text to insert into (and replace in) the original query."""

    def __init__(self, query: _Query) -> None:
        self.query = query
        self.values: dict[int, list[str]] = {}  # node.open -> VALUES blocks
        self.wrapped: dict[int, _Node] = {}  # subqueries that get VALUES around them
        self.group_keys: dict[int, list[str]] = {}  # token index -> variables added to GROUP BY
        self.renames: dict[int, str] = {}  # token index -> new variable
        self.extra: list[tuple[int, str]] = []  # (offset, text)
        self.describe_at = -1  # token index where a DESCRIBE without WHERE gets one
        self.describe_blocks: list[str] = []
        self.fresh = 0

    def fresh_name(self, name: str, taken: set[str]) -> str:
        while True:
            self.fresh += 1
            candidate = f"{name}_minus{self.fresh}"
            if candidate not in taken:
                taken.add(candidate)
                return candidate

    def add_values(self, node: _Node, var: str, value: str) -> None:
        block = f"VALUES ?{var} {{ {value} }}"
        blocks = self.values.setdefault(node.open, [])
        if block not in blocks:
            blocks.append(block)
        if node.kind == "subselect":
            self.wrapped[node.open] = node

    def add_group_key(self, scope: _Node | None, where: _Node, var: str) -> None:
        end = self.query.group_by_end(scope, where.close)
        if end is not None:
            keys = self.group_keys.setdefault(end, [])
            if var not in keys:
                keys.append(var)

    def render(self) -> str:
        q = self.query
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement); insertions have start == end
        for index, new in self.renames.items():
            edits.append((q.start(index), q.end(index), "?" + new))
        for open_index, blocks in self.values.items():
            at = q.end(open_index)
            text = " " + " ".join(blocks) + ("" if q.text[at : at + 1].isspace() else " ")
            if open_index in self.wrapped:
                node = self.wrapped[open_index]
                edits.append((q.end(open_index), q.end(open_index), text + "{ "))
                edits.append((q.start(node.close), q.start(node.close), " } "))
            else:
                edits.append((q.end(open_index), q.end(open_index), text))
        for index, keys in self.group_keys.items():
            at = q.start(index)
            text = " " + " ".join("?" + k for k in keys) + " "
            edits.append((at, at, ("\n" if index >= len(q.toks) else "") + text))
        edits.extend((at, at, text) for at, text in self.extra)
        if self.describe_blocks:
            at = q.start(self.describe_at)
            prefix = "\n" if self.describe_at >= len(q.toks) else " "
            edits.append((at, at, prefix + "WHERE { " + " ".join(self.describe_blocks) + " } "))
        out = q.text
        for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
            out = out[:start] + replacement + out[end:]
        return out


def _visit(plan: _Plan, node: _Node, name: str, alias: str, value: str, taken: set[str]) -> bool:
    """Bind ``alias`` (the parameter ``name``, or its renaming inside MINUS) in ``node``'s blocks that mention it.

    Returns whether ``node`` mentions the parameter outside MINUS blocks.
    """
    if node.kind in ("data", "template"):
        return False
    found = False
    for var, index in node.var_tokens:
        if var == name:
            found = True
            if alias != name:
                plan.renames[index] = alias
    for child in node.children:
        if child.minus:
            fresh = plan.fresh_name(name, taken)
            _visit(plan, child, name, fresh, value, taken)
        elif _visit(plan, child, name, alias, value, taken):
            found = True
    if node.kind == "subselect":
        where = node.where()
        if found and where is not None:
            plan.add_values(where, alias, value)
            plan.add_group_key(node, where, alias)
    elif found:
        plan.add_values(node, alias, value)
    return found


def bind(sparql: str, params: Mapping[str, Term]) -> str:
    """``sparql`` with each parameter bound to its term (see the module docstring).

    Args:
        sparql: the query; it must mention every parameter's variable.
        params: variable name (without ``?``) -> value.

    Raises:
        QueryError: a parameter that names no variable of the query, one the
            query assigns itself (``… AS ?name``), or a value that is no IRI or literal.
    """
    if not params:
        return sparql
    query = _Query(sparql)
    mentioned = {text[1:] for kind, text, _, _ in query.toks if kind == "var"}
    taken = set(mentioned)
    plan = _Plan(query)
    top = query.top()
    for name, term in params.items():
        if name not in mentioned:
            raise QueryError(f"parameter {name!r}: the query has no variable ?{name}")
        if name in query.assigned:
            raise QueryError(
                f"parameter {name!r}: the query assigns ?{name} itself (… AS ?{name}), so it cannot be a parameter"
            )
        value = sparql_term(term)
        for root in query.roots:
            if root is not top:
                _visit(plan, root, name, name, value, taken)
        if top is None:
            _bind_without_where(plan, name, value)
            continue
        if top.kind == "short":
            _expand_short_construct(plan, top)
        _visit(plan, top, name, name, value, taken)
        plan.add_values(top, name, value)  # the value is in the result, even where only the projection names it
        plan.add_group_key(None, top, name)
    return plan.render()


def _expand_short_construct(plan: _Plan, top: _Node) -> None:
    """``CONSTRUCT WHERE { T }`` -> ``CONSTRUCT { T } WHERE { T }``: the template must stay free of VALUES."""
    q = plan.query
    template = q.text[q.start(top.open) : q.end(top.close)] if top.close < len(q.toks) else ""
    edit = (q.start(top.open - 1), template + " ")
    if template and edit not in plan.extra:
        plan.extra.append(edit)


def _bind_without_where(plan: _Plan, name: str, value: str) -> None:
    """A DESCRIBE without WHERE clause (``DESCRIBE ?x``): give it one holding the VALUES blocks."""
    q = plan.query
    i = next((k for k in range(len(q.toks)) if q.word(k) == "DESCRIBE"), None)
    if i is None:
        raise QueryError(f"parameter {name!r}: this query has no WHERE clause to bind ?{name} in")
    i += 1
    while i < len(q.toks) and (
        q.toks[i][0] in ("var", "iri", "pname") or q.toks[i][1] == "*" or q.word(i) in ("FROM", "NAMED")
    ):
        i += 1
    plan.describe_at = i
    plan.describe_blocks.append(f"VALUES ?{name} {{ {value} }}")

"""Query results that do not depend on the store, and their W3C serializations.

Both stores (rdflib and Oxigraph) hand their answers over as :class:`Term`
tuples, with numbers in one canonical lexical form, so the same query gives
equal results, and byte-identical output, on either store.

Formats: SPARQL 1.1 Query Results JSON, XML, CSV and TSV for ``SELECT`` and
``ASK``; Turtle, N-Triples, RDF/XML and JSON-LD for ``CONSTRUCT`` and ``DESCRIBE``.

>>> r = QueryResult("SELECT", ("x",), [(Term("uri", "https://schema.org/Person"),), (None,)])
>>> r.serialize("csv").splitlines()
['x', 'https://schema.org/Person', '""']
>>> r.rows()
[{'x': rdflib.term.URIRef('https://schema.org/Person')}, {'x': None}]
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from kg.errors import QueryError

__all__ = ["Term", "QueryResult", "RESULT_FORMATS", "GRAPH_FORMATS", "canonical_lexical", "compact"]

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_INTEGERS = frozenset(
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
_DECIMAL, _DOUBLE, _FLOAT, _BOOLEAN = XSD + "decimal", XSD + "double", XSD + "float", XSD + "boolean"
_ABBREVIATED = frozenset({XSD + "integer", _DECIMAL, _BOOLEAN})
_NUMBER = re.compile(r"^(?:[+-]?[0-9]+(?:\.[0-9]+)?|true|false)$")
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: Formats of SELECT / ASK results: name -> media type.
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: Formats of CONSTRUCT / DESCRIBE results: name -> (media type, rdflib serializer).
GRAPH_FORMATS = {
    "turtle": ("text/turtle", "turtle"),
    "ntriples": ("application/n-triples", "nt"),
    "rdfxml": ("application/rdf+xml", "xml"),
    "jsonld": ("application/ld+json", "json-ld"),
}


class Term(NamedTuple):
    """An RDF term: ``kind`` is ``uri``, ``literal`` or ``bnode``.

    ``datatype`` is ``None`` for plain and language-tagged strings.
    """

    kind: str
    value: str
    datatype: str | None = None
    lang: str | None = None

    def to_rdflib(self) -> Any:
        """This term as an rdflib term."""
        from rdflib import BNode, Literal, URIRef

        if self.kind == "uri":
            return URIRef(self.value)
        if self.kind == "bnode":
            return BNode(self.value)
        return Literal(self.value, lang=self.lang, datatype=URIRef(self.datatype) if self.datatype else None)

    def to_python(self) -> Any:
        """A Python value: ``int``, ``Decimal``, ``float``, ``bool``, dates; IRIs and strings as rdflib terms."""
        term = self.to_rdflib()
        return term.toPython() if self.kind == "literal" else term

    def n3(self) -> str:
        """Turtle / N-Triples syntax of the term."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = self.value.replace("\\", "\\\\").replace('"', '\\"')
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
        if self.lang:
            return f'"{text}"@{self.lang}'
        if self.datatype:
            return f'"{text}"^^<{self.datatype}>'
        return f'"{text}"'


def canonical_lexical(value: str, datatype: str) -> str:
    """The canonical form of a numeric or boolean literal; other literals unchanged.

    Stores disagree on lexical forms (``13000000000.0`` against ``13000000000``);
    this is the one kg prints, the same as in ``graph.trig``.

    >>> canonical_lexical("1.50", "http://www.w3.org/2001/XMLSchema#decimal")
    '1.5'
    >>> canonical_lexical("13000000000", "http://www.w3.org/2001/XMLSchema#decimal")
    '13000000000.0'
    >>> canonical_lexical("1.0E3", "http://www.w3.org/2001/XMLSchema#double")
    '1000.0'
    """
    try:
        if datatype in _INTEGERS:
            return str(int(value.strip()))
        if datatype == _DECIMAL:
            text = format(Decimal(value.strip()), "f")
            if "." in text:
                text = text.rstrip("0")
            text = text + "0" if text.endswith(".") else (text if "." in text else text + ".0")
            return "0.0" if text in ("-0.0", "+0.0") else text.lstrip("+")
        if datatype in (_DOUBLE, _FLOAT):
            number = float(value.strip())
            if number != number:
                return "NaN"
            if number in (float("inf"), float("-inf")):
                return "INF" if number > 0 else "-INF"
            return repr(number)
        if datatype == _BOOLEAN:
            return {"1": "true", "0": "false"}.get(value.strip(), value.strip())
    except (ValueError, InvalidOperation):
        return value
    return value


_COMPACT = (
    ("kg:", "https://w3id.org/kg-news/ontology#"),
    ("kgr:", "https://w3id.org/kg-news/"),
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd:", XSD),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"),
    ("prov:", "http://www.w3.org/ns/prov#"),
    ("dcterms:", "http://purl.org/dc/terms/"),
    ("schema:", "https://schema.org/"),
    ("owl:", "http://www.w3.org/2002/07/owl#"),
)


def compact(term: Term | None) -> str:
    """A short display form: prefixed IRIs, literals as their text.

    >>> compact(Term("uri", "https://w3id.org/kg-news/id/organization/microsoft"))
    'kgr:id/organization/microsoft'
    """
    if term is None:
        return ""
    if term.kind == "uri":
        for prefix, ns in _COMPACT:
            if term.value.startswith(ns):
                return prefix + term.value[len(ns) :]
        return f"<{term.value}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    return term.value


@dataclass
class QueryResult:
    """The answer to a query, whatever the store.

    Iterating gives rows as dicts (variable -> Python value, ``None`` when
    unbound); ``ASK`` gives one row ``{"ask": bool}``; ``CONSTRUCT`` and
    ``DESCRIBE`` one row ``{"s", "p", "o"}`` per triple.

    Attributes:
        type: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.
        vars: the projected variables of a ``SELECT``.
        bindings: one tuple of terms (or ``None``) per solution, in ``vars`` order.
        boolean: the answer of an ``ASK``.
        triples: the triples of a ``CONSTRUCT`` or ``DESCRIBE``.
    """

    type: str
    vars: tuple[str, ...] = ()
    bindings: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    @property
    def is_graph(self) -> bool:
        """Whether the result is a set of triples (``CONSTRUCT`` / ``DESCRIBE``)."""
        return self.type in ("CONSTRUCT", "DESCRIBE")

    def __len__(self) -> int:
        if self.type == "ASK":
            return 1
        return len(self.triples) if self.is_graph else len(self.bindings)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self.type == "ASK":
            yield {"ask": bool(self.boolean)}
        elif self.is_graph:
            for s, p, o in self.triples:
                yield {"s": s.to_python(), "p": p.to_python(), "o": o.to_python()}
        else:
            for row in self.bindings:
                yield {n: (t.to_python() if t is not None else None) for n, t in zip(self.vars, row)}

    def rows(self) -> list[dict[str, Any]]:
        """All rows, as :meth:`__iter__` gives them."""
        return list(self)

    def to_dataframe(self) -> Any:
        """A pandas DataFrame: one column per variable (``s``/``p``/``o`` for triples, ``ask`` for ASK).

        IRIs become ``str``, literals Python values; unbound cells are ``None``.

        Raises:
            QueryError: pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise QueryError("to_dataframe() needs pandas: pip install pandas") from exc

        def plain(value: Any) -> Any:
            return str(value) if isinstance(value, str) else value

        columns = ["ask"] if self.type == "ASK" else ["s", "p", "o"] if self.is_graph else list(self.vars)
        return pd.DataFrame([{k: plain(v) for k, v in row.items()} for row in self], columns=columns)

    def graph(self) -> Any:
        """The triples of a ``CONSTRUCT`` / ``DESCRIBE`` as an rdflib Graph with the kg prefixes."""
        from rdflib import Graph

        from kg.vocab import bind_prefixes

        g = bind_prefixes(Graph())
        for triple in self.triples:
            g.add(tuple(t.to_rdflib() for t in triple))  # type: ignore[arg-type]
        return g

    def serialize(self, fmt: str = "json") -> str:
        """The result as text in ``fmt``.

        ``SELECT`` and ``ASK``: ``json``, ``xml``, ``csv``, ``tsv`` (the W3C
        SPARQL 1.1 results formats; ``ASK`` in CSV / TSV is ``true`` or
        ``false``). ``CONSTRUCT`` / ``DESCRIBE``: ``turtle``, ``ntriples``,
        ``rdfxml``, ``jsonld``.

        Raises:
            QueryError: ``fmt`` does not fit the kind of result.
        """
        if self.is_graph:
            if fmt not in GRAPH_FORMATS:
                raise QueryError(f"a {self.type} result is written as {', '.join(GRAPH_FORMATS)}, not {fmt!r}")
            if fmt == "ntriples":
                return "".join(sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in self.triples))
            return self.graph().serialize(format=GRAPH_FORMATS[fmt][1])
        writer = {"json": self._json, "xml": self._xml, "csv": self._csv, "tsv": self._tsv}.get(fmt)
        if writer is None:
            raise QueryError(f"a {self.type} result is written as {', '.join(RESULT_FORMATS)}, not {fmt!r}")
        return writer()

    def _json(self) -> str:
        if self.type == "ASK":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}) + "\n"
        bindings = []
        for row in self.bindings:
            cells: dict[str, dict[str, str]] = {}
            for name, term in zip(self.vars, row):
                if term is None:
                    continue
                cell = {"type": term.kind, "value": term.value}
                if term.lang:
                    cell["xml:lang"] = term.lang
                elif term.datatype:
                    cell["datatype"] = term.datatype
                cells[name] = cell
            bindings.append(cells)
        doc = {"head": {"vars": list(self.vars)}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

    def _xml(self) -> str:
        out = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in self.vars) + "</head>")
        if self.type == "ASK":
            out.append(f"<boolean>{'true' if self.boolean else 'false'}</boolean>")
        else:
            out.append("<results>")
            for row in self.bindings:
                cells = []
                for name, term in zip(self.vars, row):
                    if term is None:
                        continue
                    text = escape(_xml_chars(term.value))
                    if term.kind == "uri":
                        body = f"<uri>{text}</uri>"
                    elif term.kind == "bnode":
                        body = f"<bnode>{text}</bnode>"
                    elif term.lang:
                        body = f"<literal xml:lang={quoteattr(term.lang)}>{text}</literal>"
                    elif term.datatype:
                        body = f"<literal datatype={quoteattr(term.datatype)}>{text}</literal>"
                    else:
                        body = f"<literal>{text}</literal>"
                    cells.append(f"<binding name={quoteattr(name)}>{body}</binding>")
                out.append("<result>" + "".join(cells) + "</result>")
            out.append("</results>")
        out.append("</sparql>")
        return "\n".join(out) + "\n"

    def _csv(self) -> str:
        if self.type == "ASK":
            return "true\n" if self.boolean else "false\n"
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.vars)
        for row in self.bindings:
            writer.writerow(["" if t is None else (f"_:{t.value}" if t.kind == "bnode" else t.value) for t in row])
        return buf.getvalue()

    def _tsv(self) -> str:
        if self.type == "ASK":
            return "true\n" if self.boolean else "false\n"
        lines = ["\t".join(f"?{v}" for v in self.vars)]
        for row in self.bindings:
            lines.append("\t".join("" if t is None else _tsv_cell(t) for t in row))
        return "\n".join(lines) + "\n"


def _tsv_cell(term: Term) -> str:
    if term.kind == "literal" and term.datatype in _ABBREVIATED and _NUMBER.match(term.value):
        return term.value  # Turtle's abbreviated form: 42, 1.5, true
    return term.n3()


def _xml_chars(text: str) -> str:
    """Replace the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("\ufffd", text)

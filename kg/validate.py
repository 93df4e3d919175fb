"""Check a graph against the SHACL shapes of the ontology (pySHACL).

The union of the document graphs is validated with ``ontology/shapes.ttl`` as
shapes and ``ontology/kg.ttl`` as ontology, under RDFS inference (so a
``kg:Person`` is also a ``schema:Person``, and a property's domain and range
type its subject and object; the shapes' disjointness checks turn a wrong
domain or range into a violation).

Results with severity ``sh:Warning`` (a document date that is not ISO 8601) are
listed in ``violations`` but do not make the graph non-conforming.

One check is done in Python rather than SHACL-SPARQL (which ran one query per
statement and took most of the time): every ``kg:Statement`` must come with its
truthy triple ``rdf:subject rdf:predicate rdf:object``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import BNode, Node

from kg.store import load_dataset, union_graph
from kg.vocab import KG, ontology_graph, shapes_graph

__all__ = ["ValidationResult", "validate", "validate_graph"]

_STATEMENT_SHAPE = "https://w3id.org/kg-news/shapes#StatementShape"
_TRUTHY_MESSAGE = "The statement's truthy triple (rdf:subject rdf:predicate rdf:object) is missing."


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of a SHACL validation.

    Attributes:
        conforms: ``True`` when no result has severity ``sh:Violation``.
        text: pySHACL's human-readable report.
        violations: one dict per validation result (warnings included), sorted,
            with keys ``severity`` (``"Violation"``, ``"Warning"``, ``"Info"``),
            ``focus``, ``path``, ``value``, ``message``, ``constraint`` (the
            SHACL constraint component's local name) and ``shape`` (the shape's
            IRI, or ``None`` for a blank-node property shape).
    """

    conforms: bool
    text: str
    violations: list[dict[str, Any]] = field(default_factory=list)


def _str(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return None  # blank node ids change between runs
    return str(node)


def _local(node: Node | None) -> str | None:
    text = _str(node)
    return None if text is None else text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _missing_truthy_triples(data: Graph) -> list[dict[str, Any]]:
    out = []
    for statement in sorted(set(data.subjects(RDF.type, KG.Statement))):
        parts = [sorted(data.objects(statement, prop)) for prop in (RDF.subject, RDF.predicate, RDF.object)]
        for s, p, o in product(*parts):
            if (s, p, o) in data:
                continue
            out.append(
                {
                    "severity": "Violation",
                    "focus": _str(statement),
                    "path": None,
                    "value": f"{s.n3()} {p.n3()} {o.n3()}",
                    "message": _TRUTHY_MESSAGE,
                    "constraint": "TruthyTriple",
                    "shape": _STATEMENT_SHAPE,
                }
            )
    return out


def _results(report: Graph) -> list[dict[str, Any]]:
    out = []
    for result in set(report.subjects(RDF.type, SH.ValidationResult)):
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        out.append(
            {
                "severity": _local(report.value(result, SH.resultSeverity)),
                "focus": _str(report.value(result, SH.focusNode)),
                "path": _str(report.value(result, SH.resultPath)),
                "value": _str(report.value(result, SH.value)),
                "message": "; ".join(messages),
                "constraint": _local(report.value(result, SH.sourceConstraintComponent)),
                "shape": _str(report.value(result, SH.sourceShape)),
            }
        )
    return out


def _sort(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("focus", "path", "constraint", "value", "message")
    return sorted(results, key=lambda r: tuple(str(r[k] or "") for k in keys))


def validate_graph(data: Graph) -> ValidationResult:
    """Validate one graph (e.g. a single document graph, or a union) against the shapes.

    >>> validate_graph(Graph()).conforms
    True
    """
    import pyshacl  # heavy: imported only when validating

    plain = Graph()
    plain += data  # validate the triples, whatever the graph's store or name
    conforms, report, text = pyshacl.validate(
        plain,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="rdfs",
        allow_warnings=True,
        abort_on_first=False,
    )
    missing = _missing_truthy_triples(plain)
    text = str(text)
    if missing:
        conforms = False
        text = text.replace("Conforms: True", "Conforms: False") + "".join(
            f"\nTruthy triple missing:\n\tFocus Node: {m['focus']}\n\tExpected: {m['value']}\n"
            f"\tMessage: {m['message']}\n"
            for m in missing
        )
    return ValidationResult(conforms=bool(conforms), text=text, violations=_sort(_results(report) + missing))


def validate(out_dir: str | os.PathLike[str]) -> ValidationResult:
    """Validate the union of the document graphs in the output folder ``out_dir``.

    Raises:
        GraphError: ``out_dir`` has no readable ``graph.trig``.
    """
    return validate_graph(union_graph(load_dataset(out_dir)))

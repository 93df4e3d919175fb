"""From doc-local entities to graph IRIs shared across documents.

Two documents' entities get the same IRI when they have the same class and
the same matching key (case, accents, punctuation, leading article and legal
suffix ignored: "Microsoft Corp." and "microsoft" are one node). IRIs depend
only on that key, so rebuilding a corpus gives the same IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from kg.extract.mentions import norm_key
from kg.model import Extraction
from kg.rdf import entity_iri

__all__ = ["entity_iris"]


def entity_iris(extractions: Iterable[Extraction]) -> dict[str, dict[str, URIRef]]:
    """IRIs of every entity: ``{doc_id: {entity key: IRI}}``."""
    out: dict[str, dict[str, URIRef]] = {}
    for ex in extractions:
        out[ex.document.doc_id] = {e.key: entity_iri(norm_key(e.label) or e.label, e.type) for e in ex.entities}
    return out

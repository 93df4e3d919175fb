"""Exception tree of kg: one root, one subclass per stage.

Every error names the file or value it is about, so the CLI can print it as is.
"""

from __future__ import annotations

__all__ = [
    "KGError",
    "IngestError",
    "ModelError",
    "ExtractionError",
    "GraphError",
    "ValidationError",
    "ExportError",
    "QueryError",
    "AnalysisError",
]


class KGError(Exception):
    """Root of all errors raised by kg."""


class IngestError(KGError):
    """A document could not be read or turned into text."""


class ModelError(KGError):
    """A spaCy pipeline is missing or cannot be loaded."""


class ExtractionError(KGError):
    """Entity or fact extraction failed on a document."""


class GraphError(KGError):
    """The graph on disk is missing, unreadable or cannot be written."""


class ValidationError(KGError):
    """The graph does not conform to the SHACL shapes."""


class ExportError(KGError):
    """The graph cannot be exported in the requested format."""


class QueryError(KGError):
    """A SPARQL query is invalid or refused."""


class AnalysisError(KGError):
    """An analysis or a conversion to networkx got an invalid option (unknown class, bad date...)."""

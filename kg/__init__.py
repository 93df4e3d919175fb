"""kg: a knowledge graph of French and English news, with provenance.

>>> import kg
>>> sorted(kg.__all__)[:3]
['BuildResult', 'KGError', 'build']

Typical use::

    result = kg.build("examples/corpus", "kg-out")
    rows = kg.query("kg-out", "SELECT ?s WHERE { ?s a kg:Organization }")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.errors import KGError

if TYPE_CHECKING:  # pragma: no cover
    from kg.pipeline import BuildResult

__all__ = ["build", "BuildResult", "export", "validate", "stats", "query", "KGError", "__version__"]

try:
    from importlib.metadata import version as _version

    __version__ = _version("kg")
except Exception:  # pragma: no cover - running from a source tree
    __version__ = "0"


def build(corpus_dir: Any, out_dir: Any, **options: Any) -> BuildResult:
    """Build the graph of a corpus folder; see :func:`kg.pipeline.build`."""
    from kg.pipeline import build as _build

    return _build(corpus_dir, out_dir, **options)


def export(out_dir: Any, fmt: str, dest: Any) -> Any:
    """Export a built graph; see :func:`kg.export.export`."""
    from kg.export import export as _export

    return _export(out_dir, fmt, dest)


def validate(out_dir: Any) -> Any:
    """SHACL-validate a built graph; see :func:`kg.validate.validate`."""
    from kg.validate import validate as _validate

    return _validate(out_dir)


def stats(out_dir: Any) -> dict[str, Any]:
    """Counts by class and property; see :func:`kg.stats.stats`."""
    from kg.stats import stats as _stats

    return _stats(out_dir)


def query(out_dir: Any, sparql: str) -> list[dict[str, Any]]:
    """Run a read-only SPARQL query on a built graph; see :func:`kg.query.query`."""
    from kg.query import query as _query

    return _query(out_dir, sparql)


def __getattr__(name: str) -> Any:
    if name == "BuildResult":
        from kg.pipeline import BuildResult

        return BuildResult
    raise AttributeError(name)

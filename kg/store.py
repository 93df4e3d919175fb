"""On-disk layout of an output folder, and atomic writes.

An output folder holds:

- ``graph.trig``: every document's named graph (one per document, named by
  :func:`kg.rdf.document_iri`), in TriG, documents sorted by graph name;
- ``manifest.json``: ``doc_id -> {"path": ..., "sha256": ...}`` of the documents
  the graph was built from (lets a rebuild skip unchanged files);
- ``report.json``: written by the pipeline, not here;
- ``oxigraph-<stamp>/`` and ``store.json`` (only after ``kg build --store oxigraph``):
  an on-disk pyoxigraph store of the same graph, for large corpora. Its named
  graphs are the document graphs and its default graph their union (the RDF
  merge), so queries need no merging; ``store.json`` names the store's folder
  and records which ``graph.trig`` it was made from (:func:`detect_store`
  refuses a stale one). Each build writes a new folder and never changes one
  a reader may hold; stores nobody reads are removed (:mod:`kg.snapshot`).

:func:`save_graphs` writes ``graph.trig`` first and ``manifest.json`` second,
each atomically: a crash leaves either the old or the new file, never half of
one, and never a manifest newer than the graph it describes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import GraphError, KGError
from kg.vocab import bind_prefixes

__all__ = [
    "GRAPH_FILE",
    "graph_file",
    "MANIFEST_FILE",
    "REPORT_FILE",
    "OXIGRAPH_DIR",
    "STORE_FILE",
    "STORES",
    "atomic_write",
    "atomic_writer",
    "write_trig",
    "build_dataset",
    "detect_store",
    "write_oxigraph",
    "load_dataset",
    "load_manifest",
    "quiet_rdflib",
    "save_graphs",
    "serialize_dataset",
    "union_graph",
    "UnionView",
]

GRAPH_FILE = "graph.trig"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.json"
OXIGRAPH_DIR = "oxigraph"
STORE_FILE = "store.json"

#: Where a build keeps its graph: ``memory`` (graph.trig only, loaded into rdflib to query) or ``oxigraph``.
STORES = ("memory", "oxigraph")


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence the DeprecationWarnings rdflib 7.x raises from its own Dataset parsers and serializers."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib(\.|$)")
        yield


class _SortedDataset(Dataset):
    """A :class:`~rdflib.Dataset` that lists its graphs sorted by name.

    rdflib's serializers write graphs in the order ``contexts()`` yields them,
    which for the memory store follows string hashing and so changes between
    runs; sorting makes the files reproducible.
    """

    def graphs(self, triple: Any = None) -> Iterator[Graph]:  # type: ignore[override]
        yield from sorted(super().graphs(triple), key=lambda g: str(g.identifier))

    def contexts(self, triple: Any = None) -> Iterator[Graph]:  # type: ignore[override]
        return self.graphs(triple)


def _new_dataset(store: str = "default") -> Dataset:
    try:
        dataset = _SortedDataset(store=store)
    except Exception as exc:  # unknown store plugin
        raise GraphError(f"cannot open an rdflib Dataset with store {store!r}: {exc}") from exc
    bind_prefixes(dataset)
    return dataset


def build_dataset(graphs: Iterable[Graph], *, store: str = "default") -> Dataset:
    """Gather document graphs into one :class:`~rdflib.Dataset`, one named graph each.

    Empty graphs are skipped.

    Raises:
        GraphError: a graph is not named by an IRI, or two graphs share a name.

    >>> from rdflib import Literal, RDFS
    >>> g = Graph(identifier=URIRef("https://example.org/g"))
    >>> _ = g.add((URIRef("https://example.org/s"), RDFS.label, Literal("s")))
    >>> len(build_dataset([g]).graph(URIRef("https://example.org/g")))
    1
    """
    dataset = _new_dataset(store)
    seen: set[URIRef] = set()
    for graph in graphs:
        if len(graph) == 0:
            continue
        name = graph.identifier
        if not isinstance(name, URIRef) or name == DATASET_DEFAULT_GRAPH_ID:
            raise GraphError(f"a document graph must be named by an IRI, not {name!r}")
        if name in seen:
            raise GraphError(f"two graphs are named {name}")
        seen.add(name)
        target = dataset.graph(name)
        target += graph
    return dataset


def serialize_dataset(dataset: Dataset, fmt: str = "trig") -> bytes:
    """Serialize ``dataset`` to bytes with the kg prefixes, graphs sorted by name."""
    if not isinstance(dataset, _SortedDataset):
        dataset = build_dataset(g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID)
    bind_prefixes(dataset)
    with quiet_rdflib():
        return dataset.serialize(format=fmt, encoding="utf-8")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextmanager
def atomic_writer(path: str | os.PathLike[str], *, sync: bool = True) -> Iterator[Any]:
    """A binary file handle whose content replaces ``path`` only when the block ends without error.

    The data goes to a temporary file in the same folder, which is fsynced and renamed
    over ``path``: readers see the old file or the new one, never a partial write. An
    exception in the block (or a kill) leaves ``path`` as it was. ``sync=False`` skips
    the fsyncs (for files whose loss in a power cut costs only time, like cache entries).

    Raises:
        GraphError: the file cannot be written (the message names it).
    """
    path = Path(path)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp_name, path)
        tmp_name = None
        if sync:
            _fsync_dir(path.parent)
    except OSError as exc:
        raise GraphError(f"{path}: cannot write: {exc}") from exc
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def atomic_write(path: str | os.PathLike[str], data: bytes, *, sync: bool = True) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync, then rename.

    Readers see the old file or the new one, never a partial write.

    Raises:
        GraphError: the file cannot be written (the message names it).
    """
    with atomic_writer(path, sync=sync) as handle:
        handle.write(data)
    return Path(path)


#: A document graph as :func:`write_trig` takes it: an rdflib Graph, or its name and triples.
NamedTriples = tuple[URIRef, Iterable[tuple[Any, Any, Any]]]


def write_trig(handle: Any, graphs: Iterable[Graph | NamedTriples]) -> int:
    """Write ``graphs`` (named graphs, in the order given) to ``handle`` as one TriG document.

    Each graph is an rdflib :class:`~rdflib.Graph` or a ``(name, triples)`` pair (see
    :func:`kg.rdf.document_triples`). One graph is serialized at a time, with pyoxigraph
    (an order of magnitude faster than rdflib's serializer), so memory does not grow with
    the corpus. A graph's triples are sorted (by their N-Triples form), so the same
    graph always gives the same bytes. The file starts with kg's prefixes. Empty graphs
    are skipped. Returns the number of graphs written.

    Raises:
        GraphError: a graph is not named by an IRI, two graphs share a name, or a
            term cannot be written as RDF.
    """
    import pyoxigraph as ox

    from kg.vocab import PREFIXES

    prefixes = {p: str(ns) for p, ns in sorted(PREFIXES.items())}
    handle.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()).encode() + b"\n")
    seen: set[URIRef] = set()
    for item in graphs:
        name, triples = (item.identifier, item) if isinstance(item, Graph) else item
        if not isinstance(name, URIRef) or name == DATASET_DEFAULT_GRAPH_ID:
            raise GraphError(f"a document graph must be named by an IRI, not {name!r}")
        try:
            graph_name = ox.NamedNode(str(name))
            quads = sorted(
                (ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph_name) for s, p, o in triples),
                key=str,
            )
            if not quads:
                continue
            data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes)
        except (ValueError, TypeError, SyntaxError) as exc:  # pyoxigraph refuses invalid IRIs, tags, ...
            raise GraphError(f"cannot write the graph {name} as TriG: {exc}") from exc
        if name in seen:
            raise GraphError(f"two graphs are named {name}")
        seen.add(name)
        lines = data.split(b"\n")
        n = 0
        while n < len(lines) and lines[n].startswith(b"@prefix "):
            n += 1
        handle.write(b"\n".join(lines[n:]).strip(b"\n") + b"\n\n")
    return len(seen)


def _fsync_dir(folder: Path) -> None:
    """Persist a rename on POSIX; a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save_graphs(
    out_dir: str | os.PathLike[str],
    graphs: Iterable[Graph | NamedTriples],
    manifest: Mapping[str, Mapping[str, str]],
    *,
    store: str = "memory",
) -> Path:
    """Write ``graph.trig`` and ``manifest.json`` into ``out_dir`` (created if needed).

    Args:
        out_dir: the output folder.
        graphs: one named graph per document (see :func:`kg.rdf.document_graph`); a list
            is sorted by graph name, an iterator is written as it comes (one graph in
            memory at a time: give it in graph-name order).
        manifest: ``doc_id -> {"path": ..., "sha256": ...}``.
        store: ``"oxigraph"`` also writes the Oxigraph store (:func:`write_oxigraph`);
            ``"memory"`` (the default) removes one left by an earlier build, since
            it would describe an older graph.

    Returns:
        The path of ``graph.trig``.

    Raises:
        GraphError: the graphs are not distinct named graphs, the manifest is
            not JSON-serializable, or a file cannot be written.
    """
    out = Path(out_dir)
    try:
        manifest_bytes = (json.dumps(dict(manifest), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(
            "utf-8"
        )
    except (TypeError, ValueError) as exc:
        raise GraphError(f"{out / MANIFEST_FILE}: manifest is not JSON-serializable: {exc}") from exc
    if store not in STORES:
        raise GraphError(f"unknown store {store!r}; expected one of {', '.join(STORES)}")
    if isinstance(graphs, list | tuple):  # the file lists documents sorted by graph name
        graphs = sorted(graphs, key=lambda g: str(g.identifier if isinstance(g, Graph) else g[0]))
    graph_path = out / GRAPH_FILE
    with atomic_writer(graph_path) as handle:
        try:
            write_trig(handle, graphs)
        except GraphError as exc:
            raise GraphError(f"{graph_path}: {exc}") from exc
    atomic_write(out / MANIFEST_FILE, manifest_bytes)
    if store == "oxigraph":
        write_oxigraph(out)
    else:
        _remove_oxigraph(out)
    return graph_path


def _graph_stamp(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove_oxigraph(out: Path) -> None:
    from kg.snapshot import remove_unused_stores

    try:
        (out / STORE_FILE).unlink(missing_ok=True)
    except OSError as exc:
        raise GraphError(f"{out / STORE_FILE}: cannot remove the stale Oxigraph store: {exc}") from exc
    remove_unused_stores(out)  # a store a server still reads goes when it lets it go


def write_oxigraph(out_dir: str | os.PathLike[str]) -> Path:
    """Write a pyoxigraph store of ``OUT_DIR/graph.trig`` and ``store.json``, which names it.

    The document graphs become the store's named graphs, and their union (each
    triple once) its default graph. The store is written to a temporary folder,
    moved to a new folder ``oxigraph-<stamp>`` and then named in ``store.json``:
    a failed write leaves the previous store, and a store that a reader holds is
    never changed. Earlier stores that no process reads are removed
    (:func:`kg.snapshot.remove_unused_stores`).

    Returns:
        The store's folder.

    Raises:
        GraphError: ``graph.trig`` is missing or unreadable, or the store cannot be written.
    """
    import pyoxigraph as ox

    from kg.snapshot import LOCK_FILE, new_store_name, remove_unused_stores

    out = Path(out_dir)
    source = out / GRAPH_FILE
    if not source.is_file():
        raise GraphError(f"{source}: graph file not found (build the graph first)")
    final, tmp = out / new_store_name(), out / f".{OXIGRAPH_DIR}.tmp"
    default = ox.DefaultGraph()

    def quads() -> Iterator[Any]:
        for quad in ox.parse(path=str(source), format=ox.RdfFormat.TRIG):
            yield quad
            yield ox.Quad(quad.subject, quad.predicate, quad.object, default)

    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        db = ox.Store(str(tmp))
        db.bulk_extend(quads())
        db.flush()
        db.optimize()
        del db
        (tmp / LOCK_FILE).touch()
        _write_views(out, tmp)
        os.replace(tmp, final)
    except (OSError, SyntaxError, ValueError, KGError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise GraphError(f"{final}: cannot write the Oxigraph store from {source}: {exc}") from exc
    stamp = {"store": "oxigraph", "path": final.name, "graph": {**_graph_stamp(source), "sha256": _sha256(source)}}
    atomic_write(out / STORE_FILE, (json.dumps(stamp, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    remove_unused_stores(out)
    return final


def _write_views(out: Path, folder: Path) -> None:
    """The answers of the named questions that read the whole graph, kept in the new store (:mod:`kg.views`)."""
    from kg.engine import OxigraphEngine
    from kg.views import write_views

    engine = OxigraphEngine(out, folder)
    try:
        write_views(folder, engine)
    finally:
        engine.close()


def graph_file(out_dir: str | os.PathLike[str]) -> Path:
    """``OUT_DIR/graph.trig``, checked to exist.

    Raises:
        GraphError: the output folder or its graph file is missing.
    """
    out = Path(out_dir)
    path = out / GRAPH_FILE
    if not out.is_dir():
        raise GraphError(f"{out}: output folder not found (build the graph first)")
    if not path.is_file():
        raise GraphError(f"{path}: graph file not found (build the graph first)")
    return path


def detect_store(out_dir: str | os.PathLike[str]) -> str:
    """The store a build of ``out_dir`` keeps its graph in: ``"oxigraph"`` or ``"memory"``.

    Raises:
        GraphError: the folder has no graph, or its Oxigraph store was made from
            another ``graph.trig`` than the one now there.
    """
    out = Path(out_dir)
    graph = graph_file(out)
    try:
        stamp = json.loads((out / STORE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "memory"
    except (OSError, ValueError) as exc:
        raise GraphError(f"{out / STORE_FILE}: cannot read: {exc}") from exc
    from kg.snapshot import oxigraph_path

    path = oxigraph_path(out)
    if not isinstance(stamp, dict) or path is None or not path.is_dir():
        return "memory"
    recorded = stamp.get("graph") or {}
    now = _graph_stamp(graph)
    fresh = recorded.get("size") == now["size"] and (
        recorded.get("mtime_ns") == now["mtime_ns"] or recorded.get("sha256") == _sha256(graph)
    )
    if not fresh:
        raise GraphError(
            f"{path}: the Oxigraph store is older than {graph}; rebuild with "
            "`kg build --store oxigraph`, or query the graph file with --store memory"
        )
    return "oxigraph"


def load_dataset(out_dir: str | os.PathLike[str], *, store: str = "default") -> Dataset:
    """Read ``graph.trig`` of an output folder into a :class:`~rdflib.Dataset`.

    Args:
        out_dir: the output folder.
        store: rdflib store plugin, e.g. ``"Oxigraph"`` (oxrdflib) for large graphs.

    Raises:
        GraphError: the folder or ``graph.trig`` is missing or cannot be parsed.
    """
    path = graph_file(out_dir)
    dataset = _new_dataset(store)
    try:
        with quiet_rdflib():
            dataset.parse(source=str(path), format="trig")
    except Exception as exc:  # rdflib raises parser-specific exception types
        raise GraphError(f"{path}: cannot parse TriG: {exc}") from exc
    return bind_prefixes(dataset)


def load_manifest(out_dir: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Read ``manifest.json`` of an output folder; ``{}`` when there is none yet.

    Raises:
        GraphError: the manifest exists but is not a JSON object.
    """
    path = Path(out_dir) / MANIFEST_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraphError(f"{path}: cannot read manifest: {exc}") from exc
    if not isinstance(data, dict):
        raise GraphError(f"{path}: manifest must be a JSON object, not {type(data).__name__}")
    return data


class UnionView:
    """The union of every document graph of an output folder, held in an in-memory pyoxigraph store.

    A read-only stand-in for an rdflib :class:`~rdflib.Graph` with the look-ups the
    explorer and the analyses use (``triples``, ``subjects``, ``objects``, ``value``,
    ``predicate_objects``, ``len``), returning rdflib terms. It costs a fraction of
    the memory and parse time of an rdflib graph, so a graph of millions of triples
    can be read at the end of a build. Each triple is held once (the RDF merge of the
    document graphs, as :func:`union_graph`).
    """

    def __init__(self, store: Any) -> None:
        self._store = store

    @classmethod
    def load(cls, out_dir: str | os.PathLike[str]) -> UnionView:
        """Read ``OUT_DIR/graph.trig``.

        Raises:
            GraphError: the folder or its graph is missing or cannot be parsed.
        """
        import pyoxigraph as ox

        path = graph_file(out_dir)
        store = ox.Store()
        default = ox.DefaultGraph()
        try:
            store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, default)
                for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
            )
        except (OSError, SyntaxError, ValueError) as exc:
            raise GraphError(f"{path}: cannot parse TriG: {exc}") from exc
        return cls(store)

    def __len__(self) -> int:
        return len(self._store)

    def _match(self, s: Any, p: Any, o: Any) -> Iterator[Any]:
        import pyoxigraph as ox

        return self._store.quads_for_pattern(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph())

    def triples(self, pattern: tuple[Any, Any, Any]) -> Iterator[tuple[Any, Any, Any]]:
        s, p, o = pattern
        for q in self._match(s, p, o):
            yield _to_rdf(q.subject), _to_rdf(q.predicate), _to_rdf(q.object)

    def subjects(self, predicate: Any = None, object: Any = None) -> Iterator[Any]:  # noqa: A002 - rdflib's name
        for q in self._match(None, predicate, object):
            yield _to_rdf(q.subject)

    def objects(self, subject: Any = None, predicate: Any = None) -> Iterator[Any]:
        for q in self._match(subject, predicate, None):
            yield _to_rdf(q.object)

    def predicate_objects(self, subject: Any = None) -> Iterator[tuple[Any, Any]]:
        for q in self._match(subject, None, None):
            yield _to_rdf(q.predicate), _to_rdf(q.object)

    def value(self, subject: Any = None, predicate: Any = None, object: Any = None) -> Any:  # noqa: A002
        """One term matching the pattern in the missing position, or None (like rdflib's ``Graph.value``)."""
        for q in self._match(subject, predicate, object):
            if subject is None:
                return _to_rdf(q.subject)
            if predicate is None:
                return _to_rdf(q.predicate)
            return _to_rdf(q.object)
        return None


def _to_ox(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term (None stays None: a wildcard)."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _to_rdf(term: Any) -> Any:
    """A pyoxigraph term as the rdflib term a TriG parse would give."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise GraphError(f"unexpected RDF term {term!r}")


def union_graph(dataset: Dataset) -> Graph:
    """Return all triples of all graphs of ``dataset`` as one new graph (with the kg prefixes)."""
    union = bind_prefixes(Graph())
    for graph in dataset.graphs():
        union += graph
    return union

"""``build()``: ingest -> nlp -> extract -> resolve -> rdf -> store.

Every input file ends up in the report as ``ok``, ``warning`` (read, but with
a problem worth knowing: empty text, language guessed, ...) or ``skipped``
(unreadable: binary, undecodable, ...). A skipped file never stops the build;
the graph of the other documents is written, and atomically: a build that
fails leaves the previous graph in place.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from kg import nlp
from kg.errors import GraphError, IngestError, KGError
from kg.model import Document, Extraction
from kg.store import GRAPH_FILE, MANIFEST_FILE, REPORT_FILE, STORE_FILE

__all__ = ["build", "BuildResult", "FileReport", "assign_doc_ids", "load_merges"]

MERGES_FILE = "merges.json"
EXPLORER_FILE = "explorer.html"

#: Called once per input file when it is done: (path relative to the corpus, status, number of files).
ProgressCallback = Callable[[str, str, int], None]


@dataclass
class FileReport:
    """What happened to one input file."""

    path: str
    status: str  # ok | warning | skipped
    reason: str = ""
    doc_id: str | None = None
    lang: str | None = None
    entities: int = 0
    facts: int = 0


@dataclass
class BuildResult:
    """Outcome of :func:`build`."""

    out_dir: Path
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    words: int = 0
    cached: int = 0  # documents whose extraction was reused from an earlier build
    graph_path: Path | None = None
    explorer_path: Path | None = None
    #: True when nothing changed since the last build into ``out_dir`` and its output was kept as it is
    unchanged: bool = False
    #: wall-clock seconds of each stage: ingest, extract (parse + model), resolve, write, explorer
    timings: dict[str, float] = field(default_factory=dict)
    #: the extraction model: its id, directory and what it was trained on
    model: dict[str, Any] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return sum(f.status != "skipped" for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.status == "skipped" for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.status == "warning" for f in self.files)

    @property
    def entities(self) -> int:
        return sum(f.entities for f in self.files)

    @property
    def facts(self) -> int:
        return sum(f.facts for f in self.files)

    def summary(self) -> dict[str, object]:
        """Counts shown at the end of a build."""
        return {
            "documents": self.documents,
            "warnings": self.warnings,
            "skipped": self.skipped,
            "entities": self.entities,
            "facts": self.facts,
            "words": self.words,
            "reused": self.cached,
            "seconds": round(self.seconds, 2),
        }


def assign_doc_ids(paths: list[Path], root: Path) -> dict[Path, str]:
    """Document ids: the file stem, or the relative path when stems collide.

    >>> ids = assign_doc_ids([Path("c/a.txt"), Path("c/x/a.md"), Path("c/b.txt")], Path("c"))
    >>> [ids[p] for p in sorted(ids)]
    ['a.txt', 'b', 'x__a.md']
    """
    stems: dict[str, int] = {}
    for p in paths:
        stems[p.stem] = stems.get(p.stem, 0) + 1
    out = {}
    for p in paths:
        if stems[p.stem] == 1:
            out[p] = p.stem
        else:
            out[p] = p.relative_to(root).as_posix().replace("/", "__")
    return out


def _reason(exc: Exception, path: Path) -> str:
    """The error's message without the file's path in front (the report names the file)."""
    text = str(exc)
    prefix = f"{path}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def _filter(ex: Extraction, min_confidence: float) -> Extraction:
    if min_confidence <= 0:
        return ex
    return replace(ex, facts=tuple(f for f in ex.facts if f.provenance.confidence >= min_confidence))


def build(
    corpus_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    min_confidence: float = 0.0,
    explorer: bool = True,
    progress: ProgressCallback | None = None,
    store: str = "memory",
    workers: int = 1,
    executor: str = "local",
    scheduler: Any = None,
    force: bool = False,
    model: str | os.PathLike[str] | None = None,
) -> BuildResult:
    """Build the knowledge graph of every document under ``corpus_dir`` into ``out_dir``.

    Args:
        corpus_dir: folder of ``.txt``, ``.md`` and ``.html`` files (searched recursively).
        out_dir: output folder (created); holds ``graph.trig``, ``report.json``,
            ``manifest.json`` and ``explorer.html``.
        min_confidence: facts below this confidence are left out.
        explorer: also write the HTML explorer page.
        progress: called with (relative path, status, number of files) as each file is done.
        store: ``"memory"`` (``graph.trig`` only) or ``"oxigraph"`` (also an on-disk
            Oxigraph store in ``OUT_DIR/oxigraph``, for large corpora).
        workers: worker processes for the parse and extraction (``executor="local"``).
        executor: ``"local"`` (this machine) or ``"dask"`` (a Dask distributed cluster,
            see :mod:`kg.parallel`).
        scheduler: the Dask scheduler's address, or a ``dask.distributed.Client``.
        force: rebuild even when nothing changed since the last build into ``out_dir``
            (otherwise such a build keeps the output as it is and returns its report,
            with ``unchanged=True``).
        model: the extraction model's directory (made by ``kg train``); None for the
            model shipped with kg.

    Raises:
        IngestError: ``corpus_dir`` is not a folder.
        GraphError: the output cannot be written.
        ModelError: ``model`` is not a model directory kg can read.
        KGError: a bad option, or the Dask scheduler cannot be reached.
    """
    from kg import ingest, parallel
    from kg import store as graph_store
    from kg.learn import load_model

    t0 = time.perf_counter()
    root = Path(corpus_dir)
    out = Path(out_dir)
    if not 0.0 <= min_confidence <= 1.0:
        raise KGError(f"min_confidence must be between 0 and 1, got {min_confidence}")
    if store not in graph_store.STORES:
        raise KGError(f"unknown store {store!r}; expected one of {', '.join(graph_store.STORES)}")
    parallel.check_options(executor, workers, scheduler)  # before any file is read
    model_path = str(Path(model).resolve()) if model is not None else None
    extraction_model = load_model(model_path)  # a bad model directory is an error before any work
    paths = ingest.discover(root)
    options = {"min_confidence": min_confidence, "explorer": explorer, "store": store,
               "model": extraction_model.model_id}  # fmt: skip
    fingerprint = _fingerprint(root, paths, options)
    if not force:
        previous = _unchanged(out, fingerprint, t0)
        if previous is not None:
            if progress:
                for f in previous.files:
                    progress(f.path, f.status, len(paths))
            return previous
    from kg import rdf, resolve  # after the no-op check: they import spaCy

    ids = assign_doc_ids(paths, root)
    result = BuildResult(out_dir=out, model=_model_summary(extraction_model))
    reports: dict[str, FileReport] = {}
    documents: list[Document] = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            doc = ingest.read_document(path, root=root, doc_id=ids[path])
        except Exception as exc:  # IngestError, or a bug in ingestion: it must not stop the build
            reason = _reason(exc, path) if isinstance(exc, IngestError) else (
                f"unexpected error while reading: {type(exc).__name__}: {exc}"
            )
            reports[rel] = FileReport(rel, "skipped", reason)
            if progress:
                progress(rel, "skipped", len(paths))
            continue
        rep = FileReport(rel, "warning" if doc.warnings else "ok", "; ".join(doc.warnings), doc.doc_id, doc.lang)
        reports[rel] = rep
        if doc.lang not in nlp.LANGUAGES and not rep.reason:
            rep.status, rep.reason = "warning", f"no model for language {doc.lang!r}; document kept without facts"
        documents.append(doc)
    t_ingest = time.perf_counter()

    extractions: list[Extraction] = []
    from kg.cache import ExtractionCache

    cache = ExtractionCache(out, model_path)
    fresh: list[Document] = []
    for doc in documents:
        if not (doc.lang in nlp.LANGUAGES and doc.text.strip()):
            continue
        cached = cache.get(doc)
        if cached is None:
            fresh.append(doc)
            continue
        rep = reports[doc.path]
        ex = _filter(cached, min_confidence)
        extractions.append(ex)
        rep.entities, rep.facts = len(ex.entities), len(ex.facts)
        result.words += len(doc.text.split())
        result.cached += 1
        if progress:
            progress(doc.path, rep.status, len(paths))

    outcomes = parallel.run(fresh, executor=executor, workers=workers, scheduler=scheduler, model=model_path)
    for doc, full, error in outcomes:
        rep = reports[doc.path]
        if full is None:
            rep.status, rep.reason = "skipped", error
        else:
            cache.put(full)
            ex = _filter(full, min_confidence)
            extractions.append(ex)
            rep.entities, rep.facts = len(ex.entities), len(ex.facts)
            result.words += len(doc.text.split())
        if progress:
            progress(doc.path, rep.status, len(paths))
    # documents without text or language model: a document node, no entity or fact
    done = {ex.document.doc_id for ex in extractions}
    for doc in documents:
        rep = reports[doc.path]
        if doc.doc_id not in done and rep.status != "skipped":
            extractions.append(Extraction(document=doc))
            if progress:
                progress(doc.path, rep.status, len(paths))
    del documents, fresh
    t_extract = time.perf_counter()

    extractions.sort(key=lambda e: e.document.doc_id)
    resolution = resolve.resolve(
        extractions, overrides=resolve.load_overrides(root), previous=_previous_keys(out), in_place=False
    )
    extractions = [resolution.apply(ex) for ex in extractions]
    t_resolve = time.perf_counter()
    # one document graph at a time, in graph-name order, straight to the file
    named = sorted(extractions, key=lambda ex: str(rdf.document_iri(ex.document.doc_id)))
    graphs = (
        rdf.document_triples(ex, resolution.iris.get(ex.document.doc_id, {}), resolution.pref_labels) for ex in named
    )
    manifest = {ex.document.doc_id: {"path": ex.document.path, "sha256": ex.document.sha256} for ex in extractions}
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out)
    cache.prune()
    result.graph_path = graph_store.save_graphs(out, graphs, manifest, store=store)
    _write_json(out / MERGES_FILE, {"merges": [asdict(m) for m in resolution.merges], "keys": resolution.keys})
    result.files = [reports[k] for k in sorted(reports)]
    del extractions, named, resolution
    t_write = time.perf_counter()
    result.timings = {"ingest": t_ingest - t0, "extract": t_extract - t_ingest, "resolve": t_resolve - t_extract,
                      "write": t_write - t_resolve}  # fmt: skip
    result.seconds = time.perf_counter() - t0
    _write_report(out, result, "")  # no fingerprint until the explorer matches the graph
    if explorer:
        from kg import viz

        result.explorer_path = viz.write_explorer(out, out / EXPLORER_FILE)
    else:
        (out / EXPLORER_FILE).unlink(missing_ok=True)
    result.timings["explorer"] = time.perf_counter() - t_write
    result.seconds = time.perf_counter() - t0
    _write_report(out, result, fingerprint)
    return result


#: The corpus's merge and split overrides (kg.resolve reads it; named here so a no-op check needs no spaCy).
ALIASES_FILE = "aliases.yaml"

#: Files of the output folder a no-op rebuild checks are still those its report describes.
_OUTPUTS = (GRAPH_FILE, MANIFEST_FILE, MERGES_FILE, EXPLORER_FILE, STORE_FILE)


def _file_digest(path: Path) -> str:
    """sha256 of a regular file's bytes; a marker for anything else (the build reports those)."""
    import hashlib
    import stat

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return f"not-a-file:{stat.S_IFMT(st.st_mode)}"
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        return f"error:{exc.errno}"


@functools.cache
def _code_digest() -> str:
    """A digest of kg's code and data files and of the spaCy models in use."""
    import hashlib

    from kg import __version__
    from kg.cache import extractor_version

    h = hashlib.sha256(f"{__version__}:{extractor_version()}".encode())
    package = Path(__file__).resolve().parent
    from importlib import resources

    ontology = Path(str(resources.files("kg.ontology")))
    for folder in (package, ontology):
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".yaml", ".ttl", ".rq", ".j2", ".js", ".css"} and path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _fingerprint(root: Path, paths: list[Path], options: dict[str, object]) -> str:
    """What a build's output depends on: the input files' bytes, aliases.yaml, kg, the models, the options."""
    import hashlib

    h = hashlib.sha256(json.dumps(options, sort_keys=True).encode())
    h.update(_code_digest().encode())
    for path in [*paths, root / ALIASES_FILE]:
        h.update(str(path.relative_to(root).as_posix()).encode() + b"\0" + _file_digest(path).encode() + b"\0")
    return h.hexdigest()


def _stamps(out: Path) -> dict[str, list[int]]:
    stamps = {}
    for name in _OUTPUTS:
        try:
            st = (out / name).stat()
        except OSError:
            continue
        stamps[name] = [st.st_size, st.st_mtime_ns]
    return stamps


def _model_summary(model: Any) -> dict[str, Any]:
    trained = model.config.get("trained_on", {})
    return {"id": model.model_id, "path": str(model.path), "documents": trained.get("documents"),
            "corpus": trained.get("digest"), "kg_version": model.config.get("kg_version")}  # fmt: skip


def _write_report(out: Path, result: BuildResult, fingerprint: str) -> None:
    data = {
        "summary": result.summary(),
        "model": result.model,
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
        "files": [asdict(f) for f in result.files],
        "fingerprint": fingerprint,
        "outputs": _stamps(out),
    }
    _write_json(out / REPORT_FILE, data)


def _unchanged(out: Path, fingerprint: str, t0: float) -> BuildResult | None:
    """The last build's result when its inputs had this fingerprint and its outputs are untouched."""
    try:
        data = json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))
        if data.get("fingerprint") != fingerprint or data.get("outputs") != _stamps(out):
            return None
        if not (out / GRAPH_FILE).is_file():
            return None
        files = [FileReport(**f) for f in data["files"]]
        summary = data["summary"]
        result = BuildResult(
            out_dir=out, files=files, words=int(summary["words"]), cached=int(summary["documents"]),
            graph_path=out / GRAPH_FILE, unchanged=True, model=dict(data.get("model") or {}),
        )  # fmt: skip
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    if (out / EXPLORER_FILE).is_file():
        result.explorer_path = out / EXPLORER_FILE
    result.seconds = time.perf_counter() - t0
    return result



def _previous_keys(out: Path) -> dict[str, str]:
    """Name keys -> IRIs of an earlier build into ``out``, so known entities keep their IRIs."""
    path = out / MERGES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    keys = data.get("keys") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}


def load_merges(out_dir: str | os.PathLike[str]) -> list[dict[str, object]]:
    """The merges recorded by the last build into ``out_dir`` (see :mod:`kg.resolve`).

    Raises:
        GraphError: the output folder has no readable ``merges.json``.
    """
    path = Path(out_dir) / MERGES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GraphError(f"{path}: cannot read the merges of the last build ({exc}); build the graph first") from exc
    return list(data.get("merges", []))


def _write_json(path: Path, data: object) -> None:
    from kg.store import atomic_write

    atomic_write(path, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed build may have left (``.graph.trig.*.tmp``)."""
    if out.is_dir():
        for tmp in out.glob(".*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass

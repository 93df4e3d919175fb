"""``build()``: ingest -> nlp -> extract -> resolve -> rdf -> store.

Every input file, and every record of a news archive (JSON Lines, CSV, WARC,
feed), ends up in the report as ``ok``, ``warning`` (read, but with a problem
worth knowing: empty text, language guessed, summary only, ...), ``skipped``
(unreadable: binary, undecodable, malformed record, ...) or ``duplicate`` (a
record whose URL or id was already read). A skipped input never stops the
build; the graph of the other documents is written, and atomically: a build
that fails leaves the previous graph in place.

The documents stream through the build: read one at a time (:mod:`kg.sources`),
sent to the parse in batches (:mod:`kg.parallel`), kept on disk with their
extraction, the summary of their entities that resolution reads and their report
line (:mod:`kg.spill`) until the graph file is written one document at a time.
While the corpus is read, what grows in memory with it is what finds duplicates
(a digest per URL, the ids given) and the names of the extraction cache's entries
in use. Entity resolution then holds every document's entities at once, and the
report is read back whole at the end.
"""

from __future__ import annotations

import functools
import json
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from kg import nlp
from kg.errors import GraphError, KGError
from kg.model import Document, Extraction
from kg.store import GRAPH_FILE, MANIFEST_FILE, REPORT_FILE, STORE_FILE

__all__ = ["build", "BuildResult", "FileReport", "assign_doc_ids", "load_merges"]

MERGES_FILE = "merges.json"
EXPLORER_FILE = "explorer.html"

#: Called once per document (file or archive record) when it is done: (its path relative to the
#: corpus, status, number of documents: counted ahead in archives, exact once all are read).
ProgressCallback = Callable[[str, str, int], None]


@dataclass(slots=True)
class FileReport:
    """What happened to one input file, or to one record of an archive.

    ``kind`` is ``file`` (a document file), ``record`` (a record of an archive: its
    ``path`` is the archive's and its position, ``news.jsonl#line=42``) or ``archive``
    (an archive file: ``reason`` sums up its records).
    """

    path: str
    status: str  # ok | warning | skipped | duplicate
    reason: str = ""
    doc_id: str | None = None
    lang: str | None = None
    entities: int = 0
    facts: int = 0
    kind: str = "file"


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
        return sum(f.kind != "archive" and f.status in ("ok", "warning") for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.status == "skipped" for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.status == "duplicate" for f in self.files)

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
            "duplicates": self.duplicates,
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
    fields: str | Mapping[str, str] | None = None,
) -> BuildResult:
    """Build the knowledge graph of every document under ``corpus_dir`` into ``out_dir``.

    Args:
        corpus_dir: folder of ``.txt``, ``.md`` and ``.html`` files and news archives
            (``.jsonl``, ``.ndjson``, ``.csv``, gzipped or not; ``.warc``, ``.warc.gz``;
            ``.rss``, ``.atom`` and feed ``.xml``), searched recursively.
        out_dir: output folder (created); holds ``graph.trig``, ``report.json``,
            ``manifest.json`` and ``explorer.html``.
        min_confidence: facts below this confidence are left out.
        explorer: also write the HTML explorer page.
        progress: called with (relative path, status, number of documents) as each
            document (file or record) is done.
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
        fields: where JSON Lines and CSV records keep their text and metadata when not
            under the usual names: ``"text=body,date=published_at"`` or a mapping
            (see :func:`kg.records.parse_fields`).

    Raises:
        IngestError: ``corpus_dir`` is not a folder, or ``fields`` is not understood.
        GraphError: the output cannot be written.
        ModelError: ``model`` is not a model directory kg can read.
        KGError: a bad option, or the Dask scheduler cannot be reached.
    """
    from kg import ingest, parallel
    from kg import store as graph_store
    from kg.learn import load_model
    from kg.records import parse_fields

    t0 = time.perf_counter()
    root = Path(corpus_dir)
    out = Path(out_dir)
    if not 0.0 <= min_confidence <= 1.0:
        raise KGError(f"min_confidence must be between 0 and 1, got {min_confidence}")
    if store not in graph_store.STORES:
        raise KGError(f"unknown store {store!r}; expected one of {', '.join(graph_store.STORES)}")
    parallel.check_options(executor, workers, scheduler)  # before any file is read
    field_names = parse_fields(fields)
    model_path = str(Path(model).resolve()) if model is not None else None
    extraction_model = load_model(model_path)  # a bad model directory is an error before any work
    paths = ingest.discover(root)
    options = {"min_confidence": min_confidence, "explorer": explorer, "store": store,
               "model": extraction_model.model_id}  # fmt: skip
    if field_names:
        options["fields"] = field_names
    fingerprint = _fingerprint(root, paths, options)
    if not force:
        previous = _unchanged(out, fingerprint, t0)
        if previous is not None:
            if progress:
                shown = [f for f in previous.files if f.kind != "archive"]
                for f in shown:
                    progress(f.path, f.status, len(shown))
            return previous
    from kg import rdf, resolve  # after the no-op check: they import spaCy
    from kg.cache import ExtractionCache
    from kg.sources import Corpus
    from kg.spill import Spill

    corpus = Corpus(root, paths, field_names)
    total = corpus.estimate() if corpus.has_archives else len(paths)
    result = BuildResult(out_dir=out, model=_model_summary(extraction_model))
    reports: dict[str, FileReport] = {}  # inputs read and not done yet (in the parse); the others are in the spill
    cache = ExtractionCache(out, model_path)
    done = 0

    def final(rep: FileReport) -> None:
        reports.pop(rep.path, None)
        spill.put_report(rep.path, _report_order(rep), [getattr(rep, f) for f in _REPORT_FIELDS])

    def tick(rep: FileReport) -> None:
        nonlocal done
        done += 1
        final(rep)
        if progress:
            progress(rep.path, rep.status, max(total, done))

    def keep(ex: Extraction, rep: FileReport) -> None:
        spill.put(ex)
        rep.entities, rep.facts = len(ex.entities), len(ex.facts)

    reading = 0.0  # seconds spent reading the corpus (while the parse of earlier batches goes on)

    def to_extract() -> Iterator[Document]:
        """Read the corpus; report what needs no parse, give the rest to the parse as it is read."""
        nonlocal total, reading
        seen = 0
        started = time.perf_counter()
        for entry in corpus.entries():
            rep = FileReport(entry.path, entry.status, entry.reason, kind=entry.kind)
            if entry.kind == "archive":
                final(rep)
                continue
            reports[rep.path] = rep
            seen += 1
            doc = entry.document
            if doc is None:  # skipped or duplicate
                tick(rep)
                continue
            rep.doc_id, rep.lang = doc.doc_id, doc.lang
            if doc.lang not in nlp.LANGUAGES and not rep.reason:
                rep.status, rep.reason = "warning", f"no model for language {doc.lang!r}; document kept without facts"
            if not (doc.lang in nlp.LANGUAGES and doc.text.strip()):
                keep(Extraction(document=doc), rep)  # a document node, no entity or fact
                tick(rep)
                continue
            cached = cache.get(doc)
            if cached is not None:
                keep(_filter(cached, min_confidence), rep)
                result.words += len(doc.text.split())
                result.cached += 1
                tick(rep)
                continue
            reading += time.perf_counter() - started
            yield doc
            started = time.perf_counter()
        reading += time.perf_counter() - started
        total = seen  # every input read: the count is exact from now on

    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    with Spill(out) as spill:
        for doc, full, error in parallel.run(
            to_extract(), executor=executor, workers=workers, scheduler=scheduler, model=model_path
        ):
            rep = reports[doc.path]
            if full is None:
                rep.status, rep.reason = "skipped", error
            else:
                cache.put(full)
                keep(_filter(full, min_confidence), rep)
                result.words += len(doc.text.split())
            tick(rep)
        t_extract = time.perf_counter()

        resolution = resolve.resolve(
            spill.summaries(), overrides=resolve.load_overrides(root), previous=_previous_keys(out), in_place=False,
            documents=lambda ids: spill.get(ids),
        )  # fmt: skip
        t_resolve = time.perf_counter()
        # one document graph at a time, in graph-name order, straight to the file
        graphs = (
            rdf.document_triples(
                resolution.apply(ex), resolution.iris.get(ex.document.doc_id, {}), resolution.pref_labels
            )
            for ex in spill
        )
        _remove_stale_temporaries(out)
        cache.prune()
        result.graph_path = graph_store.save_graphs(out, graphs, spill.manifest(), store=store)
        _write_merges(out / MERGES_FILE, resolution)
        del resolution, graphs
        for rep in reports.values():  # none is left once the parse is done; kept in case
            final(rep)
        result.files = [FileReport(*row) for row in spill.reports()]
    t_write = time.perf_counter()
    # reading the corpus and the parse run together: "extract" is the rest of that time
    result.timings = {"ingest": t_start - t0 + reading, "extract": t_extract - t_start - reading,
                      "resolve": t_resolve - t_extract, "write": t_write - t_resolve}  # fmt: skip
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


_POSITION = re.compile(r"=(\d+)\Z")
_REPORT_FIELDS = tuple(f.name for f in dataclass_fields(FileReport))


def _report_order(rep: FileReport) -> tuple[str, int, int, str]:
    """Files by path; an archive's records after it, in the order of the file."""
    if rep.kind != "record":
        return (rep.path, 0, 0, "")
    path, _, position = rep.path.rpartition("#")
    m = _POSITION.search(position)
    return (path, 1, int(m.group(1)) if m else 0, position)


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
        "files": (asdict(f) for f in result.files),
        "fingerprint": fingerprint,
        "outputs": _stamps(out),
    }
    _write_json(out / REPORT_FILE, data)


def _write_merges(path: Path, resolution: Any) -> None:
    _write_json(path, {"merges": (asdict(m) for m in resolution.merges), "keys": resolution.keys})


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
    """Name keys -> IRIs of an earlier build into ``out``, so known entities keep their IRIs.

    The keys are the last member of ``merges.json``: they are read from the end of the file,
    without loading the merges before them (hundreds of megabytes for a large corpus).
    """
    path = out / MERGES_FILE
    try:
        data = _read_last_member(path, "keys") if path.is_file() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    keys = data.get("keys") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in keys.items()} if isinstance(keys, dict) else {}


def _read_last_member(path: Path, name: str) -> Any:
    """``{name: value}`` when ``name`` is the last member of the JSON object in ``path`` (as
    :func:`_write_json` writes it), read from the file's end; else the whole file."""
    marker = f'\n  "{name}": '.encode()
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        block = 1 << 20
        while True:
            start = max(0, size - block)
            handle.seek(start)
            tail = handle.read()
            at = tail.rfind(marker)
            if at >= 0:
                try:
                    value, _ = json.JSONDecoder().raw_decode(tail[at + len(marker) :].decode("utf-8"))
                    return {name: value}
                except json.JSONDecodeError:
                    pass  # the marker was inside a string: read it all
            if start == 0 or block >= 1 << 28:
                break
            block *= 4
    return json.loads(path.read_text(encoding="utf-8"))


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


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """``data`` as indented JSON; a value that is a generator is written as a list, an item at a time
    (the report of a large archive and the merges of a large corpus are never one string in memory)."""
    from kg.store import atomic_writer

    def dumps(value: Any, indent: int) -> str:
        text = json.dumps(value, ensure_ascii=False, indent=2)
        return text.replace("\n", "\n" + " " * indent)

    with atomic_writer(path) as handle:
        handle.write(b"{")
        for i, (key, value) in enumerate(data.items()):
            handle.write(f"{',' if i else ''}\n  {json.dumps(key)}: ".encode())
            if not isinstance(value, Iterator):
                handle.write(dumps(value, 2).encode("utf-8"))
                continue
            first = True
            for item in value:
                handle.write(("[\n    " if first else ",\n    ").encode() + dumps(item, 4).encode("utf-8"))
                first = False
            handle.write(b"[]" if first else b"\n  ]")
        handle.write(b"\n}\n")


def _remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed build may have left (``.graph.trig.*.tmp``)."""
    if out.is_dir():
        for tmp in out.glob(".*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass

"""Where the per-document work runs: in this process, in worker processes, or on a Dask cluster.

The per-document work is the expensive part of a build: the spaCy parse and the
extraction rules. It only needs the document, and it returns an
:class:`~kg.model.Extraction` (entities and facts, never spaCy Docs), so it can
run anywhere kg and the same models are installed. The driver (:func:`kg.build`)
keeps everything that needs all documents at once: entity resolution, the graph
and the explorer.

Documents come as a stream (an iterator is read as the work goes: a corpus of any
size is never held whole) and go out in batches of one language.

Executors:

- ``local`` with one worker: this process parses, one ``nlp.pipe`` per batch; on a machine
  with two cores or more, a helper process extracts the documents already parsed (sent as
  serialised Docs) while this one parses the next ones; with one core, or if the helper
  cannot run, this process extracts too;
- ``local`` with N workers: N worker processes on this machine
  (:class:`concurrent.futures.ProcessPoolExecutor`); each loads the models once;
- ``dask``: the workers of a Dask distributed cluster (``dask.distributed``);
  each worker process loads the models once, on its first batch.

Whatever the executor, a document gives the same extraction: documents are
independent, and the result does not depend on which batch a document was in.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from kg import nlp
from kg.errors import KGError
from kg.model import Document, Extraction

if TYPE_CHECKING:
    from spacy.vocab import Vocab

__all__ = ["EXECUTORS", "BATCH_DOCS", "Outcome", "check_options", "extract_batch", "run"]

#: Executors :func:`run` knows.
EXECUTORS: tuple[str, ...] = ("local", "dask")

#: Documents sent to a worker at a time (news articles are short: big enough to keep
#: spaCy's batches full, small enough that progress moves and memory stays flat).
BATCH_DOCS = 32

#: Documents parsed at a time by one local worker (no process): one ``nlp.pipe`` each.
LOCAL_BATCH_DOCS = 128

#: With one local worker, extract in a helper process while this one parses (when the
#: machine has two cores or more). False: parse and extract in this process.
HELPER = True

#: Parsed documents sent to the helper process at a time.
HELPER_DOCS = 4

#: Groups of parsed documents waiting for the helper at most (memory stays flat).
HELPER_WINDOW = 16

#: How long to wait for a Dask scheduler to answer.
CONNECT_TIMEOUT = "20s"

#: ``(document, extraction, error)``: the extraction, or None and why it failed.
Outcome = tuple[Document, Extraction | None, str]

# one parse at a time per language in a process: a Dask worker may run tasks in threads,
# and a spaCy pipeline is not meant to be used by several threads at once
_locks = {lang: threading.Lock() for lang in nlp.LANGUAGES}

# the helper process of one local worker: started on first use, kept for the process's next builds
_helper: ProcessPoolExecutor | None = None
_helper_lock = threading.Lock()
_helper_failed = False
_vocabs: dict[str, Vocab] = {}  # helper side: the vocabulary parsed Docs are read back into

#: ``(document, [(offset, serialised Doc), ...])``: a parsed document on its way to the helper.
Parsed = tuple[Document, list[tuple[int, bytes]]]


def _message(exc: BaseException) -> str:
    if isinstance(exc, KGError):
        return f"extraction failed: {exc}"
    return f"extraction failed: {type(exc).__name__}: {exc}"


def _extract_stream(docs: Iterable[Document], lang: str, model: str | None = None) -> Iterator[Outcome]:
    """Parse and extract ``docs`` (all of language ``lang``) in one streaming ``nlp.pipe``."""
    from kg.learn import extract, load_model

    loaded = load_model(model)
    for doc, chunks in nlp.pipe(((d, d.text) for d in docs), lang):
        try:
            yield doc, extract(doc, chunks, loaded), ""
        except Exception as exc:  # a bug in a rule must not lose the other documents
            yield doc, None, _message(exc)


def extract_batch(
    docs: list[Document], lang: str, model: str | None = None
) -> tuple[str, list[tuple[str, Extraction | None, str]]]:
    """Worker side: the extractions of a batch of documents of one language.

    Returns the worker's extractor version (the driver checks that it uses the same
    rules and models) and ``(doc_id, extraction or None, error)`` per document.
    When the parse of the batch fails as a whole, the documents are retried one
    by one, so only the document at fault is lost. ``model`` is the extraction model's
    directory (None: the one shipped with kg); it must exist where the worker runs.
    """
    from kg.cache import extractor_version

    with _locks[lang]:
        try:
            out = [(d.doc_id, ex, err) for d, ex, err in _extract_stream(docs, lang, model)]
        except Exception:
            out = []
            for doc in docs:
                try:
                    out.extend((d.doc_id, ex, err) for d, ex, err in _extract_stream([doc], lang, model))
                except Exception as exc:
                    out.append((doc.doc_id, None, _message(exc)))
    return extractor_version(model), out


def _batches(docs: Iterable[Document], size: int) -> Iterator[tuple[list[Document], str]]:
    """Batches of ``size`` documents of one language, as ``docs`` are read (the last ones partial)."""
    pending: dict[str, list[Document]] = {}
    for doc in docs:
        batch = pending.setdefault(doc.lang, [])
        batch.append(doc)
        if len(batch) >= size:
            yield batch, doc.lang
            pending[doc.lang] = []
    for lang, batch in pending.items():
        if batch:
            yield batch, lang


def _check_version(version: str, model: str | None) -> None:
    from kg.cache import extractor_version

    if version != extractor_version(model):
        raise KGError(
            f"a worker extracts with another version of kg, its rule data, its spaCy models or its extraction "
            f"model ({version} here {extractor_version(model)}); install the same kg and models on every worker"
        )


def _unpack(
    batch: list[Document], result: tuple[str, list[tuple[str, Extraction | None, str]]], model: str | None
) -> list[Outcome]:
    version, items = result
    _check_version(version, model)
    by_id = {d.doc_id: d for d in batch}
    return [(by_id[doc_id], ex, err) for doc_id, ex, err in items]


def check_options(executor: str, workers: int, scheduler: Any) -> None:
    """Refuse an executor, worker count or scheduler that :func:`run` cannot use.

    Raises:
        KGError: the message says which option and what is expected.
    """
    if executor not in EXECUTORS:
        raise KGError(f"unknown executor {executor!r}; expected one of {', '.join(EXECUTORS)}")
    if workers < 1:
        raise KGError(f"workers must be at least 1, got {workers}")
    if executor == "dask" and scheduler is None:
        raise KGError("the dask executor needs the address of a scheduler (--scheduler tcp://HOST:8786)")


def run(
    docs: Iterable[Document],
    *,
    executor: str = "local",
    workers: int = 1,
    scheduler: Any = None,
    batch_docs: int | None = None,
    model: str | None = None,
) -> Iterator[Outcome]:
    """Extract every document of ``docs`` (all with text in a supported language).

    ``docs`` is read as the work goes (at most a few batches ahead of it), so it can
    be a generator over a corpus of any size. Yields one :data:`Outcome` per document
    as it is done (batch by batch for one local worker, in completion order otherwise).

    Args:
        executor: ``"local"`` or ``"dask"``.
        workers: local worker processes (1 = this process).
        scheduler: for ``dask``: the scheduler's address (``tcp://host:8786``) or a
            ``dask.distributed.Client``.
        batch_docs: documents per task for worker processes and Dask (default :data:`BATCH_DOCS`).
        model: the extraction model's directory (None: the one shipped with kg).

    Raises:
        KGError: unknown executor, bad worker count, Dask not installed or its
            scheduler unreachable, or a worker with another extractor version.
    """
    check_options(executor, workers, scheduler)
    batch_docs = batch_docs or BATCH_DOCS
    if executor == "dask":
        yield from _run_dask(docs, scheduler, batch_docs, model)
    elif workers == 1 and HELPER and _cores() >= 2:
        yield from _run_overlapped(docs, model)
    elif workers == 1:
        # batches of a few worker batches: spaCy's own batches stay full, memory stays flat
        for batch, lang in _batches(docs, LOCAL_BATCH_DOCS):
            yield from _extract_stream(batch, lang, model)
    else:
        yield from _run_processes(docs, workers, batch_docs, model)


def _cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _parsed_vocab(lang: str) -> Vocab:
    """A vocabulary with the lexical attributes of ``lang`` (stop words, numbers...), made once."""
    vocab = _vocabs.get(lang)
    if vocab is None:
        import spacy

        vocab = _vocabs[lang] = spacy.blank(lang).vocab
    return vocab


def extract_parsed(
    items: list[Parsed], lang: str, model: str | None = None, vocab: Vocab | None = None
) -> list[tuple[Extraction | None, str]]:
    """The extractions of documents parsed elsewhere, one ``(extraction or None, error)`` each.

    A Doc serialised with :meth:`spacy.tokens.Doc.to_bytes` carries its tokens, tags, parse,
    entities and strings; read back into ``vocab`` (by default a blank vocabulary of ``lang``,
    which gives tokens the same lexical attributes as the pipeline's), the extractor sees the
    same Docs as in the process that parsed them.
    """
    from spacy.tokens import Doc

    import kg.learn

    loaded = kg.learn.load_model(model)
    vocab = vocab or _parsed_vocab(lang)
    out: list[tuple[Extraction | None, str]] = []
    for doc, blobs in items:
        try:
            chunks = [(offset, Doc(vocab).from_bytes(blob)) for offset, blob in blobs]
            out.append((kg.learn.extract(doc, chunks, loaded), ""))
        except Exception as exc:  # a bug in a rule must not lose the other documents
            out.append((None, _message(exc)))
    return out


def _warm(model: str | None) -> None:
    """Helper side: load what extraction needs while the driver loads the spaCy pipelines."""
    import kg.learn

    kg.learn.load_model(model)
    for lang in nlp.LANGUAGES:
        _parsed_vocab(lang)


def _helper_pool() -> ProcessPoolExecutor | None:
    """The helper process (started on first use), or None once one has failed in this process."""
    global _helper
    with _helper_lock:
        if _helper is None and not _helper_failed:
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            _helper = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_worker_init)
        return _helper


def _drop_helper(pool: ProcessPoolExecutor) -> None:
    """Forget a helper that failed: this process extracts from now on (a helper that cannot start
    here, e.g. under a main script spawn cannot import again, would fail at every build)."""
    global _helper, _helper_failed
    with _helper_lock:
        if _helper is pool:
            _helper = None
        _helper_failed = True
    pool.shutdown(wait=False, cancel_futures=True)


def _run_overlapped(docs: Iterable[Document], model: str | None) -> Iterator[Outcome]:
    """One local worker on two cores: this process parses, a helper process extracts.

    Documents go to the helper :data:`HELPER_DOCS` at a time as soon as they are parsed, and
    their outcomes come back in input order. If the helper cannot take work (it could not
    start, or it died), the documents it had are extracted here, from the same serialised
    Docs, and so are the next ones: a failing helper costs time, never a document.
    """
    pool: ProcessPoolExecutor | None = None
    started = False
    pending: deque[tuple[Future | None, list[Parsed], str]] = deque()

    def submit(group: list[Parsed], lang: str) -> None:
        nonlocal pool
        fut = None
        if pool is not None:
            try:
                fut = pool.submit(extract_parsed, group, lang, model)
            except Exception:  # the helper is gone: this process extracts from now on
                _drop_helper(pool)
                pool = None
        pending.append((fut, group, lang))

    def done(most: int) -> Iterator[Outcome]:
        """The outcomes of the finished groups at the head of the queue, waiting while more than ``most`` wait."""
        nonlocal pool
        while pending and (len(pending) > most or pending[0][0] is None or pending[0][0].done()):
            fut, group, lang = pending.popleft()
            results = None
            if fut is not None:
                try:
                    results = fut.result()
                except Exception:  # the helper died or could not take the documents
                    if pool is not None:
                        _drop_helper(pool)
                        pool = None
            if results is None:
                results = extract_parsed(group, lang, model, nlp.load(lang).vocab)
            for (doc, _blobs), (ex, err) in zip(group, results, strict=True):
                yield doc, ex, err

    def read() -> Iterator[Document]:
        nonlocal pool, started
        for doc in docs:
            if not started:  # the helper starts with the first document, not for a build with none to parse
                started = True
                pool = _helper_pool()
                if pool is not None:
                    try:
                        pool.submit(_warm, model)
                    except Exception:  # the helper could not start
                        _drop_helper(pool)
                        pool = None
            yield doc

    try:
        for batch, lang in _batches(read(), LOCAL_BATCH_DOCS):
            group: list[Parsed] = []
            for doc, chunks in nlp.pipe(((d, d.text) for d in batch), lang):
                group.append((doc, [(offset, parsed.to_bytes(exclude=["tensor"])) for offset, parsed in chunks]))
                if len(group) >= HELPER_DOCS:
                    submit(group, lang)
                    group = []
                    yield from done(HELPER_WINDOW)
            if group:
                submit(group, lang)
            yield from done(HELPER_WINDOW)
        yield from done(0)
    finally:  # stopped early (an error, Ctrl-C, a reader that stops): the helper drops what is left
        for fut, _group, _lang in pending:
            if fut is not None:
                fut.cancel()


def _worker_init() -> None:
    """Worker processes ignore Ctrl-C (the driver stops them) and end when the driver is gone
    (killed, it cannot stop them: a worker waiting for work would otherwise wait for ever)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="kg-driver-watch", daemon=True).start()


def _run_processes(docs: Iterable[Document], workers: int, batch_docs: int, model: str | None) -> Iterator[Outcome]:
    import multiprocessing

    # spawn, not fork: the driver may run threads (progress display) and hold loaded models
    context = multiprocessing.get_context("spawn")
    batches = _batches(docs, batch_docs)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
        pending: dict[Future, list[Document]] = {}
        try:
            for batch, lang in batches:
                pending[pool.submit(extract_batch, batch, lang, model)] = batch
                if len(pending) >= 2 * workers:  # a bounded window: memory stays flat on any corpus size
                    yield from _drain(pending, model)
            while pending:
                yield from _drain(pending, model)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _drain(pending: dict[Future, list[Document]], model: str | None) -> Iterator[Outcome]:
    """The outcomes of the batches finished so far (at least one; waits for it)."""
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for fut in sorted(done, key=lambda f: pending[f][0].doc_id):
        batch = pending.pop(fut)
        exc = fut.exception()
        if exc is not None:  # the worker process died (killed, out of memory): the batch is lost, not the build
            for doc in batch:
                yield doc, None, f"extraction failed in a worker process: {type(exc).__name__}: {exc}"
            continue
        yield from _unpack(batch, fut.result(), model)


def _run_dask(docs: Iterable[Document], scheduler: Any, batch_docs: int, model: str | None) -> Iterator[Outcome]:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise KGError("the dask executor needs dask.distributed: pip install 'kg[dask]'") from exc

    own = not isinstance(scheduler, Client)
    if own:
        try:
            client = Client(str(scheduler), timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise KGError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    else:
        client = scheduler
    try:
        batches = _batches(docs, batch_docs)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        window = 2 * n_workers
        futures: dict[Any, list[Document]] = {}
        for batch, lang in batches:
            futures[client.submit(extract_batch, batch, lang, model, pure=False)] = batch
            if len(futures) >= window:  # a bounded window: the driver never holds every document's result
                break
        if not futures:
            return
        queue = as_completed(list(futures), loop=client.loop)
        for fut in queue:
            batch = futures.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # a worker died or the task raised outside the per-document guard
                result = None
                for doc in batch:
                    yield doc, None, f"extraction failed on a Dask worker: {type(exc).__name__}: {exc}"
            if result is not None:
                yield from _unpack(batch, result, model)
            nxt = next(batches, None)
            if nxt is not None:
                new = client.submit(extract_batch, nxt[0], nxt[1], model, pure=False)
                futures[new] = nxt[0]
                queue.add(new)
    finally:
        if own:
            client.close()

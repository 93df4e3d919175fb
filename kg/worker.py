"""Queries in child processes, so that a time limit really stops them.

rdflib has no query timeout, and neither rdflib nor pyoxigraph can interrupt
a running query from another thread. A :class:`Worker` is a child process
(started with ``spawn``, so it is safe from threaded servers) that loads the
graph once and answers queries sent over a pipe; when a query runs past its
time limit the child is killed, which frees its CPU and memory at once, and
the next query starts a fresh one. A :class:`WorkerPool` keeps several, for
concurrent clients.

Children are daemons: they end with the process that started them, and a
child whose parent died ends when its pipe closes.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kg.errors import GraphError, KGError, QueryError
from kg.results import QueryResult, Term
from kg.sparql import QueryTimeout

__all__ = ["Worker", "WorkerPool"]

_READY_POLL = 0.2
_START_LOCK = threading.Lock()


def _child(conn: Any, out_dir: str, store: str, source: str | None = None) -> None:  # pragma: no cover - child
    from kg.engine import execute, open_engine

    try:
        engine = open_engine(out_dir, store, source)
    except KGError as exc:
        conn.send(("error", exc))
        return
    except Exception as exc:  # anything else that stops the store from loading
        conn.send(("error", GraphError(f"{out_dir}: cannot load the {store} store: {type(exc).__name__}: {exc}")))
        return
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        sparql, params, allow_network = message
        try:
            reply: tuple[str, Any] = ("ok", execute(engine, sparql, params, allow_network=allow_network))
        except KGError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug must not kill the worker silently
            reply = ("error", QueryError(f"query failed: {type(exc).__name__}: {exc}"))
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable answer
            conn.send(("error", QueryError(f"cannot send the result back: {exc}")))


class Worker:
    """One child process holding the graph of ``out_dir`` in ``store`` (``source``: a pinned graph, see
    :func:`kg.engine.open_engine`).

    Raises:
        GraphError: the child cannot load the graph.
    """

    def __init__(
        self, out_dir: str | os.PathLike[str], store: str, *, wait: bool = True, source: str | None = None
    ) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=_child, args=(child, str(Path(out_dir)), store, source), name=f"kg-query-{store}", daemon=True
        )
        with _START_LOCK:
            # The child runs kg.worker._child and needs nothing from the caller's __main__: hide it, so
            # that spawn does not re-run a script without an `if __name__ == "__main__"` guard (or
            # one read from stdin) in every worker.
            main = sys.modules.get("__main__")
            sys.modules["__main__"] = types.ModuleType("__main__")
            try:
                self.process.start()
            finally:
                if main is not None:
                    sys.modules["__main__"] = main
        child.close()
        self._ready = False
        self.busy = False
        if wait:
            self.wait_ready()

    @property
    def pid(self) -> int | None:
        """The child's process id."""
        return self.process.pid

    def wait_ready(self) -> None:
        """Block until the child has loaded the graph (no time limit: loading is not querying)."""
        while not self._ready:
            if self._conn.poll(_READY_POLL):
                status, payload = self._recv()
                if status == "error":
                    self.kill()
                    raise payload
                self._ready = True
            elif not self.process.is_alive():
                self.kill()
                raise GraphError(f"the query worker exited while loading the graph (exit code {self.process.exitcode})")

    def _recv(self) -> tuple[str, Any]:
        try:
            return self._conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise QueryError(f"the query worker died (exit code {self.process.exitcode})") from exc

    def run(
        self, sparql: str, params: Mapping[str, Term], *, allow_network: bool = False, timeout: float | None = None
    ) -> QueryResult:
        """Run one query in the child; kill it if no answer comes within ``timeout`` seconds.

        Raises:
            QueryTimeout: the time was up; the child has been killed.
            QueryError: the query failed, or the child died.
        """
        self.wait_ready()
        self.busy = True
        try:
            self._conn.send((sparql, dict(params), allow_network))
        except (OSError, ValueError) as exc:
            self.kill()
            raise QueryError(f"the query worker is gone: {exc}") from exc
        if not self._conn.poll(timeout):
            self.kill()
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped (raise it with --timeout)")
        status, payload = self._recv()
        self.busy = False
        if status == "error":
            raise payload
        return payload

    @property
    def alive(self) -> bool:
        """Whether the child is still running."""
        return self.process.is_alive()

    def kill(self) -> None:
        """Stop the child now."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self._conn.close()

    def close(self) -> None:
        """Ask the child to exit, and kill it if it does not."""
        if self.process.is_alive():
            try:
                self._conn.send(None)
            except (OSError, ValueError):
                pass
            self.process.join(2)
        self.kill()


class WorkerPool:
    """Up to ``size`` workers on the same graph; a query waits for a free one.

    A worker whose query timed out is killed and replaced on demand, on the same
    graph: with a ``source`` (a pinned graph, see :mod:`kg.snapshot`) every worker
    reads that one, whatever builds do to ``out_dir`` meanwhile.
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        store: str,
        size: int = 2,
        *,
        source: str | os.PathLike[str] | None = None,
    ) -> None:
        if size < 1:
            raise QueryError(f"a worker pool needs at least one worker, not {size}")
        self.out_dir, self.store, self.size = Path(out_dir), store, size
        self.source = None if source is None else str(source)
        self._views: Any = None
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._workers: set[Worker] = set()
        self._closed = False

    def _view(self, sparql: str, params: Mapping[str, Term]) -> QueryResult | None:
        """The answer kept for this very query in the views of the pinned Oxigraph store (see :mod:`kg.views`).

        Only with a ``source``: the workers then read that very store, whose views these are.
        """
        if self.store != "oxigraph" or self.source is None:
            return None
        if self._views is None:
            from kg.views import Views

            self._views = Views(self.source)
        return self._views.get(sparql, params)

    def start(self) -> None:
        """Start every worker now (in parallel) and wait until each has loaded the graph."""
        fresh = []
        for _ in range(self.size - len(self._workers)):
            worker = Worker(self.out_dir, self.store, wait=False, source=self.source)
            with self._lock:
                self._workers.add(worker)
            fresh.append(worker)
        for worker in fresh:
            worker.wait_ready()
            self._idle.put(worker)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return sorted(w.pid for w in self._workers if w.alive and w.pid is not None)

    def run(
        self, sparql: str, params: Mapping[str, Term], *, allow_network: bool = False, timeout: float | None = None
    ) -> QueryResult:
        """Run a query on a free worker (see :meth:`Worker.run`)."""
        if self._closed:
            raise QueryError("the query pool is closed")
        kept = self._view(sparql, params)
        if kept is not None:  # kept with the store (kg.views): no worker, and no answer to send through a pipe
            return kept
        with self._slots:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = Worker(self.out_dir, self.store, source=self.source)
                with self._lock:
                    self._workers.add(worker)
            try:
                result = worker.run(sparql, params, allow_network=allow_network, timeout=timeout)
            except BaseException:
                if worker.alive and not worker.busy:
                    self._idle.put(worker)  # the query failed, the worker is fine
                else:  # timed out, died, or interrupted while busy: its next answer would be stale
                    worker.kill()
                    with self._lock:
                        self._workers.discard(worker)
                raise
            self._idle.put(worker)
            return result

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers, self._workers = list(self._workers), set()
        for worker in workers:
            worker.close()

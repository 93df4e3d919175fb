"""A graph that follows rebuilds: what ``kg serve`` answers from.

:class:`LiveGraph` serves one pinned graph (:mod:`kg.snapshot`) at a time, a
*generation*: the graph and the pool of worker processes that query it. A thread
polls the output folder; when a build has finished there (:func:`kg.snapshot.build_version`
changed), it pins the new graph, starts its workers and only then makes it the
current generation. Each request takes the current generation for its whole
length (:meth:`LiveGraph.use`), so every answer comes from one complete graph,
the old or the new, and a query in flight finishes on the graph it started
with; an old generation is closed when its last request ends (its workers stop,
its linked file or store lease goes, and stores nobody reads are removed). A
graph that fails to load is logged and the current one kept.

The memory store (rdflib, about 2 KB a triple, seconds a query on a million) is
refused above :data:`MEMORY_LIMIT` quads, with a message naming ``--store oxigraph``.
Events (start, switches, failures) go to the ``kg.server`` logger.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.errors import GraphError, KGError

__all__ = ["MEMORY_LIMIT", "Generation", "LiveGraph", "memory_usage"]

log = logging.getLogger("kg.server")

#: Quads above which ``kg serve`` refuses to hold a graph in the memory store (``--memory-limit`` changes it).
MEMORY_LIMIT = 1_000_000


class Generation:
    """One pinned graph and the worker pool that queries it; ``cache`` holds what the server derives from it."""

    def __init__(self, snapshot: Any, graph: Any, seconds: float, quads: int | None) -> None:
        self.snapshot, self.graph, self.seconds, self.quads = snapshot, graph, seconds, quads
        self.loaded = time.time()
        self.users = 0
        self.retired = False
        self.cache: dict[str, Any] = {}
        self.cache_lock = threading.Lock()

    @property
    def store(self) -> str:
        return str(self.graph.store)

    def close(self) -> None:
        """Stop the workers and let the pinned graph go."""
        try:
            self.graph.close()
        finally:
            self.snapshot.close()

    def describe(self) -> str:
        info = self.snapshot.info
        parts = []
        if "finished" in info:
            parts.append(f"build of {info['finished']}")
        counts = [f"{info[k]:,} {k}" for k in ("documents", "entities", "facts") if isinstance(info.get(k), int)]
        if self.quads is not None:
            counts.append(f"{self.quads:,} quads")
        parts.extend(counts)
        parts.append(f"{self.store} store")
        return ", ".join(parts)


def _proc_status(pid: int | str) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process in bytes, from /proc (Linux); {} elsewhere."""
    out = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(value.split()[0]) * 1024
    except (OSError, ValueError):
        return {}
    return out


def memory_usage(pids: list[int]) -> dict[str, int]:
    """Resident memory of this process and of ``pids`` (its workers), now and at their peak, in bytes."""
    own = _proc_status("self")
    if not own:  # not Linux: the peak only
        try:
            import resource
        except ImportError:  # Windows
            return {"server": 0, "server_peak": 0, "workers": 0, "workers_peak": 0}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        own = {"VmHWM": peak if sys.platform == "darwin" else peak * 1024}
        own["VmRSS"] = own["VmHWM"]
    workers = [_proc_status(pid) for pid in pids]
    return {
        "server": own.get("VmRSS", 0),
        "server_peak": own.get("VmHWM", 0),
        "workers": sum(w.get("VmRSS", 0) for w in workers),
        "workers_peak": sum(w.get("VmHWM", 0) for w in workers),
    }


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


class LiveGraph:
    """The graph of ``out_dir`` as served: one generation at a time, switched when a build finishes.

    Args:
        out_dir: an output folder of ``kg build``.
        store: ``memory``, ``oxigraph`` or ``None`` / ``auto`` (what each build kept).
        timeout: seconds before a query is stopped.
        workers: worker processes per generation.
        allow_network: let ``SERVICE`` and remote ``FROM`` through.
        reload: follow rebuilds (``False``: serve the graph found at start, whatever happens).
        interval: seconds between two looks at the folder.
        memory_limit: quads above which the memory store is refused (``None``: no limit).
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        store: str | None = None,
        timeout: float | None = 30.0,
        workers: int = 2,
        allow_network: bool = False,
        reload: bool = True,
        interval: float = 1.0,
        memory_limit: int | None = MEMORY_LIMIT,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.requested = None if store in (None, "auto") else store
        self.timeout, self.workers, self.allow_network = timeout, workers, allow_network
        self.reload, self.interval, self.memory_limit = reload, interval, memory_limit
        self.reloads = 0
        self.started = time.time()
        self.start_seconds: float | None = None
        self.last_reload_seconds: float | None = None
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._failed: str | None = None  # the version whose graph could not be loaded (not tried again)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- generations ------------------------------------------------------------------------------------------

    def _store(self) -> str:
        if self.requested is not None:
            return self.requested
        from kg.store import detect_store

        return detect_store(self.out_dir)

    def _load(self) -> Generation:
        """Pin the folder's graph and start its workers.

        Raises:
            GraphError: no graph, a graph too large for the memory store, or workers that cannot load it.
        """
        from kg.query import KnowledgeGraph
        from kg.snapshot import count_quads, take_snapshot

        start = time.perf_counter()
        store = self._store()
        snapshot = take_snapshot(self.out_dir, store)
        try:
            quads = None
            if store == "memory":
                quads = count_quads(snapshot.source, self.memory_limit)
                if self.memory_limit is not None and quads > self.memory_limit:
                    raise GraphError(
                        f"{self.out_dir}: the graph has more than {self.memory_limit:,} quads, too many to serve "
                        "well from the memory store (rdflib); build it with `kg build --store oxigraph` and serve "
                        "it with `--store oxigraph`, or raise the limit with --memory-limit"
                    )
            graph = KnowledgeGraph(
                self.out_dir, store=store, timeout=self.timeout, allow_network=self.allow_network,
                workers=self.workers, source=snapshot.source,
            )  # fmt: skip
            try:
                graph.pool().start()
            except BaseException:
                graph.close()
                raise
        except BaseException:
            snapshot.close()
            raise
        return Generation(snapshot, graph, time.perf_counter() - start, quads)

    def open(self) -> Generation:
        """Load the graph found now and start following rebuilds (unless ``reload`` is off).

        Raises:
            GraphError: the graph cannot be served.
        """
        start = time.perf_counter()
        generation = self._load()
        with self._lock:
            self._current = generation
        self.start_seconds = time.perf_counter() - start
        memory = self.memory()
        log.info(
            "serving %s; ready in %.1f s; memory %s (server %s, workers %s), peak %s",
            generation.describe(), self.start_seconds, _mb(memory["server"] + memory["workers"]),
            _mb(memory["server"]), _mb(memory["workers"]), _mb(memory["server_peak"] + memory["workers_peak"]),
        )  # fmt: skip
        if self.reload:
            self._thread = threading.Thread(target=self._watch, name="kg-serve-reload", daemon=True)
            self._thread.start()
        return generation

    @contextmanager
    def use(self) -> Iterator[Generation]:
        """The current generation, kept open until the block ends (even if a newer one takes its place)."""
        with self._lock:
            generation = self._current
            if generation is None:
                raise GraphError("the graph is not loaded (the server is starting or stopping)")
            generation.users += 1
        try:
            yield generation
        finally:
            with self._lock:
                generation.users -= 1
                done = generation.retired and generation.users == 0
            if done:
                threading.Thread(target=generation.close, name="kg-serve-close", daemon=True).start()

    @property
    def current(self) -> Generation | None:
        return self._current

    def poll(self) -> bool:
        """Switch to a build finished since the current graph was loaded; True if the graph changed."""
        from kg.snapshot import build_version

        current = self._current
        if current is None:
            return False
        try:
            version = build_version(self.out_dir)
        except (KGError, OSError):
            return False
        if version is None or version == current.snapshot.version or version == self._failed:
            return False
        start = time.perf_counter()
        try:
            generation = self._load()
        except KGError as exc:
            self._failed = version
            log.error("a new build in %s cannot be served, still serving the previous graph: %s", self.out_dir, exc)
            return False
        if generation.snapshot.version != version:  # another build went on meanwhile: take it next time
            generation.close()
            return False
        idle = False
        with self._lock:
            old, self._current = self._current, generation
            if old is not None:
                old.retired = True
                idle = old.users == 0
        self.reloads += 1
        self.last_reload_seconds = time.perf_counter() - start
        log.info("switched to %s in %.1f s", generation.describe(), self.last_reload_seconds)
        if old is not None and idle:
            old.close()
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # the watcher must outlive any one failure
                log.exception("looking for a new build in %s failed", self.out_dir)

    def close(self) -> None:
        """Stop following rebuilds and close the current generation."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        with self._lock:
            generation, self._current = self._current, None
        if generation is not None:
            generation.close()

    # --- reports ---------------------------------------------------------------------------------------------

    def memory(self) -> dict[str, int]:
        """Resident memory of the server and of the current workers (see :func:`memory_usage`)."""
        generation = self._current
        pids = generation.graph.pool().pids() if generation is not None else []
        return memory_usage(pids)

    def status(self) -> dict[str, Any]:
        """What ``GET /api/status`` shows: the graph served, since when, start and reload times, memory."""
        generation = self._current
        out: dict[str, Any] = {
            "reload": self.reload,
            "reloads": self.reloads,
            "start_seconds": self.start_seconds,
            "last_reload_seconds": self.last_reload_seconds,
            "memory": self.memory(),
        }
        if generation is not None:
            out.update(
                store=generation.store,
                build=generation.snapshot.info,
                quads=generation.quads,
                loaded=time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(generation.loaded)),
                load_seconds=round(generation.seconds, 3),
            )
        return out

"""Pinned graphs: what a reader holds while builds replace the graph of an output folder.

A build replaces ``graph.trig`` by renaming a new file over it, and writes each
Oxigraph store into a new folder (``oxigraph-<stamp>``) that ``store.json``
names, so a store is never changed once written. A reader pins one graph:

- :func:`lease_store` opens the current Oxigraph store with a shared lock on
  its ``kg.lock`` file, held while the store is read; :func:`remove_unused_stores`
  (called after each build and when a server lets a graph go) deletes the
  stores that are no longer current and that no process holds;
- :func:`take_snapshot` pins the graph a server serves: the Oxigraph store under
  a lease, or a hard link (a copy across file systems) of ``graph.trig``, which
  a later build's rename does not touch;
- :func:`build_version` tells whether a build has finished since: the
  fingerprint and output stamps ``report.json`` records once a build is done
  (or, in a folder without a report, the stamps of the graph files).

Locks are POSIX ``flock`` locks: they end with the process that holds them, so
a killed reader never keeps a store forever. Where ``fcntl`` is missing
(Windows) nothing is locked and old stores are removed on a best-effort basis.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import GraphError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "LOCK_FILE",
    "STORE_PREFIX",
    "Snapshot",
    "StoreLease",
    "build_version",
    "count_quads",
    "lease_store",
    "new_store_name",
    "oxigraph_path",
    "remove_unused_stores",
    "take_snapshot",
]

#: The file inside each Oxigraph store that readers lock (shared) and removers lock (exclusive).
LOCK_FILE = "kg.lock"
#: Oxigraph stores of an output folder are folders named ``oxigraph`` or ``oxigraph-…``.
STORE_PREFIX = "oxigraph"

_STORE_FILE = "store.json"
_GRAPH_FILE = "graph.trig"
_REPORT_FILE = "report.json"
_ATTEMPTS = 50


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise GraphError(f"{path}: cannot read: {exc}") from exc


def _is_store_name(name: str) -> bool:
    return name == STORE_PREFIX or (name.startswith(STORE_PREFIX + "-") and "/" not in name and "\\" not in name)


def new_store_name() -> str:
    """A folder name for a new Oxigraph store, later than every earlier one of this machine."""
    return f"{STORE_PREFIX}-{time.time_ns():x}-{os.getpid()}"


def oxigraph_path(out_dir: str | os.PathLike[str]) -> Path | None:
    """The folder of the current Oxigraph store of ``out_dir`` (named by ``store.json``), or None.

    Raises:
        GraphError: ``store.json`` cannot be read, or names something that is not a store of the folder.
    """
    out = Path(out_dir)
    stamp = _read_json(out / _STORE_FILE)
    if not isinstance(stamp, dict) or stamp.get("store") != "oxigraph":
        return None
    name = stamp.get("path", STORE_PREFIX)
    if not isinstance(name, str) or not _is_store_name(name):
        raise GraphError(f"{out / _STORE_FILE}: {name!r} is not an Oxigraph store of this folder")
    return out / name


class StoreLease:
    """A shared lock on an Oxigraph store: while it is held, :func:`remove_unused_stores` keeps the store."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path, self._fd = path, fd

    def close(self) -> None:
        """Let the store go (the lock ends with the file descriptor)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:
        self.close()


def _lock(path: Path) -> StoreLease | None:
    """A lease on the store at ``path``; None when it has been (or is being) removed."""
    lock = path / LOCK_FILE
    try:
        fd = os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        if path.is_dir() and not lock.exists() and (path / "CURRENT").exists():
            return StoreLease(path, None)  # a store written before stores had a lock file
        return None
    except OSError as exc:
        raise GraphError(f"{lock}: cannot open: {exc}") from exc
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a remover holds it
        if os.fstat(fd).st_nlink == 0:  # removed meanwhile
            os.close(fd)
            return None
    return StoreLease(path, fd)


def lease_store(out_dir: str | os.PathLike[str]) -> StoreLease:
    """A lease on the current Oxigraph store of ``out_dir`` (``lease.path`` is its folder).

    Raises:
        GraphError: the folder has no Oxigraph store.
    """
    out = Path(out_dir)
    for _ in range(_ATTEMPTS):
        path = oxigraph_path(out)
        if path is None:
            break
        lease = _lock(path)
        if lease is not None:
            return lease
        time.sleep(0.05)  # a build switched stores between reading store.json and locking: read it again
    raise GraphError(f"{out / STORE_PREFIX}: Oxigraph store not found (build with `kg build --store oxigraph`)")


def lease_path(path: str | os.PathLike[str]) -> StoreLease:
    """A lease on the store folder ``path`` itself.

    Raises:
        GraphError: the store has been removed.
    """
    lease = _lock(Path(path))
    if lease is None:
        raise GraphError(f"{path}: the Oxigraph store has been removed")
    return lease


def remove_unused_stores(out_dir: str | os.PathLike[str]) -> list[Path]:
    """Delete the Oxigraph stores of ``out_dir`` that are not current and that no process holds a lease on.

    Returns:
        The folders removed.
    """
    out = Path(out_dir)
    try:
        current = oxigraph_path(out)
    except GraphError:
        return []  # an unreadable store.json: remove nothing
    removed = []
    try:
        entries = list(out.iterdir())
    except OSError:
        return []
    for folder in entries:
        if not _is_store_name(folder.name) or folder == current or not folder.is_dir() or folder.is_symlink():
            continue
        lock = folder / LOCK_FILE
        fd = None
        try:
            fd = os.open(lock, os.O_RDONLY)
        except OSError:
            pass  # no lock file: a store of an older kg, or a half-removed one
        try:
            if fd is not None and fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # someone reads it
            try:
                lock.unlink(missing_ok=True)  # first: a reader that opened it now sees it removed
            except OSError:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            if fd is not None:
                os.close(fd)
    return removed


def _stamp(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def build_version(out_dir: str | os.PathLike[str]) -> str | None:
    """An identity of the finished build in ``out_dir``; None while a build is writing it.

    With a ``report.json``: its fingerprint and the output stamps it records, once
    the files it describes are those on disk (a build in progress has replaced
    the graph but not yet the report, or written the report without a fingerprint).
    Without one: the stamps of ``graph.trig`` and ``store.json``.
    """
    out = Path(out_dir)
    graph = _stamp(out / _GRAPH_FILE)
    if graph is None:
        return None
    try:
        report = _read_json(out / _REPORT_FILE)
    except GraphError:
        return None  # being written
    if report is None:
        return json.dumps({"graph": graph, "store": _stamp(out / _STORE_FILE)})
    if not isinstance(report, dict) or not report.get("fingerprint"):
        return None
    outputs = report.get("outputs") or {}
    if outputs.get(_GRAPH_FILE) != graph or outputs.get(_STORE_FILE) != _stamp(out / _STORE_FILE):
        return None
    return json.dumps({"fingerprint": report["fingerprint"], "outputs": outputs}, sort_keys=True)


def build_info(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """What ``report.json`` says of the last build: when it finished and its counts ({} without a report)."""
    path = Path(out_dir) / _REPORT_FILE
    try:
        report = _read_json(path)
        finished = path.stat().st_mtime
    except (GraphError, OSError):
        return {}
    if not isinstance(report, dict):
        return {}
    summary = report.get("summary") or {}
    keep = ("documents", "entities", "facts", "seconds")
    info: dict[str, Any] = {k: summary[k] for k in keep if k in summary}
    info["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(finished))
    return info


def count_quads(path: str | os.PathLike[str], limit: int | None = None) -> int:
    """The quads of a TriG file, counted up to ``limit + 1`` (enough to tell it is over ``limit``).

    Raises:
        GraphError: the file cannot be parsed.
    """
    import pyoxigraph as ox

    n = 0
    try:
        for _ in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            n += 1
            if limit is not None and n > limit:
                break
    except (OSError, SyntaxError, ValueError) as exc:
        raise GraphError(f"{path}: cannot parse TriG: {exc}") from exc
    return n


@dataclass
class Snapshot:
    """One graph of an output folder, pinned: ``source`` stays as it is whatever builds do meanwhile.

    ``source`` is a TriG file (``store="memory"``) or an Oxigraph store folder.
    """

    out_dir: Path
    store: str
    source: Path
    version: str | None
    info: dict[str, Any] = field(default_factory=dict)
    _lease: StoreLease | None = None
    _tmp: Path | None = None
    _closed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        """Let the graph go: remove the linked file, release the store (and remove stores nobody reads)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        if self._lease is not None:
            self._lease.close()
            remove_unused_stores(self.out_dir)


def take_snapshot(out_dir: str | os.PathLike[str], store: str) -> Snapshot:
    """Pin the current graph of ``out_dir`` in ``store`` (``memory`` or ``oxigraph``).

    The snapshot's ``version`` is the :func:`build_version` it was taken at, checked
    again once pinned (None when a build was writing meanwhile: take it again later).

    Raises:
        GraphError: no such graph in the folder, or it cannot be pinned.
    """
    out = Path(out_dir)
    version = build_version(out)
    info = build_info(out)
    if store == "oxigraph":
        from kg.store import detect_store

        if detect_store(out) != "oxigraph":  # also refuses a store older than graph.trig
            raise GraphError(f"{out}: no Oxigraph store (build with `kg build --store oxigraph`)")
        lease = lease_store(out)
        snap = Snapshot(out, store, lease.path, version, info, _lease=lease)
    elif store == "memory":
        from kg.store import graph_file

        graph = graph_file(out)
        tmp = Path(tempfile.mkdtemp(prefix="kg-graph-"))
        target = tmp / _GRAPH_FILE
        try:
            try:
                os.link(graph, target)  # the inode stays ours when a build renames a new file over graph.trig
            except OSError:
                shutil.copy2(graph, target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise GraphError(f"{graph}: cannot pin the graph file: {exc}") from exc
        snap = Snapshot(out, store, target, version, info, _tmp=tmp)
        if version is not None and _stamp(target) != _stamp(graph):
            snap.version = None
    else:
        raise GraphError(f"unknown store {store!r}")
    if version is not None and build_version(out) != version:
        snap.version = None  # a build finished or started meanwhile: what was pinned may be either
    return snap

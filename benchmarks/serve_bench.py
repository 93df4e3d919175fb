"""`kg serve` on a large graph: start time, memory, and the time to move to a new build (a benchmark, not a test).

Uses the synthetic graph of ``query_bench.py`` (``--documents 46000``: about 10M quads), kept in
``--out`` and reused when it is already there. Then:

1. starts ``kg serve OUT --store oxigraph`` (a child process) and times it until ``/api/status``
   answers; reads the memory it reports (server and workers, now and at their peak);
2. publishes a new Oxigraph store while clients keep querying, as a build does last (a new store
   folder, then ``store.json`` naming it), and times the switch: from ``store.json`` naming the new
   store to the server answering from it, and the server's own loading time of the new graph; counts
   failed requests. The new store is a copy of the current one made of hard links (``--rewrite``
   writes it from graph.trig instead, which takes as long as that part of a build);
3. tries ``kg serve OUT --store memory``, which must refuse the graph (too large) and name --store oxigraph.

    python benchmarks/serve_bench.py [--documents 46000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from query_bench import generate  # this folder is on sys.path when a script of it runs

from kg.snapshot import oxigraph_path
from kg.store import GRAPH_FILE, write_oxigraph

_CLI = "import sys; from kg.cli import cli; sys.exit(cli())"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?st a kg:Statement ; rdf:predicate kg:investsIn }"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 60) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def _publish_copy(out: Path) -> None:
    """A new store folder made of hard links to the current one's files, then named in store.json."""
    import os

    from kg.snapshot import LOCK_FILE, new_store_name
    from kg.store import STORE_FILE, atomic_write

    current = oxigraph_path(out)
    target = out / new_store_name()
    target.mkdir()
    for item in current.rglob("*"):
        dest = target / item.relative_to(current)
        if item.is_dir():
            dest.mkdir(exist_ok=True)
        elif item.name != LOCK_FILE:  # a lock file of its own: readers lock the store, not its copy
            os.link(item, dest)
    (target / LOCK_FILE).touch()
    stamp = json.loads((out / STORE_FILE).read_text())
    stamp["path"] = target.name
    atomic_write(out / STORE_FILE, (json.dumps(stamp, indent=2, sort_keys=True) + "\n").encode())


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=46000, help="synthetic documents (~225 quads each)")
    parser.add_argument("--out", type=Path, default=None, help="where the graph is (reused) or built")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rewrite", action="store_true", help="write the new store from graph.trig")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="kg-serve-bench-")) / "out"
    if not (out / GRAPH_FILE).is_file() or oxigraph_path(out) is None:
        start = time.perf_counter()
        quads = generate(out, args.documents)
        print(f"generated {args.documents} documents, {quads:,} quads in {time.perf_counter() - start:.0f} s")

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", _CLI, "serve", str(out), "--store", "oxigraph", "--port", str(port),
               "--workers", str(args.workers)]  # fmt: skip
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            if process.poll() is not None:
                sys.exit(f"kg serve exited: {process.stderr.read()}")
            try:
                status = _get(base + "/api/status", timeout=5)
                break
            except OSError:
                time.sleep(0.05)
        started = time.perf_counter() - start
        _get(base + "/sparql?query=" + urllib.parse.quote(COUNT))
        first_answer = time.perf_counter() - start
        memory = status["memory"]
        print(f"kg serve --store oxigraph: answering after {started:.2f} s (first query answered at "
              f"{first_answer:.2f} s; graph loaded in {status['start_seconds']:.2f} s)")  # fmt: skip
        print(f"memory: server {_mb(memory['server'])}, workers {_mb(memory['workers'])}; "
              f"peak server {_mb(memory['server_peak'])}, workers {_mb(memory['workers_peak'])}")  # fmt: skip

        failures: list[str] = []
        answers = 0
        stop = threading.Event()

        def client() -> None:
            nonlocal answers
            while not stop.is_set():
                try:
                    _get(base + "/sparql?query=" + urllib.parse.quote(COUNT))
                    answers += 1
                except Exception as exc:
                    failures.append(str(exc))

        threads = [threading.Thread(target=client) for _ in range(2)]
        for thread in threads:
            thread.start()
        before = oxigraph_path(out)
        t = time.perf_counter()
        if args.rewrite:
            write_oxigraph(out)
        else:
            _publish_copy(out)
        written = time.perf_counter()
        print(f"new store published in {written - t:.1f} s")
        while _get(base + "/api/status")["reloads"] < 1:
            time.sleep(0.02)
        switched = time.perf_counter() - written
        stop.set()
        for thread in threads:
            thread.join()
        status = _get(base + "/api/status")
        memory = status["memory"]
        print(f"reload: serving the new store {switched:.2f} s after it was named in store.json "
              f"(server's load of the new graph {status['last_reload_seconds']:.2f} s); "
              f"{answers} answers during the write and the switch, {len(failures)} failed")  # fmt: skip
        print(f"memory after the reload: server {_mb(memory['server'])}, workers {_mb(memory['workers'])}; "
              f"peak server {_mb(memory['server_peak'])}, workers (current) {_mb(memory['workers_peak'])}")  # fmt: skip
        deadline = time.monotonic() + 30
        while before.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        print(f"old store {'removed' if not before.exists() else 'still there'}")
    finally:
        process.terminate()
        process.wait(30)

    start = time.perf_counter()
    refused = subprocess.run(
        [sys.executable, "-c", _CLI, "serve", str(out), "--store", "memory", "--port", str(_free_port())],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    message = refused.stderr.strip().splitlines()[-1] if refused.stderr.strip() else ""
    print(f"kg serve --store memory: exit {refused.returncode} after {time.perf_counter() - start:.1f} s: {message}")


if __name__ == "__main__":
    main()

"""Records per second and peak memory of `kg build` on one large JSON Lines file (a benchmark, not a test).

Writes N synthetic news records (benchmarks/synthetic.py --jsonl; default 100,000, about
500 words each, half French, half English, one in ten a saved web page) into one
``news.jsonl`` (``--gzip``: ``news.jsonl.gz``), then runs
``kg build CORPUS --out OUT --quiet --force --workers W --no-explorer`` in a child process
and reports:

- records per second (records in the report / wall-clock seconds of the command) and words per second;
- peak resident memory: of the largest process (``ru_maxrss`` of the children, the kernel's
  high-water mark: the driver or a worker), and, sampled every 0.5 s with psutil, of the
  driver alone, of each worker and of the whole tree;
- the driver's resident memory over the build (sampled), to show whether it grows with the
  number of records read.

Goal: peak RSS within 1.5 GB for 100,000 records with ``--workers 2``. The explorer page is left
out (``--explorer`` puts it back): it loads the whole graph in memory, which this benchmark does
not measure.

    python benchmarks/records_bench.py [--records 100000] [--workers 2] [--gzip] [--explorer] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GOAL = 1.5e9  # bytes


def _sample(pid: int, samples: list[tuple[float, int, list[int]]], stop: threading.Event) -> None:
    """(seconds, driver RSS, worker RSS...) every 0.5 s until ``stop``."""
    try:
        import psutil
    except ImportError:
        return
    start = time.perf_counter()
    try:
        root = psutil.Process(pid)
        while not stop.is_set():
            try:
                # the command is a console script: the driver is its Python process, the workers its children
                children = root.children(recursive=True)
                workers = [p.memory_info().rss for p in children if "spawn_main" in " ".join(p.cmdline())]
                samples.append((time.perf_counter() - start, root.memory_info().rss, workers))
            except psutil.Error:
                pass
            stop.wait(0.5)
    except psutil.Error:
        return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gzip", action="store_true", help="write news.jsonl.gz")
    parser.add_argument("--explorer", action="store_true", help="also write the explorer page")
    parser.add_argument("--keep", type=Path, help="keep the corpus and the output in this folder")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import synthetic

    kg_bin = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    base = args.keep or Path(tempfile.mkdtemp(prefix="kg-records-bench-"))
    try:
        corpus, out = base / "corpus", base / "out"
        corpus.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        path = synthetic.write_jsonl(args.records, corpus / ("news.jsonl.gz" if args.gzip else "news.jsonl"))
        print(f"wrote {args.records:,} records, {path.stat().st_size / 1e6:,.1f} MB, in {time.perf_counter() - t:,.0f} s")

        cmd = [kg_bin, "build", str(corpus), "--out", str(out), "--quiet", "--force", "--workers", str(args.workers)]
        if not args.explorer:
            cmd.append("--no-explorer")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        samples: list[tuple[float, int, list[int]]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, samples, stop), daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - t
        stop.set()
        sampler.join()
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) * 1024

        report = json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").is_file() else {}
        summary = report.get("summary", {})
        records = sum(1 for f in report.get("files", []) if f.get("kind") == "record")
        print(f"kg build --workers {args.workers} (exit {code}): {seconds:,.0f} s; {records:,} records, "
              f"{summary.get('documents', '?'):,} documents, {summary.get('words', 0):,} words, "
              f"{summary.get('entities', '?'):,} entities, {summary.get('facts', '?'):,} facts")  # fmt: skip
        print(f"  {records / seconds:,.1f} records/s, {summary.get('words', 0) / seconds:,.0f} words/s")
        print(f"  stages: {', '.join(f'{k} {v:,.1f} s' for k, v in report.get('timings', {}).items())}")
        for name in ("graph.trig", "merges.json", "report.json"):
            if (out / name).is_file():
                print(f"  {name} {(out / name).stat().st_size / 1e6:,.1f} MB")
        print(f"peak resident memory of the largest process: {peak / 1e6:,.0f} MB (ratio to the 1.5 GB goal: {peak / GOAL:.2f})")
        if samples:
            driver = max(s[1] for s in samples)
            workers = max((max(s[2]) for s in samples if s[2]), default=0)
            tree = max(s[1] + sum(s[2]) for s in samples)
            print(f"  sampled: driver {driver / 1e6:,.0f} MB, largest worker {workers / 1e6:,.0f} MB, "
                  f"whole tree {tree / 1e6:,.0f} MB (shared pages counted per process)")
            print("  driver RSS over the build (elapsed s: MB):")
            step = max(1, len(samples) // 12)
            print("   " + ", ".join(f"{s[0]:,.0f}: {s[1] / 1e6:,.0f}" for s in samples[::step]))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

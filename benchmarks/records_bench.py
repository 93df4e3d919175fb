"""Records per second and peak memory of `kg build` on one large JSON Lines file (a benchmark, not a test).

Writes N synthetic news records (benchmarks/synthetic.py --jsonl; default 100,000, about
500 words each, half French, half English, one in ten a saved web page; ``--words W``: each
cut to its headline and first paragraphs up to W words, as the short texts of many news-API
exports) into one ``news.jsonl`` (``--gzip``: ``news.jsonl.gz``), then runs
``kg build CORPUS --out OUT --quiet --force --workers W --no-explorer`` in a child process
and reports:

- records per second (records in the report / wall-clock seconds of the command) and words per second;
- peak resident memory: of the largest process (``ru_maxrss`` of the children, the kernel's
  high-water mark: the driver or a worker), and, sampled every 0.5 s with psutil, of the
  driver alone, of each worker and of the whole tree;
- the driver's resident memory over the build (sampled), against the number of records
  analysed so far (entries of the output's extraction cache, counted as the build goes): its
  growth per 10,000 records while the corpus is read and parsed (a least-squares slope over
  the second half of the records, after the start-up), and its peak during the parse and
  after it (entity resolution over all documents, then the graph file).

Goal: peak RSS within 1.5 GB for 100,000 records with ``--workers 2``. The explorer page is left
out (``--explorer`` puts it back): it loads the whole graph in memory, which this benchmark does
not measure.

    python benchmarks/records_bench.py [--records 100000] [--workers 2] [--words W] [--gzip] [--explorer] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

GOAL = 1.5e9  # bytes


Sample = tuple[float, int, list[int], int]  # seconds, driver RSS, worker RSS..., records analysed


def _analysed(cache: Path) -> int:
    """Records analysed so far: the entries of the extraction cache (a fresh output folder's)."""
    try:
        with os.scandir(cache) as entries:
            return sum(1 for e in entries if e.name.endswith(".json"))
    except OSError:
        return 0


def _sample(pid: int, cache: Path, samples: list[Sample], stop: threading.Event) -> None:
    """(seconds, driver RSS, worker RSS..., records analysed) every 0.5 s until ``stop``
    (the records are counted every 2 s: a folder of 100,000 files takes a while to list)."""
    try:
        import psutil
    except ImportError:
        return
    start = time.perf_counter()
    analysed, counted = 0, 0.0
    try:
        root = psutil.Process(pid)
        while not stop.is_set():
            try:
                # the command is a console script: the driver is its Python process, the workers its children
                children = root.children(recursive=True)
                workers = [p.memory_info().rss for p in children if "spawn_main" in " ".join(p.cmdline())]
                if time.perf_counter() - counted >= 2.0:
                    analysed, counted = _analysed(cache), time.perf_counter()
                samples.append((time.perf_counter() - start, root.memory_info().rss, workers, analysed))
            except psutil.Error:
                pass
            stop.wait(0.5)
    except psutil.Error:
        return


def _slope(points: list[tuple[int, int]]) -> float | None:
    """Least-squares slope of (records, bytes)."""
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def _driver_growth(samples: list[Sample], records: int) -> None:
    """The driver's RSS against the records analysed: growth per 10,000 records, peaks during and after the parse."""
    if not samples or records <= 0:
        return
    parse = [s for s in samples if s[3] < records]
    after = [s for s in samples if s[3] >= records]
    points = [(s[3], s[1]) for s in parse if s[3] >= records // 2]
    slope = _slope(points)
    grew = f"{slope * 10_000 / 1e6:,.1f} MB per 10,000 records" if slope is not None else "too few samples"
    print(f"  driver growth while the records are analysed (second half, least squares): {grew}")
    marks: list[str] = []
    marks_at: list[int] = []
    for k in range(1, 11):
        target = records * k // 10
        first = next((s for s in samples if s[3] >= target), None)
        if first is not None and not marks_at.count(first[3]):
            marks_at.append(first[3])
            marks.append(f"{first[3]:,}: {first[1] / 1e6:,.0f}")
    print("  driver RSS by records analysed (records: MB): " + ", ".join(marks))
    if parse:
        print(f"  driver peak while reading and parsing: {max(s[1] for s in parse) / 1e6:,.0f} MB; ", end="")
    print(f"after (resolution, graph file, report): {max((s[1] for s in after), default=0) / 1e6:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--words", type=int, help="cut each record to its first paragraphs up to W words")
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
        name = "news.jsonl.gz" if args.gzip else "news.jsonl"
        path = synthetic.write_jsonl(args.records, corpus / name, words=args.words)
        length = f"cut to {args.words} words" if args.words else "whole articles"
        print(
            f"wrote {args.records:,} records ({length}), {path.stat().st_size / 1e6:,.1f} MB, "
            f"in {time.perf_counter() - t:,.0f} s"
        )

        cmd = [kg_bin, "build", str(corpus), "--out", str(out), "--quiet", "--force", "--workers", str(args.workers)]
        if not args.explorer:
            cmd.append("--no-explorer")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        samples: list[Sample] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, out / ".cache", samples, stop), daemon=True)
        sampler.start()
        code = proc.wait()
        seconds = time.perf_counter() - t
        stop.set()
        sampler.join()
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) * 1024

        report = (
            json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").is_file() else {}
        )
        summary = report.get("summary", {})
        records = sum(1 for f in report.get("files", []) if f.get("kind") == "record")
        print(f"kg build --workers {args.workers} (exit {code}): {seconds:,.0f} s; {records:,} records, "
              f"{summary.get('documents', '?'):,} documents, {summary.get('words', 0):,} words, "
              f"{summary.get('entities', '?'):,} entities, {summary.get('facts', '?'):,} facts")  # fmt: skip
        words = summary.get("words", 0)
        documents = summary.get("documents") or 0
        per_record = f", {words / documents:,.0f} words per document" if documents else ""
        print(f"  {records / seconds:,.1f} records/s, {words / seconds:,.0f} words/s{per_record}")
        print(f"  stages: {', '.join(f'{k} {v:,.1f} s' for k, v in report.get('timings', {}).items())}")
        for name in ("graph.trig", "merges.json", "report.json"):
            if (out / name).is_file():
                print(f"  {name} {(out / name).stat().st_size / 1e6:,.1f} MB")
        print(
            f"peak resident memory of the largest process: {peak / 1e6:,.0f} MB (ratio to the 1.5 GB goal: {peak / GOAL:.2f})"
        )
        if samples:
            driver = max(s[1] for s in samples)
            workers = max((max(s[2]) for s in samples if s[2]), default=0)
            tree = max(s[1] + sum(s[2]) for s in samples)
            print(
                f"  sampled: driver {driver / 1e6:,.0f} MB, largest worker {workers / 1e6:,.0f} MB, "
                f"whole tree {tree / 1e6:,.0f} MB (shared pages counted per process)"
            )
            print("  driver RSS over the build (elapsed s: MB):")
            step = max(1, len(samples) // 12)
            print("   " + ", ".join(f"{s[0]:,.0f}: {s[1] / 1e6:,.0f}" for s in samples[::step]))
            _driver_growth(samples, documents)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

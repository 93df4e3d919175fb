"""Peak memory of a large build (a benchmark, not a test).

Generates N synthetic articles (benchmarks/synthetic.py; default 10,000), runs
``kg build CORPUS --out OUT --quiet`` in a child process and reports its peak
resident memory (``ru_maxrss`` of the child, read when it ends: the kernel's own
high-water mark, no sampling). With psutil installed it also samples the whole
process tree every 0.2 s (worker processes included, for --workers N).

For scale it also measures a process that only loads kg's two spaCy pipelines:
the floor every build pays. Goal: peak <= 1.5 GB for 10,000 documents.

    python benchmarks/memory_bench.py [--documents 10000] [--corpus DIR] [--workers N] [--keep DIR]
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

from build_bench import synthetic  # this folder is on sys.path when a script of it runs

GOAL = 1.5e9  # bytes

_LOAD_ONLY = "from kg import nlp\nfor lang in nlp.LANGUAGES:\n    nlp.load(lang)\n"


def _run(cmd: list[str]) -> tuple[float, int, int | None, int]:
    """Run ``cmd``; return (seconds, peak RSS of the child in bytes, sampled tree peak or None, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    tree_peak: list[int] = []
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:

        def sample() -> None:
            peak = 0
            try:
                root = psutil.Process(proc.pid)
                while proc.poll() is None:
                    try:
                        procs = [root, *root.children(recursive=True)]
                        peak = max(peak, sum(p.memory_info().rss for p in procs))
                    except psutil.Error:
                        pass
                    time.sleep(0.2)
            except psutil.Error:
                pass
            tree_peak.append(peak)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - t
    if psutil is not None:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any waited-for child, in KiB on Linux
    peak = max(after, before) * 1024
    return seconds, peak, (tree_peak[0] if tree_peak else None), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000, help="synthetic articles to generate")
    parser.add_argument("--corpus", type=Path, help="build this folder instead of generating one")
    parser.add_argument("--workers", type=int, default=1, help="kg build --workers (default 1)")
    parser.add_argument("--keep", type=Path, help="keep the output folder here")
    args = parser.parse_args()

    kg_bin = shutil.which("kg") or sys.exit("the kg command is not on PATH")
    tmp = Path(tempfile.mkdtemp(prefix="kg-memory-bench-"))
    try:
        corpus = args.corpus or synthetic(args.documents, tmp / "corpus")
        files = sum(1 for p in corpus.rglob("*") if p.is_file())
        out = args.keep or tmp / "out"

        s, floor, _, code = _run([sys.executable, "-c", _LOAD_ONLY])
        if code:
            sys.exit("loading the models failed")
        print(f"a process that only loads the two pipelines: peak {floor / 1e6:,.0f} MB ({s:.1f} s)")

        cmd = [kg_bin, "build", str(corpus), "--out", str(out), "--quiet", "--force", "--workers", str(args.workers)]
        seconds, peak, tree, code = _run(cmd)
        report = json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").is_file() else {}
        summary = report.get("summary", {})
        print(f"kg build of {files:,} files (exit {code}): {seconds:,.0f} s, "
              f"{summary.get('documents', '?')} documents, {summary.get('words', 0):,} words, "
              f"{summary.get('entities', '?')} entities, {summary.get('facts', '?')} facts")  # fmt: skip
        print(f"  stages: {', '.join(f'{k} {v:,.1f} s' for k, v in report.get('timings', {}).items())}")
        print(f"  graph.trig {os.path.getsize(out / 'graph.trig') / 1e6:,.1f} MB" if (out / "graph.trig").is_file() else "")
        print(f"peak resident memory of the build process: {peak / 1e6:,.0f} MB "
              f"(ratio to the 1.5 GB goal: {peak / GOAL:.2f})")  # fmt: skip
        if tree is not None and args.workers > 1:
            print(f"peak of the whole process tree (sampled, shared pages counted per process): {tree / 1e6:,.0f} MB")
        print(f"above the model-loading floor: {(peak - floor) / 1e6:,.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

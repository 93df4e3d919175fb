"""Whole processes: a bare spaCy process against the ``kg build`` command (a benchmark, not a test).

On a corpus (by default the 25 seed + dev articles of ../shared copied ``--copies`` times,
so 100 documents), it times, as separate processes started from this one:

- bare: a Python process that loads the same spaCy pipelines kg uses (``spacy.load`` of the
  same packages, every default component) and runs ``nlp.pipe`` over the same texts (the
  documents' text after kg's ingestion, written to a file beforehand), default batch size;
- build: ``kg build CORPUS --out OUT -q`` into a new folder each time (ingestion, parse, the learned extractor,
  resolution, the graph file and the explorer page).

Both include interpreter start, imports and model loading. Runs alternate and the best of
``--repeat`` is kept for each, so a noisy neighbour hurts both alike. Each child runs with
bytecode writing on and ``PYTHONPYCACHEPREFIX`` set to a scratch folder, and an untimed first
run of each side writes the bytecode there: both sides then import compiled modules, as an
installed kg does (pip compiles a package when it installs it), even where the environment sets
``PYTHONDONTWRITEBYTECODE`` and the checkout is installed in editable mode, which would
otherwise compile kg's sources in every build process and none of spaCy's. Prints the seconds and
the ratio bare / build (goal >= 0.8: the build takes at most 1.25 times a bare parse).

    python benchmarks/process_bench.py [--corpus DIR] [--copies 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from build_bench import seeds_and_dev, texts_by_language  # this folder is on sys.path when a script of it runs

from kg import nlp

BARE = """
import json, sys
import spacy
texts = json.load(open(sys.argv[1], encoding="utf-8"))
for lang, name in json.load(open(sys.argv[2], encoding="utf-8")).items():
    model = spacy.load(name)
    for _doc in model.pipe(texts[lang]):
        pass
"""


def copies(corpus: Path, n: int, dest: Path) -> Path:
    """``dest`` holding ``n`` copies of every file of ``corpus`` (renamed, so each is a document)."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in {".txt", ".md", ".html", ".htm"}):
        for k in range(n):
            shutil.copy(path, dest / f"{path.stem}-{k}{path.suffix}")
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a corpus folder (default: seeds + dev of ../shared)")
    parser.add_argument("--copies", type=int, default=4, help="copies of each document (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (best kept; default 3)")
    args = parser.parse_args()
    exe = shutil.which("kg") or sys.exit("the kg command is not on PATH")
    tmp = Path(tempfile.mkdtemp(prefix="kg-process-bench-"))
    try:
        source = args.corpus or seeds_and_dev(tmp / "source")
        corpus = copies(source, args.copies, tmp / "corpus")
        texts = texts_by_language(corpus)
        words = sum(len(t.split()) for items in texts.values() for t in items)
        docs = sum(len(items) for items in texts.values())
        (tmp / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        models = {lang: nlp.model_name(lang) for lang in nlp.LANGUAGES if texts.get(lang)}
        (tmp / "models.json").write_text(json.dumps(models), encoding="utf-8")
        print(f"corpus: {docs} documents ({args.copies} copies of {source}), {words:,} words; models {models}")
        bare_cmd = [sys.executable, "-c", BARE, str(tmp / "texts.json"), str(tmp / "models.json")]
        build_cmd = [exe, "build", str(corpus), "--out", str(tmp / "out"), "-q"]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "bytecode")
        best = {"bare": float("inf"), "build": float("inf")}
        for run in range(args.repeat + 1):  # the first run of each side writes the bytecode, untimed
            for name, cmd in (("bare", bare_cmd), ("build", build_cmd)):
                shutil.rmtree(tmp / "out", ignore_errors=True)  # a fresh output folder: no extraction cache
                t = time.perf_counter()
                done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
                seconds = time.perf_counter() - t
                if done.returncode not in (0, 3):
                    sys.exit(f"{name} failed ({done.returncode}): {done.stderr[-2000:]}")
                if run:
                    best[name] = min(best[name], seconds)
        report = json.loads((tmp / "out" / "report.json").read_text(encoding="utf-8"))
        print(f"bare spaCy process:  {best['bare']:7.2f} s  {words / best['bare']:8,.0f} words/s")
        print(f"kg build command:    {best['build']:7.2f} s  {words / best['build']:8,.0f} words/s")
        print("  stages of the last build: " + ", ".join(f"{k} {v:.2f} s" for k, v in report["timings"].items()))
        print(f"  {report['summary']['entities']} entities, {report['summary']['facts']} facts; "
              f"model {report['model'].get('id')}")  # fmt: skip
        print(f"ratio bare / build: {best['bare'] / best['build']:.2f}   (goal >= 0.8)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

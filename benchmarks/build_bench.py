"""Build speed against bare spaCy, and the cost of a no-op rebuild (a benchmark, not a test).

For a corpus (by default the 25 seed + dev articles of ../shared, or --synthetic N
generated articles, see benchmarks/synthetic.py), in one process:

1. loads kg's pipelines once (model loading is reported apart: a process pays it once);
2. bare: ``spacy.load(model)`` with every default component, then ``nlp.pipe`` over the
   same texts kg analyses (the documents' text after ingestion), default batch size;
3. build: ``kg.build(corpus, out)`` with the models already loaded: ingestion, parse,
   rules, resolution, the graph file and the explorer page, everything a build does;
4. no-op: ``kg.build`` again into the same folder, nothing changed.

Prints words/second of each and the ratios (goals: build / bare >= 0.85, no-op / build
<= 0.02). Bare and build runs alternate and the best of --repeat runs is kept, so a
noisy neighbour hurts both sides alike. With --cli it also times the ``kg build``
command itself (a new process: interpreter start and imports included).

    python benchmarks/build_bench.py [--corpus DIR] [--synthetic N] [--repeat 2] [--workers N] [--cli]
    python benchmarks/build_bench.py --batch-sizes 4,16,64,256      # kg's parse alone at each batch size
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import kg
from kg import ingest, nlp

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def seeds_and_dev(dest: Path) -> Path:
    """Copy the seed and dev articles (text files only) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    for folder in (SHARED / "corpus" / "seeds", SHARED / "corpus" / "dev"):
        for path in sorted(folder.glob("*.txt")):
            shutil.copy(path, dest / path.name)
            n += 1
    if not n:
        sys.exit(f"no articles found under {SHARED / 'corpus'}; give --corpus DIR")
    return dest


def synthetic(n: int, dest: Path) -> Path:
    """Generate ``n`` articles into ``dest`` with benchmarks/synthetic.py (seed 0)."""
    import synthetic as generator  # this folder is on sys.path when a script of it runs

    generator.generate(n, dest, seed=0)
    return dest


def texts_by_language(corpus: Path) -> dict[str, list[str]]:
    """The texts kg analyses, as ingestion gives them."""
    paths = ingest.discover(corpus)
    ids = kg.pipeline.assign_doc_ids(paths, corpus)
    out: dict[str, list[str]] = {lang: [] for lang in nlp.LANGUAGES}
    for path in paths:
        try:
            doc = ingest.read_document(path, root=corpus, doc_id=ids[path])
        except kg.KGError:
            continue
        if doc.lang in out and doc.text.strip():
            out[doc.lang].append(doc.text)
    return out


def bare_seconds(models: dict, texts: dict[str, list[str]], batch_size: int | None = None) -> float:
    options = {"batch_size": batch_size} if batch_size else {}
    t = time.perf_counter()
    for lang, items in texts.items():
        for _doc in models[lang].pipe(items, **options):
            pass
    return time.perf_counter() - t


def kg_parse_seconds(texts: dict[str, list[str]], batch_size: int | None = None) -> float:
    """kg's pipelines (the models plus kg's sentence and gazetteer components) through kg.nlp.pipe, no rules."""
    options = {"batch_size": batch_size} if batch_size else {}
    t = time.perf_counter()
    for lang, items in texts.items():
        for _key, _chunks in nlp.pipe(enumerate(items), lang, **options):
            pass
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a corpus folder (default: seeds + dev of ../shared)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="generate N synthetic articles instead")
    parser.add_argument("--repeat", type=int, default=2, help="runs of bare and build (best kept; default 2)")
    parser.add_argument("--workers", type=int, default=1, help="kg build --workers (default 1)")
    parser.add_argument("--cli", action="store_true", help="also time the kg build command (cold and no-op)")
    parser.add_argument("--batch-sizes", metavar="N,N,...", help="only time kg's parse at these nlp.pipe batch sizes")
    args = parser.parse_args()

    import spacy

    tmp = Path(tempfile.mkdtemp(prefix="kg-build-bench-"))
    try:
        if args.synthetic:
            corpus, name = synthetic(args.synthetic, tmp / "corpus"), f"{args.synthetic} synthetic articles"
        elif args.corpus:
            corpus, name = args.corpus, str(args.corpus)
        else:
            corpus, name = seeds_and_dev(tmp / "corpus"), "seeds + dev (25 articles)"
        texts = texts_by_language(corpus)
        words = sum(len(t.split()) for items in texts.values() for t in items)
        docs = sum(len(items) for items in texts.values())
        print(f"corpus: {name}: {docs} documents, {words:,} words "
              f"({', '.join(f'{lang} {len(v)}' for lang, v in texts.items())})")  # fmt: skip

        t = time.perf_counter()
        for lang in nlp.LANGUAGES:
            nlp.load(lang)
        print(f"kg model loading (once per process): {time.perf_counter() - t:.1f} s")
        bare = {lang: spacy.load(nlp.model_name(lang)) for lang in nlp.LANGUAGES}
        for lang, model in bare.items():
            print(f"  {lang}: {nlp.model_name(lang)}; bare pipeline {model.pipe_names}; "
                  f"kg pipeline {nlp.load(lang).pipe_names}")  # fmt: skip
        # warm-up: first calls allocate and fill caches on both sides
        for lang in nlp.LANGUAGES:
            sample = texts[lang][:3]
            list(bare[lang].pipe(sample))
            list(nlp.load(lang).pipe(sample))

        if args.batch_sizes:
            sizes = [int(n) for n in args.batch_sizes.split(",")]
            best = {n: float("inf") for n in sizes}
            for _ in range(args.repeat):
                for n in sizes:
                    best[n] = min(best[n], kg_parse_seconds(texts, n))
            for n in sizes:
                print(f"kg parse, batch size {n:>4}: {best[n]:7.2f} s {words / best[n]:8,.0f} words/s")
            return
        out = tmp / "out"
        best_bare = best_bare_kg_batch = best_build = best_parse = float("inf")
        result = None
        kg_batch = inspect.signature(nlp.pipe).parameters["batch_size"].default
        for _ in range(args.repeat):
            best_bare = min(best_bare, bare_seconds(bare, texts))
            best_bare_kg_batch = min(best_bare_kg_batch, bare_seconds(bare, texts, kg_batch))
            best_parse = min(best_parse, kg_parse_seconds(texts))
            shutil.rmtree(out, ignore_errors=True)
            t = time.perf_counter()
            result = kg.build(corpus, out, workers=args.workers, force=True)
            best_build = min(best_build, time.perf_counter() - t)
        assert result is not None
        if result.words != words:
            print(f"note: the build analysed {result.words:,} words ({result.skipped} files skipped)")
        t = time.perf_counter()
        noop = kg.build(corpus, out, workers=args.workers)
        noop_s = time.perf_counter() - t
        assert noop.unchanged, "the second build should have found nothing to do"

        bare_wps, build_wps = words / best_bare, words / best_build
        print()
        print(f"{'':34}{'seconds':>10}{'words/s':>10}")
        print(f"{'bare nlp.pipe (default models)':34}{best_bare:10.2f}{bare_wps:10,.0f}")
        label = f"bare nlp.pipe, batch size {kg_batch}"
        print(f"{label:34}{best_bare_kg_batch:10.2f}{words / best_bare_kg_batch:10,.0f}")
        print(f"{'kg pipelines, parse only':34}{best_parse:10.2f}{words / best_parse:10,.0f}")
        print(f"{'kg build (models loaded)':34}{best_build:10.2f}{build_wps:10,.0f}")
        print(f"{'kg build, nothing changed':34}{noop_s:10.3f}")
        print("  stages of the last full build: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
        print(f"  {result.entities} entities, {result.facts} facts")
        print()
        print(f"ratio build / bare words/s: {build_wps / bare_wps:.2f}   (goal >= 0.85)")
        print(f"ratio build / bare at kg's batch size ({kg_batch}): {best_bare_kg_batch / best_build:.2f}")
        if args.workers == 1:
            print(f"  kg's pipelines / bare at the same batch size: {best_bare_kg_batch / best_parse:.2f}; "
                  f"everything but the parse takes {max(0.0, best_build - best_parse) / best_build:.0%} of the build")  # fmt: skip
        else:
            print(f"  (the build used {args.workers} worker processes, each loading the models: included above)")
        print(f"ratio no-op / full build:   {noop_s / best_build:.4f} (goal <= 0.02)")

        if args.cli:
            exe = shutil.which("kg") or sys.exit("the kg command is not on PATH")
            cli_out = tmp / "cli-out"
            t = time.perf_counter()
            subprocess.run([exe, "build", str(corpus), "--out", str(cli_out), "-q", "--workers", str(args.workers)],
                           check=False, stdout=subprocess.DEVNULL)  # fmt: skip
            cold = time.perf_counter() - t
            t = time.perf_counter()
            subprocess.run([exe, "build", str(corpus), "--out", str(cli_out), "-q"], check=False,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            again = time.perf_counter() - t
            print(f"kg build command: cold {cold:.2f} s (model loading included), nothing changed {again:.2f} s "
                  f"(interpreter start and imports included): ratio {again / cold:.3f}")  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

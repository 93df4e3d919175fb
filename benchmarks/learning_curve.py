"""How the validation figures grow with the number of annotated training articles.

Trains the extraction model on random subsets of the shared training material (train + dev +
seeds, as the README's command does), of several sizes and with several draws each, scores
every model on the validation articles (never trained on), and prints entity F1, fact P/R/F1
and the fact F1 of each property per size (the mean over the draws). A line fitted to fact F1
against the doubling of the training set says what one more doubling is worth and, taken
further than the data goes, about how many articles a given F1 would take: a rough guide to
whether more annotation or a better extractor is the next step, not a promise.

usage: python benchmarks/learning_curve.py [--fractions 0.25,0.5,0.75,1] [--draws 2]
       [--target 0.55] [--shared DIR]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
from seed_spread import training_documents

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.25,0.5,0.75,1", help="shares of the training articles, comma-separated")
    parser.add_argument("--draws", type=int, default=2, help="random subsets per share (one for the whole set)")
    parser.add_argument("--target", type=float, default=0.55, help="fact F1 whose training-set size is estimated")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared material (default ../shared)")
    args = parser.parse_args(argv)
    try:
        fractions = sorted({float(f) for f in args.fractions.split(",") if f.strip()})
    except ValueError as exc:
        parser.error(f"--fractions: {exc}")
    if not fractions or not all(0 < f <= 1 for f in fractions) or args.draws < 1:
        parser.error("--fractions must be shares in (0, 1] and --draws at least 1")
    material = training_documents(args.shared)
    if material is None:
        return 2
    docs, validation = material

    from kg.evaluate import evaluate
    from kg.learn import train as learn

    sizes, f1s, rows = [], [], []
    with tempfile.TemporaryDirectory(prefix="kg-learning-curve-") as tmp:
        for fraction in fractions:
            n = max(2, round(fraction * len(docs)))
            results = []
            for draw in range(args.draws if n < len(docs) else 1):
                subset = random.Random(draw).sample(docs, n) if n < len(docs) else docs
                model_dir = learn.fit(subset, seed=0).save(Path(tmp) / f"{n}-{draw}")
                results.append(evaluate(*validation, model=model_dir))
            facts = {k: statistics.fmean(r["facts"][k] for r in results) for k in ("precision", "recall", "f1")}
            entity = statistics.fmean(r["entities"]["f1"] for r in results)
            props = sorted({p for r in results for p in r["by_predicate"]})
            per = {p: statistics.fmean(r["by_predicate"].get(p, {}).get("f1", 0.0) for r in results) for p in props}
            rows.append((n, len(results), entity, facts, per))
            sizes.append(n)
            f1s.append(facts["f1"])
            print(f"{n:>4} documents ({len(results)} draw{'s' if len(results) > 1 else ''}): entity F1 {entity:.3f}, "
                  f"facts P {facts['precision']:.3f} R {facts['recall']:.3f} F1 {facts['f1']:.3f}", flush=True)  # fmt: skip
    props = sorted({p for *_, per in rows for p in per})
    print("\nfact F1 per property, by training documents")
    print(f"{'property':<14}" + "".join(f"{n:>8}" for n, *_ in rows))
    for p in props:
        print(f"{p:<14}" + "".join(f"{per.get(p, 0.0):>8.3f}" for *_, per in rows))
    if len(set(sizes)) >= 2:
        slope, intercept = np.polyfit(np.log2(sizes), f1s, 1)
        print(f"\nfact F1 gained per doubling of the training articles: {slope:+.3f}")
        if slope > 0 and args.target > max(f1s):
            needed = 2 ** ((args.target - intercept) / slope)
            print(f"fact F1 {args.target:.2f} by this line: about {math.ceil(needed / 10) * 10} training articles "
                  f"({needed / len(docs):.1f} times the {len(docs)} here)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How far the validation figures move with the training seed alone.

Trains the extraction model on the shared training material (train + dev + seeds, as the
README's command does) once per seed, scores each model on the validation articles (never
trained on), and prints each seed's entity F1, fact P/R/F1 and attribute accuracy, then their
mean and range. The seed decides how the documents are dealt into the internal folds that pick
the training pairs, the decision thresholds and the calibration; a change to the extractor is
worth keeping when it moves the mean by more than the seeds move it, not when one seed's
figure moves.

usage: python benchmarks/seed_spread.py [--seeds 0,1,2] [--config JSON] [--shared DIR]

``--config`` passes training hyperparameters (``kg.learn.train.DEFAULTS``), e.g.
``'{"pair_c": 1.0}'``, to compare a setting with the default over the same seeds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIGURES = ("entity F1", "fact P", "fact R", "fact F1", "attributes")


def figures(result: dict) -> dict[str, float]:
    facts = result["facts"]
    return {
        "entity F1": result["entities"]["f1"],
        "fact P": facts["precision"],
        "fact R": facts["recall"],
        "fact F1": facts["f1"],
        "attributes": facts.get("attribute_accuracy") or 0.0,
    }


def training_documents(shared: Path) -> tuple[list, tuple[Path, Path]] | None:
    """The training material of the README's command (train, dev and seeds of ``shared``),
    parsed and labelled once, and the validation articles with their gold; None, after naming
    what is missing, without them."""
    sources = [(shared / "corpus" / c, shared / "eval" / g) for c, g in (("train", "train-gold"), ("dev", "dev-gold"), ("seeds", "gold"))]
    validation = (shared / "corpus" / "validation", shared / "eval" / "validation-gold")
    for path in [*(corpus for corpus, _ in sources), *validation]:
        if not path.is_dir():
            print(f"{path}: not found (the shared material is needed)", file=sys.stderr)
            return None
    from kg.learn import train as learn

    t0 = time.perf_counter()
    docs, _warnings = learn.prepare(sources)
    print(f"{len(docs)} training documents parsed in {time.perf_counter() - t0:.0f} s")
    return docs, validation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0,1,2", help="training seeds, comma-separated (default 0,1,2)")
    parser.add_argument("--config", default="{}", help="training hyperparameters as a JSON object")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared material (default ../shared)")
    args = parser.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        config = json.loads(args.config)
    except ValueError as exc:
        parser.error(f"--seeds or --config: {exc}")
    if not isinstance(config, dict) or not seeds:
        parser.error("--config must be a JSON object and --seeds name at least one seed")
    material = training_documents(args.shared)
    if material is None:
        return 2
    docs, validation = material

    from kg.evaluate import evaluate
    from kg.learn import train as learn

    print(f"config {json.dumps(config)}")
    print(f"{'seed':>4}  " + "  ".join(f"{f:>10}" for f in FIGURES) + "   train s")
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-seed-spread-") as tmp:
        for seed in seeds:
            t = time.perf_counter()
            model_dir = learn.fit(docs, seed=seed, config=config).save(Path(tmp) / f"seed{seed}")
            took = time.perf_counter() - t
            row = figures(evaluate(*validation, model=model_dir))
            rows.append(row)
            print(f"{seed:>4}  " + "  ".join(f"{row[f]:>10.3f}" for f in FIGURES) + f"   {took:7.0f}", flush=True)
    for name, agg in (("mean", statistics.fmean), ("min", min), ("max", max)):
        print(f"{name:>4}  " + "  ".join(f"{agg(r[f] for r in rows):>10.3f}" for f in FIGURES))
    spread = max(r["fact F1"] for r in rows) - min(r["fact F1"] for r in rows)
    print(f"fact F1 range over {len(rows)} seeds: {spread:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

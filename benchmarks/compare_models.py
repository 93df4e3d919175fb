"""Whether one extraction model scores better than another on articles of this kind, or only
on these: a paired bootstrap over the documents.

Builds the corpus with each model (in temporary folders), scores both against the gold, and
prints each model's entity and fact F1, the difference (B - A), its 95% interval over the
resamples of the documents, and the share of resamples in which B is better. A difference
whose interval holds 0 is one the documents cannot tell from chance.

usage: python benchmarks/compare_models.py MODEL_A MODEL_B [CORPUS GOLD] [--resamples 1000] [--seed 0]

MODEL_A or MODEL_B may be ``default`` (the model shipped with kg). Without CORPUS and GOLD it
uses ../shared: the validation articles and their gold (never trained on).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import kg
from kg.evaluate import RESAMPLES, compare, load_docs, score

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def predictions(corpus: Path, model: str, tmp: Path) -> dict:
    """The corpus as ``model`` extracts it, in the gold format."""
    out, pred = tmp / "out", tmp / "pred"
    kg.build(corpus, out, explorer=False, **({} if model == "default" else {"model": model}))
    kg.export(out, "gold-json", pred)
    return load_docs(pred)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model_a")
    parser.add_argument("model_b")
    parser.add_argument("corpus", nargs="?", type=Path, default=SHARED / "corpus" / "validation")
    parser.add_argument("gold", nargs="?", type=Path, default=SHARED / "eval" / "validation-gold")
    parser.add_argument("--resamples", type=int, default=RESAMPLES, help=f"bootstrap resamples (default {RESAMPLES})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the resampling (default 0)")
    args = parser.parse_args(argv)
    for path in (args.corpus, args.gold, *(Path(m) for m in (args.model_a, args.model_b) if m != "default")):
        if not path.exists():
            print(f"{path}: not found", file=sys.stderr)
            return 2
    gold = load_docs(args.gold)
    with tempfile.TemporaryDirectory(prefix="kg-compare-") as tmp:
        pred_a = predictions(args.corpus, args.model_a, Path(tmp) / "a")
        pred_b = predictions(args.corpus, args.model_b, Path(tmp) / "b")
    result = compare(gold, pred_a, pred_b, resamples=args.resamples, seed=args.seed)
    print(f"A = {args.model_a}\nB = {args.model_b}\n{len(gold)} documents, {result['resamples']} resamples")
    print(f"{'':10} {'A':>6} {'B':>6} {'B - A':>7}   {'95% interval':>17}   B better in")
    for name in ("entities", "facts"):
        r = result[name]
        lo, hi = r["interval"]
        print(f"{name + ' F1':10} {r['a']:6.3f} {r['b']:6.3f} {r['difference']:+7.3f}   [{lo:+.3f}, {hi:+.3f}]   "
              f"{r['b_better']:.0%} of resamples")  # fmt: skip
    # per-property F1 of each, for reading the difference
    sa, sb = score(gold, pred_a)["by_predicate"], score(gold, pred_b)["by_predicate"]
    print("fact F1 per property (A -> B): " + ", ".join(
        f"{p} {sa.get(p, {}).get('f1', 0.0):.3f}->{sb.get(p, {}).get('f1', 0.0):.3f}" for p in sorted(set(sa) | set(sb))))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

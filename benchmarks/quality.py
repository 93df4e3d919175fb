"""Extraction quality against hand-made gold, at several confidence thresholds.

Builds the corpus once per threshold (the models load once per process),
exports gold-json and scores it with the shared scorer, then prints one line
per threshold (entity and fact P/R/F1, attribute accuracy) and the
per-predicate table at threshold 0.

usage: python benchmarks/quality.py [CORPUS GOLD] [--scorer PATH] [--thresholds 0,0.5,0.6,0.7,0.8]

Without CORPUS and GOLD it uses ../shared: the validation articles and their gold (never
trained on: the figure that says what to expect on new articles).
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

import kg

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("kg_eval_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shared_material(tmp: Path) -> tuple[Path, Path]:
    corpus, gold = tmp / "corpus", tmp / "gold"
    corpus.mkdir()
    gold.mkdir()
    for f in sorted((SHARED / "corpus" / "validation").glob("*.txt")):
        shutil.copy(f, corpus / f.name)
    for f in sorted((SHARED / "eval" / "validation-gold").glob("*.json")):
        shutil.copy(f, gold / f.name)
    return corpus, gold


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", type=Path)
    ap.add_argument("gold", nargs="?", type=Path)
    ap.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py")
    ap.add_argument("--thresholds", default="0,0.5,0.6,0.7,0.8")
    args = ap.parse_args(argv)
    scorer = load_scorer(args.scorer)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        corpus, gold = (args.corpus, args.gold) if args.corpus else shared_material(tmp)
        gold_docs = scorer.load_docs(gold)
        print(f"{'min-conf':>8} {'ent P':>6} {'ent R':>6} {'ent F1':>6} {'fact P':>6} {'fact R':>6} {'fact F1':>7} "
              f"{'facts':>5} {'attr':>5}")
        first = None
        for t in [float(x) for x in args.thresholds.split(",")]:
            out, pred = tmp / f"out-{t}", tmp / f"pred-{t}"
            kg.build(corpus, out, min_confidence=t, explorer=False)
            kg.export(out, "gold-json", pred)
            r = scorer.score(gold_docs, scorer.load_docs(pred))
            e, f = r["entities"], r["facts"]
            print(f"{t:>8.2f} {e['precision']:>6.3f} {e['recall']:>6.3f} {e['f1']:>6.3f} {f['precision']:>6.3f} "
                  f"{f['recall']:>6.3f} {f['f1']:>7.3f} {f['pred']:>5} {f['attribute_accuracy']:>5.3f}")
            first = first or r
        print("\nper predicate (min-conf 0):")
        print(f"{'':14} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'pred':>5} {'gold':>5}")
        for name, v in first["by_predicate"].items():
            print(f"{name:14} {v['precision']:6.3f} {v['recall']:6.3f} {v['f1']:6.3f} {v['tp']:4} {v['pred']:5} {v['gold']:5}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

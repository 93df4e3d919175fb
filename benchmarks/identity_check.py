"""Is each real-world entity one node? Checks a gold-json export against hand annotations.

For every entity the gold annotates in more than one document (grouped by its
normalised label, or a name shared through aliases), it finds the system's
matching entity in each document (same matching as the shared scorer) and
prints the IRIs they carry: one IRI means one node.

usage: python benchmarks/identity_check.py GOLD_DIR PRED_DIR [--scorer PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("pred", type=Path)
    ap.add_argument("--scorer", type=Path, default=SHARED / "eval" / "score.py")
    args = ap.parse_args(argv)
    spec = importlib.util.spec_from_file_location("kg_eval_score", args.scorer)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold, pred = score.load_docs(args.gold), score.load_docs(args.pred)
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    names_of: dict[str, set[str]] = {}
    for key in sorted(gold):
        g, p = score.Doc(gold[key]), score.Doc(pred.get(key, {}))
        for ge, pe in score.match_entities(g, p):
            names = score.names(ge)
            ident = next((k for k, v in names_of.items() if v & names), None) or score.norm(ge["label"])
            names_of.setdefault(ident, set()).update(names)
            seen[ident][key].add(pe.get("iri", "?"))
    multi = {k: v for k, v in seen.items() if len(v) > 1}
    one = sum(len(set().union(*v.values())) == 1 for v in multi.values())
    for ident, docs in sorted(multi.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        iris = sorted(set().union(*docs.values()))
        mark = "ok " if len(iris) == 1 else "SPLIT"
        print(f"{mark} {ident:40} {len(docs):2} docs  {' '.join(i.rsplit('/', 2)[-1] for i in iris)}")
    print(f"\n{one} of {len(multi)} entities found in several documents have exactly one IRI")
    return 0


if __name__ == "__main__":
    sys.exit(main())

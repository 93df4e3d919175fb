"""Where a build spends its time: a pyinstrument profile of ``kg.build`` (a tool, not a test).

Loads the models first (outside the profile: a process pays that once), then profiles a
full build of the corpus (by default the seed + dev articles of ../shared) and prints the
call tree (pyinstrument's condensed view: library frames folded), plus the build's own stage
timings. Needs pyinstrument (``pip install pyinstrument``).

    python benchmarks/profile_build.py [--corpus DIR] [--synthetic N] [--html profile.html]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import kg
from kg import nlp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a corpus folder (default: seeds + dev of ../shared)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="profile N generated articles instead")
    parser.add_argument("--html", type=Path, help="also write pyinstrument's interactive HTML report here")
    parser.add_argument("--interval", type=float, default=0.002, help="sampling interval in seconds")
    args = parser.parse_args()
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: pip install pyinstrument") from None

    import build_bench  # the corpus helpers of the build benchmark (this folder is on sys.path)

    tmp = Path(tempfile.mkdtemp(prefix="kg-profile-"))
    try:
        if args.synthetic:
            corpus = build_bench.synthetic(args.synthetic, tmp / "corpus")
        else:
            corpus = args.corpus or build_bench.seeds_and_dev(tmp / "corpus")
        for lang in nlp.LANGUAGES:
            nlp.load(lang)
        profiler = Profiler(interval=args.interval)
        profiler.start()
        result = kg.build(corpus, tmp / "out", force=True)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        print("stages: " + ", ".join(f"{k} {v:.2f} s" for k, v in result.timings.items()))
        if args.html:
            args.html.write_text(profiler.output_html(), encoding="utf-8")
            print(f"HTML report: {args.html}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

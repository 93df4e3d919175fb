"""Named-query latency on a synthetic graph of about a million triples (a benchmark, not a test).

Builds a corpus of synthetic documents in our ontology (kg.model dataclasses written by
kg.rdf.document_graph, exactly as a build writes them), keeps it as graph.trig plus an
Oxigraph store, then times every named query:

- raw: the same query, its parameters bound as kg binds them, run directly on pyoxigraph (``Store.query`` on
  the same on-disk store, every solution read into a tuple); the ratios are to this;
- raw in-memory: the same on an in-memory pyoxigraph ``Store`` holding the same quads (for
  reference: what the on-disk RocksDB store costs);
- oxigraph: ``kg.open_graph(out, store="oxigraph").named(...)``, in process;
- oxigraph+worker: the same with a time limit, through worker processes on the pinned store, as kg serve runs them;
- memory: the rdflib store (graph.trig loaded in a worker process), fewer repetitions.

It prints the median latency of each and its ratio to raw pyoxigraph (goal: oxigraph within 1.2x).

    python benchmarks/query_bench.py [--documents 4600] [--repeat 9] [--memory-repeat 3] [--skip-memory]
    python benchmarks/query_bench.py --documents 46000 --skip-memory --out DIR   # ~10M quads, DIR kept and reused
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import kg
from kg.model import Document, Entity, Extraction, Fact, Provenance
from kg.params import bind
from kg.query import KnowledgeGraph, named_query
from kg.rdf import document_graph, document_iri, entity_iri
from kg.results import Term
from kg.snapshot import oxigraph_path
from kg.sparql import PREDECLARED, QueryTimeout
from kg.store import GRAPH_FILE, write_oxigraph

FAMOUS = {
    "Organization": ["Microsoft", "OpenAI", "Walmart", "Amazon", "Mistral AI", "AFL-CIO", "Google", "Nvidia"],
    "Person": ["Liz Shuler", "Sam Altman", "Brad Smith", "Arthur Mensch"],
    "Place": ["France", "Paris", "États-Unis"],
}
POOL = {"Organization": 8000, "Person": 6000, "Product": 2000, "Program": 1000, "Place": 1500, "Event": 800}
ROLES = ["ceo", "president", "vice president", "cto", "founder", "secretary general", "spokesperson"]
GROUPS = ["workers", "employees", "students", "professionals", "teachers", "salariés", "travailleurs"]
PREDICATE_WEIGHTS = {"partnersWith": 3, "investsIn": 2, "worksFor": 3, "said": 2, "trains": 1, "locatedIn": 2,
                     "develops": 1, "offers": 1, "organizes": 1}  # fmt: skip
SIGNATURE = {"partnersWith": ("Organization", "Organization"), "investsIn": ("Organization", "Organization"),
             "worksFor": ("Person", "Organization"), "said": ("Person", None), "trains": ("Organization", None),
             "locatedIn": ("Organization", "Place"), "develops": ("Organization", "Product"),
             "offers": ("Organization", "Program"), "organizes": ("Organization", "Event")}  # fmt: skip

CASES = [
    ("partners-of", {"org": "Microsoft"}),
    ("investments", {"investor": "Microsoft"}),
    ("investments", {}),
    ("training", {}),
    ("works-for", {"org": "Microsoft"}),
    ("quotes-by", {"person": "Liz Shuler"}),
    ("document-facts", {"doc": "d01234"}),
    ("top-entities", {}),
    ("top-entities", {"class": "Person"}),
]


def _name(type_: str, index: int) -> str:
    famous = FAMOUS.get(type_, [])
    return famous[index] if index < len(famous) else f"{type_} {index:05d}"


def _pick(rng: random.Random, type_: str) -> int:
    return int(POOL[type_] * rng.random() ** 3)  # a few entities in many documents, most in few


def synthetic_extraction(rng: random.Random, number: int) -> Extraction:
    """One synthetic document: about 10 entities and 14 facts with qualifiers and provenance."""
    doc_id = f"d{number:05d}"
    picks = {t: sorted({_pick(rng, t) for _ in range(n)}) for t, n in
             (("Organization", 4), ("Person", 3), ("Place", 1), ("Product", 1), ("Program", 1), ("Event", 1))}  # fmt: skip
    entities, keys = [], {}
    for type_, indexes in picks.items():
        for i in indexes:
            key = f"{type_}-{i}"
            keys.setdefault(type_, []).append(key)
            entities.append(Entity(key, _name(type_, i), type_, aliases=(_name(type_, i).split()[0],)))
    sentences, facts, offset = [], [], 0
    predicates, weights = zip(*PREDICATE_WEIGHTS.items())
    for k in range(14):
        predicate = rng.choices(predicates, weights)[0]
        subject_type, object_type = SIGNATURE[predicate]
        subject = rng.choice(keys[subject_type])
        sentence = f"Sentence {k} of {doc_id}: {subject} {predicate} something, as the article reports."
        start, end = offset, offset + len(sentence)
        offset = end + 1
        sentences.append(sentence)
        prov = Provenance(sentence, start, end, f"{predicate}.synthetic", round(rng.uniform(0.5, 0.99), 2))
        extra: dict = {}
        if predicate == "said":
            obj, kind = f"Quote {k} in {doc_id}: we will keep investing in people.", "quote"
        elif predicate == "trains":
            obj, kind = rng.choice(GROUPS), "group"
            extra = {"count": rng.choice([1000, 30000, 2000000, 10000000]), "year": rng.choice([2025, 2026, 2030])}
        else:
            candidates = [c for c in keys[object_type] if c != subject] or keys[object_type]
            obj, kind = rng.choice(candidates), "entity"
            if predicate == "investsIn":
                extra = {
                    "amount": rng.choice([1, 4, 13, 105]) * 10 ** rng.choice([6, 9]),
                    "currency": rng.choice(["USD", "EUR"]),
                }
            elif predicate == "worksFor":
                extra = {"role": rng.choice(ROLES)}
        facts.append(Fact(subject, predicate, obj, prov, object_kind=kind, **extra))
    text = "\n".join(sentences)
    document = Document(doc_id, f"{doc_id}.txt", text, rng.choice(["en", "fr"]), f"{number:064x}",
                        title=f"Synthetic article {number}", date=f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}")  # fmt: skip
    return Extraction(document, tuple(entities), tuple(facts))


def generate(out: Path, documents: int, seed: int = 7) -> int:
    """Write ``out/graph.trig`` (one named graph per document) and the Oxigraph store; return the quad count."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    quads = 0
    with (out / GRAPH_FILE).open("w", encoding="utf-8") as handle:
        for number in range(documents):
            extraction = synthetic_extraction(rng, number)
            iris = {e.key: entity_iri(e.label, e.type) for e in extraction.entities}
            prefs = {str(entity_iri(e.label, e.type)): e.label for e in extraction.entities}
            graph = document_graph(extraction, iris, prefs)
            handle.write(f"<{document_iri(extraction.document.doc_id)}> {{\n")
            for s, p, o in graph:
                handle.write(f"{s.n3()} {p.n3()} {o.n3()} .\n")
            handle.write("}\n")
            quads += len(graph)
    write_oxigraph(out)
    return quads


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def time_raw(store, sparql: str, params: dict) -> tuple[float, int]:
    """The query with its parameters bound as kg binds them (VALUES blocks), run on pyoxigraph directly."""
    start = time.perf_counter()
    text = bind(sparql, {k: Term("literal", v) for k, v in params.items()})
    rows = [tuple(solution) for solution in store.query(text, prefixes=PREDECLARED)]
    return time.perf_counter() - start, len(rows)


def time_kg(graph, name: str, params: dict) -> tuple[float, int]:
    start = time.perf_counter()
    result = graph.named(name, params)
    return time.perf_counter() - start, len(result)


def main(argv: list[str] | None = None) -> None:
    import pyoxigraph as ox

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=4600, help="synthetic documents (~225 triples each)")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per query on Oxigraph")
    parser.add_argument(
        "--raw-repeat", type=int, default=None, help="timed runs of raw pyoxigraph (default: --repeat; 0: none)"
    )
    parser.add_argument(
        "--memory-repeat", type=int, default=3, help="timed runs per query on the memory store (1 if over 10 s)"
    )
    parser.add_argument("--memory-timeout", type=float, default=300.0, help="seconds before a memory query is stopped")
    parser.add_argument("--skip-memory", action="store_true", help="do not time the rdflib store")
    parser.add_argument(
        "--skip-raw-memory", action="store_true", help="do not time an in-memory pyoxigraph copy (large graphs)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="where to build (default: a temporary folder); a graph there is reused"
    )
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix="kg-query-bench-")) / "out"
    start = time.perf_counter()
    if (out / GRAPH_FILE).is_file() and oxigraph_path(out) is not None:
        store = ox.Store.read_only(str(oxigraph_path(out)))
        quads = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0].value)
        del store
    else:
        quads = generate(out, args.documents)
    raw_store = ox.Store.read_only(str(oxigraph_path(out)))
    triples = len(list(raw_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))  # warm-up
    n_triples = int(next(iter(raw_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    print(f"{args.documents} documents, {quads:,} quads, {n_triples:,} distinct triples "
          f"(built in {time.perf_counter() - start:.0f} s) in {out}", flush=True)  # fmt: skip
    del triples
    in_memory = None
    if not args.skip_raw_memory:
        in_memory = ox.Store()
        in_memory.bulk_extend(iter(raw_store))

    raw_repeat = args.repeat if args.raw_repeat is None else args.raw_repeat
    oxigraph = kg.open_graph(out, store="oxigraph")
    # as kg serve runs queries: worker processes on the pinned store (which answers views itself)
    worker = KnowledgeGraph(out, store="oxigraph", timeout=60, source=oxigraph_path(out))
    results: list[dict] = []
    for name, params in CASES:
        sparql = named_query(name).sparql
        full = params
        bound = {k: Term("literal", v) for k, v in params.items()}
        view = oxigraph._local_engine().views.get(sparql, bound) is not None  # answered from a kept view
        time_kg(oxigraph, name, params), time_kg(worker, name, params)  # warm-up
        if raw_repeat and raw_repeat >= args.repeat:
            time_raw(raw_store, sparql, full)
        if in_memory is not None:
            time_raw(in_memory, sparql, full)
        raw, ox_in, ox_worker, raw_mem, rows = [], [], [], [], 0
        for k in range(args.repeat):
            t, rows = time_kg(oxigraph, name, params)
            ox_in.append(t)
            ox_worker.append(time_kg(worker, name, params)[0])
            if k < raw_repeat:
                t, n = time_raw(raw_store, sparql, full)
                raw.append(t)
                assert n == rows, (name, n, rows)
            if in_memory is not None:
                raw_mem.append(time_raw(in_memory, sparql, full)[0])
        results.append({"case": f"{name} {' '.join(f'{k}={v}' for k, v in params.items())}".strip(), "rows": rows,
                        "raw": _median_ms(raw) if raw else float("nan"), "oxigraph": _median_ms(ox_in),
                        "worker": _median_ms(ox_worker), "view": view,
                        "raw_mem": _median_ms(raw_mem) if raw_mem else float("nan")})  # fmt: skip
        print(
            f"  {results[-1]['case']:<32} raw {results[-1]['raw']:9.1f} ms  oxigraph {results[-1]['oxigraph']:9.1f} ms"
            f"  worker {results[-1]['worker']:9.1f} ms{'  (view)' if view else ''}",
            flush=True,
        )
    worker.close()

    if not args.skip_memory:
        memory = kg.open_graph(out, store="memory", timeout=args.memory_timeout)
        start = time.perf_counter()
        memory.pool().start()
        print(f"memory store: graph.trig loaded into rdflib in {time.perf_counter() - start:.0f} s", flush=True)
        for row, (name, params) in zip(results, CASES):
            times = []
            for _ in range(args.memory_repeat):
                try:
                    times.append(time_kg(memory, name, params)[0])
                except QueryTimeout:
                    times = []
                    break
                if times[0] > 10:  # one slow run says enough
                    break
            row["memory"] = _median_ms(times) if times else None
            shown = f"{row['memory']:.0f} ms" if times else f"> {args.memory_timeout:.0f} s"
            print(f"  {row['case']:<32} memory {shown}", flush=True)
        memory.close()

    print()
    print(f"Median latency per named query, {n_triples:,} triples ({args.repeat} runs on Oxigraph, "
          f"{args.memory_repeat} on memory); ratio = latency / raw pyoxigraph")  # fmt: skip
    head = (f"| {'query':<32} | {'rows':>5} | {'raw pyoxigraph':>14} | {'kg oxigraph':>18} | {'kg oxigraph+worker':>20} "
            f"| {'kg memory (rdflib)':>24} | {'raw in-memory':>13} |")  # fmt: skip
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    for row in results:
        memory = row.get("memory")
        memory_text = "skipped" if args.skip_memory else (
            f"{memory:,.0f} ms ({memory / row['raw']:,.0f}x)" if memory is not None else f"> {args.memory_timeout:.0f} s")  # fmt: skip
        print(f"| {row['case']:<32} | {row['rows']:>5} | {row['raw']:>11.1f} ms | "
              f"{row['oxigraph']:>8.1f} ms ({row['oxigraph'] / row['raw']:.2f}x) | "
              f"{row['worker']:>9.1f} ms ({row['worker'] / row['raw']:.2f}x) | {memory_text:>24} | "
              f"{row['raw_mem']:>10.1f} ms |")  # fmt: skip
    ratios = [r["oxigraph"] / r["raw"] for r in results if r["raw"] == r["raw"] and not r["view"]]
    if ratios:
        print(f"\nworst kg oxigraph / raw pyoxigraph ratio (queries evaluated): {max(ratios):.2f}x (goal: 1.2x)")
    slowest = max(results, key=lambda r: r["oxigraph"])
    print(f"slowest named query through kg: {slowest['case']} {slowest['oxigraph']:,.0f} ms (goal: 1,000 ms)")


if __name__ == "__main__":
    sys.exit(main())

"""What a build's driver holds in memory while it reads a large archive: Python allocations
counted with tracemalloc (deterministic, no timing), the parse replaced by a stand-in that
gives each record entities of its own."""

from __future__ import annotations

import gc
import json
import tracemalloc
from pathlib import Path

import pytest

import kg
from kg import parallel
from kg.model import Entity, Extraction, Fact, Mention, Provenance

pytestmark = pytest.mark.slow

RECORDS = 600
#: Python bytes the driver may keep per record while it reads and analyses them: a digest of
#: the URL, the record's position (for "same URL as ..."), its document id and the extraction
#: cache entry's digest, with the tables holding them (about 400 bytes here). With the entities'
#: summaries and the report lines in memory it was about 2,000 bytes per record.
LIMIT = 600


def _stand_in(docs, **_options):
    """Three entities and a fact per document, named after the document (names that never repeat)."""
    for doc in docs:
        n = doc.doc_id.rsplit("-", 1)[-1]
        names = [f"Company {n} Holdings", f"Person {n} Smith", f"Product {n} Suite"]
        types = ["Organization", "Person", "Product"]
        entities = tuple(
            Entity(f"{t}:{name}", name, t, aliases=(f"{name} Ltd",), mentions=(Mention(name, 0, len(name)),) * 2)
            for name, t in zip(names, types, strict=True)
        )
        fact = Fact(entities[0].key, "develops", entities[2].key, Provenance(doc.text[:40], 0, 40, "stand-in", 0.9))
        yield doc, Extraction(doc, entities, (fact,)), ""


@pytest.mark.parametrize("records", [RECORDS])
def test_driver_memory_stays_flat_in_the_number_of_records(tmp_path: Path, monkeypatch, records: int) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    with (corpus / "news.jsonl").open("w", encoding="utf-8") as handle:
        for i in range(records):
            text = f"Company {i} Holdings develops Product {i} Suite, said Person {i} Smith on Monday."
            record = {"url": f"https://news.example/2024/{i}", "title": f"Story {i}", "text": text, "language": "en"}
            handle.write(json.dumps(record) + "\n")
    monkeypatch.setattr(parallel, "run", _stand_in)
    held: dict[int, int] = {}
    first, last = records // 4, records

    def progress(path: str, status: str, total: int) -> None:
        done = len(seen) + 1
        seen.append(status)
        if done in (first, last):
            gc.collect()
            held[done] = tracemalloc.get_traced_memory()[0]

    seen: list[str] = []
    tracemalloc.start()
    try:
        result = kg.build(corpus, tmp_path / "out", explorer=False, progress=progress)
    finally:
        tracemalloc.stop()
    assert result.documents == records and result.entities == 3 * records and seen == ["ok"] * records
    per_record = (held[last] - held[first]) / (last - first)
    assert per_record < LIMIT, f"the driver kept {per_record:,.0f} bytes per record"
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    lines = [f["path"] for f in report["files"]]
    assert lines == ["news.jsonl", *(f"news.jsonl#line={i}" for i in range(1, records + 1))]

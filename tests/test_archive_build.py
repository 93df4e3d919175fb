"""kg build over news archives: one document, one named graph and one report line per record;
incremental builds per record; progress counted in records; the command line."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyoxigraph
import pytest
from archive_samples import EN_ARTICLE, FR_ARTICLE, PAGE_B, jsonl, write_warc
from click.testing import CliRunner

import kg
from kg.cli import cli

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data" / "archives"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Every format side by side, with a malformed record, a duplicate and a summary-only entry."""
    root = tmp_path_factory.mktemp("archives") / "corpus"
    root.mkdir()
    (root / "newsapi.jsonl.gz").write_bytes(gzip.compress((DATA / "newsapi.jsonl").read_bytes()))
    for name in ("monitoring.csv", "courrier.rss", "harbour.atom"):
        shutil.copy(DATA / name, root / name)
    write_warc(root / "crawl.warc.gz")
    (root / "updates.ndjson").write_text(
        jsonl([{"title": "Marelle Logistique s'associe à Brisemer Robotique", "text": FR_ARTICLE}])
        + "{broken\n"
        + jsonl([{"url": "https://courrier-estuaire.example/eco/quillon-marelle#top", "text": "Déjà lu."}]),
        encoding="utf-8",
    )
    (root / "note.txt").write_text("Corvin Bank investit dans Tidewell\n\n" + EN_ARTICLE + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("archives-out") / "out"
    calls: list[tuple[str, str, int]] = []
    result = kg.build(corpus, out, progress=lambda *a: calls.append(a))
    return out, result, calls


def _report(out: Path) -> dict[str, dict]:
    return {f["path"]: f for f in json.loads((out / "report.json").read_text(encoding="utf-8"))["files"]}


def test_each_record_has_its_report_line(built):
    out, result, _ = built
    report = _report(out)
    assert report["updates.ndjson#line=2"]["status"] == "skipped"
    assert report["updates.ndjson#line=2"]["reason"].startswith("malformed JSON")
    assert report["updates.ndjson#line=3"] == {
        "path": "updates.ndjson#line=3", "status": "duplicate", "reason": "same URL as newsapi.jsonl.gz#line=1",
        "doc_id": None, "lang": None, "entities": 0, "facts": 0, "kind": "record",
    }  # fmt: skip
    assert report["courrier.rss#entry=2"]["status"] == "warning" and "summary only" in report["courrier.rss#entry=2"]["reason"]
    assert report["crawl.warc.gz"]["kind"] == "archive" and report["crawl.warc.gz"]["reason"].startswith("4 pages: 3 documents")
    assert report["note.txt"]["kind"] == "file"
    records = [f for f in report.values() if f["kind"] == "record" and f["status"] in ("ok", "warning")]
    assert len(records) == 2 + 2 + 2 + 1 + 3 + 1  # newsapi, csv, rss, atom, warc, ndjson
    assert result.documents == len(records) + 1 and result.skipped == 2 and result.duplicates == 2
    assert sum(f["facts"] for f in records) > 0
    # the report lists an archive, then its records in the order of the file
    paths = list(report)
    assert paths.index("crawl.warc.gz") + 1 == paths.index(next(p for p in paths if p.startswith("crawl.warc.gz#")))


def test_each_record_is_a_document_with_its_own_graph(built):
    out, result, _ = built
    store = pyoxigraph.Store()
    store.bulk_load(path=str(out / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG)
    rows = store.query(
        """PREFIX kg: <https://w3id.org/kg-news/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX schema: <https://schema.org/>
        SELECT ?g ?path ?url ?date WHERE { GRAPH ?g { ?d a kg:Document ; kg:path ?path .
          OPTIONAL { ?d schema:url ?url } OPTIONAL { ?d dct:date ?date } } }"""
    )
    docs = {r["path"].value: (r["g"].value, r["url"].value if r["url"] else None, r["date"].value if r["date"] else None)
            for r in rows}  # fmt: skip
    assert len(docs) == result.documents
    report = _report(out)
    for path, (graph, _url, _date) in docs.items():
        assert graph.endswith("/doc/" + report[path]["doc_id"].replace(" ", "%20"))
    warc_page = next(v for k, v in docs.items() if v[1] == PAGE_B)
    assert warc_page[2] == "2024-03-08T17:20:00Z"  # the capture date: the page has none
    assert docs["monitoring.csv#line=2"][1:] == ("https://ouest-eco.example/corvin-lorient", "2024-03-06")
    assert not list(out.glob(".spill-*")), "the scratch store is removed"


def test_progress_counts_records(built):
    _out, result, calls = built
    reported = [f for f in result.files if f.kind != "archive"]
    assert len(calls) == len(reported)
    assert sorted(c[0] for c in calls) == sorted(f.path for f in reported)
    assert {c[2] for c in calls} == {len(reported)}  # counted ahead, and right


def test_a_no_op_rebuild_keeps_the_report(built, corpus):
    out, result, _ = built
    calls: list[tuple[str, str, int]] = []
    again = kg.build(corpus, out, progress=lambda *a: calls.append(a))
    assert again.unchanged and [(f.path, f.status) for f in again.files] == [(f.path, f.status) for f in result.files]
    assert len(calls) == sum(f.kind != "archive" for f in result.files)


def _count_parses(monkeypatch) -> list[str]:
    from kg import nlp

    parsed: list[str] = []
    real = nlp.pipe

    def counting(items, lang, *args, **kwargs):
        def spy():
            for ctx, text in items:
                parsed.append(ctx.doc_id)
                yield ctx, text

        return real(spy(), lang, *args, **kwargs)

    monkeypatch.setattr(nlp, "pipe", counting)
    return parsed


def _text_of(out: Path, doc_id: str) -> str:
    rows = kg.query(out, "SELECT ?t WHERE { ?d dcterms:identifier ?id ; kg:text ?t }", params={"id": doc_id})
    return next(str(r["t"]) for r in rows)


def test_appended_records_are_the_only_ones_analysed_and_an_edited_one_replaces_its_graph(tmp_path, monkeypatch):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    records = [
        {"id": "a1", "title": "Marelle Logistique s'associe à Brisemer Robotique", "text": FR_ARTICLE},
        {"id": "a2", "title": "Corvin Bank invests in Tidewell Analytics", "text": EN_ARTICLE},
        {"id": "a3", "title": "Quillon Énergie recrute", "text": "Quillon Énergie va recruter 80 techniciens à Saint-Nazaire."},
    ]  # fmt: skip
    news = corpus / "news.jsonl"
    news.write_text(jsonl(records), encoding="utf-8")
    first = kg.build(corpus, out, explorer=False)
    assert first.documents == 3 and first.cached == 0
    parsed = _count_parses(monkeypatch)
    with news.open("a", encoding="utf-8") as handle:
        handle.write(jsonl([{"id": "a4", "title": "Tidewell Analytics opens in Rotterdam",
                             "text": "Tidewell Analytics has opened an office in Rotterdam, its chief executive said."}]))  # fmt: skip
    second = kg.build(corpus, out, explorer=False)
    assert parsed == ["news.jsonl-a4"] and second.cached == 3 and second.documents == 4
    parsed.clear()
    records[1]["text"] = EN_ARTICLE.replace("12 million euros", "15 million euros")
    news.write_text(jsonl([*records, {"id": "a4", "title": "Tidewell Analytics opens in Rotterdam",
                                     "text": "Tidewell Analytics has opened an office in Rotterdam, its chief executive said."}]),
                    encoding="utf-8")  # fmt: skip
    third = kg.build(corpus, out, explorer=False)
    assert parsed == ["news.jsonl-a2"] and third.cached == 3
    assert "15 million euros" in _text_of(out, "news.jsonl-a2") and "12 million" not in _text_of(out, "news.jsonl-a2")
    # a record taken out of the file leaves the graph
    news.write_text(jsonl(records[:2]), encoding="utf-8")
    fourth = kg.build(corpus, out, explorer=False)
    ids = {str(r["id"]) for r in kg.query(out, "SELECT ?id WHERE { ?d a kg:Document ; dcterms:identifier ?id }")}
    assert ids == {"news.jsonl-a1", "news.jsonl-a2"} and fourth.cached == 2


def test_cli_lists_formats_and_takes_fields(tmp_path):
    runner = CliRunner()
    help_text = runner.invoke(cli, ["build", "--help"]).output
    for suffix in (".jsonl", ".ndjson", ".csv", ".jsonl.gz", ".csv.gz", ".warc", ".warc.gz", ".rss", ".atom", ".xml",
                   "--fields"):  # fmt: skip
        assert suffix in help_text, suffix
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "export.jsonl").write_text(
        jsonl([{"story_text": EN_ARTICLE, "when": "2024-03-05", "headline": "Corvin Bank invests"}]), encoding="utf-8"
    )
    bad = runner.invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o"), "--fields", "story=story_text"])
    assert bad.exit_code == 2 and "unknown name 'story'" in bad.output
    plain = runner.invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o1"), "--no-explorer"])
    assert plain.exit_code == 3 and "no text" in plain.output  # story_text is not a usual name
    run = runner.invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o2"), "--no-explorer",
                              "--fields", "text=story_text,date=when"])  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "archive export.jsonl: 1 record: 1 document" in run.output
    (entry,) = [f for f in json.loads((tmp_path / "o2" / "report.json").read_text())["files"] if f["kind"] == "record"]
    assert entry["status"] == "ok" and entry["entities"] > 0


def test_the_cli_lists_a_few_problems_and_counts_the_rest(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "bad.jsonl").write_text("{oops\n" * 30 + jsonl([{"text": EN_ARTICLE}]), encoding="utf-8")
    run = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o"), "--no-explorer"])
    assert run.exit_code == 3
    assert run.output.count("skipped bad.jsonl#line=") == 20 and "... and 10 more skipped (see report.json)" in run.output

"""News archives as input: JSON Lines, CSV, WARC and feeds read into records and documents.

Every fixture is written for these tests (tests/data/archives, tests/archive_samples.py):
invented outlets, companies and people. No spaCy model is needed: these tests read
and ingest; tests/test_archive_build.py builds graphs from archives.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from pathlib import Path

import pytest
from archive_samples import EN_ARTICLE, FR_ARTICLE, PAGE_A, PAGE_B, PAGE_C, jsonl, write_warc

from kg import ingest, records
from kg.errors import IngestError
from kg.feeds import read_feed
from kg.records import ArchiveStats, parse_fields, read_csv, read_jsonl, record_date
from kg.sources import Corpus, normalise_url
from kg.warc import count_warc, read_warc

DATA = Path(__file__).parent / "data" / "archives"


def entries(root: Path, fields: dict[str, str] | None = None) -> list:
    return list(Corpus(root, ingest.discover(root), fields).entries())


def by_path(found: list) -> dict:
    return {e.path: e for e in found}


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --------------------------------------------------------------------------- discovery


def test_discover_finds_archives_and_only_feeds_among_xml(tmp_path):
    for name in ["a.jsonl", "b.NDJSON", "c.jsonl.gz", "d.csv", "e.csv.gz", "f.warc", "g.warc.gz", "h.rss", "i.atom",
                 "j.txt", "k.json", "l.gz", "m.tar.gz"]:  # fmt: skip
        write(tmp_path / name, "x")
    write(tmp_path / "feed.xml", '<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>')
    write(tmp_path / "atom.xml", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>')
    write(tmp_path / "sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>')
    found = [p.name for p in ingest.discover(tmp_path)]
    assert found == ["a.jsonl", "atom.xml", "b.NDJSON", "c.jsonl.gz", "d.csv", "e.csv.gz", "f.warc", "feed.xml",
                     "g.warc.gz", "h.rss", "i.atom", "j.txt"]  # fmt: skip


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        # a news API: nested source, camelCase date, description as lead
        ({"source": {"id": None, "name": "Ouest Éco"}, "title": "T", "description": "L", "url": "https://o.example/a",
          "publishedAt": "2024-03-05T08:30:00Z", "content": "Body."},
         {"title": "T", "lead": "L", "source": "Ouest Éco", "date": "2024-03-05T08:30:00+00:00", "text": "Body."}),
        # a crawler's export: maintext, date_publish with a space, source_domain, language
        ({"title": "T", "maintext": "Body.", "date_publish": "2024-03-05 08:30:00", "source_domain": "o.example",
          "language": "fr"},
         {"text": "Body.", "date": "2024-03-05T08:30:00", "source": "o.example", "lang": "fr"}),
        # an event database: compact date, a headline, an outlet, "Body" with a capital
        ({"Headline": "T", "Body": "Body.", "seendate": "20240305T083000Z", "Outlet": "Ouest Éco", "link": "x"},
         {"title": "T", "text": "Body.", "date": "2024-03-05T08:30:00+00:00", "source": "Ouest Éco", "url": "x"}),
        # a monitoring tool: Unix time in milliseconds, paragraphs as a list, an article id
        ({"article_id": 77, "article": ["P1.", "P2."], "timestamp": 1709627400000, "domain": "o.example"},
         {"text": "P1.\n\nP2.", "date": "2024-03-05T08:30:00+00:00", "ident": "77", "source": "o.example"}),
    ],
)
def test_usual_field_names_are_found(record, expected):
    found = records.from_mapping(record, {}, records.Record("line=1", 1))
    assert found.error is None
    assert {k: getattr(found, k) for k in expected} == expected


def test_fields_override_the_usual_names():
    row = {"text": "a teaser", "body_html": "<p>The article.</p>", "meta": {"when": "2024-03-05"}, "title": "T"}
    found = records.from_mapping(row, parse_fields("text=body_html,date=meta.when"), records.Record("line=1", 1))
    assert (found.text, found.date, found.title) == ("<p>The article.</p>", "2024-03-05", "T")
    missing = records.from_mapping({"text": "x"}, parse_fields("text=story"), records.Record("line=1", 1))
    assert missing.error == "no text (field 'story')"


@pytest.mark.parametrize(
    ("spec", "message"),
    [("text", "is not NAME=FIELD"), ("body=text", "unknown name 'body'"), ("text=", "no field given"),
     ("text=a,text=b", "given twice")],
)  # fmt: skip
def test_bad_fields_are_refused(spec, message):
    with pytest.raises(IngestError, match=message):
        parse_fields(spec)


@pytest.mark.parametrize(
    ("value", "iso"),
    [(1709632800, "2024-03-05T10:00:00+00:00"), ("1709632800", "2024-03-05T10:00:00+00:00"),
     ("20240305", "2024-03-05"), ("Tue, 05 Mar 2024 10:00:00 +0100", "2024-03-05T10:00:00+01:00"),
     ("05/03/2024", "2024-03-05"), ("soon", None), (True, None), (-5, None)],
)  # fmt: skip
def test_record_dates(value, iso):
    assert record_date(value) == iso


# --------------------------------------------------------------------------- JSON Lines


def test_jsonl_records_keep_their_position_and_a_bad_line_loses_only_itself(tmp_path):
    text = jsonl([{"title": "A", "text": FR_ARTICLE}]) + "{not json\n\n" + '["a list"]\n' + jsonl(
        [{"title": "No text here", "url": "https://o.example/x"}, {"title": "B", "text": EN_ARTICLE}]
    )
    path = write(tmp_path / "news.jsonl", text)
    found = list(read_jsonl(path, ArchiveStats()))
    assert [(r.position, r.error) for r in found] == [
        ("line=1", None),
        ("line=2", "malformed JSON: Expecting property name enclosed in double quotes at column 2"),
        ("line=4", "not a JSON object (a list)"),  # line 3 is blank: not a record
        ("line=5", "no text (none of the fields text, body, content, article, ...)"),
        ("line=6", None),
    ]
    assert found[-1].text == EN_ARTICLE


def test_jsonl_gzip_by_name_or_by_content(tmp_path):
    data = gzip.compress(jsonl([{"title": "A", "text": FR_ARTICLE}]).encode())
    for name in ("news.jsonl.gz", "mislabelled.jsonl"):
        found = list(read_jsonl(write(tmp_path / name, data), ArchiveStats()))
        assert [r.text for r in found] == [FR_ARTICLE]


def test_a_cut_gzip_stream_keeps_the_records_before(tmp_path):
    lines = jsonl([{"title": f"T{i}", "text": EN_ARTICLE + f" Item {i}."} for i in range(200)]).encode()
    data = gzip.compress(lines)
    path = write(tmp_path / "news.jsonl.gz", data[: len(data) // 2])
    stats = ArchiveStats()
    found = list(read_jsonl(path, stats))
    assert 0 < len(found) < 200 and all(r.error is None for r in found)
    assert any("ends early or is corrupt" in w for w in stats.warnings)


def test_wrong_encodings(tmp_path):
    cp1252 = json.dumps({"title": "Électricité", "text": "Quillon Énergie ouvre une usine à Nantes."}, ensure_ascii=False)
    path = write(tmp_path / "legacy.jsonl", cp1252.encode("cp1252") + b"\n" + jsonl([{"text": "Déjà UTF-8."}]).encode())
    stats = ArchiveStats()
    first, second = read_jsonl(path, stats)
    assert first.title == "Électricité" and first.warnings == ["not valid UTF-8: decoded as cp1252"]
    assert second.text == "Déjà UTF-8." and second.warnings == []
    assert stats.undecodable == 1
    utf16 = write(tmp_path / "utf16.jsonl", jsonl([{"text": "Café crème à Lorient."}]).encode("utf-16"))
    stats = ArchiveStats()
    assert [r.text for r in read_jsonl(utf16, stats)] == ["Café crème à Lorient."]
    assert stats.warnings == ["the file is UTF-16, not UTF-8"]


def test_a_20_mb_line_is_read_and_a_longer_one_skipped_without_stopping(tmp_path, monkeypatch):
    # a saved page whose bulk is an inline image: 20 MB of JSON for a paragraph of text
    image = "data:image/png;base64," + "A" * 20_500_000
    page = f'<html><body><article><img src="{image}"><p>{EN_ARTICLE}</p></article></body></html>'
    path = write(tmp_path / "big.jsonl", jsonl([{"url": "https://o.example/big", "html": page}, {"text": FR_ARTICLE}]))
    big, small = read_jsonl(path, ArchiveStats())
    assert big.error is None and big.html is True and len(big.text) > 20_500_000
    doc = ingest.record_document(big.text, doc_id="big", path="big.jsonl#line=1", sha256=big.sha256, html=big.html)
    assert doc.text == EN_ARTICLE
    assert small.text == FR_ARTICLE
    monkeypatch.setattr(records, "MAX_RECORD_BYTES", 1_000_000)
    big, small = read_jsonl(path, ArchiveStats())
    assert big.position == "line=1" and big.error.startswith("a record of 20,500,")
    assert big.error.endswith("bytes, over the limit of 1,000,000")
    assert (small.position, small.text) == ("line=2", FR_ARTICLE)


def test_a_long_plain_text_is_truncated_like_a_file(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_BYTES", 2_000)
    path = write(tmp_path / "long.jsonl", jsonl([{"text": (EN_ARTICLE + "\n") * 20}]))
    (record,) = read_jsonl(path, ArchiveStats())
    assert len(record.text) <= 2_000 and record.text.endswith("Tidewell Analytics.")
    assert record.warnings == ["truncated: the text is over 2,000 characters; the first part was read"]


def test_reading_streams_the_file(tmp_path):
    """Memory while reading does not grow with the file: records are read one at a time."""
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(4_000):
            handle.write(json.dumps({"id": i, "title": f"Record {i}", "text": EN_ARTICLE}) + "\n")
    assert path.stat().st_size > 1_200_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_jsonl(path, ArchiveStats()))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 4_000
    assert peak < 200_000, f"reading held {peak:,} bytes"


def test_newsapi_export():
    found = by_path(entries(DATA))
    fr, en = found["newsapi.jsonl#line=1"].document, found["newsapi.jsonl#line=2"].document
    assert (fr.lang, fr.source, fr.date) == ("fr", "Le Courrier de l'Estuaire", "2024-03-05T08:30:00+00:00")
    assert fr.text.startswith("Quillon Énergie investit 40 millions d'euros dans Marelle Logistique\n\n"
                              "Le fournisseur nantais entre au capital du transporteur.\n\nQuillon Énergie a investi")  # fmt: skip
    assert en.lang == "en" and "[+1834 chars]" not in en.text and en.text.endswith("would start in the spring")
    assert found["newsapi.jsonl#line=2"].status == "warning" and "cut by the export" in found["newsapi.jsonl#line=2"].reason


# --------------------------------------------------------------------------- CSV


def test_monitoring_csv_with_semicolons_and_a_multiline_cell():
    found = by_path(entries(DATA))
    first = found["monitoring.csv#line=2"].document
    assert first.title == "Corvin Bank ouvre un centre de formation à Lorient"
    assert (first.date, first.source, first.lang) == ("2024-03-06", "Ouest Éco", "fr")
    assert "former 300 conseillers d'ici 2025" in first.text
    second = found["monitoring.csv#line=5"]  # the first row took lines 2 to 4
    assert second.document.lang == "en" and second.status == "ok"
    assert found["monitoring.csv"].reason == "2 records: 2 documents"


def test_csv_rows_that_do_not_fit(tmp_path, monkeypatch):
    text = (
        "title,text,date\n"
        f"A,{EN_ARTICLE.replace(',', '')},2024-03-05\n"
        "B,,2024-03-06\n"
        f"C,{FR_ARTICLE.replace(',', '')},2024-03-07,extra\n"
        "\n"
        f'D,"{"long " * 1000}",2024-03-08\n'
    )
    path = write(tmp_path / "export.csv.gz", gzip.compress(text.encode("cp1252")))
    monkeypatch.setattr(records, "MAX_RECORD_BYTES", 2_000)
    found = list(read_csv(path, ArchiveStats()))
    assert [(r.position, r.error) for r in found] == [
        ("line=2", None),
        ("line=3", "no text (none of the fields text, body, content, article, ...)"),
        ("line=4", None),
        ("line=6", f"a record of {len('title,text,date') + 1 + len(text.splitlines()[-1]) - 2:,} characters, "
                   "over the limit of 2,000"),
    ]
    assert found[2].warnings == ["4 cells where the header has 3", "not valid UTF-8: decoded as cp1252"]
    assert found[2].text.startswith("Marelle Logistique a signé")


@pytest.mark.parametrize(("data", "message"), [(b"", "empty CSV file"), (b",,\n1,2,3\n", r"\(the header\) is empty")])
def test_a_csv_without_header_is_refused(tmp_path, data, message):
    with pytest.raises(IngestError, match=message):
        list(read_csv(write(tmp_path / "x.csv", data), ArchiveStats()))


# --------------------------------------------------------------------------- WARC


@pytest.fixture(scope="module", params=[True, False], ids=["warc.gz", "warc"])
def warc(request, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("warc")
    return write_warc(folder / ("crawl.warc.gz" if request.param else "crawl.warc"), gzip=request.param)


def test_warc_pages_become_documents_and_the_rest_is_counted(warc):
    found = entries(warc.parent)
    docs = [e.document for e in found if e.document is not None]
    assert [d.url for d in docs] == [PAGE_A, PAGE_B, PAGE_C]
    a, b, c = docs
    # the page's own date and title; the capture date where the page has none
    assert (a.title, a.date, a.lang) == ("Brisemer Robotique s'allie à la FML pour former ses techniciens",
                                         "2024-03-05T08:30:00+01:00", "fr")  # fmt: skip
    assert (b.date, b.lang, b.source) == ("2024-03-08T17:20:00+00:00", "en", "The Harbour Courier")
    assert "Café owners" in b.text and "Privacy" not in b.text and "Home" not in b.text  # Latin-1, chrome gone
    assert c.date == "2024-03-09T08:00:00+00:00"  # a resource record: no HTTP headers
    duplicate = next(e for e in found if e.status == "duplicate")
    assert duplicate.reason == f"same URL as {a.path}"
    summary = found[-1]
    assert summary.kind == "archive" and summary.path == warc.name and summary.status == "ok"
    assert summary.reason == (
        "4 pages: 3 documents, 1 duplicate; not articles: 1 metadata records, 1 non-HTML responses (image/jpeg), "
        "1 non-HTML responses (text/plain), 6 request records, 1 responses with HTTP status 3xx (redirects), "
        "1 revisits of pages already read, 1 revisits of pages not in the corpus, 1 warcinfo records"
    )
    assert all(e.path.startswith(f"{warc.name}#offset=") for e in found[:-1])
    assert count_warc(warc) == 4


def test_warc_positions_are_record_offsets(warc):
    from warcio.archiveiterator import ArchiveIterator

    offsets = {}
    with warc.open("rb") as handle:
        iterator = ArchiveIterator(handle)
        for rec in iterator:
            if rec.rec_type == "response":
                rec.content_stream().read()
                offsets.setdefault(rec.rec_headers.get_header("WARC-Target-URI"), iterator.get_record_offset())
    pages = [r for r in read_warc(warc, ArchiveStats()) if r.kind == "article"]
    assert pages[0].position == f"offset={offsets[PAGE_A]}" and pages[1].position == f"offset={offsets[PAGE_B]}"


def test_a_cut_or_whole_file_gzip_warc(warc, tmp_path):
    if warc.suffix == ".gz":
        whole = write(tmp_path / "whole.warc.gz", gzip.compress(gzip.decompress(warc.read_bytes())))
        found = entries(tmp_path)
        assert [e.document.url for e in found if e.document] == [PAGE_A, PAGE_B, PAGE_C]
        assert "gzip compressed as one stream" in found[-1].reason and whole.name == found[-1].path
        return
    data = warc.read_bytes()
    cut = write(tmp_path / "cut.warc", data[: data.index(b"Tidewell Analytics has opened") + 10])
    found = entries(tmp_path)
    assert [e.status for e in found] == ["ok", "warning", "warning"]
    assert found[1].reason == "the record is cut (the file ends inside it): the start of the page was read"
    assert found[-1].path == cut.name and found[-1].reason.endswith("the file ends inside a record")


@pytest.mark.parametrize("data", [b"", b"WARC/1.0\r\nnot really\r\n\r\n", b"plain text, not an archive\n" * 20])
def test_not_a_warc_file_is_skipped_with_a_reason(tmp_path, data):
    write(tmp_path / "x.warc", data)
    (entry,) = entries(tmp_path)
    if data:
        assert (entry.kind, entry.status) == ("archive", "skipped") and "not a WARC file" in entry.reason
    else:
        assert (entry.status, entry.reason) == ("warning", "0 pages: 0 documents; no page found")


# --------------------------------------------------------------------------- feeds


def test_rss_entries_with_content_summary_only_and_nothing():
    found = by_path(entries(DATA))
    full = found["courrier.rss#entry=1"].document
    assert full.title == "Brisemer Robotique s'associe à Marelle Logistique"
    assert (full.date, full.lang, full.url) == ("2024-03-07T09:00:00+01:00", "fr",
                                                "https://courrier-estuaire.example/eco/brisemer-marelle")  # fmt: skip
    assert full.source == "Le Courrier de l'Estuaire — Économie"
    assert "Partager sur Facebook" not in full.text and "trackView" not in full.text
    assert "Le roboticien nantais équipera les entrepôts du transporteur." in full.text  # the summary as lead
    assert "« Nous voulons déployer nos bras robotisés" in full.text
    short = found["courrier.rss#entry=2"]
    assert short.status == "warning" and short.reason == "summary only: the feed gives no full text for this entry"
    assert short.document.text.endswith("renforce ses équipes de maintenance sur le port.")
    assert found["courrier.rss#entry=3"].status == "skipped"
    assert found["courrier.rss"].reason == "3 entries: 2 documents (1 with warnings, 1 summary only), 1 skipped"


def test_atom_entry_with_html_title_and_language():
    found = by_path(entries(DATA))
    doc = found["harbour.atom#entry=1"].document
    assert doc.title == "Tidewell Analytics opens an office in Rotterdam"
    assert (doc.lang, doc.date) == ("en", "2024-03-08T11:30:00+00:00")
    assert "hire 40 engineers" in doc.text


def test_a_broken_feed_is_read_leniently_and_a_non_feed_refused(tmp_path):
    broken = (DATA / "harbour.atom").read_text(encoding="utf-8").replace("</feed>", "<entry><title>cut")
    write(tmp_path / "broken.atom", broken)
    write(tmp_path / "nothing.rss", "just some text, no feed here")
    found = by_path(entries(tmp_path))
    assert found["broken.atom#entry=1"].document.title == "Tidewell Analytics opens an office in Rotterdam"
    assert found["broken.atom"].status == "warning" and "not well-formed XML" in found["broken.atom"].reason
    assert found["nothing.rss"].status == "skipped" and found["nothing.rss"].reason.startswith("not an RSS or Atom feed")


def test_a_feed_never_reads_another_file(tmp_path):
    """The feed's bytes go to feedparser as a stream: content naming a file is not opened as one."""
    secret = write(tmp_path / "secret.rss", (DATA / "harbour.atom").read_bytes())
    write(tmp_path / "pointer.rss", str(secret))
    with pytest.raises(IngestError, match="not an RSS or Atom feed"):
        list(read_feed(tmp_path / "pointer.rss", ArchiveStats()))


# --------------------------------------------------------------------------- ids and duplicates


def test_record_ids_are_stable_and_duplicates_recognised(tmp_path):
    write(tmp_path / "a" / "news.jsonl", jsonl([
        {"url": "https://o.example/story?utm_source=feed", "title": "A", "text": FR_ARTICLE},
        {"id": "x-1", "title": "B", "text": EN_ARTICLE},
        {"title": "C", "text": EN_ARTICLE + " More."},
        {"url": "http://O.example/story#top", "title": "A again", "text": FR_ARTICLE + " Mis à jour."},
        {"id": "x-1", "title": "B again", "text": EN_ARTICLE},
    ]))  # fmt: skip
    write(tmp_path / "b" / "news.jsonl", jsonl([{"url": "https://o.example/story", "text": FR_ARTICLE}]))
    found = entries(tmp_path)
    got = [(e.path, e.status, e.document.doc_id if e.document else e.reason) for e in found]
    assert got == [
        ("a/news.jsonl#line=1", "ok", "o.example-story-" + got[0][2].rsplit("-", 1)[1]),
        ("a/news.jsonl#line=2", "ok", "a__news.jsonl-x-1"),
        ("a/news.jsonl#line=3", "ok", "a__news.jsonl-3"),
        ("a/news.jsonl#line=4", "duplicate", "same URL as a/news.jsonl#line=1"),
        ("a/news.jsonl#line=5", "duplicate", "same id 'x-1' as a/news.jsonl#line=2"),
        ("a/news.jsonl", "ok", "5 records: 3 documents, 2 duplicates"),
        ("b/news.jsonl#line=1", "duplicate", "same URL as a/news.jsonl#line=1"),
        ("b/news.jsonl", "ok", "1 record: 0 documents, 1 duplicate"),
    ]
    # the same ids on a second reading, and an appended record changes none of them
    again = entries(tmp_path)
    assert [e.document.doc_id for e in again if e.document] == [e.document.doc_id for e in found if e.document]
    with (tmp_path / "a" / "news.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(jsonl([{"title": "D", "text": EN_ARTICLE + " Later."}]))
    after = [e.document.doc_id for e in entries(tmp_path) if e.document]
    assert after[:3] == [e.document.doc_id for e in found if e.document] and after[3] == "a__news.jsonl-6"


def test_record_ids_do_not_collide_with_files(tmp_path):
    write(tmp_path / "news.jsonl-1.txt", "Titre\n\n" + FR_ARTICLE)
    write(tmp_path / "news.jsonl", jsonl([{"title": "A", "text": EN_ARTICLE}]))
    ids = [e.document.doc_id for e in entries(tmp_path) if e.document]
    assert sorted(ids) == ["news.jsonl-1", "news.jsonl-1-2"]


def test_mixed_french_and_english_records(tmp_path):
    write(tmp_path / "mixed.jsonl", jsonl([
        {"text": FR_ARTICLE}, {"text": EN_ARTICLE}, {"text": EN_ARTICLE, "lang": "fr-FR"}, {"text": FR_ARTICLE, "language": "German"},
    ]))  # fmt: skip
    docs = [e.document for e in entries(tmp_path) if e.document]
    assert [d.lang for d in docs] == ["fr", "en", "fr", "fr"]  # metadata wins; a language kg lacks: detected
    assert "unsupported language 'German' in metadata" in docs[3].warnings[0]


def test_html_bodies_go_through_the_html_ingest(tmp_path):
    fragment = (f"<div class='share-bar'><button>Partager sur Facebook</button></div><p>{FR_ARTICLE}</p>"
                "<p>Partager sur Twitter</p>")  # fmt: skip
    page = (Path(__file__).parent / "data" / "ingest" / "saved_page.html").read_text(encoding="utf-8")
    write(tmp_path / "html.jsonl", jsonl([{"title": "Un titre", "content": fragment}, {"body": page}]))
    first, second = (e.document for e in entries(tmp_path) if e.document)
    assert first.text == f"Un titre\n\n{FR_ARTICLE}"
    assert second.title == "Brisemer Robotique s'allie à la FML pour former ses techniciens"  # from the page's head
    assert second.url == "https://courrier-estuaire.example/eco/brisemer-fml-formation"
    assert "Partager" not in second.text


@pytest.mark.parametrize(
    ("url", "key"),
    [("https://o.example/a?b=1&utm_medium=x&fbclid=y", "https://o.example/a?b=1"),
     ("https://o.example:443/a#x", "https://o.example/a"), ("https://o.example", "https://o.example/"),
     ("o.example/a", "o.example/a"), ("https://o.example:99/a", "https://o.example:99/a")],
)  # fmt: skip
def test_normalised_urls(url, key):
    assert normalise_url(url) == key


def test_a_record_file_that_cannot_be_read_is_one_skipped_line(tmp_path):
    write(tmp_path / "zip.jsonl", b"PK\x03\x04" + bytes(100))
    (entry,) = entries(tmp_path)
    assert (entry.path, entry.kind, entry.status, entry.reason) == ("zip.jsonl", "archive", "skipped",
                                                                    "binary file (zip archive), not text")  # fmt: skip


def test_estimate_counts_records_ahead(tmp_path, warc):
    write(tmp_path / "a.jsonl", jsonl([{"text": "x"}] * 7))
    write(tmp_path / "b.csv", "text\n\"multi\nline\"\nplain\n")
    write(tmp_path / "c.txt", "Titre\n\nTexte.")
    (tmp_path / "d.rss").write_bytes((DATA / "courrier.rss").read_bytes())
    (tmp_path / warc.name).write_bytes(warc.read_bytes())
    assert Corpus(tmp_path, ingest.discover(tmp_path)).estimate() == 7 + 2 + 1 + 3 + 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Caf&eacute; &amp; cr&egrave;me à Lorient.", "Café & crème à Lorient."), ("Un résumé sans balise.", "Un résumé sans balise.")],
)  # fmt: skip
def test_text_labelled_html_without_a_tag_is_read_as_text(monkeypatch, text, expected):
    def refuse(*args, **kwargs):
        raise AssertionError("no HTML to parse")

    monkeypatch.setattr(ingest, "html_body_text", refuse)
    monkeypatch.setattr(ingest, "_from_html", refuse)
    doc = ingest.record_document(text, doc_id="x", path="feed.rss#entry=1", sha256="0" * 64, html=True)
    assert doc.text == expected

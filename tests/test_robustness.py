"""Hostile and broken input: every file is reported, nothing crashes, nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg import ingest
from kg.errors import IngestError
from kg.extract.mentions import norm_key
from kg.store import load_dataset


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: os.symlink(d / "nowhere.txt", d / "broken.txt"), "broken link"),
        (lambda d: (d / "folder.txt").mkdir(), "not a regular file (a directory)"),
        (lambda d: os.mkfifo(d / "pipe.txt"), "not a regular file (a pipe)"),
        (lambda d: _write(d / "zip.md", b"PK\x03\x04" + bytes(300)), "binary"),
        (lambda d: _write(d / "nul.txt", b"du texte\x00 et un NUL"), "binary"),
    ],
)
def test_files_that_cannot_be_read_are_skipped_with_a_reason(tmp_path, make, reason):
    corpus = tmp_path / "c"
    _write(corpus / "good.txt", "Nvidia a investi 10 millions de dollars dans Mistral AI.\n")
    make(corpus)
    result = kg.build(corpus, tmp_path / "out", explorer=False)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    skipped = [f for f in report["files"] if f["status"] == "skipped"]
    assert len(skipped) == 1 and reason in skipped[0]["reason"].lower()
    assert result.skipped == 1 and result.facts >= 1


def test_a_huge_file_is_truncated_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_BYTES", 2_000)
    path = _write(tmp_path / "big.txt", "Une ligne de texte sur Microsoft et OpenAI.\n" * 200)
    doc = ingest.read_document(path, root=tmp_path)
    assert doc.warnings[0].startswith("truncated") and len(doc.text.encode()) <= 2_000


def test_a_long_text_is_analysed_in_chunks_with_offsets_kept(tmp_path, monkeypatch):
    """Texts over spaCy's limit are cut at paragraph breaks; offsets still point into the whole text.

    The chunk size is lowered so that a short test crosses many chunk boundaries.
    """
    from kg import nlp

    monkeypatch.setattr(nlp, "MAX_CHUNK", 300)
    investors = ["Microsoft", "Google", "Amazon", "Nvidia", "Intel", "IBM", "Salesforce", "SoftBank"]
    investees = ["OpenAI", "Anthropic", "Mistral AI", "Cohere", "Hugging Face", "Scale AI"]
    paragraphs = [
        f"{investors[i % 8]} a investi {i + 1} millions d'euros dans {investees[(i // 8) % 6]}." for i in range(48)
    ]
    _write(tmp_path / "c" / "long.txt", "Titre\n\n" + "\n\n".join(paragraphs) + "\n")
    result = kg.build(tmp_path / "c", tmp_path / "out", explorer=False)
    assert result.files[0].status == "ok"
    rows = kg.query(tmp_path / "out", "SELECT ?s ?e ?t ?sent WHERE { ?st kg:start ?s ; kg:end ?e ; kg:sentence ?sent ; "
                                      "prov:wasDerivedFrom ?d . ?d kg:text ?t }")
    assert len(rows) >= 40
    for r in rows:
        assert r["t"][r["s"] : r["e"]].strip() == r["sent"]
    ends = sorted(r["e"] for r in rows)
    assert ends[-1] > 8 * nlp.MAX_CHUNK  # facts come from the last chunks too


def test_a_giant_token_and_a_giant_name_stay_fast(tmp_path):
    text = "Titre\n\n" + "x" * 200_000 + "\n\n" + "Microsoft " + ("Very" * 2_500) + " Corp a signé un accord.\n"
    _write(tmp_path / "c" / "odd.txt", text)
    t0 = time.perf_counter()
    result = kg.build(tmp_path / "c", tmp_path / "out", explorer=True)
    assert time.perf_counter() - t0 < 120
    assert result.skipped == 0
    html = (tmp_path / "out" / "explorer.html").read_text(encoding="utf-8")
    assert "Very" * 2_500 not in html  # labels are cut for display


@pytest.mark.parametrize(
    "names",
    [("C++", "C#"), ("100% AI #1 Inc?", "100 AI 1 Inc"), ("AT&T", "AT T")],
)
def test_distinct_names_do_not_collide(names):
    assert norm_key(names[0]) != norm_key(names[1])


@pytest.mark.parametrize("name", ["C++", "C#", "100% AI #1 Inc?", "Île-de-France", 'He said "no"', "<>", "a\nb", "東京"])
def test_any_name_gives_a_valid_iri(tmp_path, name):
    from kg.model import Document, Entity, Extraction
    from kg.resolve import resolve

    ex = Extraction(Document("d", "d.txt", "t", "en", "0" * 64), (Entity("k", name, "Organization"),))
    iri = str(resolve([ex]).iris["d"]["k"])
    pyoxigraph.NamedNode(iri)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_never_crash_ingestion(tmp_path, data):
    path = tmp_path / "any.md"
    path.write_bytes(data)
    try:
        doc = ingest.read_document(path, root=tmp_path)
    except IngestError as exc:
        assert "any.md" in str(exc)
    else:
        assert all(c in "\n\t" or ord(c) >= 32 for c in doc.text)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
def test_arbitrary_text_builds_valid_rdf(tmp_path_factory, text):
    tmp = tmp_path_factory.mktemp("h")
    _write(tmp / "c" / "doc.txt", "Microsoft et OpenAI\n\n" + text)
    result = kg.build(tmp / "c", tmp / "out", explorer=False)
    quads = list(pyoxigraph.parse(path=str(tmp / "out" / "graph.trig"), format=pyoxigraph.RdfFormat.TRIG))
    # a text with a NUL byte is refused as binary; anything else gives at least the document node
    assert bool(quads) == (result.skipped == 0)


def test_a_killed_build_leaves_the_previous_output_whole(tmp_path):
    """kill -9 a real `kg build` at several moments; the previous output must stay loadable and unchanged."""
    corpus, out = tmp_path / "c", tmp_path / "out"
    for i in range(12):
        _write(corpus / f"d{i}.txt", f"Article {i}\n\nMicrosoft a investi {i + 1} milliards de dollars dans OpenAI, "
                                     f"a déclaré Satya Nadella.\n")
    kg.build(corpus, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    _write(corpus / "new.txt", "Nouveau\n\nAmazon a investi 4 milliards de dollars dans Anthropic.\n" * 50)
    kg_bin = Path(sys.executable).with_name("kg")
    for delay in (0.5, 2.0, 4.0, 6.0):
        proc = subprocess.Popen([str(kg_bin), "build", str(corpus), "--out", str(out), "--quiet"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
        graphs = [g for g in load_dataset(out).graphs() if len(g)]  # parses: never half-written
        # the previous graph untouched, or the new one complete (12 documents, then 13)
        assert files["graph.trig"] == before["graph.trig"] or len(graphs) == 13
        assert json.loads(files["report.json"])["files"]  # whole JSON
        assert all(n.startswith(".") for n in files if n.endswith(".tmp")), "temporary files are hidden"
    kg.build(corpus, out, explorer=False)
    assert not list(out.glob(".*.tmp")), "the next build removes what a killed one left"


def test_unchanged_documents_are_not_analysed_again(tmp_path, monkeypatch):
    corpus, out = tmp_path / "c", tmp_path / "out"
    _write(corpus / "a.txt", "Titre A\n\nMicrosoft a investi 13 milliards de dollars dans OpenAI.\n")
    _write(corpus / "b.txt", "Title B\n\nAmazon invested $4 billion in Anthropic, the company said.\n")
    _write(corpus / "c.txt", "Titre C\n\nNvidia s'associe à Mistral AI.\n")
    kg.build(corpus, out, explorer=False)
    first = (out / "graph.trig").read_bytes()

    from kg import nlp

    def refuse(*args, **kwargs):
        raise AssertionError("the NLP pipeline ran on an unchanged document")

    monkeypatch.setattr(nlp, "pipe", refuse)
    again = kg.build(corpus, out, explorer=False, force=True)  # force: past the no-op check, into the cache
    assert again.cached == 3 and not again.unchanged and (out / "graph.trig").read_bytes() == first
    monkeypatch.undo()

    # a changed document replaces its graph, a deleted one disappears
    _write(corpus / "a.txt", "Titre A\n\nMicrosoft a investi 10 milliards de dollars dans OpenAI.\n")
    (corpus / "c.txt").unlink()
    result = kg.build(corpus, out, explorer=False)
    assert result.cached == 1
    docs = {str(r["d"]).rsplit("/", 1)[-1] for r in kg.query(out, "SELECT ?d WHERE { ?d a kg:Document }")}
    assert docs == {"a", "b"}
    amounts = {float(r["a"]) for r in kg.query(out, "SELECT ?a WHERE { ?st kg:amount ?a }")}
    assert 10_000_000_000 in amounts and 13_000_000_000 not in amounts
    assert len(list((out / ".cache").glob("*.json"))) == 2


def test_a_bug_is_a_one_line_error_not_a_traceback(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from kg import pipeline
    from kg.cli import cli

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline, "build", broken)
    _write(tmp_path / "c" / "a.txt", "x\n")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "c"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "unexpected error: ZeroDivisionError" in result.output and "Traceback" not in result.output

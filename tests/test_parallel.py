"""The per-document work in worker processes and on a Dask cluster gives the same graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from archive_samples import EN_ARTICLE, FR_ARTICLE, jsonl
from click.testing import CliRunner

import kg
from kg import parallel
from kg.cli import cli
from kg.errors import KGError
from kg.model import Document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "corpus"


def _doc(doc_id: str, text: str, lang: str = "en") -> Document:
    return Document(doc_id=doc_id, path=f"{doc_id}.txt", text=text, lang=lang, sha256=doc_id * 4)


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("graph.trig", "manifest.json", "merges.json", "explorer.html")}


def _statuses(result: kg.BuildResult) -> list[tuple[str, str, int, int]]:
    return [(f.path, f.status, f.entities, f.facts) for f in result.files]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The example corpus plus a file that is skipped, so reports are compared too, and an archive
    whose records go out in the same batches as the files."""
    folder = tmp_path_factory.mktemp("parallel") / "corpus"
    shutil.copytree(EXAMPLES, folder)
    (folder / "broken.txt").write_bytes(b"\x00not text")
    (folder / "news.jsonl").write_text(jsonl([
        {"url": "https://o.example/a", "title": "Marelle Logistique et Brisemer Robotique", "text": FR_ARTICLE},
        {"id": "b", "title": "Corvin Bank invests in Tidewell Analytics", "text": EN_ARTICLE},
        {"url": "https://o.example/a#again", "text": FR_ARTICLE},
    ]), encoding="utf-8")  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def single(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "out"
    return out, kg.build(corpus, out)


def test_options_are_checked():
    with pytest.raises(KGError, match="unknown executor 'spark'"):
        list(parallel.run([], executor="spark"))
    with pytest.raises(KGError, match="at least 1"):
        list(parallel.run([], workers=0))
    with pytest.raises(KGError, match="needs the address of a scheduler"):
        list(parallel.run([], executor="dask"))


def test_cli_options_that_do_not_go_together(tmp_path):
    (tmp_path / "c").mkdir()
    runner = CliRunner()
    base = ["build", str(tmp_path / "c"), "--out", str(tmp_path / "o")]
    result = runner.invoke(cli, [*base, "--executor", "dask"])
    assert result.exit_code == 2 and "--scheduler" in result.output
    result = runner.invoke(cli, [*base, "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2 and "only used with --executor dask" in result.output
    result = runner.invoke(cli, [*base, "--workers", "0"])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["build", "--help"])
    assert "--workers" in result.output and "--executor" in result.output and "--scheduler" in result.output


def test_a_worker_with_other_rules_or_models_is_refused():
    with pytest.raises(KGError, match="another version of kg"):
        parallel._check_version("0000000000000000", None)


@pytest.mark.slow
def test_a_failing_document_in_a_batch_loses_only_itself(monkeypatch):
    import kg.learn

    real = kg.learn.extract

    def flaky(document, chunks, model=None):
        if "explode" in document.text:
            raise ZeroDivisionError("boom")
        return real(document, chunks, model)

    monkeypatch.setattr(kg.learn, "extract", flaky)
    docs = [_doc("a", "Amazon invested $4 billion in Anthropic."), _doc("b", "This will explode."),
            _doc("c", "Nvidia partners with Mistral AI.")]  # fmt: skip
    version, items = parallel.extract_batch(docs, "en")
    assert version == kg.cache.extractor_version()
    by_id = {doc_id: (ex, err) for doc_id, ex, err in items}
    assert set(by_id) == {"a", "b", "c"}
    assert by_id["b"][0] is None and "ZeroDivisionError: boom" in by_id["b"][1]
    assert by_id["a"][0] is not None and by_id["a"][0].facts and by_id["c"][0] is not None


@pytest.mark.slow
def test_a_batch_gives_the_same_extractions_as_one_stream():
    docs = [_doc(f"d{i}", text) for i, text in enumerate([
        "Amazon invested $4 billion in Anthropic, the company said on Monday.",
        "Nvidia partners with Mistral AI. The French start-up is based in Paris.",
        "Walmart will train 50,000 workers by 2026, said its chief executive Doug McMillon.",
    ])]  # fmt: skip
    stream = {d.doc_id: ex for d, ex, _ in parallel.run(docs)}
    one_by_one = {}
    for d in docs:
        _version, items = parallel.extract_batch([d], "en")
        one_by_one.update({doc_id: ex for doc_id, ex, _ in items})
    assert stream == one_by_one


@pytest.mark.slow
def test_worker_processes_give_the_same_graph(corpus, single, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "BATCH_DOCS", 3)  # several batches per language, finishing out of order
    out1, first = single
    out = tmp_path / "out"
    result = kg.build(corpus, out, workers=2)
    assert _outputs(out) == _outputs(out1)
    assert _statuses(result) == _statuses(first)
    assert result.skipped == 1 and result.duplicates == 1
    assert sum(f.kind == "record" and f.facts > 0 for f in result.files) == 2


@pytest.mark.slow
def test_extraction_in_this_process_gives_the_same_graph_as_in_the_helper(corpus, single, tmp_path, monkeypatch):
    out1, first = single  # built with the helper process where the machine has two cores
    monkeypatch.setattr(parallel, "HELPER", False)
    out = tmp_path / "out"
    result = kg.build(corpus, out)
    assert _outputs(out) == _outputs(out1)
    assert _statuses(result) == _statuses(first)


_MIXED = [
    ("e1", "Amazon invested $4 billion in Anthropic, the company said on Monday.", "en"),
    ("f1", "Mistral AI s'associe à Capgemini. La start-up est basée à Paris.", "fr"),
    ("e2", "Nvidia partners with Mistral AI.\n\nThe French start-up is based in Paris.\n\n"
           "Walmart will train 50,000 workers by 2026, said its chief executive Doug McMillon.", "en"),
    ("f2", "Le Medef a signé un accord avec la CFDT, a déclaré Patrick Martin, président du Medef.", "fr"),
]  # fmt: skip


@pytest.mark.slow
def test_the_helper_process_extracts_what_this_process_would(monkeypatch):
    """Documents parsed here and extracted in the helper (serialised Docs, several chunks for a long
    one) give the extractions of the parse and extraction in one process."""
    from kg import nlp

    monkeypatch.setattr(nlp, "MAX_CHUNK", 80)  # e2 is read in three chunks
    monkeypatch.setattr(parallel, "HELPER_DOCS", 1)
    docs = [_doc(i, text, lang) for i, text, lang in _MIXED]
    helped = {d.doc_id: (ex, err) for d, ex, err in parallel._run_overlapped(docs, None)}
    assert parallel._helper is not None  # a helper process did the work
    here = {}
    for lang in ("en", "fr"):
        here.update({d.doc_id: (ex, err) for d, ex, err in parallel._extract_stream([d for d in docs if d.lang == lang], lang)})
    assert helped == here
    assert all(ex is not None and not err for ex, err in helped.values())
    assert helped["e2"][0].facts and helped["f2"][0].facts


class _GoneHelper:
    """A helper process that died: every document given to it comes back as a failure."""

    def submit(self, *_args, **_kwargs):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        fut = Future()
        fut.set_exception(BrokenProcessPool("the helper process was killed"))
        return fut

    def shutdown(self, **_kwargs):
        pass


@pytest.mark.slow
def test_a_helper_that_dies_loses_no_document(monkeypatch):
    real_pool = parallel._helper_pool
    monkeypatch.setattr(parallel, "_helper_failed", False)  # restored after the test
    monkeypatch.setattr(parallel, "_helper", None)
    monkeypatch.setattr(parallel, "_helper_pool", _GoneHelper)
    monkeypatch.setattr(parallel, "HELPER_DOCS", 1)
    docs = [_doc(i, text, lang) for i, text, lang in _MIXED]
    outcomes = list(parallel._run_overlapped(docs, None))
    assert [d.doc_id for d, _, _ in outcomes] == ["e1", "e2", "f1", "f2"]  # input order within each language
    assert all(ex is not None and not err for _, ex, err in outcomes)
    expected = dict(((d.doc_id, ex) for d, ex, _ in parallel._extract_stream([docs[0], docs[2]], "en")))
    assert {d.doc_id: ex for d, ex, _ in outcomes if d.lang == "en"} == expected
    assert real_pool() is None  # no new helper for the next builds of this process


@pytest.mark.slow
def test_a_document_the_helper_cannot_read_loses_only_itself():
    from kg import nlp

    docs = [_doc("a", "Nvidia partners with Mistral AI."), _doc("b", "Amazon invested $4 billion in Anthropic.")]
    parsed = [(d, [(offset, chunk.to_bytes()) for offset, chunk in chunks]) for d, chunks in nlp.pipe(((d, d.text) for d in docs), "en")]
    parsed[0] = (parsed[0][0], [(0, b"not a serialised Doc")])
    (bad, bad_err), (good, good_err) = parallel.extract_parsed(parsed, "en")
    assert bad is None and bad_err.startswith("extraction failed:")
    assert good is not None and good.facts and not good_err


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_graph(corpus, single, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "BATCH_DOCS", 3)
    out1, first = single
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        result = kg.build(corpus, out, executor="dask", scheduler=cluster.scheduler_address)
        assert _outputs(out) == _outputs(out1)
        assert _statuses(result) == _statuses(first)
        # the same through the command line, into a fresh folder
        cli_out = tmp_path / "cli-out"
        run = CliRunner().invoke(
            cli, ["build", str(corpus), "--out", str(cli_out), "-q", "--executor", "dask",
                  "--scheduler", cluster.scheduler_address],
        )  # fmt: skip
        assert run.exit_code == 3, run.output  # 3: broken.txt was skipped
        assert _outputs(cli_out)["graph.trig"] == _outputs(out1)["graph.trig"]


@pytest.mark.slow
def test_an_unreachable_scheduler_is_a_clear_error(corpus, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT", "2s")
    out = tmp_path / "out"
    with pytest.raises(KGError, match=f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}"):
        kg.build(corpus, out, executor="dask", scheduler=f"tcp://127.0.0.1:{port}", force=True)
    assert not (out / "graph.trig").exists()


@pytest.mark.parametrize("size", [3, 8])
def test_documents_are_read_as_the_work_goes(monkeypatch, size):
    """A corpus streams: the documents are pulled a batch at a time, never all before the work starts."""
    from kg.model import Extraction

    pulled = 0

    def docs():
        nonlocal pulled
        for i in range(500):
            pulled += 1
            yield _doc(f"d{i}", "text", "fr" if i % 3 else "en")

    monkeypatch.setattr(parallel, "HELPER", False)  # the parse and extraction of this process, stood in for
    monkeypatch.setattr(parallel, "_extract_stream", lambda batch, lang, model=None: ((d, Extraction(d), "") for d in batch))
    monkeypatch.setattr(parallel, "LOCAL_BATCH_DOCS", size)
    outcomes = parallel.run(docs())
    first = next(outcomes)
    assert first[0].lang == "fr" and pulled < 2 * size
    assert len(list(outcomes)) == 499 and pulled == 500
    batches = parallel._batches(docs(), size)
    pulled = 0
    batch, lang = next(batches)
    assert len(batch) == size and {d.lang for d in batch} == {lang} and pulled < 2 * size
    assert sum(len(b) for b, _ in batches) + size == 500


_KILLED_DRIVER = """
import sys, time
from kg import parallel
from kg.model import Document
if __name__ == "__main__":
    doc = Document(doc_id="a", path="a.txt", text="Nvidia partners with Mistral AI.", lang="en", sha256="a" * 4)
    list(parallel._run_overlapped([doc], None))
    print(*parallel._helper._processes, flush=True)
    time.sleep(120)
"""


def _running(pid: int) -> bool:
    """A process that exists and is not a zombie (an ended child its new parent has not reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_the_helper_ends_when_the_build_process_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "driver.py"
    script.write_text(_KILLED_DRIVER, encoding="utf-8")
    driver = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        helper = int(driver.stdout.readline())
        assert _running(helper)  # alive while the driver is
    finally:
        driver.send_signal(signal.SIGKILL)  # no chance to stop its helper
        driver.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if not _running(helper):
            return
        time.sleep(0.2)
    os.kill(helper, signal.SIGKILL)
    pytest.fail("the helper process outlived its build process")

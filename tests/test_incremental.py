"""A rebuild with nothing changed keeps the output as it is and costs next to nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli

pytestmark = pytest.mark.slow


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture()
def built(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    _write(corpus / "a.txt", "Titre A\n\nMicrosoft a investi 13 milliards de dollars dans OpenAI.\n")
    _write(corpus / "b.txt", "Title B\n\nAmazon invested $4 billion in Anthropic, the company said.\n")
    first = kg.build(corpus, out)
    assert not first.unchanged
    return corpus, out, first


def _stamps(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}


def _refuse_reading(monkeypatch) -> None:
    from kg import ingest

    def refuse(*args, **kwargs):
        raise AssertionError("a document was read again")

    monkeypatch.setattr(ingest, "read_document", refuse)


def test_nothing_changed_keeps_every_output_file(built, monkeypatch):
    corpus, out, first = built
    before = _stamps(out)
    _refuse_reading(monkeypatch)
    again = kg.build(corpus, out)
    assert again.unchanged
    assert _stamps(out) == before, "no output file was rewritten"
    assert [f.path for f in again.files] == [f.path for f in first.files]
    assert (again.documents, again.entities, again.facts, again.words) == (
        first.documents, first.entities, first.facts, first.words,
    )  # fmt: skip
    assert again.graph_path == out / "graph.trig" and again.explorer_path == out / "explorer.html"


@pytest.mark.parametrize(
    "change",
    ["edit a document", "add a document", "remove a document", "add aliases.yaml", "another option",
     "graph.trig edited", "explorer.html deleted", "force"],
)  # fmt: skip
def test_any_change_rebuilds(built, change):
    corpus, out, first = built
    options: dict[str, object] = {}
    if change == "edit a document":
        _write(corpus / "a.txt", "Titre A\n\nMicrosoft a investi 10 milliards de dollars dans OpenAI.\n")
    elif change == "add a document":
        _write(corpus / "sub" / "c.txt", "Title C\n\nNvidia partners with Mistral AI.\n")
    elif change == "remove a document":
        (corpus / "b.txt").unlink()
    elif change == "add aliases.yaml":
        _write(corpus / "aliases.yaml", "split:\n  - [OpenAI]\n")
    elif change == "another option":
        options["min_confidence"] = 0.5
    elif change == "graph.trig edited":
        with (out / "graph.trig").open("ab") as handle:
            handle.write(b"\n")
    elif change == "explorer.html deleted":
        (out / "explorer.html").unlink()
    elif change == "force":
        options["force"] = True
    again = kg.build(corpus, out, **options)
    assert not again.unchanged
    assert (out / "explorer.html").is_file()
    # and the build after that one has nothing left to do
    assert kg.build(corpus, out, **{k: v for k, v in options.items() if k != "force"}).unchanged


def test_the_report_records_what_a_no_op_compares(built):
    _corpus, out, _first = built
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["fingerprint"]) == 64
    assert set(report["outputs"]) >= {"graph.trig", "manifest.json", "merges.json", "explorer.html"}
    assert set(report["timings"]) == {"ingest", "extract", "resolve", "write", "explorer"}


def test_a_no_op_with_skipped_files_still_exits_3(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    _write(corpus / "a.txt", "Title A\n\nAmazon invested $4 billion in Anthropic.\n")
    (corpus / "b.txt").write_bytes(b"\x00\x01binary")
    runner = CliRunner()
    first = runner.invoke(cli, ["build", str(corpus), "--out", str(out), "-q"])
    assert first.exit_code == 3
    again = runner.invoke(cli, ["build", str(corpus), "--out", str(out)])
    assert again.exit_code == 3, again.output
    assert "nothing changed since the last build" in again.output
    assert "skipped" in again.output and "b.txt" in again.output


def test_the_no_op_check_names_the_same_aliases_file_as_resolution():
    from kg import pipeline, resolve

    assert pipeline.ALIASES_FILE == resolve.ALIASES_FILE


def test_a_no_op_does_not_import_spacy(built):
    import subprocess
    import sys

    corpus, out, _first = built
    code = (
        "import sys, kg\n"
        f"r = kg.build({str(corpus)!r}, {str(out)!r})\n"
        "assert r.unchanged\n"
        "print('spacy' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"

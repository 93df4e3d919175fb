"""The CLI, in-process with click's CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, ROOT

from kg.cli import cli

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert f"`kg {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_group_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    result = CliRunner().invoke(cli, ["build", str(EXAMPLES), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_build_prints_where_things_are(built):
    out, output = built
    assert f"graph: {out / 'graph.trig'}" in output
    assert f"explorer: {out / 'explorer.html'}" in output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["files"]) == len(list(EXAMPLES.iterdir()))


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("turtle", "g.ttl"), ("trig", "g.trig"), ("nquads", "g.nq"), ("jsonld", "g.jsonld"), ("gold-json", "pred")],
)
def test_export_formats(built, tmp_path, fmt, name):
    out, _ = built
    dest = tmp_path / name
    result = CliRunner().invoke(cli, ["export", str(out), "--format", fmt, "--out", str(dest)])
    assert result.exit_code == 0, result.output
    if fmt == "gold-json":
        assert len(list(dest.glob("*.json"))) == len(list(EXAMPLES.iterdir()))
    else:
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(dest, format={"turtle": "turtle", "trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}[fmt])
        assert len(ds) > 0 or sum(len(g) for g in ds.graphs()) > 0


def test_validate_and_stats(built):
    out, _ = built
    result = CliRunner().invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0 and "conforms" in result.output
    result = CliRunner().invoke(cli, ["stats", str(out), "--json"])
    data = json.loads(result.output)
    assert data["documents"] == len(list(EXAMPLES.iterdir()))
    assert data["facts"]["investsIn"] > 0


def test_validate_fails_on_a_broken_graph(built, tmp_path):
    out, _ = built
    broken = tmp_path / "broken"
    broken.mkdir()
    text = (out / "graph.trig").read_text(encoding="utf-8")
    # a statement whose confidence is out of range violates the shapes
    text = text.replace("kg:confidence 0.", "kg:confidence 7.", 1)
    (broken / "graph.trig").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "confidence" in result.output.lower()


def test_missing_graph_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["stats", str(tmp_path)])
    assert result.exit_code == 1
    assert "graph.trig" in result.output


def test_build_exits_3_when_a_file_is_skipped(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("Nvidia investit dans Mistral AI.\n", encoding="utf-8")
    (corpus / "bad.html").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 3
    assert "bad.html" in result.output


def test_usage_error_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2


def test_viz_writes_a_page_without_network_links(built, tmp_path):
    out, _ = built
    dest = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["viz", str(out), "--out", str(dest)])
    assert result.exit_code == 0, result.output
    html = dest.read_text(encoding="utf-8")
    assert "vis.Network" in html or "new vis" in html
    assert 'src="http' not in html and 'href="http' not in html

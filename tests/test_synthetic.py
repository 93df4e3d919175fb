"""The synthetic benchmark corpus (benchmarks/synthetic.py): deterministic, well-formed, readable by kg."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

import frontmatter
import pytest

from kg.ingest import normalise_text, read_document

ROOT = Path(__file__).resolve().parent.parent


def _load_generator():
    """benchmarks/ is not a package: import the module from its path."""
    name = "kg_benchmarks_synthetic"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


synthetic = _load_generator()

N = 60


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("synthetic") / "corpus"
    return root, synthetic.generate(N, root, seed=7)


def _lang(path: Path) -> str:
    return path.stem.rsplit("-", 1)[1]


@pytest.mark.parametrize("n, seed", [(25, 0)])
def test_same_n_and_seed_give_identical_bytes(tmp_path, n, seed):
    a = synthetic.generate(n, tmp_path / "a", seed=seed)
    b = synthetic.generate(n, tmp_path / "b", seed=seed)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b))
    # article i depends only on (seed, i): a smaller corpus is a prefix of a larger one
    prefix = synthetic.generate(10, tmp_path / "prefix", seed=seed)
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(prefix, a[:10]))
    # another seed, other articles
    other = synthetic.generate(n, tmp_path / "other", seed=seed + 1)
    assert sum(x.read_bytes() != y.read_bytes() for x, y in zip(a, other)) == n


def test_count_and_names(corpus):
    root, paths = corpus
    assert len(paths) == N
    assert sorted(p.name for p in root.iterdir()) == sorted(p.name for p in paths)
    assert all(re.fullmatch(r"synth-\d{5}-(fr|en)\.(txt|md|html)", p.name) for p in paths)


def test_languages_interleaved_and_file_mix(corpus):
    _, paths = corpus
    assert [_lang(p) for p in paths] == ["fr", "en"] * (N // 2)
    suffixes = Counter(p.suffix for p in paths)
    assert suffixes == {".txt": N * 8 // 10, ".md": N // 10, ".html": N // 10}
    for suffix in (".md", ".html"):
        assert {_lang(p) for p in paths if p.suffix == suffix} == {"fr", "en"}


def test_articles_have_news_length_and_paragraphs(corpus):
    root, paths = corpus
    words = []
    for path in paths:
        doc = read_document(path, root=root)
        assert doc.lang == _lang(path), path.name
        assert doc.title, path.name
        n = len(doc.text.split())
        assert 300 <= n <= 900, (path.name, n)
        assert doc.text.count("\n\n") >= 4, path.name
        words.append(n)
    assert 430 <= statistics.mean(words) <= 580


def test_markdown_front_matter(corpus):
    root, paths = corpus
    for path in (p for p in paths if p.suffix == ".md"):
        post = frontmatter.load(path)
        assert set(post.metadata) >= {"title", "date", "url", "lang"}
        assert post.metadata["lang"] == _lang(path)
        assert post.metadata["url"].startswith("https://")
        assert len(post.content.split()) >= 250
        doc = read_document(path, root=root)
        assert doc.warnings == ()
        assert doc.title == normalise_text(post.metadata["title"])  # e.g. "10\u202f000" -> "10 000"
        assert doc.date == str(post.metadata["date"])


def test_html_pages_lose_their_chrome(corpus):
    root, paths = corpus
    pages = [p for p in paths if p.suffix == ".html"]
    assert pages
    for path in pages:
        page = path.read_text(encoding="utf-8")
        doc = read_document(path, root=root, doc_id=f"page-{path.stem}")
        assert doc.doc_id == f"page-{path.stem}"
        assert doc.warnings == (), (path.name, doc.warnings)
        assert doc.lang == _lang(path)
        first = html.unescape(re.search(r"<article>.*?<p>(.*?)</p>", page, re.S).group(1))
        assert first.split(" — ")[-1][:60] in doc.text
        chrome = synthetic.CHROME[doc.lang]
        comments = [html.unescape(c) for c in re.findall(r'class="comment-author">.*?</p>\s*<p>(.*?)</p>', page, re.S)]
        assert comments
        for text in [*comments, *chrome["share"], *chrome["related_items"], chrome["post"], chrome["cookie"]]:
            assert text not in doc.text, (path.name, text)
        for line in doc.text.splitlines():
            assert line not in (*chrome["menu"], *chrome["footer"], chrome["comments"]), (path.name, line)


@pytest.mark.parametrize(
    "name", ["PARTNER", "INVEST", "TRAIN", "ROLE", "LOCATED", "DEVELOPS", "QUOTE", "FILLER_SENTENCES"]
)
def test_at_least_eight_templates_per_relation_and_language(name):
    templates = getattr(synthetic, name)
    assert all(len(set(templates[lang])) >= 8 for lang in ("fr", "en"))


def test_cli_writes_the_same_files(tmp_path, capsys):
    assert synthetic.main(["5", str(tmp_path / "cli"), "--seed", "3"]) == 0
    assert "5 articles" in capsys.readouterr().out
    expected = synthetic.generate(5, tmp_path / "api", seed=3)
    assert [(p.name, p.read_bytes()) for p in expected] == [
        (p.name, p.read_bytes()) for p in sorted((tmp_path / "cli").iterdir())
    ]
    with pytest.raises(SystemExit) as exit_:
        synthetic.main(["--help"])
    assert exit_.value.code == 0
    assert "OUT_DIR" in capsys.readouterr().out


@pytest.mark.slow
def test_kg_builds_generated_articles(tmp_path):
    import kg

    corpus = tmp_path / "corpus"
    synthetic.generate(6, corpus)
    result = kg.build(corpus, tmp_path / "out")
    assert result.documents == 6
    assert result.skipped == 0
    assert result.warnings == 0
    kg.export(tmp_path / "out", "gold-json", tmp_path / "pred")
    predicates = Counter(
        fact["p"] for f in (tmp_path / "pred").glob("*.json") for fact in json.loads(f.read_text())["facts"]
    )
    for p in ("partnersWith", "investsIn", "trains", "said"):
        assert predicates[p] > 0, (p, predicates)


@pytest.mark.parametrize("name", ["news.jsonl", "news.jsonl.gz"])
def test_jsonl_records_are_deterministic_and_readable(tmp_path, name):
    from kg.records import ArchiveStats, read_jsonl

    path = synthetic.write_jsonl(30, tmp_path / "a" / name, seed=3)
    again = synthetic.write_jsonl(30, tmp_path / "b" / name, seed=3)
    assert path.read_bytes() == again.read_bytes()
    records = list(read_jsonl(path, ArchiveStats()))
    assert len(records) == 30 and all(r.error is None for r in records)
    assert len({r.url for r in records}) == 30 and len({r.ident for r in records}) == 30
    assert [r.lang for r in records] == ["fr", "en"] * 15
    pages = [r for r in records if r.text.lstrip().startswith("<!DOCTYPE html>")]
    assert [int(r.ident.rsplit("-", 1)[1]) % 10 for r in pages] == [5] * 3
    # record i is article i of the files the generator writes
    files = synthetic.generate(4, tmp_path / "files", seed=3)
    first = read_document(files[0], root=tmp_path / "files")
    assert records[0].title == first.title


@pytest.mark.parametrize("words", [60, 120])
def test_jsonl_records_cut_to_a_number_of_words_keep_their_first_paragraphs(tmp_path, words):
    whole = [json.loads(line) for line in synthetic.write_jsonl(20, tmp_path / "a.jsonl").read_text().splitlines()]
    cut = [json.loads(line) for line in synthetic.write_jsonl(20, tmp_path / "b.jsonl", words=words).read_text().splitlines()]  # fmt: skip
    for full, short in zip(whole, cut, strict=True):
        assert {k: v for k, v in short.items() if k != "text"} == {k: v for k, v in full.items() if k != "text"}
        if full["text"].lstrip().startswith("<!DOCTYPE html>"):
            continue
        paragraphs, all_paragraphs = short["text"].split("\n\n"), full["text"].split("\n\n")
        # the lead, then paragraphs of the article in their order (subheadings left out)
        assert paragraphs[0] == all_paragraphs[0] and len(paragraphs) < len(all_paragraphs)
        at = [all_paragraphs.index(p) for p in paragraphs]
        assert at == sorted(at)
        assert len(paragraphs) == 1 or len(short["title"].split()) + len(short["text"].split()) <= words

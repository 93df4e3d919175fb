"""kg.evaluate: the scorer gives the reference scorer's numbers; evaluate() and ``kg evaluate``."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import SHARED

import kg
from kg.cli import cli
from kg.errors import KGError
from kg.evaluate import (
    ATTRIBUTES,
    EvaluationError,
    compare,
    errors,
    evaluate,
    format_table,
    intervals,
    load_docs,
    score,
)
from kg.learn.explain import STAGES

DEV_CORPUS = SHARED / "corpus" / "dev"
DEV_GOLD = SHARED / "eval" / "dev-gold"


@pytest.fixture(scope="module")
def reference():
    """The guideline's reference scorer, loaded from ../shared; skip when absent."""
    path = SHARED / "eval" / "score.py"
    if not path.is_file():
        pytest.skip("the shared reference scorer is not available")
    spec = importlib.util.spec_from_file_location("kg_reference_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(entities=(), facts=()):
    """A document: entities as (label, type, aliases) tuples, facts as dicts."""
    return {
        "entities": [{"label": label, "type": type_, "aliases": list(aliases)} for label, type_, aliases in entities],
        "facts": list(facts),
    }


ORG = "Organization"
ACME = ("Acme Robotics", ORG, ["Acme"])
NORTH = ("Northwind Bank", ORG, [])
LINA = ("Lina Okafor", "Person", [])

# Each case: gold documents, predicted documents, and a few numbers the result must have.
CASES = {
    "symmetric partners": (
        {"d": _doc([ACME, NORTH], [{"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"}])},
        {"d": _doc([ACME, NORTH], [{"s": "Northwind Bank", "p": "partnersWith", "o": "Acme Robotics"}])},
        {("facts", "tp"): 1},
    ),
    "direction counts for other predicates": (
        {"d": _doc([ACME, NORTH], [{"s": "Northwind Bank", "p": "investsIn", "o": "Acme Robotics"}])},
        {"d": _doc([ACME, NORTH], [{"s": "Acme Robotics", "p": "investsIn", "o": "Northwind Bank"}])},
        {("facts", "tp"): 0},
    ),
    "group synonyms": (
        {
            "d": _doc(
                [ACME],
                [
                    {"s": "Acme Robotics", "p": "trains", "o": "workers"},
                    {"s": "Acme Robotics", "p": "trains", "o": "students"},
                    {"s": "Acme Robotics", "p": "represents", "o": "members"},
                ],
            )
        },
        {
            "d": _doc(
                [ACME],
                [
                    {"s": "Acme", "p": "trains", "o": "les salariés"},
                    {"s": "Acme", "p": "trains", "o": "élèves"},
                    {"s": "Acme", "p": "represents", "o": "ses membres"},
                ],
            )
        },
        {("facts", "tp"): 3},
    ),
    "count stands for the group": (
        {
            "d": _doc(
                [ACME],
                [
                    {"s": "Acme Robotics", "p": "trains", "o": "workers", "count": 10000000, "year": 2030},
                    {"s": "Acme Robotics", "p": "represents", "o": "members", "count": 50000},
                ],
            )
        },
        {
            "d": _doc(
                [ACME],
                [
                    {"s": "Acme Robotics", "p": "trains", "o": "people", "count": 10050000, "year": 2031},
                    {"s": "Acme Robotics", "p": "represents", "o": "adherents", "count": 49000},
                ],
            )
        },
        {("facts", "tp"): 1, ("facts", "attribute_accuracy"): 1.0},  # a year within 1% agrees too
    ),
    "said on the first words": (
        {
            "d": _doc(
                [LINA],
                [
                    {"s": "Lina Okafor", "p": "said", "o": "Nous allons former tous nos"},
                    {"s": "Lina Okafor", "p": "said", "o": "Robots will not replace"},
                    {"s": "Lina Okafor", "p": "said", "o": "Yes"},
                ],
            )
        },
        {
            "d": _doc(
                [LINA],
                [
                    {"s": "Lina Okafor", "p": "said", "o": "« Nous allons former tous les apprentis"},
                    {"s": "Lina Okafor", "p": "said", "o": "Robots will never replace people"},
                    {"s": "Lina Okafor", "p": "said", "o": "yes, of course"},
                ],
            )
        },
        {("facts", "tp"): 2},
    ),
    "role initials and containment": (
        {
            "d": _doc(
                [LINA, ACME],
                [
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics", "role": "ceo"},
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme", "role": "chief technology officer"},
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics", "role": "president"},
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics", "role": "director"},
                ],
            )
        },
        {
            "d": _doc(
                [LINA, ACME],
                [
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics", "role": "Chief Executive Officer"},
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics", "role": "CTO"},
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics", "role": "vice president"},
                    {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics"},
                ],
            )
        },
        {("facts", "tp"): 4, ("facts", "attribute_accuracy"): 0.75},
    ),
    "number tolerance": (
        {
            "d": _doc(
                [ACME, NORTH],
                [
                    {
                        "s": "Northwind Bank",
                        "p": "investsIn",
                        "o": "Acme Robotics",
                        "amount": 13000000000,
                        "currency": "USD",
                    },
                    {
                        "s": "Acme Robotics",
                        "p": "investsIn",
                        "o": "Northwind Bank",
                        "amount": 2000000,
                        "currency": "EUR",
                    },
                ],
            )
        },
        {
            "d": _doc(
                [ACME, NORTH],
                [
                    {
                        "s": "Northwind Bank",
                        "p": "investsIn",
                        "o": "Acme Robotics",
                        "amount": 13100000000.0,
                        "currency": "usd",
                    },
                    {
                        "s": "Acme Robotics",
                        "p": "investsIn",
                        "o": "Northwind Bank",
                        "amount": "2100000",
                        "currency": "GBP",
                    },
                ],
            )
        },
        {("facts", "tp"): 2, ("facts", "attribute_accuracy"): 0.5},
    ),
    "aliases": (
        {"d": _doc([("Confédération des travailleurs", ORG, ["CDT"]), ACME], [])},
        {"d": _doc([("CDT", ORG, []), ("Acme", "Product", ["Acme Robotics SA"])], [])},
        {("entities", "tp"): 2, ("entities", "type_accuracy"): 0.5},
    ),
    "accents, case and punctuation": (
        {"d": _doc([("Société Générale", ORG, []), ("Île-de-France", "Place", [])], [])},
        {"d": _doc([("SOCIETE GENERALE", ORG, []), ("ile de france", "Place", [])], [])},
        {("entities", "tp"): 2},
    ),
    "leading articles": (
        {
            "d": _doc(
                [("Le Monde", ORG, []), ("The Guild", ORG, [])], [{"s": "The Guild", "p": "memberOf", "o": "Le Monde"}]
            )
        },
        {"d": _doc([("Monde", ORG, []), ("Guild", ORG, [])], [{"s": "guild", "p": "MEMBEROF", "o": "monde"}])},
        {("entities", "tp"): 2, ("facts", "tp"): 1},
    ),
    "missing predictions": (
        {
            "a": _doc([ACME], [{"s": "Acme Robotics", "p": "develops", "o": "Acme Arm"}]),
            "b": _doc([NORTH, LINA], [{"s": "Lina Okafor", "p": "worksFor", "o": "Northwind Bank", "role": "cfo"}]),
        },
        {"a": _doc([ACME], []), "z": _doc([LINA], [{"s": "Lina Okafor", "p": "said", "o": "Hello"}])},
        {("entities", "gold"): 3, ("entities", "pred"): 1, ("facts", "pred"): 0, ("facts", "recall"): 0.0},
    ),
    "one predicted fact for one gold fact": (
        {"d": _doc([ACME, NORTH], [{"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"}] * 2)},
        {"d": _doc([ACME, NORTH], [{"s": "Acme", "p": "partnersWith", "o": "Northwind Bank"}])},
        {("facts", "tp"): 1, ("facts", "recall"): 0.5},
    ),
    "one predicted entity for one gold entity": (
        {"d": _doc([("Acme", ORG, []), ("Acme Robotics", ORG, [])], [])},
        {"d": _doc([ACME], [])},
        {("entities", "tp"): 1},
    ),
    "odd values": (
        {"d": {"entities": [{"label": "", "type": ORG}, {"label": "Acme", "type": None}], "facts": [{"p": "said"}]}},
        {"d": {"entities": [{"label": "acme"}], "facts": [{"s": None, "p": None, "o": 3, "role": 0}]}},
        {("entities", "tp"): 1, ("facts", "tp"): 0},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scorer_gives_the_expected_numbers(name):
    gold, pred, expected = CASES[name]
    result = score(gold, pred)
    for (section, key), value in expected.items():
        assert result[section][key] == value, json.dumps(result, indent=1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_scorer_agrees_with_the_reference(reference, name):
    gold, pred, _ = CASES[name]
    assert score(gold, pred) == reference.score(copy.deepcopy(gold), copy.deepcopy(pred))


def _perturbed(docs: dict, rng: random.Random) -> dict:
    """A noisy copy of gold documents, as a system's output might be."""
    out = {}
    for key, doc in docs.items():
        doc = copy.deepcopy(doc)
        if rng.random() < 0.1:
            continue
        entities = [e for e in doc["entities"] if rng.random() > 0.15]
        for e in entities:
            if rng.random() < 0.2:
                e["label"] = e["label"].upper() if rng.random() < 0.5 else (e["aliases"] or [e["label"]])[0]
            if rng.random() < 0.1:
                e["type"] = rng.choice(["Person", "Organization", "Place"])
        facts = []
        for f in doc["facts"]:
            r = rng.random()
            if r < 0.15:
                continue
            if r < 0.25:
                f["s"], f["o"] = f["o"], f["s"]
            elif r < 0.3:
                f["p"] = f["p"].lower()
            elif r < 0.35 and "count" in f:
                f["count"] = int(f["count"] * rng.choice([1.005, 1.5]))
                f["o"] = "people"
            elif r < 0.4 and f["p"] == "said":
                f["o"] = " ".join(f["o"].split()[:4] + ["etc"])
            elif r < 0.45 and "role" in f:
                f["role"] = rng.choice(["chief executive officer", "vice " + f["role"], "ceo"])
            elif r < 0.5 and "amount" in f:
                f["amount"] = f["amount"] * rng.choice([1.009, 1.02])
            facts.append(f)
        if rng.random() < 0.2:
            facts.append({"s": entities[0]["label"] if entities else "x", "p": "memberOf", "o": "Nowhere Inc"})
        out[key] = {"doc": key, "entities": entities, "facts": facts}
    return out


@pytest.mark.parametrize("gold_set", ["gold", "dev-gold", "train-gold", "validation-gold"])
def test_scorer_agrees_with_the_reference_on_noisy_copies_of_real_annotations(reference, gold_set):
    folder = SHARED / "eval" / gold_set
    assert load_docs(folder) == reference.load_docs(folder)
    gold = load_docs(folder)
    for seed in range(3):
        pred = _perturbed(gold, random.Random(seed))
        ours = score(gold, pred)
        assert ours == reference.score(copy.deepcopy(gold), copy.deepcopy(pred))
        assert 0 < ours["facts"]["tp"] < ours["facts"]["gold"]


def test_errors_say_what_the_other_side_has_between_the_same_names():
    gold = {"d": _doc(
        [ACME, NORTH, LINA, ("Lyon", "Place", []), ("Globex", ORG, []), ("Initech", ORG, []), ("Umbrella", ORG, [])],
        [
            {"s": "Acme Robotics", "p": "investsIn", "o": "Northwind Bank"},  # reversed in the prediction
            {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics"},  # predicted as memberOf
            {"s": "Acme Robotics", "p": "locatedIn", "o": "Lyon"},  # Lyon not extracted
            {"s": "Globex", "p": "partnersWith", "o": "Initech"},  # Globex not extracted
            {"s": "Umbrella", "p": "memberOf", "o": "Northwind Bank"},  # nothing between them predicted
            {"s": "Acme Robotics", "p": "trains", "o": "workers", "count": 500},  # another count predicted
            {"s": "Lina Okafor", "p": "said", "o": "we will hire in the spring"},  # another quotation
            {"s": "Umbrella", "p": "partnersWith", "o": "Acme"},  # found (by the alias, the other way round)
        ],
    )}
    pred = {"d": _doc(
        [("ACME", ORG, []), NORTH, ("Lina Okafor", ORG, []), ("Initech", ORG, []), ("Umbrella", ORG, []),
         ("Hooli", ORG, [])],
        [
            {"s": "Northwind Bank", "p": "investsIn", "o": "Acme Robotics"},
            {"s": "Lina Okafor", "p": "memberOf", "o": "ACME"},
            {"s": "Acme Robotics", "p": "trains", "o": "engineers", "count": 50},
            {"s": "Lina Okafor", "p": "said", "o": "nothing was decided yesterday"},
            {"s": "Acme", "p": "partnersWith", "o": "Umbrella"},
            {"s": "Hooli", "p": "develops", "o": "Initech"},
            {"s": "Initech", "p": "memberOf", "o": "Umbrella"},
        ],
    )}
    found = {(e["kind"], e["fact"]["p"], e["fact"]["s"]): e["why"] for e in errors(gold, pred) if "fact" in e}
    assert found == {
        ("missed_fact", "investsIn", "Acme Robotics"): "extracted the other way round",
        ("missed_fact", "worksFor", "Lina Okafor"): "extracted as memberOf",
        ("missed_fact", "locatedIn", "Acme Robotics"): "object not extracted",
        ("missed_fact", "partnersWith", "Globex"): "subject not extracted",
        ("missed_fact", "memberOf", "Umbrella"): "no extracted fact between them",
        ("missed_fact", "trains", "Acme Robotics"): "another group or count extracted",
        ("missed_fact", "said", "Lina Okafor"): "another quotation of the speaker",
        ("wrong_fact", "investsIn", "Northwind Bank"): "annotated the other way round",
        ("wrong_fact", "memberOf", "Lina Okafor"): "annotated as worksFor",
        ("wrong_fact", "trains", "Acme Robotics"): "another group or count annotated",
        ("wrong_fact", "said", "Lina Okafor"): "another quotation of the speaker",
        ("wrong_fact", "develops", "Hooli"): "subject not an annotated entity",
        ("wrong_fact", "memberOf", "Initech"): "no annotated fact between them",
    }
    entities = [(e["kind"], (e.get("entity") or e["gold"])["label"]) for e in errors(gold, pred) if "fact" not in e]
    assert entities == [("missed_entity", "Lyon"), ("missed_entity", "Globex"), ("extra_entity", "Hooli"),
                        ("entity_type", "Lina Okafor")]  # fmt: skip
    assert errors(gold, {}) == [e for e in errors(gold, {}) if e["kind"] in ("missed_fact", "missed_entity")]
    assert len(errors(gold, {})) == len(gold["d"]["facts"]) + len(gold["d"]["entities"])


@pytest.mark.parametrize("gold_set", ["dev-gold", "train-gold"])
def test_errors_add_up_to_the_scores(gold_set):
    folder = SHARED / "eval" / gold_set
    if not folder.is_dir():
        pytest.skip("../shared is not available")
    gold = load_docs(folder)
    pred = _perturbed(gold, random.Random(7))
    for doc in list(pred.values())[::3]:
        doc["entities"].append({"label": "Nowhere Inc", "type": ORG, "aliases": []})
    records = errors(gold, pred)
    assert {r["kind"] for r in records} == {"missed_fact", "wrong_fact", "missed_entity", "extra_entity", "entity_type", "wrong_attribute"}
    for key in gold:
        one = score({key: gold[key]}, {key: pred[key]} if key in pred else {})
        kinds = [r["kind"] for r in records if r["doc"] == key]
        assert kinds.count("missed_fact") == one["facts"]["gold"] - one["facts"]["tp"]
        assert kinds.count("wrong_fact") == one["facts"]["pred"] - one["facts"]["tp"]
        assert kinds.count("missed_entity") == one["entities"]["gold"] - one["entities"]["tp"]
        assert kinds.count("extra_entity") == one["entities"]["pred"] - one["entities"]["tp"]
        typed = round(one["entities"]["type_accuracy"] * one["entities"]["tp"])
        assert kinds.count("entity_type") == one["entities"]["tp"] - typed
        # attributes asked: those of the gold facts that are not missed
        missed = [r["fact"] for r in records if r["doc"] == key and r["kind"] == "missed_fact"]
        matched = list(gold[key]["facts"])
        for f in missed:
            matched.remove(f)
        asked = sum(name in f for f in matched for name in ATTRIBUTES)
        if asked:
            right = asked - kinds.count("wrong_attribute")
            assert round(right / asked, 3) == one["facts"]["attribute_accuracy"]
        else:
            assert kinds.count("wrong_attribute") == 0


def test_load_docs_reads_folders_lists_and_json_lines(reference, tmp_path):
    docs = [{"doc": "a", "entities": [], "facts": []}, {"entities": [{"label": "X", "type": "Place"}]}]
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(docs[0]), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(docs[1]), encoding="utf-8")
    (folder / "notes.txt").write_text("not read", encoding="utf-8")
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps(docs), encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"documents": docs}), encoding="utf-8")
    lines = tmp_path / "docs.jsonl"
    lines.write_text("\n".join(json.dumps(d) for d in docs) + "\n\n", encoding="utf-8")
    for path in (folder, listing, wrapped, lines):
        assert load_docs(path) == reference.load_docs(path)
    assert sorted(load_docs(folder)) == ["a", "b"]
    assert load_docs(folder)["b"]["_stem"] == "b"


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("broken.json", '{"doc": "x",', "broken.json: not valid JSON"),
        ("list.json", "[1, 2]", "list.json: a document must be a JSON object, not list"),
        ("facts.json", '{"facts": {"s": "A"}}', "facts.json: 'facts' must be a list of JSON objects"),
    ],
)
def test_load_docs_names_the_bad_file(tmp_path, name, text, message):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(EvaluationError, match=message):
        load_docs(tmp_path)


def test_load_docs_refuses_a_missing_path(tmp_path):
    with pytest.raises(EvaluationError, match="no such file or folder"):
        load_docs(tmp_path / "nothing")


def test_format_table_has_a_row_per_predicate_and_the_accuracies():
    gold, pred, _ = CASES["role initials and containment"]
    result = score(gold, pred) | {"unscored": ["notes", "readme"], "skipped": []}
    table = format_table(result)
    lines = table.splitlines()
    assert lines[0].split() == ["P", "R", "F1", "tp", "pred", "gold"]
    assert lines[1].split() == ["entities", "1.000", "1.000", "1.000", "2", "2", "2"]
    assert lines[2].split() == ["facts", "1.000", "1.000", "1.000", "4", "4", "4"]
    assert lines[3].split() == ["worksfor", "1.000", "1.000", "1.000", "4", "4", "4"]
    assert "entity type accuracy     1.000" in table
    assert "fact attribute accuracy  0.750" in table
    assert lines[-1] == "1 document scored; 2 without gold, not scored: notes, readme"


# --------------------------------------------------------------------------- evaluate() without models


@pytest.fixture
def small_corpus(tmp_path):
    """Three invented articles, gold for two of them."""
    corpus, gold = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir()
    gold.mkdir()
    (corpus / "n1.txt").write_text("Acme Robotics s'associe à Northwind Bank.\n", encoding="utf-8")
    (corpus / "n2.txt").write_text("Lina Okafor works for Acme Robotics.\n", encoding="utf-8")
    (corpus / "n3.txt").write_text("Nothing happens in Lyon.\n", encoding="utf-8")
    docs = {
        "n1": _doc([ACME, NORTH], [{"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"}]),
        "n2": _doc([LINA, ACME], [{"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics"}]),
    }
    for key, doc in docs.items():
        (gold / f"{key}.json").write_text(json.dumps({"doc": key, **doc}), encoding="utf-8")
    return corpus, gold, docs


@pytest.fixture
def fake_build(monkeypatch):
    """kg.build and kg.export replaced: the 'prediction' of n1 is its gold, n2 and n3 have none."""
    calls = []

    def build(corpus_dir, out_dir, *, explorer=True, min_confidence=0.0, progress=None, model=None):
        calls.append({"explorer": explorer, "min_confidence": min_confidence, "model": model})
        files = [SimpleNamespace(path=p.name, status="ok") for p in sorted(Path(corpus_dir).iterdir())]
        Path(out_dir).mkdir(parents=True)
        (Path(out_dir) / "corpus").write_text(str(corpus_dir), encoding="utf-8")
        return SimpleNamespace(files=files + [SimpleNamespace(path="broken.txt", status="skipped")])

    def export(out_dir, fmt, dest):
        assert fmt == "gold-json"
        corpus = Path((Path(out_dir) / "corpus").read_text(encoding="utf-8"))
        Path(dest).mkdir()
        shutil.copy(corpus.parent / "gold" / "n1.json", Path(dest) / "n1.json")
        return Path(dest)

    monkeypatch.setattr(kg, "build", build)
    monkeypatch.setattr(kg, "export", export)
    return calls


def test_evaluate_builds_exports_and_scores(small_corpus, fake_build):
    corpus, gold, docs = small_corpus
    result = evaluate(corpus, gold, min_confidence=0.4)
    assert fake_build == [{"explorer": False, "min_confidence": 0.4, "model": None}]
    expected = score(docs, {"n1": docs["n1"]})
    assert {k: v for k, v in result.items() if k not in ("unscored", "skipped")} == expected
    assert result["documents"] == 2 and result["facts"]["tp"] == 1 and result["facts"]["gold"] == 2
    assert result["unscored"] == ["n3"]
    assert result["skipped"] == ["broken.txt"]


def test_evaluate_passes_the_model_to_build(small_corpus, fake_build, tmp_path):
    corpus, gold, _ = small_corpus
    evaluate(corpus, gold, model=tmp_path / "model")
    assert fake_build[0]["model"] == tmp_path / "model"


def test_gold_without_its_document_is_an_error_naming_the_file(small_corpus, fake_build):
    corpus, gold, _ = small_corpus
    (gold / "n9.json").write_text(json.dumps({"doc": "n9", "entities": [], "facts": []}), encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"n9\.json: document 'n9' is not in the corpus"):
        evaluate(corpus, gold)
    assert fake_build == []  # refused before building


def test_empty_gold_folder_is_an_error(small_corpus, fake_build, tmp_path):
    corpus, _, _ = small_corpus
    (tmp_path / "empty").mkdir()
    with pytest.raises(EvaluationError, match="no gold documents"):
        evaluate(corpus, tmp_path / "empty")


# --------------------------------------------------------------------------- how sure the scores are


def _bootstrap_case(n_right: int, n_wrong: int) -> tuple[dict, dict]:
    """Documents of one gold fact each; the prediction finds it in ``n_right`` of them and
    states a wrong fact in the other ``n_wrong``."""
    gold, pred = {}, {}
    for i in range(n_right + n_wrong):
        fact = {"s": "Acme Robotics", "p": "partnersWith", "o": "Northwind Bank"}
        gold[f"d{i}"] = _doc([ACME, NORTH], [fact])
        pred[f"d{i}"] = _doc([ACME, NORTH], [fact if i < n_right else {"s": "Acme Robotics", "p": "investsIn", "o": "Northwind Bank"}])
    return gold, pred


def test_intervals_hold_the_score_and_narrow_with_more_documents():
    gold, pred = _bootstrap_case(6, 4)  # fact F1 0.6 on 10 documents
    few = intervals(gold, pred, resamples=500)
    gold_many, pred_many = _bootstrap_case(60, 40)  # the same F1 on 100
    many = intervals(gold_many, pred_many, resamples=500)
    for ci in (few, many):
        lo, hi = ci["facts"]["f1"]
        assert lo < 0.6 < hi
        assert ci["entities"]["f1"] == [1.0, 1.0]  # every resample finds every entity
        assert set(ci["by_predicate"]) == {"partnerswith", "investsin"}
    assert many["facts"]["f1"][1] - many["facts"]["f1"][0] < (few["facts"]["f1"][1] - few["facts"]["f1"][0]) / 2
    assert intervals(gold, pred, resamples=500) == few  # seeded: the same figures each run
    assert intervals(gold, pred, resamples=500, seed=1) != few


def test_a_property_s_interval_leaves_out_resamples_without_it():
    gold, pred = _bootstrap_case(10, 0)
    fact = {"s": "Acme Robotics", "p": "investsIn", "o": "Northwind Bank"}
    gold["d0"]["facts"].append(fact)  # one document of ten has an investment, found
    pred["d0"]["facts"].append(fact)
    ci = intervals(gold, pred, resamples=300)
    assert ci["by_predicate"]["investsin"]["f1"] == [1.0, 1.0]  # not 0 where a resample lacks d0


def test_compare_tells_a_real_difference_from_chance():
    gold, better = _bootstrap_case(60, 40)
    _, worse = _bootstrap_case(30, 70)
    clear = compare(gold, worse, better, resamples=500)
    assert clear["facts"]["a"] == 0.3 and clear["facts"]["b"] == 0.6 and clear["facts"]["difference"] == 0.3
    assert 0 < clear["facts"]["interval"][0] <= 0.3 <= clear["facts"]["interval"][1]
    assert clear["facts"]["b_better"] == 1.0
    assert clear["entities"]["difference"] == 0.0 and clear["entities"]["b_better"] == 0.0
    # one more document right of 100: the interval holds 0
    _, almost = _bootstrap_case(61, 39)
    close = compare(gold, better, almost, resamples=500)
    assert close["facts"]["interval"][0] <= 0.0 <= close["facts"]["interval"][1]
    assert 0.0 < close["facts"]["b_better"] < 1.0


def test_evaluation_error_is_a_kg_error():
    assert issubclass(EvaluationError, KGError)


# --------------------------------------------------------------------------- the CLI


def test_cli_help():
    result = CliRunner().invoke(cli, ["evaluate", "--help"])
    assert result.exit_code == 0
    for option in ("--model", "--min-confidence", "--format", "CORPUS_DIR", "GOLD_DIR"):
        assert option in result.output


def test_cli_table(small_corpus, fake_build):
    corpus, gold, _ = small_corpus
    result = CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold)])
    assert result.exit_code == 0, result.output
    assert "partnerswith" in result.stdout and "worksfor" in result.stdout
    assert "fact attribute accuracy" in result.stdout
    assert "2 documents scored; 1 without gold, not scored: n3" in result.stdout


def test_cli_json(small_corpus, fake_build, tmp_path):
    corpus, gold, docs = small_corpus
    model = tmp_path / "model"
    model.mkdir()
    args = ["evaluate", str(corpus), str(gold), "--format", "json", "--min-confidence", "0.5", "--model", str(model)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by_predicate"]["partnerswith"]["tp"] == 1 and data["unscored"] == ["n3"]
    assert fake_build == [{"explorer": False, "min_confidence": 0.5, "model": model}]


def test_cli_writes_the_errors_as_json_lines(small_corpus, fake_build, tmp_path):
    corpus, gold, docs = small_corpus
    path = tmp_path / "report" / "errors.jsonl"
    result = CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold), "--format", "json", "--errors", str(path)])
    assert result.exit_code == 0, result.output
    assert "errors" not in json.loads(result.stdout)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    # the missed fact also says where the shipped model's own extraction of n2 lost it (the fake
    # build extracted nothing; the model, run on the text, gets further)
    stage = records[0].pop("model")
    assert records == errors(docs, {"n1": docs["n1"]})
    assert [(r["doc"], r["kind"]) for r in records] == [("n2", "missed_fact"), ("n2", "missed_entity"),
                                                        ("n2", "missed_entity")]  # fmt: skip
    assert records[0]["fact"] == {"s": "Lina Okafor", "p": "worksFor", "o": "Acme Robotics"}
    assert records[0]["why"] == "subject not extracted"
    assert stage["stage"] in STAGES
    assert "3 error record(s) written" in result.stderr
    assert f"missed facts by where the model lost them: 1 {stage['stage']}" in result.stderr


def test_cli_errors_to_an_unwritable_place_is_a_one_line_error(small_corpus, fake_build, tmp_path):
    corpus, gold, _ = small_corpus
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold), "--errors", str(blocker / "errors.jsonl")])
    assert result.exit_code == 1
    assert "errors.jsonl: cannot write" in result.stderr


def test_cli_bootstrap_adds_the_intervals(small_corpus, fake_build):
    corpus, gold, docs = small_corpus
    table = CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold), "--bootstrap", "200"])
    assert table.exit_code == 0, table.output
    assert "F1 95% interval" in table.stdout and "200 resamples of the scored documents" in table.stdout
    facts_row = next(line for line in table.stdout.splitlines() if line.startswith("facts "))
    lo, hi = intervals(docs, {"n1": docs["n1"]}, resamples=200)["facts"]["f1"]
    assert facts_row.endswith(f"{lo:.3f} – {hi:.3f}")
    assert "fact P 95% interval" in table.stdout and "fact R 95% interval" in table.stdout
    data = json.loads(CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold), "--format", "json", "--bootstrap", "200"]).stdout)
    assert data["intervals"] == intervals(docs, {"n1": docs["n1"]}, resamples=200)
    plain = json.loads(CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold), "--format", "json"]).stdout)
    assert "intervals" not in plain


def test_cli_missing_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["evaluate", str(tmp_path / "nope"), str(tmp_path)])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("n9.json", '{"doc": "n9", "entities": [], "facts": []}', "n9.json: document 'n9' is not in the corpus"),
        ("n1.json", '{"doc": "n1", ', "n1.json: not valid JSON"),
    ],
)
def test_cli_bad_gold_is_a_one_line_error(small_corpus, fake_build, name, text, message):
    corpus, gold, _ = small_corpus
    (gold / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(corpus), str(gold)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert len(result.output.strip().splitlines()) == 1


# --------------------------------------------------------------------------- real material (spaCy models)


@pytest.mark.slow
def test_dev_corpus_scores_the_same_with_both_scorers(reference, tmp_path):
    if not DEV_CORPUS.is_dir():
        pytest.skip("../shared is not available")
    kg.build(DEV_CORPUS, tmp_path / "out", explorer=False)
    kg.export(tmp_path / "out", "gold-json", tmp_path / "pred")
    ours = score(load_docs(DEV_GOLD), load_docs(tmp_path / "pred"))
    assert ours == reference.score(reference.load_docs(DEV_GOLD), reference.load_docs(tmp_path / "pred"))
    assert ours["documents"] == 20 and ours["facts"]["tp"] > 0

    result = evaluate(DEV_CORPUS, DEV_GOLD)
    assert {k: v for k, v in result.items() if k not in ("unscored", "skipped")} == ours
    assert result["unscored"] == ["SOURCES"] and result["skipped"] == []


@pytest.mark.slow
def test_cli_on_real_articles(reference, tmp_path):
    if not DEV_CORPUS.is_dir():
        pytest.skip("../shared is not available")
    corpus, gold = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir()
    gold.mkdir()
    for stem in ("d02", "d11", "d14"):
        shutil.copy(DEV_CORPUS / f"{stem}.txt", corpus)
        shutil.copy(DEV_GOLD / f"{stem}.json", gold)
    runner = CliRunner()
    result = runner.invoke(cli, ["evaluate", str(corpus), str(gold), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    kg.build(corpus, tmp_path / "out", explorer=False)
    kg.export(tmp_path / "out", "gold-json", tmp_path / "pred")
    assert data == reference.score(reference.load_docs(gold), reference.load_docs(tmp_path / "pred")) | {
        "unscored": [],
        "skipped": [],
    }
    table = runner.invoke(cli, ["evaluate", str(corpus), str(gold)])
    assert table.exit_code == 0
    assert table.stdout.splitlines()[2].split()[:4] == [
        "facts",
        *(f"{data['facts'][k]:.3f}" for k in ("precision", "recall", "f1")),
    ]

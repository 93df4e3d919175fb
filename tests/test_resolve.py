"""One IRI per real-world entity across documents (kg.resolve), positive and negative cases."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS

import kg
from kg.model import Document, Entity, Extraction
from kg.resolve import Overrides, load_overrides, resolve
from kg.store import load_dataset, union_graph


def doc(doc_id: str, *entities: tuple[str, str, tuple[str, ...]], lang: str = "en") -> Extraction:
    d = Document(doc_id, f"{doc_id}.txt", "text", lang, "0" * 64)
    return Extraction(d, tuple(Entity(f"{t}:{label}", label, t, aliases) for label, t, aliases in entities))


def iri(res, doc_id: str, label: str, type_: str) -> str:
    return str(res.iris[doc_id][f"{type_}:{label}"])


@pytest.mark.parametrize(
    ("a", "b", "type_"),
    [
        ("Microsoft Corp.", "Microsoft", "Organization"),
        ("the AFL-CIO", "AFL-CIO", "Organization"),
        ("Meta Platforms", "Meta", "Organization"),
        ("États-Unis", "United States", "Place"),
        ("US", "United States", "Place"),
        ("Parlement européen", "European Parliament", "Organization"),
        ("Union européenne", "EU", "Organization"),
        ("UE", "European Union", "Organization"),
        ("Commission européenne", "European Commission", "Organization"),
        ("Stability AI", "StabilityAI", "Organization"),
        ("Timothée Lacroix", "Timothee Lacroix", "Person"),
        ("Organisation internationale du travail", "International Labour Organization", "Organization"),
    ],
)
def test_names_of_one_entity_share_an_iri(a, b, type_):
    res = resolve([doc("d1", (a, type_, ())), doc("d2", (b, type_, ()))])
    assert iri(res, "d1", a, type_) == iri(res, "d2", b, type_)
    assert len(res.merges) == 1 and res.merges[0].reasons


@pytest.mark.parametrize(
    ("a", "type_a", "b", "type_b"),
    [
        ("Alan", "Organization", "Alan", "Person"),
        ("Intel", "Organization", "Intelsat", "Organization"),
        ("OpenAI", "Organization", "Open AI Foundation", "Organization"),
        ("Amazon", "Organization", "Amazon Web Services", "Organization"),
        ("Google", "Organization", "Google DeepMind", "Organization"),
        ("Smith", "Person", "Brad Smith", "Person"),
    ],
)
def test_different_entities_stay_apart(a, type_a, b, type_b):
    res = resolve([doc("d1", (a, type_a, ())), doc("d2", (b, type_b, ()))])
    assert iri(res, "d1", a, type_a) != iri(res, "d2", b, type_b)
    assert res.merges == []


def test_acronym_seen_with_its_expansion_merges_across_documents():
    res = resolve(
        [
            doc("d1", ("Agence nationale de la recherche", "Organization", ("ANR",)), lang="fr"),
            doc("d2", ("ANR", "Organization", ()), lang="fr"),
        ]
    )
    assert iri(res, "d1", "Agence nationale de la recherche", "Organization") == iri(res, "d2", "ANR", "Organization")
    assert res.merges[0].reasons[0]["rule"] == "acronym"
    assert res.pref_labels[iri(res, "d2", "ANR", "Organization")] == "Agence nationale de la recherche"


def test_short_form_used_by_one_document_merges_the_other():
    res = resolve([doc("d1", ("Mistral AI", "Organization", ("Mistral",))), doc("d2", ("Mistral", "Organization", ()))])
    assert iri(res, "d1", "Mistral AI", "Organization") == iri(res, "d2", "Mistral", "Organization")


def test_surnames_are_not_merged_across_documents():
    res = resolve([doc("d1", ("Brad Smith", "Person", ("Smith",))), doc("d2", ("Smith", "Person", ()))])
    assert iri(res, "d1", "Brad Smith", "Person") != iri(res, "d2", "Smith", "Person")


def test_iris_are_deterministic_and_prefer_the_known_name():
    docs = [doc("d1", ("Chat-GPT", "Product", ())), doc("d2", ("ChatGPT", "Product", ()))]
    first, second = resolve(docs), resolve(list(reversed(docs)))
    assert first.iris == second.iris
    assert first.pref_labels[iri(first, "d1", "Chat-GPT", "Product")] == "ChatGPT"


def test_overrides_force_a_merge_and_a_split():
    docs = [
        doc("d1", ("Facebook Inc", "Organization", ())),
        doc("d2", ("Meta", "Organization", ())),
        doc("d3", ("Alan", "Organization", ())),
        doc("d4", ("Alan", "Organization", ())),
    ]
    res = resolve(docs, overrides=Overrides(merge=(frozenset({"facebook", "meta"}),), split=(frozenset({"alan"}),)))
    assert iri(res, "d1", "Facebook Inc", "Organization") == iri(res, "d2", "Meta", "Organization")
    assert iri(res, "d3", "Alan", "Organization") != iri(res, "d4", "Alan", "Organization")


def test_previous_keys_keep_an_entity_iri():
    before = resolve([doc("d1", ("FTC", "Organization", ()))])
    old = iri(before, "d1", "FTC", "Organization")
    after = resolve(
        [doc("d1", ("FTC", "Organization", ())), doc("d2", ("Federal Trade Commission", "Organization", ("FTC",)))],
        previous=before.keys,
    )
    assert (
        iri(after, "d1", "FTC", "Organization") == iri(after, "d2", "Federal Trade Commission", "Organization") == old
    )


@pytest.mark.parametrize("text", ["merge: [[A, B]]\nsplit: [[C]]\n", "merge:\n  - [A, B]\n"])
def test_load_overrides(tmp_path, text):
    (tmp_path / "aliases.yaml").write_text(text, encoding="utf-8")
    o = load_overrides(tmp_path)
    assert o.merge == (frozenset({"a", "b"}),)


@pytest.mark.parametrize("text", ["merge: 3\n", "other: []\n", "merge: [[1, 2]]\n", ": bad: yaml: ["])
def test_bad_overrides_are_a_clear_error(tmp_path, text):
    (tmp_path / "aliases.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(kg.KGError, match="aliases.yaml"):
        load_overrides(tmp_path)


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_build_merges_across_languages_and_lists_merges(tmp_path):
    corpus = tmp_path / "c"
    _write(
        corpus,
        "fr.txt",
        "Microsoft Corp. et le Parlement européen\n\nMicrosoft Corp. a signé un accord avec "
        "le Parlement européen, selon les États-Unis.\n",
    )
    _write(
        corpus,
        "en.txt",
        "Microsoft and the European Parliament\n\nMicrosoft met the European Parliament "
        "in Brussels, the United States said.\n",
    )
    out = tmp_path / "out"
    kg.build(corpus, out, explorer=False)
    g = union_graph(load_dataset(out))
    rows = kg.query(out, "SELECT ?e (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d schema:mentions ?e } GROUP BY ?e")
    shared = {str(r["e"]).rsplit("/", 1)[-1] for r in rows if r["n"] == 2}
    assert {"microsoft", "european-parliament", "united-states"} <= shared
    ms = next(s for s in g.subjects(SKOS.prefLabel, Literal("Microsoft")))
    assert {str(x) for x in g.objects(ms, SKOS.prefLabel)} == {"Microsoft"}
    merges = json.loads((out / "merges.json").read_text(encoding="utf-8"))["merges"]
    assert {m["label"] for m in merges} >= {"Microsoft", "European Parliament", "United States"}
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["merges", str(out), "--json"])
    assert result.exit_code == 0 and "same-name" in result.output


def test_a_new_document_attaches_to_the_existing_node(tmp_path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    _write(corpus, "a.txt", "La ANR finance\n\nLa ANR finance des projets d'intelligence artificielle à Paris.\n")
    kg.build(corpus, out, explorer=False)
    before = {str(r["e"]) for r in kg.query(out, "SELECT ?e WHERE { ?e a kg:Organization }")}
    _write(corpus, "b.txt", "Recherche\n\nL'Agence nationale de la recherche (ANR) a lancé un appel à projets.\n")
    kg.build(corpus, out, explorer=False)
    rows = kg.query(out, "SELECT ?e ?d WHERE { ?d schema:mentions ?e . ?e a kg:Organization }")
    anr = {str(r["e"]) for r in rows if str(r["d"]).endswith("/b")} & before
    assert anr, "the organisation of the new document is the node already in the graph"

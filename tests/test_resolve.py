"""One IRI per real-world entity across documents (kg.resolve), positive and negative cases."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS

import kg
from kg.model import Document, Entity, Extraction, Fact, Mention, Provenance
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


def test_overrides_with_an_object_tag_are_refused_and_not_run(tmp_path):
    marker = tmp_path / "RAN"
    (tmp_path / "aliases.yaml").write_text(f"merge: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with pytest.raises(kg.KGError, match="aliases.yaml"):
        load_overrides(tmp_path)
    assert not marker.exists()


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


# --- one class per real-world entity: the type vote (kg.typevote) ---------------------------------------------------


def entity(label: str, type_: str, *, mentions: int = 1, confidence: float = 1.0, aliases=()) -> Entity:
    return Entity(
        f"{type_}:{label}", label, type_, tuple(aliases), (Mention(label, 0, len(label)),) * mentions, confidence
    )


def extraction(doc_id: str, *entities: Entity, facts: tuple[Fact, ...] = ()) -> Extraction:
    return Extraction(Document(doc_id, f"{doc_id}.txt", "text", "en", "0" * 64), entities, facts)


def fact(subject: Entity, predicate: str, obj: Entity) -> Fact:
    return Fact(subject.key, predicate, obj.key, Provenance("A sentence.", 0, 11, f"{predicate}.test", 0.9))


def votes_of(res, iri_: str) -> dict:
    merge = next(m for m in res.merges if m.iri == iri_)
    return next(r for r in merge.reasons if r["rule"] == "type-vote")


ORG, PRODUCT, PERSON, PLACE = "Organization", "Product", "Person", "Place"


@pytest.mark.parametrize(
    ("case", "name", "documents", "settled"),
    [
        # (class, mentions, confidence) of the name in each document; the class the graph keeps, None: kept apart
        ("clear vote", "OpenAI", [(ORG, 1, 1.0)] * 3 + [(PRODUCT, 1, 1.0)], ORG),
        ("split vote", "Midjourney", [(PRODUCT, 1, 1.0), (ORG, 1, 1.0)], None),
        ("vote not clear", "Brightloom", [(ORG, 1, 1.0)] * 2 + [(PRODUCT, 1, 1.0)] * 3, None),
        ("programme and its body", "Codequest", [(ORG, 1, 1.0)] * 3 + [("Program", 1, 1.0)], ORG),
        ("confidence decides", "Velorin", [(ORG, 1, 1.0)] * 3 + [(PRODUCT, 1, 1.0)], ORG),
        ("confidence decides", "Velorin", [(ORG, 1, 0.1)] * 3 + [(PRODUCT, 1, 1.0)], PRODUCT),
        ("mentions decide", "Quillotech", [(ORG, 1, 1.0)] * 3 + [(PRODUCT, 1, 1.0)], ORG),
        ("mentions decide", "Quillotech", [(ORG, 1, 1.0)] * 3 + [(PRODUCT, 64, 1.0)], PRODUCT),
        ("a single word may be a first name", "Alan", [(ORG, 1, 1.0)] * 3 + [(PERSON, 1, 1.0)], None),
        ("person typed otherwise once", "Ada Quillfeather", [(PERSON, 1, 1.0)] * 3 + [(ORG, 1, 1.0)], PERSON),
        ("one document against one", "Paddy Wexford", [(PERSON, 1, 1.0), (ORG, 4, 1.0)], None),
        ("person needs a strong vote", "Ada Quillfeather", [(ORG, 1, 1.0)] * 2 + [(PERSON, 1, 1.0)], None),
        ("place needs a strong vote", "Norvale", [(ORG, 1, 1.0)] * 2 + [(PLACE, 1, 1.0)], None),
        ("place with a strong vote", "Norvale", [(ORG, 1, 1.0)] * 3 + [(PLACE, 1, 1.0)], ORG),
    ],
)
def test_documents_that_type_one_entity_differently_settle_on_one_class(case, name, documents, settled):
    exs = [extraction(f"d{i}", entity(name, t, mentions=m, confidence=c)) for i, (t, m, c) in enumerate(documents)]
    given = [ex.entities[0].type for ex in exs]
    res = resolve(exs)
    iris = {str(res.iris[f"d{i}"][f"{t}:{name}"]) for i, t in enumerate(given)}
    if settled is None:
        assert len(iris) == len(set(given)), case
        assert res.retyped == {} and [ex.entities[0].type for ex in exs] == given
        assert not any(r["rule"] == "type-vote" for m in res.merges for r in m.reasons)
        return
    (only,) = iris
    assert f"/id/{settled.lower()}/" in only, case
    assert [ex.entities[0].type for ex in exs] == [settled] * len(exs)  # the list is updated in place
    changed = {f"d{i}" for i, t in enumerate(given) if t != settled}
    assert res.retyped == {f"d{i}": {f"{t}:{name}": settled} for i, t in enumerate(given) if t != settled}
    vote = votes_of(res, only)
    assert vote["class"] == settled and set(vote["documents"]) == changed
    assert set(vote["votes"]) == set(given) and max(vote["votes"], key=vote["votes"].get) == settled
    assert {r["from"] for r in vote["retyped"]} == set(given) - {settled}


def test_the_vote_weighs_confidence_and_mentions():
    exs = [
        extraction("d1", entity("Velorin", ORG, mentions=4, confidence=0.5)),
        extraction("d2", entity("Velorin", ORG)),
        extraction("d3", entity("Velorin", ORG)),
        extraction("d4", entity("Velorin", PRODUCT, confidence=0.2)),
    ]
    res = resolve(exs)
    vote = votes_of(res, str(res.iris["d1"]["Organization:Velorin"]))
    assert vote["votes"] == {"Organization": 3.5, "Product": 0.2}  # 0.5 * (1 + log2 4) + 1 + 1
    assert vote["score"] == round(3.5 / 3.7, 3)
    assert vote["retyped"] == [{"document": "d4", "name": "Velorin", "from": "Product"}]


def test_facts_the_new_class_does_not_fit_are_left_out_and_recorded():
    acme, widget, brindle = entity("Acme", ORG), entity("Widgetron", PRODUCT), entity("Brindle Labs", ORG)
    first = extraction(
        "d1", acme, widget, brindle, facts=(fact(acme, "develops", widget), fact(acme, "partnersWith", brindle))
    )
    exs = [first, *(extraction(f"d{i}", entity("Widgetron", ORG)) for i in (2, 3, 4))]
    res = resolve(list(exs), in_place=False)
    settled = res.apply(first)
    assert settled.entity("Product:Widgetron").type == ORG
    assert [f.predicate for f in settled.facts] == ["partnersWith"]
    assert exs[0] is first and first.entity("Product:Widgetron").type == PRODUCT  # in_place=False: untouched
    vote = votes_of(res, str(res.iris["d1"]["Product:Widgetron"]))
    assert vote["dropped_facts"] == [
        {"document": "d1", "subject": "Acme", "predicate": "develops", "object": "Widgetron", "rule": "develops.test"}
    ]
    assert res.apply(exs[1]) is exs[1]  # nothing to change


def test_facts_that_still_fit_are_kept():
    ada, acme = entity("Ada Quillfeather", ORG), entity("Acme", ORG)
    first = extraction("d1", ada, acme, facts=(fact(ada, "partnersWith", acme), fact(acme, "investsIn", ada)))
    exs = [first, *(extraction(f"d{i}", entity("Ada Quillfeather", PERSON)) for i in (2, 3, 4))]
    resolve(exs)
    assert exs[0].entity("Organization:Ada Quillfeather").type == PERSON
    assert [f.predicate for f in exs[0].facts] == ["partnersWith"]  # a person cannot be invested in


def test_an_alias_the_gazetteer_gives_to_another_entity_joins_nothing():
    # one document grouped "OpenAI" under "ChatGPT" ("ChatGPT (OpenAI)"); another typed OpenAI as a Product
    exs = [
        extraction("d1", entity("ChatGPT", PRODUCT, aliases=("OpenAI",))),
        extraction("d2", entity("OpenAI", PRODUCT)),
        extraction("d3", entity("ChatGPT", PRODUCT)),
        *(extraction(f"d{i}", entity("OpenAI", ORG)) for i in (4, 5, 6)),
    ]
    for order in (exs, list(reversed(exs))):
        res = resolve(list(order))
        chatgpt = {str(res.iris[d]["Product:ChatGPT"]) for d in ("d1", "d3")}
        openai = {str(res.iris[f"d{i}"]["Organization:OpenAI"]) for i in (4, 5, 6)}
        assert str(res.iris["d2"]["Product:OpenAI"]) in openai  # retyped by the vote, not joined to ChatGPT
        assert chatgpt == {"https://w3id.org/kg-news/id/product/chatgpt"}
        assert openai == {"https://w3id.org/kg-news/id/organization/openai"}


@pytest.mark.parametrize(
    ("a", "b", "apart"),
    [
        (("CES", "Event"), ("Confédération européenne des syndicats", ORG), True),  # one acronym, two things
        (("ETUC", ORG), ("Confédération européenne des syndicats", ORG), False),
        (("EU", PLACE), ("Union européenne", ORG), False),  # known names of one thing: the vote settles the class
        (("workshop", "Event"), ("workshop", "Event"), True),  # an unnamed event of each document
    ],
)
def test_known_names_are_read_in_the_entry_of_the_class(a, b, apart):
    exs = [extraction("d1", entity(*a)), *(extraction(f"d{i}", entity(*b)) for i in (2, 3, 4))]
    res = resolve(exs)
    first, other = str(res.iris["d1"][f"{a[1]}:{a[0]}"]), str(res.iris["d2"][f"{b[1]}:{b[0]}"])
    assert (first != other) == apart
    if a[0] == "CES":
        assert first == "https://w3id.org/kg-news/id/event/ces"


def test_resolution_is_the_same_whatever_the_order_and_across_rebuilds():
    exs = [
        extraction("d1", entity("OpenAI", PRODUCT), entity("workshop", "Event")),
        extraction("d2", entity("OpenAI", ORG), entity("workshop", "Event"), entity("Alan", ORG)),
        extraction("d3", entity("OpenAI", ORG), entity("Alan", PERSON)),
        extraction("d4", entity("Open AI", ORG), entity("Alan", ORG)),
    ]
    overrides = Overrides(split=(frozenset({"alan"}),))
    first = resolve(list(exs), overrides=overrides)
    again = resolve(list(reversed(exs)), overrides=overrides)
    rebuilt = resolve(list(exs), overrides=overrides, previous=first.keys)
    for other in (again, rebuilt):
        assert other.iris == first.iris and other.keys == first.keys and other.retyped == first.retyped
        assert [m.__dict__ for m in other.merges] == [m.__dict__ for m in first.merges]


# --- end to end: documents written for these tests, extracted by hand or by the model ---------------------------------

QUILLOTECH = {
    "a.txt": "Quillotech and Brindle Labs\n\nQuillotech, a company based in Lyon, works with Brindle Labs. "
    "Quillotech hires.\n",
    "b.txt": "Quillotech grows\n\nThe firm Quillotech opened an office in Nantes.\n",
    "c.txt": "A reading app\n\nBrindle Labs develops Quillotech, an app that helps pupils read.\n",
}

# what a (hypothetical) extractor found: label -> class and confidence per document, and the facts
HAND_MADE = {
    "a": ({"Quillotech": (ORG, 0.9), "Brindle Labs": (ORG, 1.0), "Lyon": (PLACE, 1.0)},
          [("Quillotech", "partnersWith", "Brindle Labs"), ("Quillotech", "locatedIn", "Lyon")]),
    "b": ({"Quillotech": (ORG, 1.0), "Nantes": (PLACE, 1.0)}, [("Quillotech", "locatedIn", "Nantes")]),
    "c": ({"Quillotech": (PRODUCT, 0.6), "Brindle Labs": (ORG, 1.0)}, [("Brindle Labs", "develops", "Quillotech")]),
}  # fmt: skip


def _hand_made_extract(document: Document, chunks) -> Extraction:
    import re

    classes, triples = HAND_MADE[document.doc_id]
    ents = {}
    for label, (type_, confidence) in classes.items():
        spans = tuple(Mention(label, m.start(), m.end()) for m in re.finditer(re.escape(label), document.text))
        ents[label] = Entity(f"{type_}:{label}", label, type_, (), spans, confidence)
    sentence = document.text.split("\n\n", 1)[1].strip()
    start = document.text.index(sentence)
    facts = tuple(
        Fact(ents[s].key, p, ents[o].key, Provenance(sentence, start, start + len(sentence), f"{p}.hand", 0.8))
        for s, p, o in triples
    )
    return Extraction(document, tuple(ents.values()), facts)


@pytest.mark.parametrize("extractor", ["hand-made", "model"])
def test_build_settles_one_class_and_the_graph_conforms(tmp_path, monkeypatch, extractor):
    from click.testing import CliRunner

    from kg.cli import cli

    if extractor == "hand-made":
        monkeypatch.setattr("kg.parallel.HELPER", False)  # the stand-in extracts in this process
        monkeypatch.setattr("kg.learn.extract", lambda document, chunks, model=None: _hand_made_extract(document, chunks))
    corpus, out = tmp_path / "c", tmp_path / "out"
    for name, text in QUILLOTECH.items():
        _write(corpus, name, text)
    kg.build(corpus, out, explorer=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    one_class = "SELECT ?e (COUNT(DISTINCT ?c) AS ?n) WHERE { ?d schema:mentions ?e . ?e a ?c } GROUP BY ?e"
    classes = kg.query(out, one_class)
    assert classes and all(int(r["n"]) == 1 for r in classes)  # one class per node

    files = {name: (out / name).read_bytes() for name in ("graph.trig", "merges.json")}
    kg.build(corpus, out, explorer=False, force=True)
    kg.build(corpus, tmp_path / "fresh", explorer=False)
    for name, data in files.items():
        assert (out / name).read_bytes() == data and (tmp_path / "fresh" / name).read_bytes() == data, name
    if extractor == "model":
        return

    rows = kg.query(out, "SELECT DISTINCT ?e ?c WHERE { ?e rdfs:label ?l . ?e a ?c . FILTER(STR(?l) = 'Quillotech') }")
    assert [(str(r["e"]), str(r["c"]).rsplit("#", 1)[-1]) for r in rows] == [
        ("https://w3id.org/kg-news/id/organization/quillotech", "Organization")
    ]
    assert not kg.query(out, "SELECT ?s WHERE { ?s kg:develops ?o }")  # Quillotech is no longer a product
    assert kg.query(out, "SELECT ?s WHERE { ?s kg:partnersWith ?o }")
    merges = json.loads((out / "merges.json").read_text(encoding="utf-8"))["merges"]
    quill = next(m for m in merges if m["label"] == "Quillotech")
    vote = next(r for r in quill["reasons"] if r["rule"] == "type-vote")
    # a: 3 mentions at 0.9, b: 2 mentions at 1.0; c: 1 mention at 0.6
    assert vote["class"] == "Organization" and vote["votes"] == {"Organization": 4.326, "Product": 0.6}
    assert vote["dropped_facts"][0]["predicate"] == "develops"
    shown = runner.invoke(cli, ["merges", str(out), "--json"])
    assert shown.exit_code == 0 and '"type-vote"' in shown.output and '"votes"' in shown.output

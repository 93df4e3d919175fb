"""The learned extractor: classifiers, model directories, training, and builds with a model.

Training here runs on the bundled example corpus (14 articles written for kg, with a hand
annotation): enough to exercise every step, fast enough for the suite. Quality is measured
elsewhere (tests/test_quality.py), on real articles the model never saw.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT

import kg
from kg.cli import cli
from kg.errors import ModelError
from kg.learn import ExtractionModel, default_model_path, load_model
from kg.learn.explain import STAGES
from kg.learn.linear import LinearModel
from kg.learn.model import FORMAT_VERSION, model_id
from kg.learn.train import TrainingError, _isotonic, _role_map, fit, joint_thresholds, prepare
from kg.model import PREDICATES

EXAMPLES = ROOT / "examples" / "corpus"
EXAMPLES_GOLD = ROOT / "examples" / "gold"


# --- the linear classifier ----------------------------------------------------------------------


@pytest.mark.parametrize("c", [1.0])
def test_linear_model_learns_and_ignores_unknown_features(c):
    rows = [["w=buys", "T=Org>Org"], ["w=and", "T=Org>Org"], ["w=buys"], ["w=and"]] * 5
    labels = ["memberOf>", "NONE", "memberOf>", "NONE"] * 5
    m = LinearModel.fit(rows, labels, c=c)
    probs = m.predict_proba([["w=buys", "never-seen"], ["w=and"]])
    assert m.classes == ("NONE", "memberOf>")
    assert probs[0, 1] > 0.5 > probs[1, 1]
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert m.predict_proba([]).shape == (0, 2)


@pytest.mark.parametrize("labels", [["a", "a"], []])
def test_linear_model_refuses_a_single_class(labels):
    with pytest.raises(ModelError, match="one class"):
        LinearModel.fit([["x"]] * len(labels), labels)


def test_linear_model_weights_must_fit_the_vocabulary():
    with pytest.raises(ModelError, match="do not fit"):
        LinearModel(["a", "b"], ["x", "y"], np.zeros((3, 2)), np.zeros(2))


# --- model directories ---------------------------------------------------------------------------


def test_shipped_model_loads_without_pickle_and_has_an_identity():
    model = load_model()
    assert model.path == default_model_path()
    assert len(model.model_id) == 16 and model.model_id == model_id(default_model_path())
    assert set(model.classifiers) == {"entities", "pairs", "groups", "quotes"}
    assert model.config["format_version"] == FORMAT_VERSION
    assert model.config["trained_on"]["documents"] >= 200
    with np.load(default_model_path() / "weights.npz", allow_pickle=False) as data:  # plain arrays only
        assert all(data[k].dtype.kind == "f" for k in data.files)
    total = sum(p.stat().st_size for p in default_model_path().iterdir())
    assert total <= 50 * 1024 * 1024


#: A lookup table of the model damaged: file, what is written into it, the error expected.
_DAMAGED_TABLES = {
    "places": ("places.json", '{"country": "France"}', "places.json: cannot read the place names"),
    "places-words": ("places.json", '{"country": ["france", 3, null]}',
                     "places.json: cannot read the place names: expected a list of words for 'country'"),
    "names": ("names.json", '{"1": ["marie"]}', "names.json: cannot read the names"),
    "annotated": ("annotated.json", '{"Company|1": ["acme"]}',
                  "annotated.json: cannot read the names the training annotations typed"),
    "known": ("known.json", '{"roles": {"acme": ["s:buys"]}, "pairs": {}}',
              "known.json: cannot read the facts the training annotations state: expected a list of roles"),
    "known-pair": ("known.json", '{"roles": {}, "pairs": {"acme": ["memberOf"]}}',
                   "known.json: cannot read the facts the training annotations state: a pair of names is two names"),
}  # fmt: skip


@pytest.mark.parametrize("damage", ["missing", "format", "version", "weights", *_DAMAGED_TABLES])
def test_a_damaged_model_directory_is_a_clear_error(tmp_path, damage):
    folder = tmp_path / "m"
    shutil.copytree(default_model_path(), folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if damage == "missing":
        (folder / "classifiers.json").unlink()
        expected = "classifiers.json is missing"
    elif damage == "format":
        config["format"] = "something-else"
        (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        expected = "not a kg extraction model"
    elif damage == "version":
        config["format_version"] = FORMAT_VERSION + 1
        (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        expected = "train the model again"
    elif damage == "weights":
        (folder / "weights.npz").write_bytes(b"not a numpy file")
        expected = "cannot read the weights"
    else:
        file, content, expected = _DAMAGED_TABLES[damage]
        (folder / file).write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=expected):
        ExtractionModel.load(folder)


def test_the_model_carries_its_place_names_and_candidates_get_them_as_features():
    from kg.learn.candidates import entity_candidates
    from kg.learn.places import from_json, to_json

    model = load_model()
    assert model.config["places"]["names"] == len(model.places) > 10_000
    assert "country" in model.places["tunisie"] and "city1m" in model.places["le caire"]
    assert from_json(to_json(model.places)) == model.places
    text = "La filiale Orange Tunisie ouvre un centre à Montréal avec Acme."
    doc, chunks = _parsed(text, "fr")
    features = {text[c.start : c.end]: c.features for c in entity_candidates(chunks, "fr", model.places)}
    assert "geo=city1m" in features["Montréal"]
    assert "geolast=country" in features["Orange Tunisie"]
    assert "geo=-" in features["Acme"]
    # without a table (a model of another kind), no place is known
    bare = {text[c.start : c.end]: c.features for c in entity_candidates(chunks, "fr")}
    assert "geo=city1m" not in bare["Montréal"]


def test_the_model_carries_given_and_family_names_and_candidates_get_them_as_features():
    from kg.learn.candidates import entity_candidates
    from kg.learn.names import from_json, to_json

    model = load_model()
    assert model.config["names"]["words"] == len(model.names) > 10_000
    assert model.names["marie"][0] == "1" and model.names["dupont"][1] in {"1", "2"}
    assert from_json(to_json(model.names)) == model.names
    text = "Marie Dupont a rejoint Zorblax Industries."
    doc, chunks = _parsed(text, "fr")
    features = {text[c.start : c.end]: c.features for c in entity_candidates(chunks, "fr", model.places, model.names)}
    assert "fname=1" in features["Marie Dupont"]
    assert "fname=-" in features["Zorblax Industries"]


def test_the_model_remembers_the_names_its_training_annotated_and_candidates_get_them_as_features():
    from kg.learn import annotated
    from kg.learn.extractor import analyse_document

    model = load_model()
    assert model.config["annotated_names"] == len(model.annotated) > 1_000
    assert annotated.from_json(annotated.to_json(model.annotated)) == model.annotated
    assert model.annotated["microsoft"].startswith("Organization|2+")
    text = "Microsoft s'associe à Zorblax Industries."
    document = kg.model.Document(doc_id="t", path="t.txt", text=text, lang="fr", sha256="0" * 64)
    _, chunks = _parsed(text, "fr")
    chosen = {m.text: m.type for m in analyse_document(document, chunks, model).mentions}
    assert chosen.get("Microsoft") == "Organization"
    # the features themselves
    assert annotated.features(model.annotated["microsoft"])[:2] == ["kn=Organization", "kn=Organization|2+"]
    assert annotated.features(model.annotated.get("zorblax industries")) == []


def test_the_memory_of_names_leaves_each_training_document_s_own_annotation_out():
    from kg.learn import annotated

    parts = [
        annotated.contribution({"entities": [{"label": "Acme", "type": "Organization", "aliases": ["ACME Corp"]}]}, ["acme", "europe"]),
        annotated.contribution({"entities": [{"label": "Acme", "type": "Organization"}]}, ["acme", "europe", "lundi"]),
        annotated.contribution({"entities": [{"label": "Copilot", "type": "Product"}]}, ["copilot", "acme", "lundi"]),
    ]
    memory = annotated.build(parts)
    assert memory == {"acme": "Organization|2+|mixed", "acme corp": "Organization|1", "copilot": "Product|1", "europe": "NONE", "lundi": "NONE"}
    every = annotated.leave_one_out(parts, [0, 1, 2])
    # the first document sees Acme annotated once elsewhere and left unannotated once; Europe is a
    # candidate in one other document only, so it is not known as a non-entity
    assert every[0] == [["kn=Organization", "kn=Organization|1", "kn_mixed"], []]
    # the third document's only annotated name is known from nowhere else
    assert every[2][0] == []
    assert every[2][1] == ["kn=Organization", "kn=Organization|2+"]
    # a document outside the memory reads all of it, as an unseen article does
    outside = annotated.leave_one_out(parts, [0, 1])
    assert outside[2] == [[], ["kn=Organization", "kn=Organization|2+"], []]
    assert outside[0][1] == []  # Europe: a candidate of the document itself and one other
    with pytest.raises(ValueError, match="not a class of the memory"):
        annotated.from_json({"Organization|3": ["acme"]})


def test_the_memory_of_facts_leaves_each_training_document_s_own_annotation_out():
    from kg.learn import known

    def doc(*facts):
        entities = [{"label": n, "type": "Organization"} for n in sorted({x for s, _, o in facts for x in (s, o)})]
        return {"entities": entities, "facts": [{"s": s, "p": p, "o": o} for s, p, o in facts]}

    parts = [
        known.contribution(doc(("Acme", "memberOf", "Medef"), ("Acme", "partnersWith", "Brindle"))),
        known.contribution(doc(("Zorblax", "memberOf", "Medef"))),
        known.contribution(doc(("Acme", "memberOf", "Medef"))),
    ]
    memory, counts = known.build(parts), known.tally(parts)
    assert memory["roles"]["medef"] == ["o:memberOf"]
    assert memory["pairs"]["acme\tmedef"] == ["memberOf"]
    # the first document still reads Acme in Medef from the third, but its partner only from itself
    first = known.leave_out(memory, counts, parts[0])
    assert known.features(first, ["acme"], ["medef"]) == ["ka=s:memberOf", "kb=o:memberOf", "kr=memberOf>", "kp=memberOf>"]
    assert known.features(first, ["brindle"], ["acme"]) == ["kb=s:memberOf"]
    # the second document's pair is its own: the roles stay (Medef is in the others), the pair goes
    second = known.leave_out(memory, counts, parts[1])
    assert known.features(second, ["zorblax"], ["medef"]) == ["kb=o:memberOf"]
    # the reverse order of the two names reads the property the other way
    assert "kp=memberOf<" in known.features(memory, ["medef"], ["acme"])
    assert known.from_json(json.loads(json.dumps(known.to_json(memory)))) == memory


def test_the_model_remembers_the_facts_its_training_annotated_and_pairs_get_them_as_features():
    from kg.learn import known
    from kg.learn.extractor import analyse_document

    model = load_model()
    assert model.config["known_facts"]["names"] == len(model.known["roles"]) > 1_000
    assert known.from_json(known.to_json(model.known)) == model.known
    assert "s:partnersWith" in model.known["roles"]["microsoft"]
    text = "Microsoft s'associe à Zorblax Industries."
    document = kg.model.Document(doc_id="t", path="t.txt", text=text, lang="fr", sha256="0" * 64)
    _, chunks = _parsed(text, "fr")
    an = analyse_document(document, chunks, model)
    rows = {(p.a.text, p.b.text): row for p, row in zip(an.pairs, known.pair_rows(model.known, an))}
    assert "ka=s:partnersWith" in rows[("Microsoft", "Zorblax Industries")]
    assert not any(f.startswith("kb=") for f in rows[("Microsoft", "Zorblax Industries")])


def test_a_name_gets_what_its_other_occurrences_say_of_it():
    from kg.learn.candidates import entity_candidates

    text = "Acme a lancé le programme Zorblax Lab à Lyon. Zorblax Lab accueille dix start-up. Brindle Fund attend."
    doc, chunks = _parsed(text, "fr")
    by_start = {c.start: c.features for c in entity_candidates(chunks, "fr")}
    first, second = text.index("Zorblax Lab"), text.rindex("Zorblax Lab")
    # the second, bare occurrence is lent the cue noun and the words around the first
    assert "l1cue=Program" in by_start[first] and "l1cue=Program" not in by_start[second]
    assert {"dl1=programme", "dl1cue=Program", "dr1=a"} <= set(by_start[second])
    # and the first is lent the second's
    assert {"dr1=accueille", "dheadlemma=accueillir"} <= set(by_start[first])
    # nothing is lent that the candidate already has, and a name named once is lent nothing
    assert not any(x.startswith("d") and x[1:] in by_start[first] for x in by_start[first])
    assert not any(x.startswith(("dl1=", "dr1=", "dner=")) for x in by_start[text.index("Brindle Fund")])


def test_a_pickled_weights_file_is_refused(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(default_model_path(), folder)
    with open(folder / "weights.npz", "wb") as handle:
        np.savez(handle, **{"entities.weights": np.array([object()], dtype=object)})
    with pytest.raises(ModelError, match="cannot read the weights"):
        ExtractionModel.load(folder)


@pytest.mark.parametrize("points", [[(0.1, False), (0.2, False), (0.5, True), (0.6, False), (0.9, True), (0.95, True)]])
def test_calibration_is_increasing_and_bounded(points):
    cal = _isotonic(points)
    values = [cal(x / 20) for x in range(21)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values == sorted(values)
    assert cal(0.95) > cal(0.1)


def _points(scores_right: list[tuple[float, bool]], copies: int = 1) -> list[tuple[float, bool]]:
    return [pt for pt in scores_right for _ in range(copies)]


def test_joint_thresholds_raise_a_weak_property_that_costs_the_others():
    # worksFor: right at every score; memberOf: its own best F1 keeps many wrong facts
    points = {p: [] for p in PREDICATES}
    points["worksFor"] = _points([(0.9, True), (0.6, True), (0.3, True)], 10)
    points["memberOf"] = _points([(0.07, True)] * 2 + [(0.07, False)] * 6 + [(0.5, True)], 10)
    gold = dict.fromkeys(PREDICATES, 0)
    gold.update(worksFor=30, memberOf=40)
    own = {"worksFor": 0.25, "memberOf": 0.05}  # each property's own best
    micro = joint_thresholds(points, gold, own, macro=0.0)
    assert micro["memberOf"] > 0.07 and micro["worksFor"] <= 0.3

    # the F1 of all facts together is at least that of the properties' own thresholds
    def f1(th):
        kept = [h for p in PREDICATES for s, h in points[p] if s >= th.get(p, 0.5)]
        return 2 * sum(kept) / (len(kept) + sum(gold.values()))
    assert f1(micro) > f1(dict(own, **{p: 0.5 for p in PREDICATES if p not in own}))
    # weighting the properties' mean F1 fully keeps each property's own best
    assert joint_thresholds(points, gold, own, macro=1.0)["memberOf"] == 0.05


def test_an_unknown_threshold_objective_is_refused(tmp_path):
    with pytest.raises(TrainingError, match="threshold objective 'best'"):
        fit([], config={"objective": "best"})


# --- choosing mentions ----------------------------------------------------------------------------


def _candidates(text: str, spans: list[tuple[int, int]]):
    from kg import nlp
    from kg.learn.candidates import EntityCandidate
    from kg.learn.spans import SpanCandidate

    doc = nlp.load("en")(text)
    return [EntityCandidate(0, doc, SpanCandidate(a, b), []) for a, b in spans]


def _parsed(text: str, lang: str):
    """A one-document corpus of ``text``, parsed: the document and its chunks."""
    from kg import nlp
    from kg.model import Document

    doc = Document(doc_id="t", path="t.txt", text=text, lang=lang, sha256="0")
    ((_, chunks),) = list(nlp.pipe([(doc, text)], lang))
    return doc, chunks


@pytest.mark.parametrize(
    ("longer", "chosen"),
    [(None, ["Nvidia", "Omniverse"]), (0.6, ["Nvidia AI Enterprise", "Omniverse"]), (0.95, ["Nvidia", "Omniverse"])],
)
def test_overlapping_candidates_longest_first_above_a_probability(longer, chosen):
    from kg.learn.candidates import choose_mentions

    cands = _candidates("It runs on Nvidia AI Enterprise and Omniverse.", [(3, 4), (3, 6), (7, 8)])
    classes = ("NONE", "Organization", "Product")
    probs = np.array([[0.02, 0.9, 0.08], [0.1, 0.2, 0.7], [0.3, 0.1, 0.6]])
    got = choose_mentions(cands, probs, classes, 0.5, longer)
    assert [c.text for c, _, _, _ in got] == chosen
    assert {c.text: t for c, t, _, _ in got}.get("Nvidia AI Enterprise", "Product") == "Product"


def _analysed(text: str, lang: str, chosen: list[tuple]):
    """The analysis of ``text`` when the mentions chosen are the (first occurrence of each) ``(name, class)``
    or ``(name, class, other classes the classifier found plausible)``."""
    from kg.learn.candidates import EntityCandidate, analyse
    from kg.learn.spans import SpanCandidate

    doc, chunks = _parsed(text, lang)
    ((offset, parsed),) = chunks
    picked = []
    for name, type_, *rest in chosen:
        alts = tuple(rest[0]) if rest else ()
        start = text.index(name)
        span = parsed.char_span(start, start + len(name))
        assert span is not None, name
        picked.append((EntityCandidate(offset, parsed, SpanCandidate(span.start, span.end), []), type_, 0.9, alts))
    return analyse(doc, chunks, sorted(picked, key=lambda x: x[0].start))


@pytest.mark.parametrize(
    ("text", "chosen", "entity", "names"),
    [
        # a form of address is not part of the name; the person named with it is the same person
        ("Dr Amara Lindqvist opened the lab. Mr Lindqvist said it would grow.",
         [("Dr Amara Lindqvist", "Person"), ("Mr Lindqvist", "Person")], "Person:amara lindqvist",
         ["Amara Lindqvist", "Lindqvist"]),
        # read as an organisation, a name after an address is still a person's
        ("Today, the Honourable Jane Whitford announced a grant.", [("the Honourable Jane Whitford", "Organization")],
         "Person:jane whitford", ["Jane Whitford"]),
        # the last words of a longer name, alone, name the same organisation
        ("The International Brotherhood of Teamsters voted. The Teamsters will strike in May.",
         [("International Brotherhood of Teamsters", "Organization"), ("Teamsters", "Organization")],
         "Organization:international brotherhood of teamsters", ["International Brotherhood of Teamsters", "Teamsters"]),
        ("The Nordic Dockers General Council met. The Council elected a chair.",
         [("Nordic Dockers General Council", "Organization"), ("The Council", "Organization")],
         "Organization:nordic dockers general council", ["Nordic Dockers General Council", "The Council"]),
        # a person's shorter names, once the longer ones are one person
        ("Ana Maria Velkova spoke first. Maria Velkova said the plan works. Velkova left at noon.",
         [("Ana Maria Velkova", "Person"), ("Maria Velkova", "Person"), ("Velkova", "Person")],
         "Person:ana maria velkova", ["Ana Maria Velkova", "Maria Velkova", "Velkova"]),
        # the word for the kind of business dropped, even from a name the gazetteer knows
        ("Quorvex Systems raised money. Quorvex will hire engineers.",
         [("Quorvex Systems", "Organization"), ("Quorvex", "Organization")],
         "Organization:quorvex systems", ["Quorvex Systems", "Quorvex"]),
        ("SoftBank Group invested in the start-up. SoftBank led the round.",
         [("SoftBank Group", "Organization"), ("SoftBank", "Organization")],
         "Organization:softbank group", ["SoftBank Group", "SoftBank"]),
        # acronyms keeping the linking words' initials, or spelling out a capitalised word
        ("The Congress of Nordic Dock Unions met. CONDU elected a chair.",
         [("Congress of Nordic Dock Unions", "Organization"), ("CONDU", "Organization")],
         "Organization:congress of nordic dock unions", ["Congress of Nordic Dock Unions", "CONDU"]),
        ("Lumen AI Research opened a lab. LAIR will hire twenty people.",
         [("Lumen AI Research", "Organization"), ("LAIR", "Organization")],
         "Organization:lumen ai research", ["Lumen AI Research", "LAIR"]),
        # a nationality adjective read as a place is the country
        ("Chinese investors backed the plant. China wants more of them.",
         [("Chinese", "Place"), ("China", "Place")], "Place:china", ["Chinese", "China"]),
    ],
)  # fmt: skip
def test_mentions_of_one_entity_are_grouped_without_forms_of_address(text, chosen, entity, names):
    an = _analysed(text, "en", chosen)
    assert entity in an.entities
    assert sorted({m.text for m in an.entities[entity].mentions}) == sorted(names)
    assert len(an.entities) == 1


def test_a_person_keeps_their_class_and_no_name_is_made_a_person():
    """The classes a fact may give an entity: a person keeps theirs, and no name becomes a person."""
    text = "Mira Okafor joined Velorin Capital and Quill Labs in May."
    chosen = [("Mira Okafor", "Person", ("Organization",)), ("Velorin Capital", "Organization", ("Person",)),
              ("Quill Labs", "Organization", ("Person", "Product"))]  # fmt: skip
    an = _analysed(text, "en", chosen)
    assert an.alternatives == {"Person:mira okafor": (), "Organization:velorin capital": (),
                               "Organization:quill labs": ("Product",)}  # fmt: skip


def test_a_place_and_a_longer_place_ending_with_it_stay_two_places():
    an = _analysed("Ontario and Northern Ontario will get new plants.", "en", [("Ontario", "Place"), ("Northern Ontario", "Place")])
    assert sorted(an.entities) == ["Place:northern ontario", "Place:ontario"]


def test_a_known_name_and_a_longer_name_of_another_kind_of_thing_stay_apart():
    text = "Google AI published the model. Google said it would ship in May."
    an = _analysed(text, "en", [("Google AI", "Organization"), ("Google", "Organization")])
    assert sorted(an.entities) == ["Organization:google", "Organization:google ai"]


def test_every_form_of_a_nationality_adjective_joins_the_country():
    text = "Le secteur français attire. La France soutient la start-up française."
    an = _analysed(text, "fr", [("français", "Place"), ("France", "Place"), ("française", "Place")])
    ((entity,),) = [list(an.entities.values())]
    assert sorted(m.text for m in entity.mentions) == ["France", "français", "française"]


def test_a_nationality_adjective_without_its_country_stays_alone():
    an = _analysed("Chinese investors backed the plant in Canada.", "en", [("Chinese", "Place"), ("Canada", "Place")])
    assert sorted(an.entities) == ["Place:canada", "Place:chinese"]


def test_an_ambiguous_short_name_is_left_alone():
    text = "The Baltic Workers Council and the Alpine Workers Council met. The Council adjourned."
    chosen = [("Baltic Workers Council", "Organization"), ("Alpine Workers Council", "Organization"), ("The Council", "Organization")]
    assert len(_analysed(text, "en", chosen).entities) == 3


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        # a name with lower-case particles
        ("Commission President Ursula von der Leyen opened the session.", "en", "Ursula von der Leyen"),
        ("The fund is chaired by Sheikh Hamad bin Khalifa Al Thani this year.", "en", "Sheikh Hamad bin Khalifa Al Thani"),
        # a form of address or a job title run into the name
        ("Today, the Honourable Jane Whitford, Minister of Labour, announced a grant.", "en", "Jane Whitford"),
        ("Acme Robotics President Tom Baxter said the plant would open.", "en", "Tom Baxter"),
        ("Acme Robotics President Tom Baxter said the plant would open.", "en", "Acme Robotics"),
        # a dash with spaces between a byline name and its title
        ("By: Maria Lopez - Senior Editor at Daily Planet", "en", "Maria Lopez"),
        # versions closing a product name
        ("The team released Orca 2.5 70B on Monday.", "en", "Orca 2.5 70B"),
        # French names keep their particles
        ("Le ministre Jean de La Fontaine a présenté le plan.", "fr", "Jean de La Fontaine"),
    ],
)
def test_entity_candidates_cover_names_inside_longer_capitalised_runs(text, lang, name):
    from kg.learn.candidates import entity_candidates

    doc, chunks = _parsed(text, lang)
    assert name in {text[c.start : c.end] for c in entity_candidates(chunks, lang)}


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [("The plant is in Paris. It opened in May.", "en", "Paris"), ("Il s'est installé à Lyon. Puis ailleurs.", "fr", "Lyon")],
)
def test_no_candidate_ends_with_the_sentences_full_stop(text, lang, name):
    from kg.learn.candidates import entity_candidates

    doc, chunks = _parsed(text, lang)
    texts = {text[c.start : c.end] for c in entity_candidates(chunks, lang)}
    assert name in texts and name + "." not in texts


@pytest.mark.parametrize(
    ("text", "lang", "title", "role"),
    [
        ("Jeanne Roux, membre du conseil d'administration de Renault, a signé.", "fr", "membre du conseil d'administration", "board member"),
        ("Paul Martin, secrétaire d’État au numérique, a parlé.", "fr", "secrétaire d’État", "secretary of state"),
        ("Léa Blanc, présidente d’honneur de l'association, a parlé.", "fr", "présidente d’honneur", "honorary president"),
        ("Ann Lee, UN Under-Secretary-General, spoke.", "en", "Under-Secretary-General", "under-secretary-general"),
        ("They were re-elected as managing directors of the union.", "en", "managing directors", "managing director"),
        ("Tom Reid, VP Europe at Kestrel, spoke.", "en", "VP", "vice president"),
        ("Tom Reid, à la tête de Kestrel, a parlé.", "fr", "à la tête de", "ceo"),
        ("Le président du directoire, Tom Reid, a parlé.", "fr", "président du directoire", "chairman of the management board"),
        ("Des chefs d’entreprises tels que Tom Reid (Kestrel) étaient là.", "fr", "chefs d’entreprises", "ceo"),
        ("De grands patrons comme Tom Reid de Kestrel étaient là.", "fr", "patrons", "ceo"),
        ("Kestrel's new chiefs Tom Reid and Ann Lee spoke.", "en", "chiefs", "ceo"),
    ],
)
def test_job_titles_with_elisions_hyphens_and_plurals_are_found(text, lang, title, role):
    from kg import nlp
    from kg.extract.context import Sentence
    from kg.extract.roles import _role_spans

    doc = nlp.load(lang)(text)
    found = _role_spans(Sentence(span=doc[:], offset=0, index=0, lang=lang), titles=True)
    assert (title, role) in {(doc[a:b].text, r) for a, b, r in found}


@pytest.mark.parametrize(
    ("text", "lang", "speaker", "incise"),
    [
        ("« Nous ouvrons trois écoles, a déclaré Claire Fabre, présidente d'Azura. Le reste suivra. »", "fr", "Claire Fabre", True),
        ("« La région nous aide, dit le directeur général d'Azura, Paul Ressac. Nous recrutons. »", "fr", "Paul Ressac", True),
        ("“We will open three schools, said Dana Whitfield, the chief executive of Azura.”", "en", "Dana Whitfield", True),
        ("« Nous travaillons avec Claire Fabre depuis des années », a déclaré Paul Ressac.", "fr", "Claire Fabre", False),
    ],
)
def test_a_speaker_named_in_an_incise_of_the_quotation_is_a_candidate(text, lang, speaker, incise):
    people = [(name, "Person") for name in ("Claire Fabre", "Paul Ressac", "Dana Whitfield") if name in text]
    an = _analysed(text, lang, people)
    inside = [q for q in an.quotes if q.speaker.text == speaker and "Q|incise" in q.features]
    assert bool(inside) is incise
    if incise:
        assert inside[0].start < inside[0].speaker.start < inside[0].end


def test_document_features_say_how_the_document_names_both_entities():
    from types import SimpleNamespace as NS

    from kg.learn.features import document_features

    def mention(key, type_, start):
        return NS(key=key, type=type_, start=start, text=key.title(), source="ner")

    acme = [mention("acme", "Organization", s) for s in (10, 200, 900, 1500)]
    jane = [mention("jane", "Person", s) for s in (950, 1600)]
    beta = [mention("beta", "Organization", 2000)]
    entities = {
        "acme": NS(key="acme", type="Organization", mentions=acme),
        "jane": NS(key="jane", type="Person", mentions=jane),
        "beta": NS(key="beta", type="Organization", mentions=beta),
    }
    sentences = [NS(mentions=[acme[0]]), NS(mentions=[acme[2], jane[0]]), NS(mentions=[acme[3], jane[1], beta[0]])]
    an = NS(mentions=[*acme, *jane, *beta], entities=entities, sentences=sentences)
    f = document_features(an, jane[1], acme[3], 2)
    assert {"acnt=2-3", "bcnt=4+", "bfocus", "blead", "cooc=2-3", "nment=3"} <= set(f)
    assert "afocus" not in f and "alead" not in f
    f = document_features(an, jane[1], beta[0], 2)
    assert {"acnt=2-3", "bcnt=1", "cooc=1"} <= set(f) and "bfocus" not in f


def test_an_entity_named_after_another_is_paired_with_it_however_far_apart():
    from kg.learn.candidates import EntityCandidate, analyse
    from kg.learn.spans import SpanCandidate

    text = ("Velmora Robotics France opened a lab in Lyon. The lab has ten desks. It opened in May. "
            "Velmora Robotics is based in Oslo.")  # fmt: skip
    doc, chunks = _parsed(text, "en")
    ((offset, parsed),) = chunks
    picked = []
    for name, type_, start in [("Velmora Robotics France", "Organization", 0), ("Lyon", "Place", text.index("Lyon")),
                               ("Velmora Robotics", "Organization", text.rindex("Velmora")),
                               ("Oslo", "Place", text.index("Oslo"))]:  # fmt: skip
        span = parsed.char_span(start, start + len(name))
        picked.append((EntityCandidate(offset, parsed, SpanCandidate(span.start, span.end), []), type_, 0.9, ()))
    an = analyse(doc, chunks, picked)
    assert len(an.entities) == 4
    far = [p for p in an.pairs if {p.a.text, p.b.text} == {"Velmora Robotics France", "Velmora Robotics"}]
    assert len(far) == 1, [(p.a.text, p.b.text) for p in an.pairs]
    (pair,) = far
    assert (pair.first_sentence, pair.sentence) == (0, 3)
    assert {"extends=a", "D|T=Organization>Organization"} <= set(pair.features)
    lyon = next(p for p in an.pairs if p.a.text == "Velmora Robotics France" and p.b.text == "Lyon")
    assert "alast=france" in lyon.features and "extends=a" not in lyon.features
    oslo = next(p for p in an.pairs if p.b.text == "Oslo")
    assert "alast=robotics" in oslo.features and not any(f.startswith("blast=") for f in oslo.features)


@pytest.mark.parametrize(
    ("text", "plain", "lang", "names", "key"),
    [
        ("Norvalis has acquired the robotics start-up Brightmoor for an undisclosed sum.",
         "Norvalis has met the robotics start-up Brightmoor for an undisclosed sum.", "en",
         [("Norvalis", "Organization"), ("Brightmoor", "Organization")], "acquires"),
        ("Norvalis a racheté la start-up Brightmoor pour un montant non divulgué.",
         "Norvalis a rencontré la start-up Brightmoor pour un montant non divulgué.", "fr",
         [("Norvalis", "Organization"), ("Brightmoor", "Organization")], "acquires"),
        ("Brightmoor, désormais intégrée à Norvalis, garde son nom.", "Brightmoor, avec Norvalis, garde son nom.", "fr",
         [("Brightmoor", "Organization"), ("Norvalis", "Organization")], "acquires"),
        ("Brightmoor, a Hyderabad-based start-up, hired ten people.", "Brightmoor, a Hyderabad start-up, hired ten people.",
         "en", [("Brightmoor", "Organization"), ("Hyderabad", "Place")], "based"),
        ("La start-up Brightmoor, dont le siège est à Lille, recrute.", "La start-up Brightmoor, à Lille, recrute.", "fr",
         [("Brightmoor", "Organization"), ("Lille", "Place")], "based"),
    ],
)  # fmt: skip
def test_a_purchase_or_a_base_between_two_names_is_a_pair_feature(text, plain, lang, names, key):
    types = ">".join(t for _, t in names)
    ((pair,), (plain_pair,)) = (_analysed(text, lang, names).pairs, _analysed(plain, lang, names).pairs)
    features = pair.features
    assert f"trig_sent={key}" in features
    if f"trig_btw={key}" in features:  # between the names, it is also read with their classes
        assert f"T|trig_btw={types}|{key}" in features
    else:
        assert f"trig_out={key}" in features, [f for f in features if "trig" in f]
    assert not any(f.endswith(f"={key}") or f.endswith(f"|{key}") for f in plain_pair.features)


def test_a_name_s_head_word_is_read_without_its_legal_suffix():
    text = "Velmora Robotics Inc. opened a lab in Lyon."
    (pair,) = _analysed(text, "en", [("Velmora Robotics Inc.", "Organization"), ("Lyon", "Place")]).pairs
    assert "alast=robotics" in pair.features and "alast=inc" not in pair.features


def test_role_conventions_need_two_consistent_cases():
    pairs = [("general secretary", "secretary general")] * 2 + [("ceo", "chief executive")]
    assert _role_map(pairs) == {"general secretary": "secretary general"}
    # a convention the annotations do not keep most of the time is no convention
    assert _role_map(pairs + [("general secretary", "general secretary")] * 2) == {}


@pytest.mark.parametrize(
    ("text", "lang", "person", "org", "role"),
    [
        # French modifiers after the title come before it in English
        ("Jean Martin, directeur régional de la SNCF, a signé l'accord mardi.", "fr", "Jean Martin", "SNCF", "regional director"),
        ("Sophie Martin, analyste chez Gartner, estime que le marché va croître.", "fr", "Sophie Martin", "Gartner", "analyst"),
        # a French ordinal before the title
        ("Le 1er vice-président de Nordmetall, Paul Martin, a salué le vote.", "fr", "Paul Martin", "Nordmetall",
         "first vice president"),  # fmt: skip
        # English modifiers the parse attaches to the title, or known ones
        (
            "Western Regional Director Jane Smith of Acme Corp said the deal protects members.",
            "en",
            "Jane Smith",
            "Acme Corp",
            "western regional director",
        ),
        ("Alibaba executive vice president Joe Tsai spoke at the event.", "en", "Joe Tsai", "Alibaba", "executive vice president"),
        # a title after a coordination of people is each one's
        (
            "Board Members – Anna Berg, Tom Reid, Lisa Wong, Peter Hall, Maria Gomez, and Sam Hill were named to the "
            "board of Nordmetall.",
            "en",
            "Sam Hill",
            "Nordmetall",
            "board member",
        ),
        # a longer title holding the role a rule gives ("président" of "président du directoire")
        ("Le président du directoire de Lumina, Paul Durand, a signé l’accord.", "fr", "Paul Durand", "Lumina",
         "chairman of the management board"),  # fmt: skip
        ("Jeanne Dubois, à la tête de Lumina, a présenté les résultats.", "fr", "Jeanne Dubois", "Lumina", "ceo"),
        ("« Nous allons recruter », a déclaré Pierre Martin, un partenaire de Norvex Capital, au journal.", "fr",
         "Pierre Martin", "Norvex Capital", "partner"),  # fmt: skip
        ("Jeanne Dubois, secrétaire confédérale de Force Unie, a salué le vote.", "fr", "Jeanne Dubois", "Force Unie",
         "confederal secretary"),  # fmt: skip
        # a title with an elision
        (
            "Trois nouveaux membres ont rejoint le conseil : Paul Martin, membre du conseil d'administration de "
            "Nordmetall, a salué le vote.",
            "fr",
            "Paul Martin",
            "Nordmetall",
            "board member",
        ),
        # what an English title is of, when no organisation ("head of the research lab")
        ("Maria Lopez, head of the research lab at Orvane, said the launch went well.", "en", "Maria Lopez", "Orvane",
         "head of research lab"),  # fmt: skip
        # the title beside the person in another sentence than the one that states the fact
        ("Kestrel said on Monday that Jane Roe will lead its new unit. Jane Roe, the company's chief learning "
         "officer, joined in 2016.", "en", "Jane Roe", "Kestrel", "chief learning officer"),  # fmt: skip
        # two titles joined after a comma
        ("“Our programs keep growing,” said Jane Roe, President, and CEO of Kestrel. Kestrel employs 40 people.",
         "en", "Jane Roe", "Kestrel", "president and ceo"),  # fmt: skip
        # founders, one or several
        ("Founded in 2015 by Paul Martin, Lumora Robotics is a company based in Lisbon. Lumora Robotics employs 40 "
         "engineers.", "en", "Paul Martin", "Lumora Robotics", "founder"),  # fmt: skip
        ("Fondée en 2015 par Paul Martin et Julie Roy, Lumora est une start-up lyonnaise. Lumora emploie 40 "
         "ingénieurs.", "fr", "Julie Roy", "Lumora", "co-founder"),  # fmt: skip
    ],
)
def test_roles_keep_their_modifiers(text, lang, person, org, role):
    from kg.learn.extractor import extract

    doc, chunks = _parsed(text, lang)
    ex = extract(doc, chunks, load_model())
    labels = {e.key: e.label for e in ex.entities}
    roles = {(labels[f.subject], labels[f.object]): f.role for f in ex.facts if f.predicate == "worksFor"}
    assert roles.get((person, org)) == role


@pytest.mark.parametrize(
    ("text", "org", "role"),
    [
        # the title of another organisation is not the person's role at this one
        ("Quora CEO Adam Stone joined the board of Kestrel.", "Kestrel", None),
        ("Quora CEO Adam Stone joined the board of Kestrel.", "Quora", "ceo"),
        ("Adam Stone, CEO of Quora, joined the board of Kestrel.", "Kestrel", None),
        # nor is a former title; the next nearest one is
        ("Adam Stone, former Quora director and now president, joined Kestrel.", "Kestrel", "president"),
        ("Adam Stone was president of Quora; he now advises Kestrel.", "Quora", None),
        ("Adam Stone is president of Quora; he also advises Kestrel.", "Quora", "president"),
        # one title before a coordination of organisations is each one's
        ("Kestrel and Quora founder Adam Stone joined the board.", "Kestrel", "founder"),
    ],
)
def test_a_title_tied_to_another_organisation_or_former_is_not_the_role(text, org, role):
    from kg.learn.extractor import _role_near

    an = _analysed(text, "en", [("Adam Stone", "Person"), ("Kestrel", "Organization"), ("Quora", "Organization")])
    person = next(m for m in an.mentions if m.text == "Adam Stone")
    own = next(m for m in an.mentions if m.text == org)
    assert _role_near(an, person, None, own=own.key) == role


@pytest.mark.parametrize(
    ("text", "amounts"),
    [
        # an amount written right after each investor of a list is its own (the list's sentence
        # names no company: the investors are paired with the company named after it)
        (
            "Kestrel is raising $40 million. Investors include Norvex ($20 million), Alto Ventures ($12 million) "
            "and Brix Capital ($8 million). Orbis, once set to buy Kestrel, is now investing $5 million.",
            {"Norvex": 20_000_000, "Alto Ventures": 12_000_000, "Brix Capital": 8_000_000},
        ),
        # the amount is in another sentence stating the fact than the best one
        (
            "Microsoft invests in Kestrel. The software giant Microsoft will invest $1.5 billion in the Lisbon-based "
            "company Kestrel to speed up its growth.",
            {"Microsoft": 1_500_000_000},
        ),
    ],
)
def test_investors_get_the_amount_written_for_them(text, amounts):
    from kg.learn.extractor import extract

    doc, chunks = _parsed(text, "en")
    ex = extract(doc, chunks, load_model())
    labels = {e.key: e.label for e in ex.entities}
    found = {labels[f.subject]: f.amount for f in ex.facts if f.predicate == "investsIn" and labels[f.object] == "Kestrel"}
    assert {k: found.get(k) for k in amounts} == amounts
    assert all(f.currency == "USD" for f in ex.facts if f.amount is not None)
    # the company raising the money is no investor of its round's amount
    assert not [f for f in ex.facts if labels[f.subject] == "Kestrel" and f.amount is not None]


def test_a_count_in_the_organisations_own_sentence_beats_one_read_across_sentences():
    from copy import copy

    from kg.learn.extractor import analyse_document, score_facts
    from kg.learn.spans import NONE

    text = (
        "Le groupe Norvex veut former 3 millions de personnes d’ici à 2030. Le groupe Kestrel prévoit de former "
        "200 000 personnes."
    )
    doc, chunks = _parsed(text, "fr")
    model = copy(load_model())
    an = analyse_document(doc, chunks, model)
    cross = [g for g in an.groups if g.org.start < an.sentences[g.sentence].start_char]
    assert [(g.org.text, g.count) for g in cross] == [("Norvex", 200_000)]

    class Across:
        """Scores the candidate read across sentences above the one in Norvex's own sentence."""

        classes = (NONE, "trains")

        def predict_proba(self, rows):
            return np.array([[0.1, 0.9] if g in cross else [0.4, 0.6] for g in an.groups])

    model.classifiers = {**model.classifiers, "groups": Across()}
    (fact,) = [f for f in score_facts(an, model).values() if (f.subject, f.predicate) == ("Organization:norvex", "trains")]
    assert fact.score == pytest.approx(0.9)  # the best evidence decides whether the fact holds
    assert fact.attributes["count"] == 3_000_000  # its own sentence gives the count


@pytest.mark.parametrize(
    ("text", "lang", "nouns"),
    [
        # a nationality in the plural, and a plural of people after a count, outside the group lexicon
        ("Le groupe Norvex va former un million de Français et 1 500 formateurs d’ici 2027.", "fr",
         {"Français", "formateurs"}),
        ("Orbital Labs will train 20,000 Americans and 981 graduates this year.", "en", {"Americans", "graduates"}),
        # a count of things, not of people; a plural of people with no count
        ("Orbital Labs will spend 20,000 dollars over 3 years on careers for managers.", "en", {"managers"}),
        ("Le groupe Norvex investit 5 millions d’euros sur 10 ans avec des formateurs.", "fr", set()),
    ],
)  # fmt: skip
def test_groups_named_outside_the_lexicon(text, lang, nouns):
    from kg.learn.extractor import analyse_document

    doc, chunks = _parsed(text, lang)
    an = analyse_document(doc, chunks, load_model())
    assert {g.noun for g in an.groups} == nouns
    assert {g.noun for g in an.groups if "G|open" in g.features} == nouns - {"managers"}


def test_each_count_stated_for_a_group_is_a_fact_of_its_own():
    from kg.learn.extractor import extract

    text = (
        "Zorblax will train 300,000 people in digital skills by 2027. Since 2020, Zorblax has trained 40,000 "
        "people in its academies."
    )
    doc, chunks = _parsed(text, "en")
    facts = [f for f in extract(doc, chunks, load_model()).facts if f.predicate == "trains"]
    assert sorted(f.count for f in facts) == [40_000, 300_000]
    for f in facts:  # each with the sentence that states its count
        assert f"{f.count:,}" in f.provenance.sentence
    assert {f.year for f in facts if f.count == 300_000} == {2027}


# --- training -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared():
    docs, warnings = prepare([(EXAMPLES, EXAMPLES_GOLD)])
    return docs, warnings


@pytest.fixture(scope="module")
def trained(prepared, tmp_path_factory):
    docs, _ = prepared
    folder = tmp_path_factory.mktemp("model") / "m"
    model = fit(docs, seed=3)
    model.save(folder)
    return model, folder


@pytest.mark.slow
def test_prepare_reads_every_annotated_document(prepared):
    docs, warnings = prepared
    assert sorted(d.doc_id for d in docs) == sorted(p.stem for p in EXAMPLES_GOLD.glob("*.json"))
    assert all(d.candidates and len(d.candidates) == len(d.labels) for d in docs)
    # the annotations' own names are among the candidates' labels
    assert sum(label != "NONE" for d in docs for label in d.labels) > 100


@pytest.mark.slow
def test_training_is_deterministic(prepared, trained, tmp_path):
    docs, _ = prepared
    model, folder = trained
    again = fit(docs, seed=3)
    again.save(tmp_path / "again")
    assert again.model_id == model.model_id == model_id(folder)
    for name in ("classifiers.json", "weights.npz"):
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes()


@pytest.mark.slow
def test_pairs_far_less_likely_than_their_facts_best_pair_are_left_out_of_training(prepared):
    from collections import defaultdict

    from kg.learn import align
    from kg.learn.train import DEFAULTS, _analyse, _evidence, _fit_entities

    docs, _ = prepared
    analyses = _analyse(docs, _fit_entities(docs, DEFAULTS, 0), DEFAULTS)
    classes = ("NONE", "partnersWith", "worksFor<", "worksFor>")
    probs, expected, groups = [], [], 0
    for d, an in zip(docs, analyses):
        gold = align.Gold(d.gold)
        labels = [align.pair_label(gold, an, p) for p in an.pairs]
        seen: dict = defaultdict(int)
        rows, keep = [], []
        for p, label in zip(an.pairs, labels):
            row = np.full(len(classes), 0.1)
            if label in classes[1:]:
                key = (frozenset((p.a.key, p.b.key)), label)
                seen[key] += 1
                # the first pair of a fact is its best (0.9), the second half as likely (0.45), the others 0.2
                row[classes.index(label)] = (0.9, 0.45)[seen[key] - 1] if seen[key] <= 2 else 0.2
                keep.append(seen[key] <= 2)
                groups += seen[key] == 2
            else:
                keep.append(True)  # NONE pairs, and labels outside these classes (probability 0, best 0), stay
            rows.append(row)
        probs.append(np.array(rows).reshape(len(rows), len(classes)))
        expected.append(keep)
    assert groups > 0  # some facts of the examples are named by several pairs
    per_document = [classes] * len(docs)
    assert _evidence(docs, analyses, probs, per_document, 0.5) == expected
    assert all(all(k) for k in _evidence(docs, analyses, probs, per_document, 0.0))


@pytest.mark.slow
def test_the_pair_classifier_also_learns_from_the_pairs_of_the_annotated_mentions(prepared):
    from kg.learn import align
    from kg.learn.train import _annotated_analysis

    docs, _ = prepared
    labelled = 0
    for d in docs:
        an, labels = _annotated_analysis(d)
        assert len(an.pairs) == len(labels)
        gold = align.Gold(d.gold)
        facts = {p for pairs in gold.facts.values() for p in pairs}
        assert {label.rstrip("<>") for label in labels} <= facts | {"NONE"}
        labelled += sum(label != "NONE" for label in labels)
    assert labelled > 20  # the examples' facts between two named entities


@pytest.mark.slow
def test_a_trained_model_records_what_it_was_trained_on(trained):
    model, folder = trained
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config["seed"] == 3 and config["trained_on"]["documents"] == 14
    assert config["annotated_names"] == len(model.annotated) > 0
    assert config["known_facts"] == {"names": len(model.known["roles"]), "pairs": len(model.known["pairs"])}
    assert config["known_facts"]["pairs"] > 0
    assert set(config["thresholds"]["facts"]) == set(kg.model.PREDICATES)
    assert all(0 < t <= 1 for t in config["thresholds"]["facts"].values())
    loaded = ExtractionModel.load(folder)
    assert loaded.model_id == model.model_id


@pytest.mark.slow
def test_build_with_a_model_records_it_and_reextracts_when_it_changes(trained, tmp_path):
    _, folder = trained
    out = tmp_path / "out"
    kg.build(EXAMPLES, out, explorer=False, model=folder)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["model"]["id"] == model_id(folder) and report["model"]["documents"] == 14
    again = kg.build(EXAMPLES, out, explorer=False, model=folder)
    assert again.unchanged  # same files, same model: nothing to do
    other = kg.build(EXAMPLES, out, explorer=False)  # the shipped model: everything extracted again
    assert not other.unchanged and other.cached == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["model"]["id"] == load_model().model_id


def _annotation(tmp_path: Path, facts: list[dict], entities: list[dict] | None = None) -> tuple[Path, Path]:
    corpus, gold = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir()
    gold.mkdir()
    (corpus / "n1.txt").write_text("Lumen Robotics hires Brad Holm as chief executive.\n", encoding="utf-8")
    entities = entities or [{"label": "Lumen Robotics", "type": "Organization", "aliases": []},
                            {"label": "Brad Holm", "type": "Person", "aliases": []}]  # fmt: skip
    (gold / "n1.json").write_text(json.dumps({"doc": "n1", "lang": "en", "entities": entities, "facts": facts}),
                                  encoding="utf-8")  # fmt: skip
    return corpus, gold


@pytest.mark.parametrize(
    "fact, message",
    [
        ({"s": "Brad Holm", "p": "worksFor", "o": "Acme"}, 'the object "Acme" is not an entity'),
        ({"s": "Brad Holm", "p": "employs", "o": "Lumen Robotics"}, "unknown predicate"),
        ({"s": "Lumen Robotics", "p": "investsIn", "o": "Brad Holm", "amount": "lots"}, "amount"),
    ],
)
def test_training_stops_on_annotation_errors_naming_file_and_fact(tmp_path, fact, message):
    corpus, gold = _annotation(tmp_path, [fact])
    with pytest.raises(TrainingError, match="n1.json: fact 1") as info:
        prepare([(corpus, gold)])
    assert message in str(info.value)
    result = CliRunner().invoke(cli, ["train", str(corpus), str(gold), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1 and "n1.json: fact 1" in result.output
    assert not (tmp_path / "m").exists()


def test_an_annotation_without_its_document_is_an_error(tmp_path):
    corpus, gold = _annotation(tmp_path, [])
    (corpus / "n1.txt").unlink()
    with pytest.raises(TrainingError, match="n1"):
        prepare([(corpus, gold)])


@pytest.mark.slow
def test_train_command_writes_a_model_kg_build_uses(tmp_path):
    corpus, gold = tmp_path / "c", tmp_path / "g"
    shutil.copytree(EXAMPLES, corpus)
    shutil.copytree(EXAMPLES_GOLD, gold)
    result = CliRunner().invoke(cli, ["train", str(corpus), str(gold), "--out", str(tmp_path / "m"), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "held-out F1 per property" in result.output and "model:" in result.output
    built = CliRunner().invoke(cli, ["build", str(corpus), "--out", str(tmp_path / "o"), "--model", str(tmp_path / "m"),
                                     "-q", "--no-explorer"])  # fmt: skip
    assert built.exit_code == 0, built.output
    assert json.loads((tmp_path / "o" / "report.json").read_text(encoding="utf-8"))["model"]["id"] == model_id(
        tmp_path / "m"
    )


def test_build_with_a_folder_that_is_no_model_is_a_one_line_error(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text("Lumen Robotics hires.\n", encoding="utf-8")
    (tmp_path / "notamodel").mkdir()
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "c"), "--out", str(tmp_path / "o"),
                                      "--model", str(tmp_path / "notamodel")])  # fmt: skip
    assert result.exit_code == 1 and "not a kg model" in result.output
    assert not (tmp_path / "o" / "graph.trig").exists()


@pytest.mark.parametrize("args, message", [(["--cv", "3", "--model", "."], "cannot be used with --model")])
def test_evaluate_cv_option_conflicts(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["evaluate", str(EXAMPLES), str(EXAMPLES_GOLD), *args])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.slow
def test_cross_validation_holds_every_document_out_once():
    from kg.evaluate import cross_validate

    result = cross_validate(EXAMPLES, EXAMPLES_GOLD, k=2, seed=0)
    held = sorted(doc for fold in result["folds"] for doc in fold["documents"])
    assert held == sorted(p.stem for p in EXAMPLES_GOLD.glob("*.json"))
    assert result["cv"] == 2 and result["documents"] == 14
    assert 0.0 <= result["facts"]["f1"] <= 1.0


@pytest.mark.slow
def test_cross_validation_cli_writes_the_held_out_errors_and_intervals(tmp_path):
    path = tmp_path / "errors.jsonl"
    result = CliRunner().invoke(cli, ["evaluate", str(EXAMPLES), str(EXAMPLES_GOLD), "--cv", "2", "--format", "json",
                                      "--errors", str(path), "--bootstrap", "200"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    lo, hi = data["intervals"]["facts"]["f1"]
    assert data["intervals"]["resamples"] == 200 and lo <= data["facts"]["f1"] <= hi and lo < hi
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    kinds = [r["kind"] for r in records]
    assert kinds.count("missed_fact") == data["facts"]["gold"] - data["facts"]["tp"]
    assert kinds.count("wrong_fact") == data["facts"]["pred"] - data["facts"]["tp"]
    assert kinds.count("missed_entity") == data["entities"]["gold"] - data["entities"]["tp"]
    assert all(r["why"] for r in records if r["kind"] in ("missed_fact", "wrong_fact"))
    # each missed fact says where its fold's model lost it; a fact that model kept is not missed
    stages = [r["model"]["stage"] for r in records if r["kind"] == "missed_fact" and "model" in r]
    assert len(stages) == kinds.count("missed_fact") and set(stages) <= set(STAGES) - {"kept"}

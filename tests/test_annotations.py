"""kg.annotations: every check on a small invented annotation file."""

from __future__ import annotations

import copy
import json

import pytest

from kg.annotations import AnnotationError, Problem, check_annotations, load_annotations
from kg.errors import KGError

TEXT = (
    "Lumen Robotics, based in Lyon, will train 400 technicians by 2027, said its chief executive Clara Voss.\n"
    "“We are building the workshop of tomorrow,” Voss said. The French start-up has partnered with "
    "Northwind Bank, which invested 2 million euros in it.\n"
)

CLEAN = {
    "doc": "n1",
    "lang": "en",
    "entities": [
        {"label": "Lumen Robotics", "type": "Organization", "aliases": []},
        {"label": "Clara Voss", "type": "Person", "aliases": ["Voss"]},
        {"label": "Northwind Bank", "type": "Organization", "aliases": []},
        {"label": "Lyon", "type": "Place", "aliases": []},
        {"label": "France", "type": "Place", "aliases": ["French"]},
    ],
    "facts": [
        {"s": "Lumen Robotics", "p": "trains", "o": "technicians", "count": 400, "year": 2027},
        {"s": "Clara Voss", "p": "worksFor", "o": "Lumen Robotics", "role": "ceo"},
        {"s": "Clara Voss", "p": "said", "o": "We are building the workshop of"},
        {"s": "Lumen Robotics", "p": "partnersWith", "o": "Northwind Bank"},
        {"s": "Northwind Bank", "p": "investsIn", "o": "Lumen Robotics", "amount": 2000000, "currency": "EUR"},
        {"s": "Lumen Robotics", "p": "locatedIn", "o": "Lyon"},
        {"s": "Lumen Robotics", "p": "locatedIn", "o": "France"},
    ],
}


class Replace(dict):
    """A whole new entity or fact for :func:`_with` (a plain dict updates the old one)."""


def _with(**changes):
    """CLEAN with changes: ``entity_N`` / ``fact_N`` (1-based) update that item, ``add_fact`` appends one,
    ``drop`` removes top-level fields, other keys replace top-level fields."""
    doc = copy.deepcopy(CLEAN)
    for key, value in changes.items():
        if key.startswith(("entity_", "fact_")):
            kind, n = key.split("_")
            items = doc["entities" if kind == "entity" else "facts"]
            if isinstance(value, dict) and not isinstance(value, Replace):
                items[int(n) - 1].update(value)
            else:
                items[int(n) - 1] = value
        elif key == "add_fact":
            doc["facts"].append(value)
        elif key == "add_entity":
            doc["entities"].append(value)
        elif key == "drop":
            for field in value:
                del doc[field]
        else:
            doc[key] = value
    return doc


def _write(tmp_path, data, *, name="n1.json", text=TEXT):
    gold, corpus = tmp_path / "gold", tmp_path / "corpus"
    gold.mkdir(exist_ok=True)
    corpus.mkdir(exist_ok=True)
    (corpus / "n1.txt").write_text(text, encoding="utf-8")
    content = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    (gold / name).write_text(content, encoding="utf-8")
    return gold, corpus


def _found(problems):
    return [(p.severity, p.fact, p.entity, p.message) for p in problems]


def test_a_clean_file_has_no_problem(tmp_path):
    gold, corpus = _write(tmp_path, CLEAN)
    assert check_annotations(gold, corpus) == []
    assert check_annotations(gold) == []


def test_load_annotations_returns_the_documents_by_key(tmp_path):
    gold, corpus = _write(tmp_path, CLEAN)
    docs, problems = load_annotations(gold, corpus)
    assert docs == {"n1": CLEAN} and problems == []


E, W = "error", "warning"
FACT_1 = "Lumen Robotics trains technicians"

# name: (file content, [(severity, fact, entity, message)])
CASES = {
    # reading and structure
    "unreadable JSON": (
        '{"doc": "n1", "entities": [',
        [(E, None, None, "not valid JSON: Expecting value (line 1, column 28)")],
    ),
    "not an object": ("[]", [(E, None, None, "must hold one JSON object (a document), not list")]),
    "no entities": (_with(drop=["entities"]), [(E, None, None, 'no "entities" list')]),
    "facts not a list": (_with(facts={"s": "Clara Voss"}), [(E, None, None, '"facts" must be a list, not dict')]),
    "entity not an object": (
        _with(entity_4="Lyon"),
        [
            (E, None, None, "entity 4 is not a JSON object"),
            (E, 6, None, 'the object "Lyon" is not an entity of the file'),
        ],
    ),
    "entity without label": (
        _with(entity_4={"label": " "}),
        [
            (E, None, None, 'entity 4 has no "label" (a non-empty string)'),
            (E, 6, None, 'the object "Lyon" is not an entity of the file'),
        ],
    ),
    "entity without type": (_with(entity_4={"type": None}), [(E, None, "Lyon", 'no "type" (a string)')]),
    "aliases not a list": (
        _with(entity_2={"aliases": "Voss"}),
        [(E, None, "Clara Voss", '"aliases" must be a list of strings')],
    ),
    "fact not an object": (_with(fact_6=["Lumen Robotics", "locatedIn", "Lyon"]), [(E, 6, None, "not a JSON object")]),
    "fact without subject": (
        _with(fact_6={"s": None}),
        [(E, 6, None, '"s" (subject) must be a non-empty string, not null')],
    ),
    "fact without object": (
        _with(fact_6=Replace(s="Lumen Robotics", p="locatedIn")),
        [(E, 6, None, 'no "o" (object)')],
    ),
    "unknown fields": (
        _with(source="web", entity_4={"wikidata": "Q456"}, fact_6={"confidence": 0.9}),
        [
            (W, None, None, 'unknown field "source" (a document has doc, entities, facts, lang)'),
            (W, None, "Lyon", 'unknown field "wikidata" (an entity has aliases, iri, label, type)'),
            (W, 6, None, 'unknown field "confidence" (a fact has amount, count, currency, o, p, role, s, year)'),
        ],
    ),
    # types and predicates
    "unknown entity type": (
        _with(entity_3={"type": "Company"}),
        [
            (
                E,
                None,
                "Northwind Bank",
                'unknown type "Company" (expected one of Person, Organization, Product, Program, Place, Event)',
            )
        ],
    ),
    "entity type in another case": (
        _with(entity_4={"type": "place"}),
        [(W, None, "Lyon", 'type "place" is written "Place" in the ontology')],
    ),
    "unknown predicate": (
        _with(fact_2={"p": "employs"}),
        [
            (
                E,
                2,
                None,
                'unknown predicate "employs" (expected one of partnersWith, investsIn, trains, represents, '
                "worksFor, memberOf, develops, offers, organizes, said, locatedIn)",
            )
        ],
    ),
    "predicate in another case": (
        _with(fact_4={"p": "partnerswith"}),
        [(W, 4, None, 'predicate "partnerswith" is written "partnersWith" in the ontology (accepted)')],
    ),
    # what facts name
    "subject not an entity": (
        _with(fact_2={"s": "Brad Holm"}),
        [(E, 2, None, 'the subject "Brad Holm" is not an entity of the file')],
    ),
    "object not an entity": (
        _with(fact_6={"o": "Grenoble"}),
        [(E, 6, None, 'the object "Grenoble" is not an entity of the file')],
    ),
    "subject named by an alias": (
        _with(fact_2={"s": "Voss"}),
        [(W, 2, None, 'the subject "Voss" is an alias of "Clara Voss": facts name entities by label')],
    ),
    "subject written differently": (
        _with(fact_2={"s": "clara voss"}),
        [(W, 2, None, 'the subject "clara voss" is written "Clara Voss" in the entities')],
    ),
    "group object not lower case": (
        _with(fact_1={"o": "Technicians"}),
        [(W, 1, None, 'the object "Technicians" is neither an entity of the file nor a lower-case group noun')],
    ),
    "organisation object of represents": (
        _with(add_fact={"s": "Northwind Bank", "p": "represents", "o": "Lumen Robotics"}),
        [],
    ),
    "subject type the ontology forbids": (
        _with(fact_2={"s": "Lyon"}),
        [(W, 2, None, "the ontology does not allow a Place as subject of worksFor (only Person)")],
    ),
    "object type the ontology forbids": (
        _with(add_fact={"s": "Clara Voss", "p": "memberOf", "o": "France"}),
        [(W, 8, None, "the ontology does not allow a Place as object of memberOf (only Organization)")],
    ),
    "an entity as the object of trains": (
        _with(fact_1={"o": "Northwind Bank"}),
        [(W, 1, None, "the ontology does not allow an Organization as object of trains (only Group)")],
    ),
    # attributes
    "amount not a number": (
        _with(fact_5={"amount": "2 million"}),
        [(E, 5, None, 'the amount "2 million" is not a positive number')],
    ),
    "amount not positive": (_with(fact_5={"amount": -2}), [(E, 5, None, "the amount -2 is not a positive number")]),
    "currency not ISO 4217": (
        _with(fact_5={"currency": "euros"}),
        [(E, 5, None, 'the currency "euros" is not an ISO 4217 code (such as USD, EUR)')],
    ),
    "currency unknown": (
        _with(fact_5={"currency": "ABC"}),
        [(E, 5, None, 'the currency "ABC" is not an ISO 4217 code (such as USD, EUR)')],
    ),
    "currency in lower case": (
        _with(fact_5={"currency": "eur"}),
        [(W, 5, None, 'the currency "eur" is written "EUR" in ISO 4217')],
    ),
    "count not an integer": (_with(fact_1={"count": 12.5}), [(E, 1, None, "the count 12.5 is not a positive integer")]),
    "count as text": (_with(fact_1={"count": "400"}), [(E, 1, None, 'the count "400" is not a positive integer')]),
    "count zero": (_with(fact_1={"count": 0}), [(E, 1, None, "the count 0 is not a positive integer")]),
    "count written as a decimal": (
        _with(fact_1={"count": 400.0}),
        [(W, 1, None, "the count 400.0 is written as a decimal number (write 400)")],
    ),
    "year out of range": (_with(fact_1={"year": 27}), [(E, 1, None, "the year 27 is not a year from 1900 to 2100")]),
    "year as text": (_with(fact_1={"year": "2027"}), [(E, 1, None, 'the year "2027" is not a year from 1900 to 2100')]),
    "role not a string": (
        _with(fact_2={"role": ["ceo"]}),
        [(E, 2, None, 'the role ["ceo"] is not a non-empty string')],
    ),
    "role not lower case": (_with(fact_2={"role": "CEO"}), [(W, 2, None, 'the role "CEO" is not lower case')]),
    "attribute the predicate does not take": (
        _with(fact_4={"role": "supplier"}),
        [(W, 4, None, 'the guideline gives partnersWith no "role"')],
    ),
    # repeats
    "same label twice, same type": (
        _with(add_entity={"label": "LUMEN ROBOTICS", "type": "Organization", "aliases": []}),
        [(E, None, "LUMEN ROBOTICS", 'listed twice (as "Lumen Robotics"), both as Organization')],
    ),
    "same label twice, other type": (
        _with(add_entity={"label": "Lyon", "type": "Organization", "aliases": []}),
        [(W, None, "Lyon", "the label is also that of a Place: facts naming it are ambiguous")],
    ),
    "a fact twice": (
        _with(add_fact={"s": "Lumen Robotics", "p": "locatedIn", "o": "Lyon"}),
        [(W, 8, None, "repeats fact 6")],
    ),
    "a symmetric fact both ways": (
        _with(add_fact={"s": "Northwind Bank", "p": "partnersWith", "o": "Lumen Robotics"}),
        [(W, 8, None, "repeats fact 4 in the other direction (partnersWith is symmetric: list it once)")],
    ),
    # the doc field
    "doc disagrees with the file name": (
        _with(doc="n2"),
        [
            (E, None, None, '"doc" is "n2" but the file is named n1.json: it would be scored as n2'),
            (E, None, None, 'no document "n2" in the corpus {corpus}'),
        ],
    ),
    "doc with an extension": (_with(doc="n1.txt"), [(W, None, None, '"doc" is "n1.txt"; write the file stem, "n1"')]),
    "doc not a string": (_with(doc=1), [(E, None, None, '"doc" must be a non-empty string')]),
    "doc left out": (_with(drop=["doc"]), []),
    # against the text
    "a name not in the text": (
        _with(
            entity_3={"label": "Northwind Capital"},
            fact_4={"o": "Northwind Capital"},
            fact_5={"s": "Northwind Capital"},
        ),
        [(W, None, "Northwind Capital", "its label does not occur in the document's text")],
    ),
    "no name of an entity in the text": (
        _with(
            entity_2={"aliases": ["Vogt"], "label": "Klara Vogt"},
            fact_2={"s": "Klara Vogt"},
            fact_3={"s": "Klara Vogt"},
        ),
        [(W, None, "Klara Vogt", "none of its names (label, aliases) occurs in the document's text")],
    ),
    "a quotation not in the text": (
        _with(fact_3={"o": "We are building the factory of"}),
        [(W, 3, None, 'the quotation "We are building the factory of" does not occur in the document\'s text')],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_check_names_the_problem(tmp_path, name):
    data, expected = CASES[name]
    gold, corpus = _write(tmp_path, data)
    problems = check_annotations(gold, corpus)
    expected = [(s, f, e, m.format(corpus=corpus)) for s, f, e, m in expected]
    assert _found(problems) == expected
    assert all(p.file == str(gold / "n1.json") for p in problems)
    assert all(p.doc == ("n2" if name.startswith("doc disagrees") else "n1") for p in problems)


def test_problem_str_names_file_fact_and_entity(tmp_path):
    data = _with(fact_2={"s": "Brad Holm"}, entity_4={"type": "City"})
    gold, corpus = _write(tmp_path, data)
    assert [str(p) for p in check_annotations(gold, corpus)] == [
        f'{gold / "n1.json"}: entity "Lyon": unknown type "City" (expected one of Person, Organization, Product, '
        "Program, Place, Event)",
        f'{gold / "n1.json"}: fact 2 (Brad Holm worksFor Lumen Robotics): the subject "Brad Holm" is not an entity '
        "of the file",
    ]


def test_problem_is_frozen():
    problem = Problem("x.json", "x", 1, None, "error", "bad")
    with pytest.raises(AttributeError):
        problem.severity = "warning"  # type: ignore[misc]
    assert str(problem) == "x.json: fact 1: bad"


def test_gold_file_without_its_document(tmp_path):
    gold, corpus = _write(tmp_path, _with(doc="n7"), name="n7.json")
    assert _found(check_annotations(gold, corpus)) == [(E, None, None, f'no document "n7" in the corpus {corpus}')]
    assert check_annotations(gold) == []  # without the corpus, nothing to compare


def test_nationality_alias_is_enough_for_a_place(tmp_path):
    """The guideline labels a nationality adjective's place by the country: the alias occurs, not the label."""
    gold, corpus = _write(tmp_path, CLEAN, text=TEXT)
    assert "France" not in TEXT and "French" in TEXT
    assert check_annotations(gold, corpus) == []


def test_names_are_compared_folded(tmp_path):
    text = TEXT.replace("Lumen Robotics", "LUMEN  ROBÔTICS").replace("Northwind Bank", "Northwind-Bank")
    gold, corpus = _write(tmp_path, CLEAN, text=text)
    assert check_annotations(gold, corpus) == []


def test_an_empty_folder_is_a_problem(tmp_path):
    (tmp_path / "gold").mkdir()
    assert _found(check_annotations(tmp_path / "gold")) == [(E, None, None, "no annotation files (*.json)")]


@pytest.mark.parametrize("which", ["gold", "corpus"])
def test_a_missing_folder_is_an_error(tmp_path, which):
    gold, corpus = _write(tmp_path, CLEAN)
    args = (tmp_path / "nope", corpus) if which == "gold" else (gold, tmp_path / "nope")
    with pytest.raises(AnnotationError, match="nope: not a"):
        check_annotations(*args)
    assert issubclass(AnnotationError, KGError)


def test_problems_come_file_by_file(tmp_path):
    gold, corpus = _write(tmp_path, _with(fact_2={"s": "Nobody"}), name="n1.json")
    (corpus / "n0.txt").write_text("Acme Robotics opened in Lyon.\n", encoding="utf-8")
    (gold / "n0.json").write_text(
        json.dumps({"doc": "n0", "entities": [], "facts": [{"s": "Acme", "p": "x", "o": "y"}]})
    )
    problems = check_annotations(gold, corpus)
    assert [(p.doc, p.fact) for p in problems] == [("n0", 1), ("n1", 2)]
    assert problems[0].message.startswith('unknown predicate "x"')
